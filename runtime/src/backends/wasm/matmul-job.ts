/**
 * The control block one matmul worker shares with the main thread (an Int32Array over a
 * SharedArrayBuffer), used by matmul-threads.ts (main side) and matmul-worker.ts (worker side).
 * Both sides block on {@link STATE} with Atomics.wait, so a job costs no message passing.
 *
 * Operand bytes travel through one data SharedArrayBuffer per pool (A's and B's spans, a region
 * for the chunks of C the workers compute, the chunk counter); byte offsets below are into it.
 */
import { MAX_RANK } from './layout.js';

/** Int32 slots of the control block. */
export const Slot = {
  /** One of {@link State}. */
  STATE: 0,
  /** Batch dims after coalescing (the kernels' `nb`). */
  NB: 1,
  /** C's rows, columns, and the depth. */
  M: 2, N: 3, K: 4,
  /** Element strides of A (row, depth) and B (depth, column), as the kernels take them. */
  SAM: 5, SAK: 6, SBK: 7, SBN: 8,
  /** A's span (every batch, every row) in the data buffer: byte offset, byte length, byte offset of element (0, 0) within it. */
  A_OFF: 9, A_LEN: 10, A_FIRST: 11,
  /** B's span in the data buffer, as for A. */
  B_OFF: 12, B_LEN: 13, B_FIRST: 14,
  /** Byte offset in the data buffer of a C-shaped region (batches of M·N floats) where workers write their chunks. */
  C_OFF: 15,
  /** Rows per chunk, and chunks: chunk i is rows [i·CHUNK_ROWS, min(M, (i+1)·CHUNK_ROWS)). */
  CHUNK_ROWS: 16, CHUNKS: 17,
  /**
   * Byte offset in the schedule buffer of this job's region: the chunk counter (int32, Atomics.add hands
   * out chunks), then one {@link Chunk} flag per chunk. A region is not reused while a worker that may
   * still touch it is busy (matmul-threads.ts).
   */
  SCHED_OFF: 18,
  /** Start of the batch walk (extents, then A's and B's byte strides: 3·nb int32; see layout.ts writeWalk). */
  META: 19,
} as const;

/** Values of {@link Slot.STATE}. */
export const State = {
  /** The worker is still instantiating its kernels. */
  STARTING: -1,
  IDLE: 0,
  /** The main thread posted a job; the worker has not taken it yet (the main thread may take it back: JOB → IDLE). */
  JOB: 1,
  /** The worker took the job (JOB → RUNNING) and is computing chunks. */
  RUNNING: 2,
  /** No chunk left for the worker (it may be posted the next job, as from IDLE). */
  DONE: 3,
  /** The job threw inside the worker (the main thread computes the chunks it did not finish). */
  FAILED: 4,
  /** The main thread asks the worker to leave its loop. */
  EXIT: 5,
} as const;

/**
 * A chunk's flag in the schedule region. A worker that computed a chunk claims the right to write it
 * (OPEN → WRITING), copies it out, then marks it WRITTEN; the calling thread may instead take an OPEN
 * chunk back (OPEN → TAKEN_BACK) and compute it itself, and then the worker drops its copy.
 */
export const Chunk = { OPEN: 0, WRITING: 1, TAKEN_BACK: 2, WRITTEN: 3 } as const;

/** Most chunks one job is cut into (the size of a schedule region's flag array). */
export const MAX_CHUNKS = 256;
/** Bytes of one schedule region: the counter and {@link MAX_CHUNKS} flags. */
export const REGION_BYTES = (1 + MAX_CHUNKS) * 4;

/** Int32 slot where a failed job's message starts (its length, then two UTF-16 units per slot). */
const ERROR_AT = Slot.META + 3 * MAX_RANK;
/** Most UTF-16 units of a failed job's message kept. */
const ERROR_UNITS = 240;
/** Int32 slots in a control block. */
export const CONTROL_INTS = ERROR_AT + 1 + ERROR_UNITS / 2;

/** Writes a failed job's message into the control block (cut to {@link ERROR_UNITS} units). */
export function writeErrorText(ctl: Int32Array, text: string): void {
  const n = Math.min(text.length, ERROR_UNITS);
  const units = new Uint16Array(ctl.buffer, (ERROR_AT + 1) * 4, ERROR_UNITS);
  for (let i = 0; i < n; i++) units[i] = text.charCodeAt(i);
  ctl[ERROR_AT] = n;
}

/** The message {@link writeErrorText} left. */
export function errorText(ctl: Int32Array): string {
  const units = new Uint16Array(ctl.buffer, (ERROR_AT + 1) * 4, ctl[ERROR_AT]!);
  return String.fromCharCode(...units);
}

/** What a matmul worker is started with (its `workerData`). */
export interface MatmulWorkerData {
  /** The compiled kernels (a WebAssembly.Module, shared with the main thread's). */
  readonly module: object;
  /** The control block ({@link CONTROL_INTS} int32). */
  readonly control: SharedArrayBuffer;
  /** The schedule buffer (regions of {@link REGION_BYTES}). */
  readonly sched: SharedArrayBuffer;
  /** A MessagePort on which the main thread sends each new data buffer (a SharedArrayBuffer). */
  readonly port: unknown;
}

/**
 * Offsets, relative to the first element and in the strides' unit, of the lowest and highest
 * element a strided box reads (`extents` ≥ 1 each, any stride sign): the span to copy for it.
 */
export function span(extents: ArrayLike<number>, strides: ArrayLike<number>): { lo: number; hi: number } {
  let lo = 0, hi = 0;
  for (let d = 0; d < extents.length; d++) {
    const reach = strides[d]! * (extents[d]! - 1);
    if (reach < 0) lo += reach; else hi += reach;
  }
  return { lo, hi };
}
