/**
 * Worker threads: each records into its own Recorder (its own copy of this module). A worker
 * posts its snapshot on a BroadcastChannel when it exits (or when it calls
 * {@link shareWorkerProfile}); the main thread keeps the newest snapshot per worker and merges
 * them into reports. The channels are unref'd so they never keep a thread alive, and they are
 * separate from the user's own parentPort messages.
 *
 * `worker.terminate()` runs no exit handler in the worker, so two more paths keep its ops:
 * while profiling, the main thread's `Worker.prototype.terminate` first asks a profiled worker
 * for its snapshot and waits for it up to {@link TERMINATE_WAIT_MS} (a worker busy in synchronous
 * code cannot answer); and a recording worker shares its statistics alone (cells, no raw events)
 * every {@link WORKER_SHARE_INTERVAL_MS}, so even then its ops reach the report as of that share.
 */
import { BroadcastChannel, threadId, Worker } from 'node:worker_threads';
import { shiftData } from './merge.js';
import type { ProfileData } from './types.js';

const CHANNEL = 'corepy-profiler';
/** Share requests go on their own channel, so workers never receive each other's snapshots. */
const REQUEST_CHANNEL = 'corepy-profiler-requests';

/** How often a recording worker shares its statistics, ms. */
export const WORKER_SHARE_INTERVAL_MS = 250;

/** How long `worker.terminate()` waits for a profiled worker's snapshot before terminating it, ms. */
export const TERMINATE_WAIT_MS = 250;

/** Main → worker: post your full snapshot now (sent by the patched terminate). */
interface ShareRequestMessage {
  readonly type: 'corepyShareRequest';
  readonly thread: number;
}

interface WorkerProfileMessage {
  readonly type: 'corepyWorkerProfile';
  readonly thread: number;
  /** True when `data` has cells only (the periodic share): keep the raw events received before. */
  readonly cellsOnly?: boolean;
  /** performance.timeOrigin of the worker, ms since the epoch. */
  readonly timeOrigin: number;
  readonly data: ProfileData;
}

let listener: BroadcastChannel | null = null;
const received = new Map<number, ProfileData>();
/** Workers that ever shared (they answer share requests); kept across clearProfile. */
const profiledThreads = new Set<number>();
/** Terminations waiting for a worker's answer, by thread id. */
const awaitingShare = new Map<number, () => void>();

/** Main thread: starts receiving worker snapshots (idempotent). */
export function startWorkerListener(): void {
  if (listener) return;
  listener = new BroadcastChannel(CHANNEL);
  listener.onmessage = (ev: unknown): void => {
    const m = (ev as { data?: WorkerProfileMessage }).data;
    if (!m || m.type !== 'corepyWorkerProfile') return;
    profiledThreads.add(m.thread);
    const data = shiftData(m.data, m.timeOrigin - performance.timeOrigin);
    const before = received.get(m.thread);
    // Statistics stay exact; the timeline keeps what the last full share had (as when the ring drops events).
    received.set(m.thread, m.cellsOnly && before ? { ...data, events: before.events, spans: before.spans } : data);
    if (!m.cellsOnly) awaitingShare.get(m.thread)?.();
  };
  listener.unref();
  const requests = new BroadcastChannel(REQUEST_CHANNEL);
  requests.unref();
  patchTerminate(requests);
}

/** Makes `worker.terminate()` collect a profiled worker's snapshot first (see the file comment). */
function patchTerminate(channel: BroadcastChannel): void {
  const terminate = Worker.prototype.terminate;
  Worker.prototype.terminate = function (this: Worker): Promise<number> {
    const id = this.threadId;
    if (!profiledThreads.has(id) || awaitingShare.has(id)) return terminate.call(this);
    return new Promise<number>((resolve, reject) => {
      const go = (): void => {
        clearTimeout(timer);
        awaitingShare.delete(id);
        terminate.call(this).then(resolve, reject);
      };
      const timer = setTimeout(go, TERMINATE_WAIT_MS);
      awaitingShare.set(id, go);
      channel.postMessage({ type: 'corepyShareRequest', thread: id } satisfies ShareRequestMessage);
    });
  };
}

/** Newest snapshot of each worker that shared one. */
export function workerSnapshots(): ProfileData[] {
  return [...received.values()];
}

/** Forgets received worker snapshots. */
export function clearWorkerSnapshots(): void {
  received.clear();
}

/** Returns this worker's snapshot, with raw events and spans or (false) statistics only. */
type Sharer = (events: boolean) => ProfileData;
let sharer: Sharer | null = null;

function post(cellsOnly: boolean): void {
  if (threadId === 0 || !sharer) return;
  const ch = new BroadcastChannel(CHANNEL);
  const msg: WorkerProfileMessage = { type: 'corepyWorkerProfile', thread: threadId, cellsOnly, timeOrigin: performance.timeOrigin, data: sharer(!cellsOnly) };
  ch.postMessage(msg);
  ch.close();
}

/** Worker: posts this thread's snapshot to the main thread now. */
export function shareWorkerProfile(): void {
  post(false);
}

/**
 * Worker: shares the snapshot automatically when the thread exits, and its statistics every
 * {@link WORKER_SHARE_INTERVAL_MS} while `opsRecorded()` grows (an unref'd timer: it never keeps
 * the worker alive).
 */
export function shareOnExit(get: Sharer, opsRecorded: () => number): void {
  if (sharer) { sharer = get; return; }
  sharer = get;
  process.on('exit', shareWorkerProfile);
  // Answer the main thread's share requests (sent before it terminates this worker).
  const requests = new BroadcastChannel(REQUEST_CHANNEL);
  requests.onmessage = (ev: unknown): void => {
    const m = (ev as { data?: ShareRequestMessage }).data;
    if (m && m.type === 'corepyShareRequest' && m.thread === threadId) post(false);
  };
  requests.unref();
  // Announce this worker as profiled (statistics only, cheap) so terminate() knows to ask it.
  post(true);
  let lastOps = opsRecorded();
  const timer = setInterval(() => {
    const ops = opsRecorded();
    if (ops === lastOps) return;
    lastOps = ops;
    post(true);
  }, WORKER_SHARE_INTERVAL_MS);
  timer.unref();
}
