/**
 * Multi-threaded matmul for the wasm backend: C's rows are cut into chunks that the calling thread
 * and worker threads (matmul-worker.ts, each with its own instance of the kernels) take from a
 * shared counter; the calling thread computes its chunks in its own linear memory, then collects
 * the workers' chunks, waiting (Atomics.wait) about one chunk's time for one still in progress before
 * taking it back and computing it itself, so a worker its OS does not schedule never holds the call
 * up for long, and a worker that died or failed never hangs it. The op stays synchronous, one kernel
 * call as far as the engine and the profiler see (its time is wall time).
 *
 * Why copies rather than one shared linear memory: that needs the kernels built with the `atomics`
 * target feature and linked with `--shared-memory` (the prebuilt wasm32 core library of stable Rust
 * has neither; nightly's -Zbuild-std does), a stack per thread, and the backend's whole heap on a
 * SharedArrayBuffer. Not tried here. So per call the caller copies A's and B's spans into a
 * SharedArrayBuffer and the workers' chunks of C back: O(m·k + k·n + m·n) bytes against O(m·n·k)
 * work, which is why threads are used only above {@link DEFAULT_MIN_WORK}.
 *
 * Workers start lazily, on the first call large enough to use them, and that call (and any call
 * while they start) runs on the calling thread alone: nothing ever waits for a worker to start.
 * They are unref'd (they never keep a process alive) and stopped by {@link MatmulPool.close} or when
 * the backend that owns the pool is garbage-collected. Needs Node's worker_threads; Atomics.wait
 * is allowed on Node's main thread (not on a browser's, where the single-thread path is the only one).
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { formatBytes } from '../../contract/units.js';
import { recordOneTimeCost } from '../../one-time-costs.js';
import type { KernelExports } from './loader.js';
import { Chunk, CONTROL_INTS, errorText, MAX_CHUNKS, REGION_BYTES, Slot, span, State, type MatmulWorkerData } from './matmul-job.js';

/**
 * Multiply-adds (batches·m·n·k) from which a matmul is split across threads. Below it the copies and
 * the wake-up cost more than the second core gains: on a quiet 2-core machine 2 threads gave 0.76× at
 * 128³, 0.98× at 192³, 1.13× at 256³, 1.50× at 512³ (`node runtime/dist/bench/matmul-threads.js`,
 * runtime/BENCHMARKS.md, "Matmul threads"), so the split starts between the last two losing sizes.
 */
export const DEFAULT_MIN_WORK = 224 * 224 * 224;
/** Fewest rows a chunk gets (each chunk call packs B again: fewer rows, more packing per multiply-add). */
const MIN_CHUNK_ROWS = 16;
/** Chunks per thread: enough for a late or slow thread to leave its share to the others. */
const CHUNKS_PER_THREAD = 4;

/**
 * Threads (the calling one included) from COREPY_WASM_THREADS, else `os.availableParallelism()`.
 * Anything but a whole number ≥ 1 is an error naming the variable; 1 turns threading off.
 */
export function threadsFromEnv(): number {
  const v = process.env['COREPY_WASM_THREADS'];
  if (v === undefined || v === '') return availableParallelism();
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`COREPY_WASM_THREADS must be a whole number of threads ≥ 1, got ${JSON.stringify(v)}`);
  return n;
}

/** One matmul call as the wasm backend makes it (addresses are bytes in the caller's linear memory). */
export interface MatmulCall {
  /** Coalesced batch dims, and the int32 index / byte address of their walk (layout.ts writeWalk). */
  readonly nb: number;
  readonly metaAt: number;
  readonly metaPtr: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** Byte addresses of A's and B's first elements, and of C (contiguous batches of m·n). */
  readonly a: number;
  readonly b: number;
  readonly out: number;
  /** Element strides: A (row, depth), B (depth, column). */
  readonly sam: number;
  readonly sak: number;
  readonly sbk: number;
  readonly sbn: number;
  /** Byte address of the caller's matmul workspace. */
  readonly ws: number;
  /** C's batch extents (uncoalesced) and A's and B's element strides along them. */
  readonly batch: readonly number[];
  readonly aBatchStrides: readonly number[];
  readonly bBatchStrides: readonly number[];
}

/** The caller's linear memory views (refreshed by the heap after a grow). */
interface HeapViews {
  readonly u8: Uint8Array;
  readonly i32: Int32Array;
  readonly f32: Float32Array;
}

interface PoolWorker {
  readonly worker: Worker;
  readonly ctl: Int32Array;
  readonly port: MessagePort;
  /** Set when the worker exited, failed to start, or failed a job: never used again. */
  dead: boolean;
  /** The schedule region of the last job posted to it (-1: none yet). */
  region: number;
}

const align16 = (x: number) => Math.ceil(x / 16) * 16;
/** Data buffer offsets are int32 slots of the control block. */
const MAX_DATA_BYTES = 2 ** 31 - 16;

/** The worker threads of one wasm backend, and the data buffer they share with it. */
export class MatmulPool {
  private readonly workers: PoolWorker[] = [];
  private started = false;
  private data: SharedArrayBuffer | null = null;
  /** Schedule regions ({@link REGION_BYTES} each), one per thread the pool was sized for (see {@link setThreads}). */
  private sched: SharedArrayBuffer;
  private regions: number;
  private dataU8: Uint8Array | null = null;
  private dataF32: Float32Array | null = null;
  private warned = false;
  /** Calls split across threads so far. */
  splits = 0;
  /** Chunks of those calls, and how many of them workers computed (the rest: the calling thread). */
  chunks = 0;
  workerChunks = 0;

  /**
   * @param module the compiled kernels (each worker instantiates it)
   * @param threads threads in all, the calling one included (so threads − 1 workers); see {@link setThreads}
   * @param minWork multiply-adds (batches·m·n·k) from which a call is split
   * @param callerChunks false: the calling thread takes no chunk and waits for the workers to compute
   *   them all (tests use it so that the workers' results are what gets compared)
   */
  constructor(
    private readonly module: object, private threadCount: number, readonly minWork: number, private readonly callerChunks = true,
  ) {
    // A region per thread: a job needs one no busy worker holds, and at most threads − 1 workers are busy.
    this.regions = Math.max(threadCount, 2);
    this.sched = new SharedArrayBuffer(this.regions * REGION_BYTES);
  }

  /** Threads a call may use, the calling one included. */
  get threads(): number {
    return this.threadCount;
  }

  /**
   * Changes the threads later calls may use. Fewer: the extra workers stay idle (stop them with
   * {@link close}); more: the missing ones start at the next large call (or {@link start}).
   */
  setThreads(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`wasm backend: threads must be a whole number ≥ 1, got ${n}`);
    this.threadCount = n;
    if (n > this.regions) {
      // More workers than schedule regions: start over with a larger schedule buffer.
      void this.close();
      this.regions = n;
      this.sched = new SharedArrayBuffer(n * REGION_BYTES);
    }
    if (n - 1 > this.workers.length) this.started = false;
  }

  /** Workers whose kernels are instantiated and that are waiting for a job. */
  get ready(): number {
    return this.workers.filter((w) => this.idle(w)).length;
  }

  /** Whether `w` can be posted a job now (a worker that failed one is retired here, with a warning). */
  private idle(w: PoolWorker): boolean {
    if (w.dead) return false;
    const s = Atomics.load(w.ctl, Slot.STATE);
    if (s === State.FAILED) {
      w.dead = true;
      this.warn(`a matmul worker failed a job (the calling thread computed its rows): ${errorText(w.ctl)}`);
    }
    return s === State.IDLE || s === State.DONE;
  }

  /**
   * Starts the workers (once) and resolves, with the number ready, when every one of them is ready
   * or gone. Calls made before then run on fewer threads; awaiting this is never required.
   */
  start(): Promise<number> {
    this.spawnAll();
    return Promise.all(this.workers.map((w) => new Promise<void>((resolve) => {
      // Ref'd while someone waits for it (an unref'd worker would let the process exit under an
      // awaited start), polled: the worker says it is ready only through its control block.
      w.worker.ref();
      const poll = () => {
        if (!w.dead && Atomics.load(w.ctl, Slot.STATE) === State.STARTING) { setTimeout(poll, 5); return; }
        w.worker.unref();
        resolve();
      };
      poll();
    }))).then(() => this.ready);
  }

  /** Starts the workers once, without waiting for them (they are unref'd: a program can end while one is still starting). */
  private spawnAll(): void {
    if (this.started) return;
    this.started = true;
    const t0 = performance.now(), n = this.threads - 1 - this.workers.length;
    for (let i = 0; i < n; i++) this.spawn();
    // The calling thread's share of starting them (each worker instantiates the kernels on its own thread).
    if (n > 0) recordOneTimeCost(`start ${n} matmul worker thread${n > 1 ? 's' : ''}`, 'compile', t0, performance.now());
  }

  private spawn(): void {
    const control = new SharedArrayBuffer(CONTROL_INTS * 4);
    const ctl = new Int32Array(control);
    ctl[Slot.STATE] = State.STARTING;
    const { port1, port2 } = new MessageChannel();
    const workerData: MatmulWorkerData = { module: this.module, control, sched: this.sched, port: port2 };
    const entry = workerEntry();
    const worker = new Worker(entry, { workerData, transferList: [port2], eval: typeof entry === 'string', ...noPreloads() });
    const w: PoolWorker = { worker, ctl, port: port1, dead: false, region: -1 };
    // No 'message' listener: it would ref the worker's port and keep the process alive.
    port1.unref();
    worker.unref();
    worker.on('error', (e) => {
      w.dead = true;
      this.warn(`a matmul worker stopped: ${e.message}`);
    });
    worker.on('exit', () => { w.dead = true; });
    if (this.data) this.send(w, this.data);
    this.workers.push(w);
  }

  /** Sends a worker the data buffer, keeping its port unref'd (the port must never hold the process open). */
  private send(w: PoolWorker, data: SharedArrayBuffer): void {
    w.port.postMessage(data);
    w.port.unref();
  }

  private warn(text: string): void {
    if (this.warned) return;
    this.warned = true;
    process.emitWarning(`corepy wasm backend: ${text}; matmul continues on the threads left`);
  }

  /** Stops every worker; the pool can start again later. */
  async close(): Promise<void> {
    const ws = this.workers.splice(0);
    this.started = false;
    for (const w of ws) {
      Atomics.store(w.ctl, Slot.STATE, State.EXIT);
      Atomics.notify(w.ctl, Slot.STATE);
      w.port.close();
    }
    await Promise.all(ws.map((w) => w.worker.terminate()));
  }

  /** A data buffer of at least `bytes` (grown geometrically; every worker is sent the new one). */
  private dataOf(bytes: number): Uint8Array {
    if (this.data && this.data.byteLength >= bytes) return this.dataU8!;
    const t0 = performance.now();
    const size = Math.min(MAX_DATA_BYTES, Math.max(align16(bytes), 2 * (this.data?.byteLength ?? 0)));
    this.data = new SharedArrayBuffer(size);
    this.dataU8 = new Uint8Array(this.data);
    this.dataF32 = new Float32Array(this.data);
    // Touch every OS page now so first-touch faults belong to this one-time cost, not to the op (as memory.ts does).
    for (let p = 0; p < size; p += 4096) this.dataU8[p] = 0;
    for (const w of this.workers) if (!w.dead) this.send(w, this.data);
    recordOneTimeCost(`matmul thread buffer ${formatBytes(size)}`, 'memory', t0, performance.now(), size);
    return this.dataU8;
  }

  /**
   * Runs `call` split across the calling thread and the ready workers, or returns false (having done
   * nothing) when it is too small, no worker is ready yet, or the operands do not fit the data buffer:
   * the caller then runs the single-thread kernel. The first large call starts the workers.
   *
   * C's rows are cut into chunks that threads take from a shared counter, the calling thread too, so a
   * worker that its OS leaves waiting for a core (a loaded machine) takes fewer chunks instead of
   * holding everyone up; a job no worker has started by the time the caller runs out of chunks is taken
   * back, and so is a chunk a worker has not finished ~1.5 of the caller's chunk times later (the worker
   * drops it; it may still be busy when this returns, and then sits out later calls until it is done).
   * Chunks are whole 4-row tiles (the kernel's MR), about four per thread, at most {@link MAX_CHUNKS}.
   */
  run(k: KernelExports, heap: HeapViews, c: MatmulCall): boolean {
    let batches = 1;
    for (const e of c.batch) batches *= e;
    if (this.threads < 2 || c.k === 0 || batches * c.m * c.n * c.k < this.minWork) return false;
    // Not start(): nobody waits here, and a worker ref'd until it is ready would hold the process open
    // after the program ends (a one-matmul script's wall time grew by the worker's start-up, ~0.6 s here).
    this.spawnAll();
    const idle = this.workers.filter((w) => this.idle(w));
    const threads = Math.min(this.threads, 1 + idle.length, Math.floor(c.m / MIN_CHUNK_ROWS));
    if (threads < 2) return false;
    const chunkRows = Math.max(MIN_CHUNK_ROWS, Math.ceil(c.m / Math.min(MAX_CHUNKS, CHUNKS_PER_THREAD * threads) / 4) * 4);
    const chunks = Math.ceil(c.m / chunkRows);
    // A schedule region no busy worker (one still finishing an earlier job) may touch.
    const held = new Set(this.workers.filter((w) => !w.dead && !this.idle(w)).map((w) => w.region));
    let region = 0;
    while (held.has(region)) region++;
    if (region >= this.regions) return false;
    // Data buffer: [B span][A span][C region].
    const bSpan = span([...c.batch, c.k, c.n], [...c.bBatchStrides, c.sbk, c.sbn]);
    const aSpan = span([...c.batch, c.m, c.k], [...c.aBatchStrides, c.sam, c.sak]);
    const bLen = (bSpan.hi - bSpan.lo + 1) * 4, aLen = (aSpan.hi - aSpan.lo + 1) * 4;
    const bOff = 0, aOff = bOff + align16(bLen), cOff = aOff + align16(aLen);
    const end = cOff + batches * c.m * c.n * 4;
    if (end > MAX_DATA_BYTES) return false;
    const data = this.dataOf(end);
    const sched = new Int32Array(this.sched, region * REGION_BYTES, 1 + chunks);
    sched.fill(0);
    const u8 = heap.u8;
    data.set(u8.subarray(c.b + bSpan.lo * 4, c.b + bSpan.lo * 4 + bLen), bOff);
    data.set(u8.subarray(c.a + aSpan.lo * 4, c.a + aSpan.lo * 4 + aLen), aOff);
    const posted = idle.slice(0, threads - 1);
    for (const w of posted) {
      const ctl = w.ctl;
      ctl[Slot.NB] = c.nb; ctl[Slot.M] = c.m; ctl[Slot.N] = c.n; ctl[Slot.K] = c.k;
      ctl[Slot.SAM] = c.sam; ctl[Slot.SAK] = c.sak; ctl[Slot.SBK] = c.sbk; ctl[Slot.SBN] = c.sbn;
      ctl[Slot.A_OFF] = aOff; ctl[Slot.A_LEN] = aLen; ctl[Slot.A_FIRST] = -aSpan.lo * 4;
      ctl[Slot.B_OFF] = bOff; ctl[Slot.B_LEN] = bLen; ctl[Slot.B_FIRST] = -bSpan.lo * 4;
      ctl[Slot.C_OFF] = cOff; ctl[Slot.CHUNK_ROWS] = chunkRows; ctl[Slot.CHUNKS] = chunks;
      ctl[Slot.SCHED_OFF] = region * REGION_BYTES;
      ctl.set(heap.i32.subarray(c.metaAt, c.metaAt + 3 * c.nb), Slot.META);
      w.region = region;
      Atomics.store(ctl, Slot.STATE, State.JOB);
      Atomics.notify(ctl, Slot.STATE);
    }
    const mine = new Uint8Array(chunks);
    let mineMs = 0, mineCount = 0;
    /** Rows [r0, r0 + rows) of every batch, on the calling thread, straight into C. */
    const here = (i: number) => {
      const r0 = i * chunkRows, rows = Math.min(chunkRows, c.m - r0), t0 = performance.now();
      k.matmul_f32(c.nb, c.metaPtr, rows, c.n, c.k, c.a + r0 * c.sam * 4, c.b, c.out + r0 * c.n * 4, c.sam, c.sak, c.sbk, c.sbn, c.ws, c.m * c.n);
      mine[i] = 1;
      mineMs += performance.now() - t0;
      mineCount++;
    };
    try {
      if (this.callerChunks) for (let i = Atomics.add(sched, 0, 1); i < chunks; i = Atomics.add(sched, 0, 1)) here(i);
    } finally {
      // Jobs no worker has started are taken back (in test mode, waited for instead); whatever the
      // workers took, the chunk flags below account for.
      for (const w of posted) {
        if (!this.callerChunks) waitWhile(w.ctl, State.JOB);
        else Atomics.compareExchange(w.ctl, Slot.STATE, State.JOB, State.IDLE);
      }
    }
    // Chunks the workers took: copy each written one; a worker still on one after about one chunk's
    // time (as the calling thread measured it) is probably waiting for a core: compute it here instead.
    const now0 = performance.now();
    const deadline = this.callerChunks ? now0 + Math.max(SPIN_MS, 1.5 * (mineCount ? mineMs / mineCount : 1)) : Infinity;
    const spinUntil = now0 + SPIN_MS;
    const f32 = heap.f32, src = this.dataF32!;
    for (let i = 0; i < chunks; i++) {
      if (mine[i]) continue;
      for (;;) {
        const f = Atomics.load(sched, 1 + i);
        if (f === Chunk.WRITTEN) break;
        // WRITING: the worker is copying it out (a few µs); only if its OS stops it midway does this sleep.
        if (f === Chunk.WRITING) { if (performance.now() > spinUntil + 2) Atomics.wait(sched, 1 + i, Chunk.WRITING, 1); continue; }
        // OPEN: a worker is still computing it, or left it (it failed: no posted worker is running).
        const t = performance.now();
        const stuck = posted.every((w) => Atomics.load(w.ctl, Slot.STATE) !== State.RUNNING);
        if ((stuck || t > deadline) && Atomics.compareExchange(sched, 1 + i, Chunk.OPEN, Chunk.TAKEN_BACK) === Chunk.OPEN) break;
        // Poll, never sleep, until the deadline (short: ~1.5 chunks): a thread asleep in Atomics.wait on a
        // busy machine may not run again for milliseconds. In test mode (no deadline) sleep in 1 ms steps.
        if (!Number.isFinite(deadline) && t > spinUntil) Atomics.wait(sched, 1 + i, Chunk.OPEN, 1);
      }
      if (Atomics.load(sched, 1 + i) === Chunk.TAKEN_BACK) { here(i); continue; }
      this.workerChunks++;
      const r0 = i * chunkRows, band = Math.min(chunkRows, c.m - r0) * c.n;
      for (let t = 0; t < batches; t++) {
        const at = t * c.m * c.n + r0 * c.n;
        f32.set(src.subarray(cOff / 4 + at, cOff / 4 + at + band), c.out / 4 + at);
      }
    }
    this.splits++;
    this.chunks += chunks;
    return true;
  }
}

/**
 * How long the calling thread polls a busy worker before sleeping (ms).
 * Short: polling burns a core that, on a busy machine, other work wants.
 */
const SPIN_MS = 0.25;

/**
 * Returns once the worker's state is no longer `state`. Polls for up to {@link SPIN_MS} first (a worker
 * finishing its last chunk is usually done by then): a thread asleep in Atomics.wait must be scheduled
 * again when woken, which costs tens of µs on an idle machine and milliseconds on a busy one.
 */
function waitWhile(ctl: Int32Array, state: number): void {
  const until = performance.now() + SPIN_MS;
  for (let i = 0; Atomics.load(ctl, Slot.STATE) === state; i++) {
    if ((i & 255) === 0 && performance.now() > until) break;
  }
  while (Atomics.load(ctl, Slot.STATE) === state) Atomics.wait(ctl, Slot.STATE, state);
}

/**
 * Worker options that keep the process's preloads out of a matmul worker. A worker inherits the
 * main thread's `--import`/`--require` modules (execArgv, and NODE_OPTIONS from its env) and runs them
 * before its entry: under `corepy profile` that is the profiler's autostart, which would enable profiling
 * in the worker (its op warm-up and a second "compile wasm kernels", shared into the main thread's report
 * as if the script had paid them twice) and hold the worker from its first job meanwhile. The worker
 * runs only its kernel loop: it needs none of them, nor other Node options (an empty execArgv, which
 * unlike a filtered copy of the parent's cannot hold a flag a worker rejects, such as --expose-gc).
 */
function noPreloads(): { execArgv: string[]; env: NodeJS.ProcessEnv } {
  const env = { ...process.env };
  delete env['NODE_OPTIONS'];
  return { execArgv: [], env };
}

/**
 * The Worker constructor's first argument for matmul-worker: the compiled .js beside this file, or (source code, `eval`),
 * when this file runs as TypeScript source (tests, tsx), a bootstrap that registers tsx in the
 * worker before importing the .ts worker (a worker does not inherit the parent's `--import=tsx` hooks).
 */
function workerEntry(): URL | string {
  const source = import.meta.url.endsWith('.ts');
  const url = new URL(source ? './matmul-worker.ts' : './matmul-worker.js', import.meta.url);
  if (!source) return url;
  return `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
}
