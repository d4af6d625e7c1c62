/**
 * Hands a detached script's stdout/stderr over to a log file. The adapter holds the only read
 * ends of the script's pipes; when the adapter exits (VS Code stops it right after a detaching
 * `disconnect`) the script's next write fails with EPIPE, which kills a Node script. So on
 * detach the read ends are passed to a small relay process (`node -e`, its own session, not
 * tied to the adapter) that copies them into the log file until the script closes them.
 *
 * Node's `spawn` accepts a pipe stream as another child's stdio: it duplicates the descriptor
 * and stops reading it in this process, so no byte is read twice or by the wrong process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';

/**
 * The relay, run with `node -e`: fd 1 is the log file; argv lists the descriptors of the
 * script's pipes (3, 4). Writes are synchronous so chunks land in arrival order. It exits
 * by itself when every pipe reached end of file, i.e. when the script and its children closed
 * their stdout/stderr.
 */
const RELAY_SOURCE = `
const net = require('node:net');
const fs = require('node:fs');
for (const fd of process.argv.slice(1).map(Number)) {
  const s = new net.Socket({ fd, readable: true, writable: false });
  s.on('data', (b) => fs.writeSync(1, b));
  s.on('error', (e) => fs.writeSync(1, '\\n[corepy output relay: fd ' + fd + ': ' + e.message + ']\\n'));
}`;

/** Where the output went; see {@link handOffOutput}. */
export interface HandOff {
  /** Absolute path of the log file. */
  readonly logPath: string;
  /**
   * 'relay': a separate process copies the output, independent of the adapter's lifetime.
   * 'adapter': the relay could not start; the caller keeps writing chunks with `write` while it
   * lives (output after the adapter exits is lost, as before).
   */
  readonly by: 'relay' | 'adapter';
  /** Pid of the relay process (by = 'relay'). */
  readonly relayPid?: number;
  /** Why the relay could not start (by = 'adapter'). */
  readonly reason?: string;
  /** Appends bytes to the log (for by = 'adapter'; a no-op once closed). */
  write(chunk: Uint8Array): void;
  /** Closes the adapter's descriptor of the log file (idempotent). */
  close(): void;
}

/** What {@link handOffOutput} needs to know about the script. */
export interface HandOffTarget {
  /** The script's pid and program path: they name the log file. */
  readonly pid: number | undefined;
  readonly program: string;
  /** Node executable and environment the script was started with (the relay uses the same). */
  readonly node: string;
  readonly env: NodeJS.ProcessEnv;
  /** The script's still-open output pipes (ended ones are skipped). */
  readonly streams: readonly Readable[];
  /**
   * Bytes that belong before anything still in the pipes (a decoder's incomplete character,
   * chunks this process already read but has not delivered): written to the log first.
   */
  readonly preamble: readonly Uint8Array[];
}

/**
 * Creates the log file (new private folder under the OS temp dir, so no other user can
 * pre-create or swap it), writes the preamble, and starts the relay on the open pipes.
 * Call it synchronously after the last chunk was taken from the streams: between that and the
 * spawn no read can happen in this process.
 */
export function handOffOutput(t: HandOffTarget, logDir = mkdtempSync(path.join(tmpdir(), 'corepy-detached-'))): HandOff {
  const logPath = path.join(logDir, `${path.basename(t.program)}.${t.pid ?? 'unknown'}.log`);
  // 'ax': O_APPEND so relay and adapter never overwrite each other; O_EXCL never follows a link.
  let fd: number | undefined = openSync(logPath, 'ax', 0o600);
  const write = (chunk: Uint8Array): void => { if (fd !== undefined) writeSync(fd, chunk); };
  const close = (): void => { if (fd !== undefined) closeSync(fd); fd = undefined; };
  for (const chunk of t.preamble) if (chunk.length > 0) write(chunk);

  const open = t.streams.filter((s) => !s.destroyed && !s.readableEnded);
  // The relay's descriptors 3, 4, ... are the open pipes in order.
  const fds = open.map((_, i) => String(3 + i));
  // No NODE_OPTIONS: a user's --import/--require must not run (or print) inside the relay.
  const env = { ...t.env, NODE_OPTIONS: undefined };
  const fallback = (reason: string): HandOff => {
    // Node may already have stopped reading the streams for the failed spawn: read on.
    for (const s of open) s.resume();
    return { logPath, by: 'adapter', reason, write, close };
  };
  let relay: ChildProcess;
  try {
    relay = spawn(t.node, ['-e', RELAY_SOURCE, ...fds], {
      stdio: ['ignore', fd, fd, ...open],
      env,
      cwd: logDir,
      // Own session/process group: a signal to the adapter's group must not reach the relay.
      detached: true,
      windowsHide: true,
    });
  } catch (err) {
    return fallback(`could not start ${t.node}: ${err instanceof Error ? err.message : String(err)}`);
  }
  // ENOENT/EACCES come as an 'error' event a tick later; pid === undefined already tells.
  relay.on('error', () => {});
  if (relay.pid === undefined) return fallback(`could not start ${t.node}`);
  relay.unref();
  // The relay holds its own copies now; ours are closed so the pipes' lifetime is the relay's.
  for (const s of open) s.destroy();
  close();
  return { logPath, by: 'relay', relayPid: relay.pid, write, close };
}
