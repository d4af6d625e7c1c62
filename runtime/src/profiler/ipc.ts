/**
 * Streaming to the launcher (the VS Code debug adapter or `corepy profile`) over Node's IPC
 * channel when COREPY_PROFILE_IPC=1 (or, with COREPY_PROFILE_SOCKET, over a local socket as JSON
 * lines: the extension's Debug and Profile, where VS Code's JavaScript debugger owns the process): a cumulative {@link ProfileBatchMessage} at most 4×/s while
 * profiling (unref'd timer; the channel is unref'd too, so neither keeps the script alive), and
 * one {@link ProfileReportMessage} when the script ends — normally, by an uncaught exception, or
 * on SIGTERM/SIGINT — carrying everything recorded up to then.
 */
import { aggregate } from './aggregate.js';
import { buildFlame } from './flame.js';
import { connect, type Socket } from 'node:net';
import { IPC_ENV, SOCKET_ENV, type ProfileBatchMessage, type ProfileReportMessage, type SiteStats } from './ipc-protocol.js';
import { buildReport } from './report.js';
import { describeUncaught } from './uncaught-text.js';
import { isProfiling, opsRecorded, snapshot } from './session.js';

/** Minimum interval between batches, ms (4 per second at most). */
export const BATCH_INTERVAL_MS = 250;

let started = false;
let seq = 0;
let lastOps = -1;
let reported = false;

type Channel = { unref?: () => void; ref?: () => void };

/** The socket of COREPY_PROFILE_SOCKET, once connected (writes before that are queued by Node). */
let socket: Socket | null = null;

function send(msg: ProfileBatchMessage | ProfileReportMessage, done?: () => void): void {
  try {
    if (socket !== null && (socket.destroyed || socket.writableEnded)) {
      // Closed after the report (a batch timer may still fire while it flushes) or failed.
      done?.();
    } else if (socket !== null) {
      // The report is the last message: hold the process until it is written, then close.
      if (msg.type === 'corepyReport') socket.ref();
      const s = socket;
      s.write(JSON.stringify(msg) + '\n', () => {
        if (msg.type === 'corepyReport') s.end(() => s.unref());
        done?.();
      });
    } else if (process.send) process.send(msg, undefined, {}, () => done?.());
    else done?.();
  } catch {
    // The launcher went away; nothing else to tell.
    done?.();
  }
}

/** True when a launcher listens: the IPC channel or the socket. */
function connected(): boolean {
  return (socket !== null && !socket.destroyed && !socket.writableEnded) || typeof process.send === 'function';
}

/**
 * The cumulative per-(op, site) batch of everything recorded so far. Built from the cells only
 * (no raw events are materialised), so a batch costs O(cells), not O(maxEvents): the timer runs
 * inside the user's script, and garbage made here would land in the ops being measured.
 */
export function makeBatch(): ProfileBatchMessage {
  const data = snapshot(true, { events: false });
  const agg = aggregate(data);
  const sites: SiteStats[] = agg.sites.map((s) => ({
    op: s.op, backend: s.backends.join(','), location: s.location, count: s.count, totalMs: s.totalMs,
    minMs: s.minMs, maxMs: s.maxMs, bytes: s.bytesRead + s.bytesWritten,
  }));
  return { type: 'corepyProfile', seq: seq++, totalMs: agg.totalOpMs, sites, droppedEvents: data.droppedEvents };
}

/** The final message: JSON report, recommendations and flame model. */
export function makeReportMessage(title: string): ProfileReportMessage {
  const data = snapshot();
  const report = buildReport(data);
  return { type: 'corepyReport', report, recommendations: report.recommendations, flame: buildFlame(data, title) };
}

/** Sends the final report once (later calls only run `done`), then calls `done` once it is written. */
export function sendFinalReport(done?: () => void, title = process.argv[1] ?? 'corepy profile'): void {
  if (reported || !connected()) { done?.(); return; }
  reported = true;
  try {
    send(makeReportMessage(title), done);
  } catch (e) {
    process.stderr.write(`corepy profiler: could not build the final report: ${(e as Error).message}\n`);
    done?.();
  }
}

/** Starts the IPC stream if COREPY_PROFILE_IPC=1 and an IPC channel exists; returns whether it did. */
export function startIpc(): boolean {
  if (started || process.env[IPC_ENV] !== '1') return started;
  const path = process.env[SOCKET_ENV];
  if (path) {
    socket = connect(path);
    // Neither keeps the script alive; a launcher that is gone only loses the stream.
    socket.unref();
    socket.on('error', (e) => {
      process.stderr.write(`corepy profiler: cannot stream to ${path}: ${e.message}\n`);
      socket?.destroy();
    });
  } else if (typeof process.send !== 'function') {
    return started;
  }
  started = true;
  (process.channel as Channel | undefined)?.unref?.();
  const timer = setInterval(() => {
    if (!isProfiling()) return;
    const ops = opsRecorded();
    if (ops === lastOps) return; // nothing new: stay quiet
    lastOps = ops;
    send(makeBatch());
  }, BATCH_INTERVAL_MS);
  timer.unref();
  // Normal end: 'beforeExit' can still send asynchronously; 'exit' is the last resort (e.g. process.exit()).
  process.once('beforeExit', () => sendFinalReport());
  process.once('exit', () => sendFinalReport());
  // An uncaught error: print it as Node would, send what was recorded, then exit 1 once it is written.
  process.once('uncaughtException', (err, origin) => {
    process.stderr.write(describeUncaught(err, origin, process.argv[1]));
    process.exitCode = 1;
    sendFinalReport(() => process.exit(1));
  });
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.once(sig, () => sendFinalReport(() => process.exit(sig === 'SIGINT' ? 130 : 143)));
  }
  return true;
}
