/**
 * The `wasm` backend: storages are blocks of the Rust kernels' linear memory; every kernel is
 * one call into the module (see kernels-rust/). Reading back is a typed-array copy straight
 * out of linear memory.
 *
 * Per-call cost is kept to: one storage object, the walk description written into a scratch
 * region (no JS arrays), one wasm call. Views with arbitrary strides and offsets are passed as
 * pointers + byte strides, never copied first (reductions excepted: see {@link reduceSource}).
 */
import type { Backend, BackendMemory, MomentsResult, Storage, View } from '../backend.js';
import { BYTES_PER_ELEMENT, type DataArray, type DType } from '../../types.js';
import { isContiguous, sizeOf } from '../../shape.js';
import { compileModeFromEnv, loadKernels, type KernelCompile, type KernelExports, type KernelFlavour } from './loader.js';
import { kernelCode, outputDtype } from '../op-table.js';
import { LinearHeap } from './memory.js';
import { assertShape, assertViewFits } from '../view-check.js';
import { MAX_RANK, middleAxisLayout, reducedLast, writeWalk } from './layout.js';
import { runFusedWasm, type WasmFusedContext } from './fused.js';
import { DEFAULT_MIN_WORK, MatmulPool, threadsFromEnv } from './matmul-threads.js';

/** A block of linear memory holding one tensor's elements. */
export class WasmStorage implements Storage {
  readonly backend = 'wasm' as const;
  /** Set by `free`; a second free is reported. */
  freed = false;
  constructor(readonly dtype: DType, readonly size: number, readonly bytes: number, readonly ptr: number) {}
}

/** The wasm backend, plus which kernel build it runs. */
export interface WasmBackend extends Backend {
  /** `simd` (WebAssembly SIMD128) or `scalar` (fallback build). */
  readonly flavour: KernelFlavour;
  /**
   * Grows linear memory now so that `bytes` of tensors fit without growing later (pages touched
   * now; recorded as the one-time cost "reserve wasm memory +N MB"). Returns the bytes added.
   */
  reserve(bytes: number): number;
  /** Threads a large matmul is split across, the calling one included (1: never split); see matmul-threads.ts. */
  readonly threads: number;
  /** Changes {@link threads} for later matmuls (extra workers start at the next large one). */
  setThreads(n: number): void;
  /**
   * Starts the matmul worker threads now instead of at the first large matmul, and resolves with
   * how many are ready. Never required: matmuls made before then run on the threads already ready.
   */
  startThreads(): Promise<number>;
  /** Stops the matmul worker threads (they start again at the next large matmul). */
  stopThreads(): Promise<void>;
  /** Matmuls split across threads so far (0 while the workers start, or with `threads` 1). */
  readonly threadedMatmuls: number;
  /** Row chunks of those matmuls so far, and how many of them worker threads computed (the rest: the calling thread). */
  readonly matmulChunks: { readonly total: number; readonly byWorkers: number };
}

/** Options of {@link createWasmBackend}. */
export interface WasmBackendOptions {
  /** Kernel build to load; `auto` (default) picks simd when the engine supports it. */
  readonly flavour?: KernelFlavour | 'auto';
  /** When kernels are compiled: `optimised`, `eager`, `baseline` (default, or COREPY_WASM_COMPILE) or `lazy`; see loader.ts {@link KernelCompile}. */
  readonly compile?: KernelCompile;
  /** Bytes of linear memory to reserve at creation (default: COREPY_WASM_RESERVE_MB × 2^20, else 0); see {@link WasmBackend.reserve}. */
  readonly reserveBytes?: number;
  /** Threads for large matmuls, the calling one included (default: COREPY_WASM_THREADS, else os.availableParallelism()); 1 turns threading off. */
  readonly threads?: number;
  /** Multiply-adds (batches·m·n·k) from which a matmul is split across threads (default {@link DEFAULT_MIN_WORK}). */
  readonly threadMinWork?: number;
  /** false: the calling thread leaves every row chunk of a split matmul to the workers (for tests; default true). */
  readonly threadCallerChunks?: boolean;
}

/** The reserve from COREPY_WASM_RESERVE_MB (mebibytes), else 0; a value that is not a number ≥ 0 is an error naming it. */
export function reserveFromEnv(): number {
  const v = process.env['COREPY_WASM_RESERVE_MB'];
  if (v === undefined || v === '') return 0;
  const mb = Number(v);
  if (!Number.isFinite(mb) || mb < 0) throw new Error(`COREPY_WASM_RESERVE_MB must be a number of mebibytes ≥ 0, got ${JSON.stringify(v)}`);
  return Math.round(mb * 2 ** 20);
}

const DTYPE_CODES: Readonly<Record<DType, number>> = { float32: 0, int32: 1, bool: 2 };
/** Bytes of the scratch region for walk descriptions: (1 + 4 operands) rows of MAX_RANK int32. */
const META_BYTES = (1 + 4) * MAX_RANK * 4;

/** Stops a collected backend's matmul workers (they are unref'd, but would wait for jobs until exit). */
const stopPool = new FinalizationRegistry<MatmulPool>((pool) => { void pool.close(); });

/** Creates a wasm backend with its own instance of the kernels (and its own linear memory). */
export function createWasmBackend(options: WasmBackendOptions = {}): WasmBackend {
  const threads = options.threads ?? threadsFromEnv();
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`wasm backend: threads must be a whole number ≥ 1, got ${threads}`);
  const { exports: k, flavour, module } = loadKernels(options.flavour ?? 'auto', options.compile ?? compileModeFromEnv());
  const pool = new MatmulPool(module, threads, options.threadMinWork ?? DEFAULT_MIN_WORK, options.threadCallerChunks ?? true);
  const heap = new LinearHeap(k.memory, k.__heap_base.value);
  heap.reserve(options.reserveBytes ?? reserveFromEnv());
  const metaPtr = heap.alloc(META_BYTES);
  const metaAt = metaPtr >> 2;
  // The matmul workspace: kept between calls, grown to the largest product so far (at most
  // matmul_workspace_bytes(), 1.1 MB), so a few small matmuls never hold (or grow memory for) a
  // block sized for large ones.
  let workspace = -1, workspaceBytes = 0;

  const make = (dtype: DType, size: number): WasmStorage => {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`wasm backend: cannot allocate ${size} elements`);
    const bytes = size * BYTES_PER_ELEMENT[dtype];
    return new WasmStorage(dtype, size, bytes, heap.alloc(bytes));
  };
  /**
   * Runs `fill` on freshly allocated outputs and returns its result; if `fill` throws (a bad
   * operand, a kernel trap) the outputs go back to the heap first, so errors never leak memory.
   */
  const filled = <T>(outs: readonly WasmStorage[], fill: () => T): T => {
    try {
      return fill();
    } catch (e) {
      for (const o of outs) if (!o.freed) { o.freed = true; heap.release(o.ptr, o.bytes); }
      throw e;
    }
  };
  const storageOf = (v: View): WasmStorage => {
    const s = v.storage as WasmStorage;
    if (s.backend !== 'wasm' || !(s instanceof WasmStorage)) throw new Error(`wasm backend: got storage of backend '${s.backend}'`);
    if (s.freed) throw new Error('wasm backend: storage used after free');
    return s;
  };
  /**
   * Byte address of a view's first element, after asserting the view stays inside its storage:
   * linear memory is shared by every tensor, so a view reaching outside would corrupt others.
   */
  const addr = (v: View): number => {
    const s = storageOf(v);
    assertViewFits('wasm backend', v);
    return s.ptr + v.offset * BYTES_PER_ELEMENT[v.dtype];
  };
  const hostView = (dtype: DType, ptr: number, size: number): DataArray => {
    const buf = heap.u8.buffer;
    if (dtype === 'float32') return new Float32Array(buf, ptr, size);
    if (dtype === 'int32') return new Int32Array(buf, ptr, size);
    return new Uint8Array(buf, ptr, size);
  };
  /** Strided copy of `src` into contiguous memory at `dst`. */
  const gather = (src: View, dst: number, shape: readonly number[] = src.shape, strides: readonly number[] = src.strides): void => {
    const w = BYTES_PER_ELEMENT[src.dtype];
    const nd = writeWalk(heap.i32, metaAt, shape, [null, strides], [w, w]);
    k.copy_strided(w, nd, metaPtr, dst, addr(src));
  };
  /**
   * Contiguous (kept..., reduced...) memory of `a` for the reductions; `temp` says whether to release it.
   * Built field by field, not with `{ ...p }`: V8 gave every spread copy here a new hidden class, so
   * each reduction missed its inline caches (megamorphic loads, a map allocated per call).
   */
  const reduceSource = (a: View, axes: readonly number[]): { outer: number; inner: number; ptr: number; temp: boolean } => {
    const p = reducedLast(a.shape, a.strides, axes);
    if (isContiguous(p.shape, p.strides)) return { outer: p.outer, inner: p.inner, ptr: addr(a), temp: false };
    const ptr = heap.alloc(p.outer * p.inner * BYTES_PER_ELEMENT[a.dtype]);
    gather(a, ptr, p.shape, p.strides);
    return { outer: p.outer, inner: p.inner, ptr, temp: true };
  };

  const fusedContext: WasmFusedContext = { k, heap, addr, make, filled };

  const backend: WasmBackend = {
    name: 'wasm',
    device: 'cpu',
    flavour,
    reserve: (bytes) => heap.reserve(bytes),
    get threads() { return pool.threads; },
    setThreads: (n) => pool.setThreads(n),
    startThreads: () => pool.start(),
    stopThreads: () => pool.close(),
    get threadedMatmuls() { return pool.splits; },
    get matmulChunks() { return { total: pool.chunks, byWorkers: pool.workerChunks }; },

    upload(data, dtype) {
      const s = make(dtype, data.length);
      // A scalar operand (`x.add(1)`) is one element: stored through the heap's own views, since
      // a typed array made over the memory for it cost more than the rest of a small op's upload.
      if (data.length === 1) {
        if (dtype === 'float32') heap.f32[s.ptr >> 2] = data[0]!;
        else if (dtype === 'int32') heap.i32[s.ptr >> 2] = data[0]!;
        else heap.u8[s.ptr] = data[0]!;
      } else hostView(dtype, s.ptr, s.size).set(data);
      return s;
    },
    uploadWith(dtype, size, write) {
      const s = make(dtype, size);
      // The writer gets linear memory itself (it allocates nothing, so no grow detaches the view).
      if (size > 0) filled([s], () => write(hostView(dtype, s.ptr, size)));
      return s;
    },
    arange(dtype, size, start, step) {
      const s = make(dtype, size);
      if (size > 0) filled([s], () => (dtype === 'float32' ? k.arange_f32(s.ptr, size, start, step) : k.arange_i32(s.ptr, size, start | 0, step | 0)));
      return s;
    },
    random(kind, size, state) {
      const s = make('float32', size);
      if (size > 0) {
        filled([s], () => {
          // The generator's state goes through the walk-description scratch (free between kernel calls).
          const words = new Uint32Array(k.memory.buffer, metaPtr, 4);
          words.set(state);
          if (kind === 'uniform') k.rand_f32(s.ptr, size, metaPtr);
          else k.randn_f32(s.ptr, size, metaPtr);
          state.set(new Uint32Array(k.memory.buffer, metaPtr, 4));
        });
      }
      return s;
    },
    alloc(dtype, size) {
      // No fill: a reused heap block keeps its old bytes, which the caller overwrites.
      return make(dtype, size);
    },
    readSync(v, out) {
      const n = sizeOf(v.shape);
      // Into the caller's array (no allocation) or a fresh copy; never a view of linear memory,
      // which the next allocation may move (memory.grow detaches it).
      const copyOut = (ptr: number): DataArray => {
        const src = hostView(v.dtype, ptr, n);
        if (out === undefined) return src.slice();
        out.set(src);
        return out;
      };
      if (n === 0) return out ?? hostView(v.dtype, 0, 0).slice();
      if (isContiguous(v.shape, v.strides)) return copyOut(addr(v));
      const tmp = heap.alloc(n * BYTES_PER_ELEMENT[v.dtype]);
      try {
        gather(v, tmp);
        return copyOut(tmp);
      } finally {
        heap.release(tmp, n * BYTES_PER_ELEMENT[v.dtype]);
      }
    },
    read(v) {
      try {
        return Promise.resolve(this.readSync(v));
      } catch (e) {
        return Promise.reject(e);
      }
    },
    free(storage) {
      const s = storage as WasmStorage;
      if (s.freed) throw new Error(`wasm backend: storage of ${s.bytes} bytes freed twice`);
      s.freed = true;
      heap.release(s.ptr, s.bytes);
    },
    memory(): BackendMemory {
      // The scratch region and matmul workspace are the backend's own, not tensors'.
      const own = (workspace >= 0 ? 2 : 1);
      const ownBytes = Math.ceil(META_BYTES / 16) * 16 + (workspace >= 0 ? Math.ceil(workspaceBytes / 16) * 16 : 0);
      return { bytesInUse: heap.bytesInUse - ownBytes, bytesReserved: heap.bytesReserved, storages: heap.blocks - own };
    },

    binary(op, a, b, outShape) {
      const code = kernelCode(op);
      const outDtype = outputDtype(op, a.dtype);
      // Validate before allocating: a throw after make() would leak the output block.
      if (a.dtype !== 'float32' && a.dtype !== 'int32') throw new TypeError(`wasm backend: binary '${op}' takes float32 or int32, got ${a.dtype}`);
      assertShape(`wasm backend: binary '${op}'`, outShape);
      const out = make(outDtype, sizeOf(outShape));
      if (out.size === 0) return out;
      return filled([out], () => {
        const nd = writeWalk(heap.i32, metaAt, outShape, [null, a.strides, b.strides], [outDtype === 'bool' ? 1 : 4, 4, 4]);
        if (a.dtype === 'float32') k.binary_f32(code, nd, metaPtr, out.ptr, addr(a), addr(b));
        else k.binary_i32(code, nd, metaPtr, out.ptr, addr(a), addr(b));
        return out;
      });
    },
    where(cond, a, b, outShape) {
      assertShape('wasm backend: where', outShape);
      const out = make(a.dtype, sizeOf(outShape));
      if (out.size === 0) return out;
      const w = BYTES_PER_ELEMENT[a.dtype];
      return filled([out], () => {
        const nd = writeWalk(heap.i32, metaAt, outShape, [null, cond.strides, a.strides, b.strides], [w, 1, w, w]);
        k.where_select(w, nd, metaPtr, out.ptr, addr(cond), addr(a), addr(b));
        return out;
      });
    },
    unary(op, a) {
      const code = kernelCode(op);
      const intOk = a.dtype === 'int32' && (op === 'neg' || op === 'abs' || op === 'relu');
      if (a.dtype !== 'float32' && !intOk) throw new TypeError(`wasm backend: unary '${op}' is not defined for ${a.dtype}`);
      const out = make(a.dtype, sizeOf(a.shape));
      if (out.size === 0) return out;
      return filled([out], () => {
        const nd = writeWalk(heap.i32, metaAt, a.shape, [null, a.strides], [4, 4]);
        if (a.dtype === 'float32') k.unary_f32(code, nd, metaPtr, out.ptr, addr(a));
        else k.unary_i32(code, nd, metaPtr, out.ptr, addr(a));
        return out;
      });
    },
    cast(a, dtype) {
      if (dtype === a.dtype) return this.copy(a);
      const out = make(dtype, sizeOf(a.shape));
      if (out.size === 0) return out;
      return filled([out], () => {
        const nd = writeWalk(heap.i32, metaAt, a.shape, [null, a.strides], [BYTES_PER_ELEMENT[dtype], BYTES_PER_ELEMENT[a.dtype]]);
        k.cast(DTYPE_CODES[a.dtype], DTYPE_CODES[dtype], nd, metaPtr, out.ptr, addr(a));
        return out;
      });
    },
    copy(a) {
      const out = make(a.dtype, sizeOf(a.shape));
      if (out.size === 0) return out;
      return filled([out], () => {
        if (isContiguous(a.shape, a.strides)) {
          const src = addr(a);
          heap.u8.copyWithin(out.ptr, src, src + out.bytes);
        } else {
          gather(a, out.ptr);
        }
        return out;
      });
    },
    copyInto(src, dst) {
      const n = sizeOf(src.shape);
      if (n === 0) return;
      const w = BYTES_PER_ELEMENT[src.dtype];
      // The kernel assumes disjoint operands: stage through a copy when they share storage.
      const staged = src.storage === dst.storage ? (this.copy(src) as WasmStorage) : null;
      const from = staged ? staged.ptr : addr(src);
      try {
        const nd = writeWalk(heap.i32, metaAt, src.shape, [dst.strides, staged ? null : src.strides], [w, w]);
        k.copy_strided(w, nd, metaPtr, addr(dst), from);
      } finally {
        if (staged) this.free(staged);
      }
    },

    reduce(op, a, axes) {
      if (a.dtype !== 'float32' && !(a.dtype === 'int32' && op !== 'mean')) throw new TypeError(`wasm backend: reduce '${op}' is not defined for ${a.dtype}`);
      const outDtype = outputDtype(op, a.dtype);
      const mid = a.dtype === 'float32' && isContiguous(a.shape, a.strides) ? middleAxisLayout(a.shape, axes) : null;
      if (mid) {
        // Leading/middle axes of a contiguous view: reduce whole rows in place, no transpose.
        const out = make(outDtype, mid.outer * mid.inner);
        return filled([out], () => {
          const ws = heap.alloc(mid.inner * 8);
          try {
            k.reduce_cols_f32(kernelCode(op), mid.outer, mid.r, mid.inner, out.ptr, addr(a), ws);
          } finally {
            heap.release(ws, mid.inner * 8);
          }
          return out;
        });
      }
      const src = reduceSource(a, axes);
      try {
        const out = make(outDtype, src.outer);
        if (src.outer === 0) return out;
        return filled([out], () => {
          if (a.dtype === 'float32') k.reduce_f32(kernelCode(op), src.outer, src.inner, out.ptr, src.ptr);
          else k.reduce_i32(kernelCode(op), src.outer, src.inner, out.ptr, src.ptr);
          return out;
        });
      } finally {
        if (src.temp) heap.release(src.ptr, src.outer * src.inner * BYTES_PER_ELEMENT[a.dtype]);
      }
    },
    moments(a, axes): MomentsResult {
      if (a.dtype !== 'float32') throw new TypeError(`wasm backend: moments takes float32, got ${a.dtype}`);
      const src = reduceSource(a, axes);
      try {
        const mean = make('float32', src.outer);
        const outs = [mean];
        return filled(outs, () => {
          const variance = make('float32', src.outer);
          outs.push(variance);
          if (src.outer > 0) k.moments_f32(src.outer, src.inner, mean.ptr, variance.ptr, src.ptr);
          return { mean, variance };
        });
      } finally {
        if (src.temp) heap.release(src.ptr, src.outer * src.inner * 4);
      }
    },
    fused(program, inputs, shape) {
      return runFusedWasm(fusedContext, program, inputs, shape);
    },
    matmul(a, b, outShape) {
      const r = outShape.length;
      const M = outShape[r - 2]!, N = outShape[r - 1]!, K = a.shape[r - 1]!;
      assertShape('wasm backend: matmul', outShape);
      storageOf(a);
      storageOf(b);
      if (r < 2 || a.shape.length !== r || b.shape.length !== r || a.shape[r - 2] !== M || b.shape[r - 2] !== K || b.shape[r - 1] !== N) {
        throw new RangeError(`wasm backend: matmul operands [${String(a.shape)}] @ [${String(b.shape)}] do not give [${String(outShape)}]`);
      }
      const out = make('float32', sizeOf(outShape));
      if (out.size === 0) return out;
      return filled([out], () => {
        const need = Math.max(16, k.matmul_workspace_bytes_for(M, N, K));
        if (need > workspaceBytes) {
          // The new block first: an allocation that throws (memory cannot grow) leaves the old one in place.
          const grown = heap.alloc(need);
          if (workspace >= 0) heap.release(workspace, workspaceBytes);
          workspace = grown;
          workspaceBytes = need;
        }
        const batch = outShape.slice(0, r - 2);
        const aBatchStrides = a.strides.slice(0, r - 2), bBatchStrides = b.strides.slice(0, r - 2);
        const nb = writeWalk(heap.i32, metaAt, batch, [aBatchStrides, bBatchStrides], [4, 4]);
        const call = {
          nb, metaAt, metaPtr, m: M, n: N, k: K, a: addr(a), b: addr(b), out: out.ptr,
          sam: a.strides[r - 2]!, sak: a.strides[r - 1]!, sbk: b.strides[r - 2]!, sbn: b.strides[r - 1]!,
          ws: workspace, batch, aBatchStrides, bBatchStrides,
        };
        if (!pool.run(k, heap, call)) {
          k.matmul_f32(nb, metaPtr, M, N, K, call.a, call.b, out.ptr, call.sam, call.sak, call.sbk, call.sbn, workspace, M * N);
        }
        return out;
      });
    },
  };
  stopPool.register(backend, pool);
  return backend;
}

/** Convenience type guard for code that handles raw kernel exports (benchmarks, tests). */
export type { KernelExports };
