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
 *
 * The final report (a stop, Ctrl-C, the script's end: ipc.ts) must not lose what a worker did
 * since its last share, and a worker busy in synchronous code shares nothing (its interval timer
 * cannot run). So before that report {@link collectWorkerProfiles} asks every live profiled worker
 * for its snapshot and waits for the answers synchronously (the main thread may itself be
 * interrupted synchronous code: stop-watcher.ts). The question goes through the inspector
 * (`NodeWorker.sendMessageToWorker`, a `Runtime.evaluate` of the worker's share function), which
 * V8 serves at the busy worker's next interrupt check, as it serves the stop watcher's request on
 * the main thread; workers the main thread's inspector does not reach (a worker's own workers)
 * get the terminate path's request, which they answer when their event loop runs. A worker that
 * answers nothing in time (blocked in a system call or native code) is named in the report with
 * the age of its last share: its ops since then are missing ({@link UnansweredWorker}). An
 * interrupt check can fall inside an op's recording: that one op may then be missing from the
 * snapshot, or be in its timeline but not yet in its statistics.
 */
import { BroadcastChannel, receiveMessageOnPort, threadId, Worker } from 'node:worker_threads';
import type { Session } from 'node:inspector';
import { shiftData } from './merge.js';
import type { ProfileData } from './types.js';
import type { UnansweredWorker } from '../contract/report.js';

const CHANNEL = 'corepy-profiler';
/** Share requests go on their own channel, so workers never receive each other's snapshots. */
const REQUEST_CHANNEL = 'corepy-profiler-requests';
/** `globalThis[Symbol.for(SHARE_NOW_KEY)]` in a worker: what the main thread's inspector request calls. */
const SHARE_NOW_KEY = 'corepy.shareWorkerProfileNow';

/** How often a recording worker shares its statistics, ms. */
export const WORKER_SHARE_INTERVAL_MS = 250;

/** How long `worker.terminate()` waits for a profiled worker's snapshot before terminating it, ms. */
export const TERMINATE_WAIT_MS = 250;

/**
 * How long the final report waits for a live worker to take up its request, ms. A worker running
 * JavaScript (busy or idle) takes it up within milliseconds; only one outside JavaScript (a system
 * call, native code) does not, and the report then names it.
 */
export const FINAL_ACK_WAIT_MS = 2000;

/** How much longer than {@link FINAL_ACK_WAIT_MS} the final report waits for word of a request taken up within it, ms. */
const ACK_MARGIN_MS = 1000;

/** How long the final report waits, once a worker has taken up the request, for its snapshot (a full event ring takes seconds on a loaded machine), ms. */
export const FINAL_SHARE_WAIT_MS = 30_000;

/** Main → worker: post your full snapshot now (sent by the patched terminate and the final report). */
interface ShareRequestMessage {
  readonly type: 'corepyShareRequest';
  readonly thread: number;
  /** Request number: a worker asked twice for one report (channel and inspector) answers once. */
  readonly id: number;
  /** Date.now() ms after which the asker no longer waits: a worker that gets the request later leaves it. */
  readonly notAfter: number;
}

interface WorkerProfileMessage {
  readonly type: 'corepyWorkerProfile';
  readonly thread: number;
  /** True when `data` has cells only (the periodic share): keep the raw events received before. */
  readonly cellsOnly?: boolean;
  /** True when the worker is exiting: nothing follows. */
  readonly final?: boolean;
  /** performance.timeOrigin of the worker, ms since the epoch. */
  readonly timeOrigin: number;
  readonly data: ProfileData;
}

/** Worker → main: a share request was taken up; the snapshot follows (it can take a while to build). */
interface ShareAckMessage {
  readonly type: 'corepyShareAck';
  readonly thread: number;
}

let listener: BroadcastChannel | null = null;
let requests: BroadcastChannel | null = null;
const received = new Map<number, ProfileData>();
/** Workers that ever shared (they answer share requests); kept across clearProfile. */
const profiledThreads = new Set<number>();
/** Workers known to be gone (their exit share came, or terminate() resolved). */
const exitedThreads = new Set<number>();
/** When each worker's newest share arrived, performance.now() ms. */
const lastShareAt = new Map<number, number>();
/** Terminations waiting for a worker's answer, by thread id. */
const awaitingShare = new Map<number, () => void>();
let requestId = 0;

/** Main thread: starts receiving worker snapshots (idempotent). */
export function startWorkerListener(): void {
  if (listener) return;
  listener = new BroadcastChannel(CHANNEL);
  listener.onmessage = (ev: unknown): void => { take((ev as { data?: unknown }).data); };
  listener.unref();
  requests = new BroadcastChannel(REQUEST_CHANNEL);
  requests.unref();
  patchTerminate(requests);
}

/** Handles one message of the channel; returns it when it was a worker's message. */
function take(msg: unknown): WorkerProfileMessage | ShareAckMessage | null {
  const m = msg as WorkerProfileMessage | ShareAckMessage | undefined;
  if (!m || m.type === 'corepyShareAck') return m ?? null;
  if (m.type !== 'corepyWorkerProfile') return null;
  profiledThreads.add(m.thread);
  lastShareAt.set(m.thread, performance.now());
  if (m.final) exitedThreads.add(m.thread);
  const data = shiftData(m.data, m.timeOrigin - performance.timeOrigin);
  const before = received.get(m.thread);
  // Statistics stay exact; the timeline keeps what the last full share had (as when the ring drops events).
  received.set(m.thread, m.cellsOnly && before ? { ...data, events: before.events, spans: before.spans } : data);
  if (!m.cellsOnly) awaitingShare.get(m.thread)?.();
  return m;
}

/** Makes `worker.terminate()` collect a profiled worker's snapshot first (see the file comment). */
function patchTerminate(channel: BroadcastChannel): void {
  const terminate = Worker.prototype.terminate;
  Worker.prototype.terminate = function (this: Worker): Promise<number> {
    const id = this.threadId;
    const end = (): Promise<number> => terminate.call(this).then((code) => { exitedThreads.add(id); return code; });
    if (!profiledThreads.has(id) || awaitingShare.has(id)) return end();
    return new Promise<number>((resolve, reject) => {
      const go = (): void => {
        clearTimeout(timer);
        awaitingShare.delete(id);
        end().then(resolve, reject);
      };
      const timer = setTimeout(go, TERMINATE_WAIT_MS);
      awaitingShare.set(id, go);
      channel.postMessage({ type: 'corepyShareRequest', thread: id, id: ++requestId, notAfter: Date.now() + TERMINATE_WAIT_MS } satisfies ShareRequestMessage);
    });
  };
}

/**
 * Main thread, before the final report: asks every live profiled worker for its full snapshot
 * and waits, synchronously, until each has answered, up to {@link FINAL_ACK_WAIT_MS} for taking
 * the request up and {@link FINAL_SHARE_WAIT_MS} for the snapshot (see the file comment). Returns
 * the workers that did not answer; their ops after their last share are missing.
 */
export function collectWorkerProfiles(): UnansweredWorker[] {
  if (threadId !== 0 || !listener || !requests) return [];
  const ch = listener;
  const live = [...profiledThreads].filter((t) => !exitedThreads.has(t));
  if (live.length === 0) return [];
  const startMs = performance.now();
  /** Thread → the time (performance.now() ms) by which its next message must come. */
  const pending = new Map<number, number>(live.map((t) => [t, startMs + FINAL_ACK_WAIT_MS + ACK_MARGIN_MS]));
  const missed: number[] = [];
  const id = ++requestId, notAfter = Date.now() + FINAL_ACK_WAIT_MS;
  const session = interruptWorkers(id, notAfter);
  try {
    for (const t of pending.keys()) requests.postMessage({ type: 'corepyShareRequest', thread: t, id, notAfter } satisfies ShareRequestMessage);
    const nap = new Int32Array(new SharedArrayBuffer(4));
    while (pending.size > 0) {
      // Straight from the channel's queue: this may run inside synchronous code, where no event is
      // delivered. (Node takes a BroadcastChannel here; its types name MessagePort only.)
      const got = receiveMessageOnPort(ch as unknown as Parameters<typeof receiveMessageOnPort>[0]);
      const now = performance.now();
      if (got !== undefined) {
        const m = take(got.message);
        if (m?.type === 'corepyShareAck' && pending.has(m.thread)) pending.set(m.thread, now + FINAL_SHARE_WAIT_MS);
        else if (m?.type === 'corepyWorkerProfile' && !m.cellsOnly) pending.delete(m.thread);
        continue;
      }
      for (const [t, by] of pending) {
        if (now > by) { pending.delete(t); missed.push(t); }
      }
      if (pending.size > 0) Atomics.wait(nap, 0, 0, 2);
    }
  } finally {
    // Detached from the workers first: a worker with a session still attached waits for it to go at its exit.
    try { session?.post('NodeWorker.disable'); } catch { /* not enabled */ }
    try { session?.disconnect(); } catch { /* already gone */ }
  }
  const nowMs = performance.now();
  return missed.map((t) => ({ thread: t, lastShareAgoMs: nowMs - (lastShareAt.get(t) ?? startMs) }));
}

/**
 * Sends every worker the main thread's inspector reaches (its own workers) a request to run the
 * share function with request number `id` (left alone after `notAfter`, Date.now() ms), served at
 * the worker's next interrupt check. Returns the session to disconnect once the answers are in
 * (null: no inspector in this Node build).
 */
function interruptWorkers(id: number, notAfter: number): Session | null {
  const proc = globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } };
  const inspector = proc.process?.getBuiltinModule?.('node:inspector') as typeof import('node:inspector') | undefined;
  if (!inspector?.Session) return null;
  let session: Session | null = null;
  try {
    session = new inspector.Session();
    session.connect();
    const attached: { sessionId: string }[] = [];
    session.on('NodeWorker.attachedToWorker', (m: { params: (typeof attached)[number] }) => { attached.push(m.params); });
    // Same-thread session: the existing workers are announced before post returns.
    session.post('NodeWorker.enable', { waitForDebuggerOnStart: false });
    // Every worker it reaches: the inspector's workerId is not the threadId, and a worker without the
    // share function (the stop watcher, a loader thread, one not profiled) evaluates to nothing.
    const expression = `globalThis[Symbol.for(${JSON.stringify(SHARE_NOW_KEY)})]?.(${id}, ${notAfter})`;
    const message = JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression } });
    for (const a of attached) session.post('NodeWorker.sendMessageToWorker', { sessionId: a.sessionId, message });
  } catch {
    // No inspector session here: the share requests on the channel remain (answered by idle workers).
  }
  return session;
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

function post(cellsOnly: boolean, final = false): void {
  if (threadId === 0 || !sharer) return;
  const ch = new BroadcastChannel(CHANNEL);
  const msg: WorkerProfileMessage = { type: 'corepyWorkerProfile', thread: threadId, cellsOnly, final, timeOrigin: performance.timeOrigin, data: sharer(!cellsOnly) };
  ch.postMessage(msg);
  ch.close();
}

/** Worker: posts this thread's snapshot to the main thread now. */
export function shareWorkerProfile(): void {
  post(false);
}

/** The newest request this worker answered (the final report asks on the channel and through the inspector). */
let answered = -1;
/**
 * Worker: answers share request `id`, first saying it is on its way (the final report then waits
 * for it). A request taken up after `notAfter` (Date.now() ms; this worker was blocked) is left:
 * nobody waits for it, and the process may be ending, which a snapshot being built in the
 * inspector's request was seen to hold up (the worker not terminated, the exit waiting for it).
 */
function answerRequest(id: number, notAfter: number): void {
  if (Date.now() > notAfter) return;
  if (id === answered) return;
  answered = id;
  const ch = new BroadcastChannel(CHANNEL);
  ch.postMessage({ type: 'corepyShareAck', thread: threadId } satisfies ShareAckMessage);
  ch.close();
  post(false);
}

/**
 * Worker: shares the snapshot automatically when the thread exits, and its statistics every
 * {@link WORKER_SHARE_INTERVAL_MS} while `opsRecorded()` grows (an unref'd timer: it never keeps
 * the worker alive); answers the main thread's share requests, from its event loop or (the final
 * report's, through the inspector) from inside synchronous code.
 */
export function shareOnExit(get: Sharer, opsRecorded: () => number): void {
  if (sharer) { sharer = get; return; }
  sharer = get;
  process.on('exit', () => post(false, true));
  (globalThis as unknown as Record<symbol, (id: number, notAfter: number) => void>)[Symbol.for(SHARE_NOW_KEY)] = answerRequest;
  // Answer the main thread's share requests (sent before it terminates this worker).
  const requestChannel = new BroadcastChannel(REQUEST_CHANNEL);
  requestChannel.onmessage = (ev: unknown): void => {
    const m = (ev as { data?: ShareRequestMessage }).data;
    if (m && m.type === 'corepyShareRequest' && m.thread === threadId) answerRequest(m.id, m.notAfter);
  };
  requestChannel.unref();
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
