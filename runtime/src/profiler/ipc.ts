/**
 * Streaming to the launcher (the VS Code debug adapter or `corepy profile`) over Node's IPC
 * channel when COREPY_PROFILE_IPC=1 (or, with COREPY_PROFILE_SOCKET, over a local socket as JSON
 * lines: the extension's Debug and Profile, where VS Code's JavaScript debugger owns the process): a cumulative {@link ProfileBatchMessage} at most 4×/s while
 * profiling (unref'd timer; the channel is unref'd too, so neither keeps the script alive), and
 * one {@link ProfileReportMessage} when the script ends — normally, by `process.exit()`, by an
 * uncaught exception, or on SIGTERM/SIGINT — carrying everything recorded up to then. When the
 * launcher names a file (COREPY_PROFILE_REPORT_FILE) the final message is written there
 * synchronously, which survives `process.exit()`; otherwise it goes over IPC.
 *
 * Exit statuses are the script's own: `process.exit(n)` keeps n, an uncaught error gives 1,
 * SIGINT 130 and SIGTERM 143 (128 + the signal number, as a shell reports a signal death).
 * A signal cannot interrupt synchronous JavaScript: a synchronous loop that issues ops streams its
 * batches from the op path (the timer cannot run), and there also looks for the launcher's stop file
 * (COREPY_PROFILE_STOP_FILE), then ends as on SIGTERM with its full report. Synchronous JavaScript
 * without ops is interrupted by a watcher thread that sees the stop file (stop-watcher.ts) and
 * ends the same way. Only where neither can act (no inspector in the Node build) does the launcher's
 * grace period run out: it kills the process and keeps the last batch as a partial report (cli.ts).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { aggregate } from './aggregate.js';
import { buildFlame } from './flame.js';
import { connect, type Socket } from 'node:net';
import { BATCH_NOW_KEY, IPC_ENV, REPORT_FILE_ENV, SOCKET_ENV, STOP_FILE_ENV, stopAckFile, type ProfileBatchMessage, type ProfileHelloMessage, type ProfileReportMessage } from '../contract/ipc.js';
import { batchOf, batchSegmentOf, type SegmentRows } from '../contract/site-stats.js';
import { everyRecommendation } from '../contract/report.js';
import type { SegmentData } from './types.js';
import { buildReport } from './report.js';
import { markStoppedRun } from './rules/stop-report.js';
import { describeUncaught } from './uncaught-text.js';
import { isProfiling, liveCallLines, opsRecorded, setStarvedTimerHook, snapshot } from './session.js';
import { startStopWatcher, type StopWatcher } from './stop-watcher.js';
import { collectWorkerProfiles } from './workers.js';

/** Minimum interval between batches, ms (4 per second at most). */
export const BATCH_INTERVAL_MS = 250;
/** Timer silence after which the op path sends the batch itself, ms (the timer was starved). */
const STARVED_AFTER_MS = 2 * BATCH_INTERVAL_MS;

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
 * The cumulative per-(op, site) batch of everything recorded so far. Built from the cells (no raw
 * events are materialised: the timer runs inside the user's script, and garbage made here would land
 * in the ops being measured), plus the call lines, from the recorder's per-stack totals (two arrays
 * of the stack table's size; bench: runtime/src/bench/live-batch.ts).
 */
export function makeBatch(): ProfileBatchMessage {
  const data = snapshot(true, { events: false });
  const agg = aggregate(data);
  const segs = data.segments ?? [];
  const callLines = liveCallLines(agg.totalOpMs);
  const batch = { ...batchOf(seq++, { opTimeMs: agg.totalOpMs, wallTimeMs: agg.wallMs, rows: agg.sites, droppedEvents: data.droppedEvents }),
    ...(callLines ? { callLines } : {}) };
  // Several segments, or one that has ended: a clearProfile() after the last op leaves `sites` empty and every op in that segment.
  return segs.length > 1 || segs.some((s) => !s.current) ? { ...batch, segments: segs.map((s) => batchSegmentOf(segmentRows(s))) } : batch;
}

/** Rows of ended segments, computed once each (they no longer change; batches repeat them 4×/s). */
const endedRows = new WeakMap<SegmentData, SegmentRows>();

function segmentRows(s: SegmentData): SegmentRows {
  const done = endedRows.get(s);
  if (done) return done;
  const agg = aggregate(s.data);
  const rows: SegmentRows = { index: s.index, cause: s.cause, current: s.current, opTimeMs: agg.totalOpMs, rows: agg.sites };
  if (!s.current) endedRows.set(s, rows);
  return rows;
}

/** The final message: JSON report, recommendations and flame model. */
export function makeReportMessage(title: string, exitCode?: number, uncaught?: string): ProfileReportMessage {
  // Worker threads' ops since their last share (a busy worker shares nothing): asked for now.
  const unanswered = collectWorkerProfiles();
  // Columns for the rules and the flame model: no object per retained event.
  const data = snapshot(true, { events: 'all-columns' });
  const built = buildReport(data);
  const report = unanswered.length > 0 ? { ...built, unansweredWorkers: unanswered } : built;
  const msg: ProfileReportMessage = { type: 'corepyReport', report, recommendations: everyRecommendation(report), flame: buildFlame(data, title) };
  return { ...msg, ...(exitCode === undefined ? {} : { exitCode }), ...(uncaught === undefined ? {} : { uncaught }) };
}

/**
 * Delivers the final report once (later calls only run `done`), then calls `done` once it is
 * written: synchronously to the launcher's report file when it named one, else over IPC.
 * `exitCode`: the status the script is ending with, when known (see ProfileReportMessage).
 */
export function sendFinalReport(done?: () => void, title = process.argv[1] ?? 'corepy profile', exitCode?: number, uncaught?: string): void {
  const file = process.env[REPORT_FILE_ENV];
  if (reported || (!connected() && !file)) { done?.(); return; }
  reported = true;
  try {
    const msg = makeReportMessage(title, exitCode, uncaught);
    if (file) {
      try {
        writeFileSync(file, JSON.stringify(msg));
        done?.();
        return;
      } catch (e) {
        process.stderr.write(`corepy profiler: could not write the final report to ${file}: ${(e as Error).message}; sending it over IPC\n`);
      }
    }
    send(msg, done);
  } catch (e) {
    process.stderr.write(`corepy profiler: could not build the final report: ${(e as Error).message}\n`);
    done?.();
  }
}

/** The signal named in the launcher's stop file: SIGINT when it says so, else SIGTERM. */
function readStopSignal(file: string): keyof typeof SIGNAL_STATUS {
  try {
    return readFileSync(file, 'utf8').trim() === 'SIGINT' ? 'SIGINT' : 'SIGTERM';
  } catch {
    return 'SIGTERM';
  }
}

/** Exit status of a process ended by `sig`, as a shell reports it (128 + signal number). */
const SIGNAL_STATUS = { SIGINT: 130, SIGTERM: 143 } as const;

/** `process.exitCode` as the status the process will end with (unset or unparsable: 0). */
function exitStatus(code: number | string | null | undefined): number {
  const n = Number(code ?? 0);
  return Number.isInteger(n) ? n : 0;
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
    socket.write(`${JSON.stringify({ type: 'corepyHello', pid: process.pid } satisfies ProfileHelloMessage)}\n`);
  } else if (typeof process.send !== 'function') {
    return started;
  }
  started = true;
  (process.channel as Channel | undefined)?.unref?.();
  const sendIfNew = (): void => {
    if (!isProfiling()) return;
    const ops = opsRecorded();
    if (ops === lastOps) return; // nothing new: stay quiet
    lastOps = ops;
    send(makeBatch());
  };
  // `on`, not `once`: a Ctrl-C reaches the script twice (from the terminal and forwarded by the
  // CLI), and a second signal with no listener left would kill it before its report is out.
  // Later signals are ignored: the first one's report is on its way and it exits when written.
  let stopping = false;
  let watcher: StopWatcher | null = null;
  const stopFile = process.env[REPORT_FILE_ENV] ? process.env[STOP_FILE_ENV] : undefined;
  // The launcher waits on past its grace period while this file says the report is being written.
  // Also marks the report as a stopped run's, written at once without timing the rules' trials (rules/stop-report.ts).
  const acknowledge = (): void => {
    markStoppedRun();
    if (stopFile) try { writeFileSync(stopAckFile(stopFile), ''); } catch { /* the launcher's grace period then decides */ }
  };
  /** `exit`: how to end the process once the report is written (the stop watcher's, inside its inspector request). */
  const stop = (sig: keyof typeof SIGNAL_STATUS, exit: (status: number) => void = (status) => process.exit(status)): void => {
    if (stopping) return;
    stopping = true;
    watcher?.stoppingElsewhere();
    acknowledge();
    sendFinalReport(() => exit(SIGNAL_STATUS[sig]), undefined, SIGNAL_STATUS[sig]);
  };
  // A script with a listener of its own for the signal (a training loop that saves a checkpoint on
  // Ctrl-C) decides what the signal does, as it does unprofiled: the profiler does not end it, and
  // writes its report when it exits ('beforeExit'/'exit' below). The launcher is told the script is
  // stopping, so it waits (up to STOP_REPORT_MAX_MS) instead of killing it after its grace (audit 25).
  const signalListeners = { SIGTERM: (): void => onSignal('SIGTERM'), SIGINT: (): void => onSignal('SIGINT') };
  const handledByScript = (sig: keyof typeof SIGNAL_STATUS): boolean => process.listeners(sig).some((l) => l !== signalListeners[sig]);
  const onSignal = (sig: keyof typeof SIGNAL_STATUS): void => {
    if (!handledByScript(sig)) { stop(sig); return; }
    watcher?.stoppingElsewhere();
    acknowledge();
  };
  /** The launcher's stop request (its file) acted on where no signal handler can run, unless the script handles that signal itself. */
  const stopRequested = (file: string, exit?: (status: number) => void): boolean => {
    if (stopping || !existsSync(file)) return false;
    const sig = readStopSignal(file);
    if (handledByScript(sig)) return false;
    stop(sig, exit);
    return true;
  };
  // A synchronous loop of ops never lets the timer run: the op path itself then sends a batch
  // every STARVED_AFTER_MS (the write to the pipe or socket is attempted at once, without the event
  // loop), so a script killed inside such a loop still leaves its last batch with the launcher; and
  // it ends there, report written, when the launcher asked it to stop (STOP_FILE_ENV).
  const starved = {
    dueMs: performance.now() + STARVED_AFTER_MS,
    run(nowMs: number): void {
      starved.dueMs = nowMs + STARVED_AFTER_MS;
      sendIfNew();
      // The file holds the signal the launcher forwarded (a Ctrl-C ends as SIGINT would: 130).
      if (stopFile) stopRequested(stopFile);
    },
    beforeOp(): void {
      if (stopFile) stopRequested(stopFile);
    },
  };
  setStarvedTimerHook(starved);
  // Synchronous JavaScript without ops: the watcher thread interrupts it to run this, which ends the
  // process there once the report is written, with the watcher's exit (stop-watcher.ts).
  if (stopFile && process.env['COREPY_STOP_WATCHER'] !== '0') {
    watcher = startStopWatcher(stopFile, (exit) => stopRequested(stopFile, exit));
  }
  // For a debugger's host while the script is paused (no timer runs then): see BATCH_NOW_KEY.
  (globalThis as unknown as Record<symbol, () => string>)[Symbol.for(BATCH_NOW_KEY)] = () => (opsRecorded() > 0 ? JSON.stringify(makeBatch()) : '');
  const timer = setInterval(() => {
    starved.dueMs = performance.now() + STARVED_AFTER_MS;
    sendIfNew();
  }, BATCH_INTERVAL_MS);
  timer.unref();
  // Normal end: 'beforeExit' can still send asynchronously. 'exit' (process.exit() in the script)
  // runs no more I/O: only the synchronous report file gets there in full.
  process.once('beforeExit', () => sendFinalReport(undefined, undefined, exitStatus(process.exitCode)));
  process.once('exit', (code) => sendFinalReport(undefined, undefined, code));
  // An uncaught error: print it as Node would, send what was recorded, then exit 1 once it is written.
  process.once('uncaughtException', (err, origin) => {
    const text = describeUncaught(err, origin, process.argv[1]);
    process.stderr.write(text);
    process.exitCode = 1;
    sendFinalReport(() => process.exit(1), undefined, 1, text);
  });
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, signalListeners[sig]);
  return true;
}

/** Longest wait for the socket's connection before the script runs, ms: a launcher that never accepts only loses the stream. */
export const CONNECT_WAIT_MS = 10_000;

/**
 * Resolves once the socket of COREPY_PROFILE_SOCKET has connected, failed or closed, or after
 * `maxMs`; at once when there is none or it is connected. Node holds writes in JavaScript until the
 * socket's 'connect' event, which needs an event-loop turn, and a CommonJS main runs right after the
 * `--import` preloads with none in between: a script that went straight into a synchronous loop had
 * every batch (the hello too) held back until the loop ended (audit 32). The autostart preload awaits
 * this before the script runs. The timer is not unref'd: with the socket unref'd, nothing else would
 * keep the process up to settle the preload's top-level await.
 */
export function whenConnected(maxMs = CONNECT_WAIT_MS): Promise<void> {
  const s = socket;
  if (s === null || !s.connecting) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      for (const ev of ['connect', 'error', 'close'] as const) s.off(ev, done);
      resolve();
    };
    const timer = setTimeout(done, maxMs);
    for (const ev of ['connect', 'error', 'close'] as const) s.once(ev, done);
  });
}
