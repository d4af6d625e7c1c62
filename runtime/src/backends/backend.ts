/**
 * The contract every compute backend implements (js reference, wasm, webgpu).
 *
 * The front end (runtime/src/ops) does shape inference, broadcasting, dtype promotion and
 * validation; a backend only moves bytes and runs kernels. Every kernel call reaches a backend
 * through `engine.dispatch`, which is where the profiler hooks in.
 *
 * Conventions (all counts are elements, never bytes, unless the name says `bytes`):
 * - A {@link View} addresses `storage` row-major through `shape`, `strides` and `offset`.
 *   Strides may be 0 (broadcast) or negative (reversed slices); `offset` is an element index.
 * - Every kernel returns NEW contiguous row-major storage, except `copyInto`; `alloc` returns new
 *   storage with unspecified contents for the caller to fill (through `copyInto`).
 * - Inputs of `binary` are already promoted to one dtype (float32 or int32) and their strides are
 *   given at the output's rank, with 0 on broadcast dimensions.
 * - Kernels never keep references to their input views.
 */
import type { BackendName, DataArray, Device, DType } from '../types.js';
import type { BinaryOpName, ReduceOpName, UnaryOpName } from './op-table.js';
import type { FusedProgram } from './fused.js';

/** Backend-owned memory for one tensor's elements. Opaque outside its backend. */
export interface Storage {
  /** The backend that owns this memory. */
  readonly backend: BackendName;
  /** Element type of the memory. */
  readonly dtype: DType;
  /** Number of elements. */
  readonly size: number;
  /** Size in bytes (size × bytes per element). */
  readonly bytes: number;
}

/** A strided window onto a storage. */
export interface View {
  readonly storage: Storage;
  readonly dtype: DType;
  /** Extent of each dimension; `[]` is a scalar. */
  readonly shape: readonly number[];
  /** Element stride of each dimension (may be 0 or negative). */
  readonly strides: readonly number[];
  /** Element index of `[0, 0, ...]` in `storage`. */
  readonly offset: number;
}

/** Elementwise binary kernels (op-table.ts). Comparisons (`eq`, `lt`, `gt`) produce `bool` (their dtype rule). */
export type BinaryOp = BinaryOpName;

/** Elementwise unary kernels (op-table.ts). `exp`..`sigmoid` take float32 only; `neg`, `abs`, `relu` also int32. */
export type UnaryOp = UnaryOpName;

/**
 * Reductions over a set of axes. `sum`/`min`/`max` keep the input dtype (float32 or int32);
 * `mean` takes float32; `argmax` returns int32: the row-major index within the reduced
 * sub-block (for one axis, the index along that axis; ties resolve to the first).
 */
export type ReduceOp = ReduceOpName;

/** Mean and population variance (ddof = 0) computed in one pass. */
export interface MomentsResult {
  readonly mean: Storage;
  readonly variance: Storage;
}

/** Bytes and block counts a backend holds right now. */
export interface BackendMemory {
  /** Bytes currently allocated to live storages. */
  readonly bytesInUse: number;
  /** Bytes reserved from the system (pool or linear memory), ≥ bytesInUse. */
  readonly bytesReserved: number;
  /** Number of live storages. */
  readonly storages: number;
}

/** A compute backend. All methods are synchronous except `read`. */
export interface Backend {
  readonly name: BackendName;
  readonly device: Device;

  /** Copies host data into new storage of `dtype` (data.length elements). */
  upload(data: DataArray, dtype: DType): Storage;
  /**
   * New storage of `size` elements of `dtype` that `write` fills through `dst`, a view of the
   * storage's own memory: no host array is made and copied. `write` must set every element (the
   * memory may hold a freed block's old bytes) and must not call into any backend (`dst` is valid
   * only while it runs). CPU backends have it; the others leave it out and callers build a host
   * array and {@link upload} it. A fresh host array costs page faults, which on the dev VM made a
   * 1e5-element `cp.tensor([...])` take ~1.7 ms for its first ~150 calls instead of ~0.15 ms.
   */
  uploadWith?(dtype: DType, size: number, write: (dst: DataArray) => void): Storage;
  /**
   * New storage of `size` elements, element i = `start + i * step` computed as a JavaScript number
   * (f64) and stored as `dtype` would store it from JavaScript (float32 rounds to nearest; int32, for
   * integer `start` and `step` with |start| + size·|step| < 2^53, wraps modulo 2^32). Optional: callers fill through
   * {@link uploadWith} otherwise. The wasm backend runs it as a kernel (`arange` of 1e6 elements:
   * its JavaScript loop took 4.5–7 ms on a first call).
   */
  arange?(dtype: 'float32' | 'int32', size: number, start: number, step: number): Storage;
  /**
   * New float32 storage of `size` draws from corepy's xoshiro128** generator, whose four-word state
   * `state` holds and which this advances in place: `uniform` in [0, 1), `normal` by the ziggurat method;
   * bit for bit what random.ts's JavaScript writers draw from the same state. Optional: callers
   * draw through {@link uploadWith} otherwise. The wasm backend runs it as a kernel (the JavaScript
   * loop ran in the interpreter on a first call: `randn` of 65,536 elements 20–60 ms, ~2 ms warm).
   */
  random?(kind: 'uniform' | 'normal', size: number, state: Uint32Array): Storage;
  /**
   * New contiguous storage of `size` elements of `dtype` whose contents are unspecified (possibly
   * a recycled block's old bytes): for a caller that overwrites every element itself, such as
   * concat's per-input copies, so no host array is built and nothing crosses to the device.
   * Not a transfer (GPU backends report no upload bytes). Counted by `memory()` and released by
   * `free` like any other storage; allocation failures throw the backend's usual errors.
   */
  alloc(dtype: DType, size: number): Storage;
  /**
   * Reads a view into a contiguous host array: `out` when given (the caller checked its type and
   * length; no allocation), else a new one. GPU backends throw (use `read`).
   */
  readSync(view: View, out?: DataArray): DataArray;
  /** Reads a view into a new contiguous host array. */
  read(view: View): Promise<DataArray>;
  /** Releases storage. Freeing twice is a bug the backend may report. */
  free(storage: Storage): void;
  /** Bytes and storages held now. */
  memory(): BackendMemory;

  /** out[i] = op(a[i], b[i]) over `outShape`; a and b share a dtype. */
  binary(op: BinaryOp, a: View, b: View, outShape: readonly number[]): Storage;
  /** out[i] = cond[i] ? a[i] : b[i]; cond is bool, a and b share a dtype; strides at outShape rank. */
  where(cond: View, a: View, b: View, outShape: readonly number[]): Storage;
  /** out[i] = op(a[i]), contiguous with a's shape and dtype. */
  unary(op: UnaryOp, a: View): Storage;
  /** Converts elements to `dtype` (bool: nonzero → 1; float → int32 truncates toward zero). */
  cast(a: View, dtype: DType): Storage;
  /** Contiguous copy of a view. */
  copy(a: View): Storage;
  /** Writes src's elements into the (strided) dst view, which has src's shape and dtype. */
  copyInto(src: View, dst: View): void;
  /** Reduces over `axes` (sorted, unique, non-negative). Output shape: a.shape without axes. */
  reduce(op: ReduceOp, a: View, axes: readonly number[]): Storage;
  /** float32 mean and population variance over `axes`, numerically careful, one pass. */
  moments(a: View, axes: readonly number[]): MomentsResult;
  /**
   * Batched float32 matmul: a is [...batch, M, K], b is [...batch, K, N], both at the rank of
   * `outShape` = [...batch, M, N] (batch strides 0 where broadcast).
   */
  matmul(a: View, b: View, outShape: readonly number[]): Storage;
  /**
   * Optional: runs a fused elementwise program (see fused.ts) over `shape`. `inputs` are float32,
   * int32 or bool views at `shape`'s rank (stride 0 on broadcast dims). Returns contiguous storage
   * of `shape` (or of `shape` without the epilogue's axes, float32). Backends without it run a
   * `cp.jit` group op by op.
   */
  fused?(program: FusedProgram, inputs: readonly View[], shape: readonly number[]): Storage;
  /**
   * Optional, with {@link fused}: why this backend cannot run `program` reading `inputs` tensors
   * as one kernel (e.g. a device's binding limit), or null when it can. `cp.jit` then runs that
   * group op by op and reports the reason in `JitFunction.signatures()`.
   */
  fusedBlocker?(program: FusedProgram, inputs: number): string | null;
}

/**
 * Receives GPU-side measurements for profiled ops. The profiler installs one on backends that
 * offer {@link TimedBackend.setTimingSink}; measurements arrive later than the op (after the GPU
 * finished and timestamp queries were resolved), keyed by the profiler's event id.
 */
export interface GpuTimingSink {
  /** GPU execution interval of the work encoded for `eventId`, in ms on the profiler's clock origin (performance.now()). */
  gpuTime(eventId: number, startMs: number, endMs: number, estimated: boolean): void;
  /** Bytes moved host→device (`upload`) or device→host (`download`) on behalf of `eventId`. */
  transfer(eventId: number, direction: 'upload' | 'download', bytes: number): void;
}

/** Optional timing hooks of GPU backends. */
export interface TimedBackend extends Backend {
  /** Installs (or removes, with null) the receiver of GPU timings. */
  setTimingSink(sink: GpuTimingSink | null): void;
  /** Tags GPU work encoded from now on with `eventId`; -1 stops tagging. */
  markOp(eventId: number): void;
}

/** True when `b` offers GPU timing hooks. */
export function isTimedBackend(b: Backend): b is TimedBackend {
  return typeof (b as Partial<TimedBackend>).setTimingSink === 'function';
}
