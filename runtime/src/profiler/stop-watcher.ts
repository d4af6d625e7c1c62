/**
 * Ends a profiled script that cannot act on its launcher's stop request itself: synchronous
 * JavaScript that issues no ops (a data-loading or post-processing loop after the ops) runs no
 * signal handler, no timer and no op path, so the launcher used to kill it after its grace period
 * and keep only the last batch (a "(stopped, partial)" run; the ops after that batch lost).
 *
 * A worker thread watches for the launcher's stop file (COREPY_PROFILE_STOP_FILE, written with
 * the signal before it is sent). When the file has been there for {@link WATCH_DELAY_MS} (the
 * script's own handlers get the first chance) and the script is still running, the worker asks
 * the main thread through the inspector (`Session.connectToMainThread`, `Runtime.evaluate`) to run
 * the stop function ipc.ts passed in. V8 runs an inspector request at the busy thread's next
 * interrupt check (function entries and loop back edges), so the report is written between two
 * statements of the user's loop, as the signal handler would have written it, and the process
 * exits there, inside the request, with the signal's status ({@link exitFromRequest}).
 *
 * It used to end the interrupted work with `Runtime.terminateExecution` and exit from the event
 * loop instead. That crashed Node whenever the loop ran inside a callback (a timer, an immediate, a
 * promise reaction, code after an `await`): termination skips the callback's async-hooks "after"
 * step, and Node then finds its async id stack corrupted ("async hook stack has become corrupted",
 * exit 1; sometimes SIGABRT or SIGSEGV; sometimes a hang until the launcher's kill). Exiting inside
 * the request ends nothing half-way: 'exit' listeners run as for `process.exit()` anywhere.
 *
 * The worker is unref'd (it never keeps the script alive), does not load the launch's preloads,
 * and polls one file every {@link POLL_MS}; it is started only for launchers that name a stop file.
 */
import { closeSync, openSync } from 'node:fs';
import { devNull } from 'node:os';
import { Worker } from 'node:worker_threads';

/** `globalThis[Symbol.for(STOP_NOW_KEY)]`: what the worker's inspector request calls on the main thread. */
const STOP_NOW_KEY = 'corepy.stopNow';
/** How long the stop file must have been there before the worker interrupts the script, ms. */
const WATCH_DELAY_MS = 250;
/** How often the worker looks for the stop file, ms. */
const POLL_MS = 100;
/**
 * The shared flag: the watcher may still act; the stop function returned (it did not end the
 * script: a stop already under way, a script that handles the signal itself, a report still being
 * sent); the script is exiting from inside the request; the script is stopping by another path
 * (signal handler, op path). In every state but the first the worker lets go of the main thread.
 */
const PENDING = 0, RETURNED = 1, EXITING = 2, ELSEWHERE = 3;

// CommonJS source for the worker (eval: there is no file to find next to a compiled or bundled runtime).
const WORKER_SOURCE = `
const { existsSync } = require('node:fs');
const { workerData } = require('node:worker_threads');
const { stopFile, key, graceMs, pollMs, flag: shared, pending } = workerData;
const flag = new Int32Array(shared);
let seenAt = 0;
const timer = setInterval(() => {
  if (Atomics.load(flag, 0) !== pending) { clearInterval(timer); return; }
  if (!existsSync(stopFile)) return;
  if (seenAt === 0) { seenAt = Date.now(); return; }
  if (Date.now() - seenAt < graceMs) return;
  clearInterval(timer);
  let session = null;
  try {
    const { Session } = require('node:inspector');
    session = new Session();
    session.connectToMainThread();
    session.post('Runtime.evaluate', { expression: 'globalThis[Symbol.for(' + JSON.stringify(key) + ')]?.()' });
    // The main thread answers through the flag (inspector replies wait for its event loop); polled,
    // not Atomics.wait: a blocked worker would hold up the process's exit. The session goes once
    // the stop function returned or the process is exiting (it is never left connected after a stop).
    const since = Date.now();
    const answer = setInterval(() => {
      if (Atomics.load(flag, 0) === pending && Date.now() - since < 10000) return;
      clearInterval(answer);
      try { session.disconnect(); } catch {}
    }, 5);
  } catch {
    // No inspector in this Node build: the launcher's grace period and kill remain.
    try { session?.disconnect(); } catch {}
  }
}, pollMs);
`;

/** What {@link startStopWatcher} returns: tell it when the script stops by another path. */
export interface StopWatcher {
  /** The script is stopping without the watcher (its signal handler or op path): the worker stays out. */
  stoppingElsewhere(): void;
}

/**
 * Starts the watcher for `stopFile`. `stopNow(exit)` runs on the main thread inside the worker's
 * inspector request: it writes the final report and ends the process with `exit(status)` (not
 * `process.exit`: see {@link exitFromRequest}), or returns false when it does not act (a stop
 * already under way, a script that handles the signal itself). If it returns after all (the report
 * goes out asynchronously), the interrupted work goes on and `exit` may still be called later.
 * Returns null when no worker could start (the launcher's grace period and kill then remain).
 */
export function startStopWatcher(stopFile: string, stopNow: (exit: (status: number) => never) => boolean): StopWatcher | null {
  try {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const settle = (state: number): void => {
      if (Atomics.compareExchange(flag, 0, PENDING, state) === PENDING) Atomics.notify(flag, 0);
    };
    const exit = (status: number): never => {
      settle(EXITING);
      return exitFromRequest(status);
    };
    (globalThis as unknown as Record<symbol, () => void>)[Symbol.for(STOP_NOW_KEY)] = () => {
      try {
        stopNow(exit);
      } finally {
        settle(RETURNED);
      }
    };
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { stopFile, key: STOP_NOW_KEY, graceMs: WATCH_DELAY_MS, pollMs: POLL_MS, flag: flag.buffer, pending: PENDING },
      // Not the launch's preloads (`--import …/autostart.js`): this thread profiles nothing.
      execArgv: [],
    });
    worker.unref();
    worker.on('error', () => { /* the launcher's grace period and kill remain */ });
    return { stoppingElsewhere: () => settle(ELSEWHERE) };
  } catch {
    return null;
  }
}

/**
 * `process.exit(status)` for the stop function, which may run inside the worker's inspector
 * request. Two things at exit go wrong there, both because the worker's session is still connected
 * (its disconnect is handled on this thread, after the request, which an exit inside it never
 * leaves), so an 'exit' listener added here, after the script's and the profiler's own (they run
 * first, and can still write to standard error), deals with them for the rest of the exit:
 * - with the inspector's port open (a debugger's launch: Debug and Profile), Node waits at exit
 *   for every session to disconnect, handling disconnects on this thread: inside the request that
 *   wait never ends (Node 20.20: blocked on a lock in the inspector's WaitForFrontendEvent, until
 *   the launcher's kill). `inspector.close()` closes the port first: a debugger attached sees its
 *   connection close instead of being asked to disconnect;
 * - Node prints "Waiting for the debugger to disconnect..." while any session from another thread
 *   is connected: file descriptor 2 is pointed at the null device for the rest of the exit.
 */
function exitFromRequest(status: number): never {
  process.once('exit', () => {
    try {
      const inspector = process.getBuiltinModule?.('node:inspector') as typeof import('node:inspector') | undefined;
      if (inspector?.url() !== undefined) inspector.close();
    } catch {
      // No inspector in this Node build: nothing waits.
    }
    try {
      closeSync(2);
      // The lowest free descriptor: 2 again (Node keeps 0 and 1 open).
      const fd = openSync(devNull, 'w');
      if (fd !== 2) closeSync(fd);
    } catch {
      // Then the line is printed; the exit is the same.
    }
  });
  return process.exit(status);
}
