/**
 * The webgpu backend object: memory (pooled buffers, zero-size storages), transfers, device-loss
 * state and the TimedBackend hooks. Kernels live in ops-*.ts and reach the GPU through
 * {@link WebGpuBackend.launch}.
 */
import type { BackendMemory, BinaryOp, GpuTimingSink, MomentsResult, ReduceOp, Storage, TimedBackend, UnaryOp, View } from '../backend.js';
import { allocHostArray, type DataArray, type DType } from '../../types.js';
import { sizeOf } from '../../shape.js';
import type { GpuContext } from './device.js';
import { BufferPool } from './buffer-pool.js';
import { PipelineCache } from './pipelines.js';
import { GpuTimer } from './timing.js';
import { BatchEncoder, type Binding, type Launch } from './encoder.js';
import { boolToWords, GPU_ELEMENT_BYTES, gpuStorageOf, isDense, makeStorage, wordsToBool, type GpuStorage } from './storage.js';
import * as ew from './ops-elementwise.js';
import * as red from './ops-reduce.js';
import { matmul } from './ops-matmul.js';
import { fused, fusedBlocker } from './ops-fused.js';
import type { FusedProgram } from '../fused.js';
import { assertViewFits } from '../view-check.js';

let nextDeviceId = 1;

/** The WebGPU backend on one device. Create with `initGpu()` / `setBackend('webgpu')`. */
export class WebGpuBackend implements TimedBackend {
  readonly name = 'webgpu' as const;
  readonly device = 'gpu' as const;
  /** @internal Identifies storages made on this device. */
  readonly deviceId = nextDeviceId++;
  /** @internal */ readonly pipelines: PipelineCache;
  private readonly pool: BufferPool;
  private readonly staging: BufferPool;
  private readonly timer: GpuTimer;
  private readonly batch: BatchEncoder;
  /** Bound in place of zero-size storages: WebGPU forbids zero-size bindings. */
  private readonly dummy: GPUBuffer;
  private liveStorages = 0;
  private lostReason: string | null = null;
  /** Set by {@link destroy}: an intended destroy is not reported as a loss. */
  intentionalDestroy = false;

  /** @param ctx the open device; @param onLost called once if the device is lost */
  constructor(readonly ctx: GpuContext, onLost: (reason: string) => void) {
    const d = ctx.device;
    this.pipelines = new PipelineCache(d);
    const U = GPUBufferUsage;
    this.pool = new BufferPool(d, U.STORAGE | U.COPY_SRC | U.COPY_DST, ctx.maxBindingBytes, 'tensor storage');
    this.staging = new BufferPool(d, U.MAP_READ | U.COPY_DST, ctx.maxBindingBytes, 'readback staging');
    this.timer = new GpuTimer(d, ctx.timestamps);
    this.batch = new BatchEncoder(d, this.timer, ctx.offsetAlignment);
    this.dummy = d.createBuffer({ size: 16, usage: U.STORAGE, label: 'zero-size stand-in' });
    void d.lost.then((info) => {
      this.lostReason = `${info.reason}${info.message ? `: ${info.message.split('\n')[0]}` : ''}`;
      onLost(this.lostReason);
    });
  }

  /** True once the device was lost (or destroyed); every call then throws. */
  get isLost(): boolean {
    return this.lostReason !== null;
  }

  // ------------------------------------------------------------ memory and transfers

  upload(data: DataArray, dtype: DType): Storage {
    this.checkDevice('upload');
    const s = this.alloc(dtype, data.length);
    if (s.buffer) {
      const words = dtype === 'bool' ? boolToWords(data as Uint8Array) : data;
      this.ctx.device.queue.writeBuffer(s.buffer, 0, words.buffer, words.byteOffset, data.length * GPU_ELEMENT_BYTES);
      this.timer.transfer('upload', data.length * GPU_ELEMENT_BYTES);
    }
    return s;
  }

  /**
   * New storage of `size` elements with unspecified contents: a pooled buffer (maybe holding a
   * freed storage's old data) and no queue write, so nothing is reported to the timing sink as an
   * upload. No buffer when size is 0. Also how every kernel in ops-*.ts makes its output.
   */
  alloc(dtype: DType, size: number): GpuStorage {
    this.checkDevice('allocate');
    const buffer = size === 0 ? null : this.pool.acquire(size * GPU_ELEMENT_BYTES);
    this.liveStorages++;
    return makeStorage(dtype, size, buffer, this.deviceId);
  }

  readSync(_view: View): DataArray {
    throw new Error('webgpu: GPU tensors cannot be read synchronously; use `await t.data()` (or `await t.array()`)');
  }

  async read(view: View): Promise<DataArray> {
    this.checkDevice('read');
    const s = gpuStorageOf(view, this.deviceId, 'read');
    const n = sizeOf(view.shape);
    if (n === 0) return allocHostArray(view.dtype, 0);
    let src = s, offset = view.offset;
    if (!isDense(view)) {
      src = this.copy(view) as GpuStorage;
      offset = 0;
    }
    const bytes = n * GPU_ELEMENT_BYTES;
    const staging = this.staging.acquire(bytes);
    let raw: ArrayBuffer;
    try {
      this.batch.copy(src.buffer!, offset * GPU_ELEMENT_BYTES, staging, 0, bytes);
      this.timer.transfer('download', bytes);
      if (src !== s) this.free(src);
      this.batch.flush();
      try {
        await staging.mapAsync(GPUMapMode.READ, 0, bytes);
      } catch (e) {
        this.checkDevice('read');
        throw e;
      }
      raw = staging.getMappedRange(0, bytes).slice(0);
      staging.unmap();
    } finally {
      // Back to the pool whether the map succeeded or not (a rejected mapAsync leaves the buffer
      // unmapped); a lost device's buffers are unusable, so they are not pooled.
      if (!this.isLost) this.staging.release(staging);
    }
    if (view.dtype === 'float32') return new Float32Array(raw);
    if (view.dtype === 'int32') return new Int32Array(raw);
    return wordsToBool(new Uint32Array(raw));
  }

  free(storage: Storage): void {
    const s = storage as GpuStorage;
    if (s.freed) throw new Error(`webgpu: storage (${s.size} × ${s.dtype}) freed twice`);
    s.freed = true;
    this.liveStorages--;
    const buf = s.buffer;
    s.buffer = null;
    if (!buf || s.deviceId !== this.deviceId || this.isLost) return;
    // Pending (unsubmitted) work may still read this buffer: recycle it only after submit.
    this.batch.whenSubmitted(() => this.pool.release(buf));
  }

  memory(): BackendMemory {
    return { bytesInUse: this.pool.bytesInUse, bytesReserved: this.pool.bytesReserved + this.staging.bytesReserved, storages: this.liveStorages };
  }

  /**
   * Destroys every idle pooled buffer (storage and readback staging); buffers in use are kept.
   * Called after calibration, whose large temporaries would otherwise stay reserved.
   */
  trimPools(): void {
    this.pool.trim();
    this.staging.trim();
  }

  /** Submits pending work now (reads do this themselves). */
  flush(): void {
    this.batch.flush();
  }

  /** Waits until the GPU finished everything submitted so far. */
  async sync(): Promise<void> {
    this.batch.flush();
    await this.ctx.device.queue.onSubmittedWorkDone();
  }

  // ------------------------------------------------------------ timing hooks

  setTimingSink(sink: GpuTimingSink | null): void {
    this.timer.sink = sink;
  }

  markOp(eventId: number): void {
    // Without timestamps, an event's estimate is its own submit→done: keep events in separate batches.
    if (!this.ctx.timestamps && this.timer.active && eventId !== this.timer.event && this.timer.pendingEvents.size > 0) {
      this.batch.flush();
    }
    this.timer.event = eventId;
  }

  // ------------------------------------------------------------ kernels

  binary(op: BinaryOp, a: View, b: View, outShape: readonly number[]): Storage { return ew.binary(this, op, a, b, outShape); }
  where(cond: View, a: View, b: View, outShape: readonly number[]): Storage { return ew.where(this, cond, a, b, outShape); }
  unary(op: UnaryOp, a: View): Storage { return ew.map(this, op, a, a.dtype); }
  cast(a: View, dtype: DType): Storage { return ew.map(this, 'cast', a, dtype); }
  copy(a: View): Storage { return ew.map(this, 'copy', a, a.dtype); }
  copyInto(src: View, dst: View): void { ew.copyInto(this, src, dst); }
  reduce(op: ReduceOp, a: View, axes: readonly number[]): Storage { return red.reduce(this, op, a, axes); }
  moments(a: View, axes: readonly number[]): MomentsResult { return red.moments(this, a, axes); }
  matmul(a: View, b: View, outShape: readonly number[]): Storage { return matmul(this, a, b, outShape); }
  /** One generated WGSL kernel per `cp.jit` group (ops-fused.ts). */
  fused(program: FusedProgram, inputs: readonly View[], shape: readonly number[]): Storage { return fused(this, program, inputs, shape); }
  fusedBlocker(program: FusedProgram, inputs: number): string | null { return fusedBlocker(this, program, inputs); }

  // ------------------------------------------------------------ helpers for ops-*.ts

  /** @internal Storage of a view operand, checked live; `what` names the op for errors. */
  operand(v: View, what: string): GpuStorage {
    this.checkDevice(what);
    const s = gpuStorageOf(v, this.deviceId, what);
    // Out-of-range reads in WGSL are clamped, not trapped: a bad view would give silently wrong results.
    assertViewFits(`webgpu: ${what}`, v);
    return s;
  }

  /** @internal Binding for a storage (the stand-in buffer when it has no elements). */
  bind(s: GpuStorage): Binding {
    return s.buffer ? { buffer: s.buffer, size: s.size * GPU_ELEMENT_BYTES } : { buffer: this.dummy };
  }

  /** @internal Records launches as one compute pass (one timed interval). */
  launch(...launches: Launch[]): void {
    this.batch.pass(launches);
  }

  /** Releases the device (tests, shutdown). The backend is unusable afterwards. */
  destroy(): void {
    this.intentionalDestroy = true;
    this.ctx.device.destroy();
  }

  /** Throws a clear error once the device is gone. */
  checkDevice(what: string): void {
    if (this.lostReason !== null) {
      throw new Error(
        `webgpu: ${what}: the GPU device was lost (${this.lostReason}); GPU tensors are gone. ` +
        `The runtime continues on the CPU: call initGpu() again for a new device`,
      );
    }
  }
}
