/**
 * Batch encoding: kernels are recorded into one command encoder and submitted together, on a
 * read, when the batch is large (dispatch count, parameter arena or timestamp slots), or on the
 * next microtask — so a synchronous run of ops costs one submit, not one per op.
 *
 * Kernel parameters ("meta" words) of a batch go into one CPU arena written to one GPU buffer
 * right before submit. Reusing that buffer for the next batch is safe: queue operations run in
 * order, so the next writeBuffer lands after this batch executed.
 */
import type { GpuTimer } from './timing.js';
import { NAN_BITS } from './kernels/common.wgsl.js';

/** Meta arena size per batch, in bytes. */
const ARENA_BYTES = 64 << 10;
/** Dispatches per batch before a flush (keeps submit latency bounded). */
const MAX_DISPATCHES = 128;

/** A storage binding: a whole buffer or a byte range of one. */
export interface Binding {
  readonly buffer: GPUBuffer;
  readonly offset?: number;
  readonly size?: number;
}

/** One kernel launch. */
export interface Launch {
  readonly pipeline: GPUComputePipeline;
  /** Bindings 1..n (binding 0 is the meta buffer). */
  readonly bindings: readonly Binding[];
  /** i32 parameter words; word 1 is overwritten with NaN's bit pattern. */
  readonly meta: number[];
  /** Workgroup counts [x, y, z]. */
  readonly groups: readonly [number, number, number];
}

/** Records launches and copies for one device and submits them in batches. */
export class BatchEncoder {
  private encoder: GPUCommandEncoder | null = null;
  private dispatches = 0;
  private readonly arena = new Int32Array(ARENA_BYTES / 4);
  private arenaUsed = 0; // bytes
  private readonly metaBuf: GPUBuffer;
  private scheduled = false;
  private afterFlush: (() => void)[] = [];

  constructor(private readonly device: GPUDevice, private readonly timer: GpuTimer, private readonly align: number) {
    this.metaBuf = device.createBuffer({ size: ARENA_BYTES, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, label: 'meta arena' });
  }

  /** True when recorded work has not been submitted yet. */
  get pending(): boolean {
    return this.encoder !== null;
  }

  /** Runs `fn` after the current batch is submitted (deferred buffer release), or now if idle. */
  whenSubmitted(fn: () => void): void {
    if (this.encoder) this.afterFlush.push(fn);
    else fn();
  }

  /** Records one compute pass with one or more launches (one pass = one timed interval). */
  pass(launches: readonly Launch[]): void {
    const need = launches.reduce((s, l) => s + this.slot(l.meta.length), 0);
    if (this.arenaUsed + need > ARENA_BYTES || this.dispatches + launches.length > MAX_DISPATCHES || this.timer.full) this.flush();
    const enc = this.open();
    const p = enc.beginComputePass(this.timer.passDescriptor());
    for (const l of launches) {
      const offset = this.arenaUsed;
      this.arena.set(l.meta, offset / 4);
      this.arena[offset / 4 + 1] = NAN_BITS;
      this.arenaUsed += this.slot(l.meta.length);
      const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: this.metaBuf, offset, size: Math.max(4, l.meta.length * 4) } }];
      l.bindings.forEach((b, i) => entries.push({ binding: i + 1, resource: { buffer: b.buffer, offset: b.offset ?? 0, size: b.size } }));
      p.setPipeline(l.pipeline);
      p.setBindGroup(0, this.device.createBindGroup({ layout: l.pipeline.getBindGroupLayout(0), entries }));
      p.dispatchWorkgroups(l.groups[0], l.groups[1], l.groups[2]);
      this.dispatches++;
    }
    p.end();
  }

  /** Records a buffer-to-buffer copy (sizes and offsets in bytes, multiples of 4). */
  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    this.open().copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  }

  /** Submits the recorded work (no-op when nothing is pending). */
  flush(): void {
    if (!this.encoder) return;
    const enc = this.encoder;
    this.encoder = null;
    if (this.arenaUsed > 0) this.device.queue.writeBuffer(this.metaBuf, 0, this.arena.buffer, 0, this.arenaUsed);
    const timing = this.timer.beforeFinish(enc);
    const submitMs = performance.now();
    this.device.queue.submit([enc.finish()]);
    this.timer.afterSubmit(submitMs, timing);
    this.arenaUsed = 0;
    this.dispatches = 0;
    const after = this.afterFlush;
    this.afterFlush = [];
    for (const fn of after) fn();
  }

  private open(): GPUCommandEncoder {
    if (!this.encoder) {
      this.encoder = this.device.createCommandEncoder();
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    }
    return this.encoder;
  }

  private slot(words: number): number {
    return Math.ceil(Math.max(4, words * 4) / this.align) * this.align;
  }
}
