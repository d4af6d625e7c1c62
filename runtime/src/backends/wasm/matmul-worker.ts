/**
 * A matmul worker thread (started by matmul-threads.ts): its own instance of the kernels, with
 * its own linear memory, computing chunks of C's rows.
 *
 * Loop: block on the control block's state (Atomics.wait, no event loop involved). On a job, take
 * it (JOB → RUNNING; the main thread may have taken it back first), pull the newest data buffer off
 * the port if one was sent (receiveMessageOnPort: synchronous), copy B's span into linear memory,
 * then take chunks from the shared counter until none is left: copy the chunk's rows of A in, run
 * the same `matmul_f32` the main thread runs, and unless the main thread took the chunk back
 * meanwhile, copy it out and flag it written (see `Chunk` in matmul-job.ts). The same
 * kernel gives bit-identical rows whichever thread computes them: the split never changes the order
 * of a row's sums (that depends on k only).
 */
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { KERNEL_IMPORTS } from './kernel-imports.js';
import type { KernelExports } from './loader.js';
import { MAX_RANK } from './layout.js';
import { Chunk, Slot, span, State, writeErrorText, type MatmulWorkerData } from './matmul-job.js';

/** The slice of the WebAssembly JS API used here (the project's TypeScript lib has no wasm types). */
const WA = (globalThis as unknown as { WebAssembly: { Instance: new (m: object, i: object) => { readonly exports: unknown } } }).WebAssembly;

const { module, control, sched: schedBuffer, port } = workerData as MatmulWorkerData;
const ctl = new Int32Array(control);
const inbox = port as MessagePort;
const k = new WA.Instance(module, KERNEL_IMPORTS).exports as KernelExports;
const align = (x: number) => Math.ceil(x / 16) * 16;
/** Linear memory layout, from Rust's heap base up: [meta][workspace][B span][A chunk span][C chunk]. */
const metaPtr = align(k.__heap_base.value);
const wsPtr = metaPtr + align(3 * MAX_RANK * 4);
const bPtr = wsPtr + align(k.matmul_workspace_bytes());
let data: SharedArrayBuffer | null = null;

/** Makes linear memory at least `end` bytes long. */
function ensure(end: number): void {
  const have = k.memory.buffer.byteLength;
  if (end > have) k.memory.grow(Math.ceil((end - have) / 65536));
}

/** Runs the job in the control block (see matmul-job.ts for the slots). */
function runJob(): void {
  for (let msg = receiveMessageOnPort(inbox); msg; msg = receiveMessageOnPort(inbox)) data = msg.message as SharedArrayBuffer;
  if (!data) throw new Error('matmul worker: job posted before any data buffer');
  const nb = ctl[Slot.NB]!, m = ctl[Slot.M]!, n = ctl[Slot.N]!, kk = ctl[Slot.K]!;
  const sam = ctl[Slot.SAM]!, sak = ctl[Slot.SAK]!;
  const meta = ctl.slice(Slot.META, Slot.META + 3 * nb);
  const batchExtents = meta.subarray(0, nb), aBatchBytes = meta.subarray(nb, 2 * nb);
  let batches = 1;
  for (const e of batchExtents) batches *= e;
  const chunkRows = ctl[Slot.CHUNK_ROWS]!, chunks = ctl[Slot.CHUNKS]!;
  const bLen = ctl[Slot.B_LEN]!, aPtr = bPtr + align(bLen);
  const maxA = span([...batchExtents, Math.min(chunkRows, m), kk], [...aBatchBytes, sam * 4, sak * 4]);
  const cPtr = aPtr + align(maxA.hi - maxA.lo + 4);
  ensure(cPtr + batches * chunkRows * n * 4);
  const src = new Uint8Array(data);
  const sched = new Int32Array(schedBuffer, ctl[Slot.SCHED_OFF]!, 1 + chunks);
  let mem = new Uint8Array(k.memory.buffer);
  mem.set(src.subarray(ctl[Slot.B_OFF]!, ctl[Slot.B_OFF]! + bLen), bPtr);
  new Int32Array(k.memory.buffer, metaPtr, 3 * nb).set(meta);
  const a00 = ctl[Slot.A_OFF]! + ctl[Slot.A_FIRST]!, cOff = ctl[Slot.C_OFF]!;
  for (let i = Atomics.add(sched, 0, 1); i < chunks; i = Atomics.add(sched, 0, 1)) {
    const r0 = i * chunkRows, rows = Math.min(chunkRows, m - r0);
    const s = span([...batchExtents, rows, kk], [...aBatchBytes, sam * 4, sak * 4]);
    const first = a00 + r0 * sam * 4;
    mem = new Uint8Array(k.memory.buffer);
    mem.set(src.subarray(first + s.lo, first + s.hi + 4), aPtr);
    k.matmul_f32(nb, metaPtr, rows, n, kk, aPtr - s.lo, bPtr + ctl[Slot.B_FIRST]!, cPtr, sam, sak, ctl[Slot.SBK]!, ctl[Slot.SBN]!, wsPtr, rows * n);
    // Taken back by the calling thread while this one computed it (this worker was slow): drop it.
    if (Atomics.compareExchange(sched, 1 + i, Chunk.OPEN, Chunk.WRITING) !== Chunk.OPEN) continue;
    const band = rows * n * 4;
    for (let t = 0; t < batches; t++) {
      src.set(new Uint8Array(k.memory.buffer, cPtr + t * band, band), cOff + (t * m * n + r0 * n) * 4);
    }
    Atomics.store(sched, 1 + i, Chunk.WRITTEN);
    Atomics.notify(sched, 1 + i);
  }
}

Atomics.store(ctl, Slot.STATE, State.IDLE);
for (;;) {
  const s = Atomics.load(ctl, Slot.STATE);
  if (s === State.EXIT) break;
  if (s !== State.JOB || Atomics.compareExchange(ctl, Slot.STATE, State.JOB, State.RUNNING) !== State.JOB) {
    if (s !== State.JOB) Atomics.wait(ctl, Slot.STATE, s);
    continue;
  }
  let done: number = State.DONE;
  try {
    runJob();
  } catch (e) {
    done = State.FAILED;
    writeErrorText(ctl, e instanceof Error ? e.message : String(e));
  }
  Atomics.store(ctl, Slot.STATE, done);
  Atomics.notify(ctl, Slot.STATE);
}
