/**
 * Worker threads: each records into its own Recorder (its own copy of this module). A worker
 * posts its snapshot on a BroadcastChannel when it exits (or when it calls
 * {@link shareWorkerProfile}); the main thread keeps the newest snapshot per worker and
 * merges them into reports. The channel is unref'd so it never keeps a process alive, and it is
 * separate from the user's own parentPort messages.
 */
import { BroadcastChannel, threadId } from 'node:worker_threads';
import { shiftData } from './merge.js';
import type { ProfileData } from './types.js';

const CHANNEL = 'corepy-profiler';

interface WorkerProfileMessage {
  readonly type: 'corepyWorkerProfile';
  readonly thread: number;
  /** performance.timeOrigin of the worker, ms since the epoch. */
  readonly timeOrigin: number;
  readonly data: ProfileData;
}

let listener: BroadcastChannel | null = null;
const received = new Map<number, ProfileData>();

/** Main thread: starts receiving worker snapshots (idempotent). */
export function startWorkerListener(): void {
  if (listener) return;
  listener = new BroadcastChannel(CHANNEL);
  listener.onmessage = (ev: unknown): void => {
    const m = (ev as { data?: WorkerProfileMessage }).data;
    if (!m || m.type !== 'corepyWorkerProfile') return;
    received.set(m.thread, shiftData(m.data, m.timeOrigin - performance.timeOrigin));
  };
  listener.unref();
}

/** Newest snapshot of each worker that shared one. */
export function workerSnapshots(): ProfileData[] {
  return [...received.values()];
}

/** Forgets received worker snapshots. */
export function clearWorkerSnapshots(): void {
  received.clear();
}

let sharer: (() => ProfileData) | null = null;

/** Worker: posts this thread's snapshot to the main thread now. */
export function shareWorkerProfile(): void {
  if (threadId === 0 || !sharer) return;
  const ch = new BroadcastChannel(CHANNEL);
  const msg: WorkerProfileMessage = { type: 'corepyWorkerProfile', thread: threadId, timeOrigin: performance.timeOrigin, data: sharer() };
  ch.postMessage(msg);
  ch.close();
}

/** Worker: shares the snapshot automatically when the thread exits. */
export function shareOnExit(get: () => ProfileData): void {
  if (sharer) { sharer = get; return; }
  sharer = get;
  process.on('exit', shareWorkerProfile);
}
