/**
 * GPU-side timing of profiled ops (the TimedBackend half of the webgpu backend).
 *
 * With `timestamp-query`: every compute pass encoded while an event id is marked gets a pair of
 * timestamps; at flush the batch's queries are resolved into one buffer and copied to a mappable
 * one, read back asynchronously once the GPU is done — one readback per batch, none per op.
 * GPU ticks (ns, arbitrary origin) are placed on the performance.now() clock with an offset C
 * such that no pass starts before the submit that carried it: C = max over batches of
 * (submitMs − firstBeginNs/1e6), a lower bound that only tightens. Durations are exact.
 *
 * Without timestamps: the backend submits each event's work alone and reports
 * [submit, onSubmittedWorkDone] flagged estimated=true (an upper bound of the GPU time).
 */
import type { GpuTimingSink } from '../backend.js';

/** Timed passes per batch; the batch is flushed when they run out. */
export const MAX_TIMED_PASSES = 256;

/** Timestamp bookkeeping for one device. */
export class GpuTimer {
  sink: GpuTimingSink | null = null;
  /** Event id tagged on work encoded now, or -1. */
  event = -1;
  private readonly querySet: GPUQuerySet | null;
  private readonly resolveBuf: GPUBuffer | null;
  private readonly readbacks: GPUBuffer[] = [];
  /** Event id of each timed pass in the current batch. */
  private passEvents: number[] = [];
  /** Events with work in the current batch (estimated mode). */
  private batchEvents = new Set<number>();
  private clockOffsetMs = -Infinity;

  constructor(private readonly device: GPUDevice, readonly timestamps: boolean) {
    this.querySet = timestamps ? device.createQuerySet({ type: 'timestamp', count: 2 * MAX_TIMED_PASSES }) : null;
    this.resolveBuf = timestamps
      ? device.createBuffer({ size: 16 * MAX_TIMED_PASSES, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC })
      : null;
  }

  /** True when work encoded now should be timed. */
  get active(): boolean {
    return this.sink !== null && this.event >= 0;
  }

  /** True when no timed pass fits in this batch any more. */
  get full(): boolean {
    return this.passEvents.length >= MAX_TIMED_PASSES;
  }

  /** Event ids with work in the current batch (estimated mode). */
  get pendingEvents(): ReadonlySet<number> {
    return this.batchEvents;
  }

  /** Descriptor of the next compute pass: with timestampWrites when timing it. */
  passDescriptor(): GPUComputePassDescriptor {
    if (!this.active) return {};
    if (!this.querySet) {
      this.batchEvents.add(this.event);
      return {};
    }
    const k = this.passEvents.length;
    this.passEvents.push(this.event);
    return { timestampWrites: { querySet: this.querySet, beginningOfPassWriteIndex: 2 * k, endOfPassWriteIndex: 2 * k + 1 } };
  }

  /** Reports host↔device bytes for the marked event. */
  transfer(direction: 'upload' | 'download', bytes: number): void {
    if (this.active) this.sink!.transfer(this.event, direction, bytes);
  }

  /** Encodes the resolve of this batch's queries; returns what {@link afterSubmit} needs. */
  beforeFinish(encoder: GPUCommandEncoder): { events: number[]; readback: GPUBuffer | null } {
    const events = this.passEvents;
    this.passEvents = [];
    if (events.length === 0 || !this.querySet || !this.resolveBuf) return { events, readback: null };
    const bytes = 16 * events.length;
    const readback = this.readbacks.pop() ??
      this.device.createBuffer({ size: 16 * MAX_TIMED_PASSES, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    encoder.resolveQuerySet(this.querySet, 0, 2 * events.length, this.resolveBuf, 0);
    encoder.copyBufferToBuffer(this.resolveBuf, 0, readback, 0, bytes);
    return { events, readback };
  }

  /** After submit: reads the timestamps back (or times the submit) and feeds the sink. */
  afterSubmit(submitMs: number, r: { events: number[]; readback: GPUBuffer | null }): void {
    const sink = this.sink;
    if (r.readback) {
      const rb = r.readback;
      rb.mapAsync(GPUMapMode.READ, 0, 16 * r.events.length).then(() => {
        const ts = new BigUint64Array(rb.getMappedRange(0, 16 * r.events.length).slice(0));
        rb.unmap();
        this.readbacks.push(rb);
        // Only the sink that was attached at submit and still is: a detached (stopped) recorder gets nothing.
        if (sink && this.sink === sink) this.report(sink, submitMs, r.events, ts);
      }, () => { /* device lost: the backend reports that */ });
      return;
    }
    if (this.batchEvents.size === 0) return;
    const events = [...this.batchEvents];
    // Cleared even when no sink is attached (detached between encoding and flush): these events
    // belong to this submit and must not be reported with a later one.
    this.batchEvents = new Set();
    if (!sink) return;
    this.device.queue.onSubmittedWorkDone().then(() => {
      if (this.sink !== sink) return;
      const end = performance.now();
      for (const e of events) sink.gpuTime(e, submitMs, end, true);
    }, () => {});
  }

  private report(sink: GpuTimingSink, submitMs: number, events: number[], ts: BigUint64Array): void {
    const first = Number(ts[0]! / 1000n) / 1000; // ns → ms without losing BigInt precision first
    this.clockOffsetMs = Math.max(this.clockOffsetMs, submitMs - first);
    // One interval per event: its passes may be several (multi-pass reductions, gather + op).
    const spans = new Map<number, [number, number]>();
    for (let k = 0; k < events.length; k++) {
      const b = Number(ts[2 * k]! / 1000n) / 1000 + this.clockOffsetMs;
      const e = Number(ts[2 * k + 1]! / 1000n) / 1000 + this.clockOffsetMs;
      const s = spans.get(events[k]!);
      if (s) { s[0] = Math.min(s[0], b); s[1] = Math.max(s[1], e); } else spans.set(events[k]!, [b, e]);
    }
    for (const [ev, [b, e]] of spans) sink.gpuTime(ev, b, Math.max(b, e), false);
  }
}
