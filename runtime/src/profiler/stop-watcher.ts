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
 * statements of the user's loop, as the signal handler would have written it. The worker then
 * ends that synchronous work with `Runtime.terminateExecution` (only when the stop function ran
 * inside it: terminating an idle thread would kill the next callback instead), and the exit the
 * stop function scheduled runs from the event loop with the signal's status. The inspector is not
 * left connected at exit (Node would print "Waiting for the debugger to disconnect...").
 *
 * The worker is unref'd (it never keeps the script alive), does not load the launch's preloads,
 * and polls one file every {@link POLL_MS}; it is started only for launchers that name a stop file.
 */
import { Worker } from 'node:worker_threads';

/** `globalThis[Symbol.for(STOP_NOW_KEY)]`: what the worker's inspector request calls on the main thread. */
const STOP_NOW_KEY = 'corepy.stopNow';
/** How long the stop file must have been there before the worker interrupts the script, ms. */
const WATCH_DELAY_MS = 250;
/** How often the worker looks for the stop file, ms. */
const POLL_MS = 100;
/**
 * The shared flag: the watcher may still act; the stop function ran and nothing is to be ended
 * (idle thread, or a stop already under way); it ran inside running JavaScript, which the worker
 * ends; the script is stopping by another path (signal handler, op path), so the worker stays out.
 */
const PENDING = 0, DONE = 1, END_RUNNING = 2, ELSEWHERE = 3;

// CommonJS source for the worker (eval: there is no file to find next to a compiled or bundled runtime).
const WORKER_SOURCE = `
const { existsSync } = require('node:fs');
const { workerData } = require('node:worker_threads');
const { stopFile, key, graceMs, pollMs, flag: shared, states } = workerData;
const flag = new Int32Array(shared);
let seenAt = 0;
const timer = setInterval(() => {
  if (Atomics.load(flag, 0) !== states.pending) { clearInterval(timer); return; }
  if (!existsSync(stopFile)) return;
  if (seenAt === 0) { seenAt = Date.now(); return; }
  if (Date.now() - seenAt < graceMs) return;
  clearInterval(timer);
  let session = null;
  const end = () => {
    try {
      if (Atomics.load(flag, 0) === states.endRunning) session.post('Runtime.terminateExecution');
      session.disconnect();
    } catch {}
  };
  try {
    const { Session } = require('node:inspector');
    session = new Session();
    session.connectToMainThread();
    session.post('Runtime.evaluate', { expression: 'globalThis[Symbol.for(' + JSON.stringify(key) + ')]?.()' });
    // The main thread answers through the flag (inspector replies wait for its event loop); polled,
    // not Atomics.wait: a blocked worker would hold up the process's exit.
    const since = Date.now();
    const answer = setInterval(() => {
      if (Atomics.load(flag, 0) === states.pending && Date.now() - since < 10000) return;
      clearInterval(answer);
      end();
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
 * Starts the watcher for `stopFile`. `stopNow` writes the final report and schedules the exit (it
 * must not exit itself: it runs inside an inspector request), returning false when a stop was
 * already under way. Returns null when no worker could start (the launcher's grace period and kill
 * then remain).
 */
export function startStopWatcher(stopFile: string, stopNow: () => boolean): StopWatcher | null {
  try {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const settle = (state: number): void => {
      if (Atomics.compareExchange(flag, 0, PENDING, state) === PENDING) Atomics.notify(flag, 0);
    };
    (globalThis as unknown as Record<symbol, () => void>)[Symbol.for(STOP_NOW_KEY)] = () => {
      let state = DONE;
      try {
        // Inside running JavaScript the interrupted frames are below this one and the request's own.
        const running = ranInsideJavaScript();
        if (stopNow() && running) state = END_RUNNING;
      } finally {
        settle(state);
      }
    };
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        stopFile, key: STOP_NOW_KEY, graceMs: WATCH_DELAY_MS, pollMs: POLL_MS, flag: flag.buffer,
        states: { pending: PENDING, endRunning: END_RUNNING },
      },
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

/** True when frames other than this one's callers in the inspector request are on the stack (the request interrupted running JavaScript). */
function ranInsideJavaScript(): boolean {
  const prevLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 8;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = prevLimit;
  // "Error", this function, the stop function, the request's expression; anything more was running.
  return stack.split('\n').length > 4;
}
