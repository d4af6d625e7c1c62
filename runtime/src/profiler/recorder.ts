/**
 * The hot path: a {@link DispatchObserver} that times the OUTERMOST dispatch (ops dispatching
 * internally are part of the outer op), writes the event into preallocated typed arrays, and
 * updates the exact per-cell statistics. Nothing on this path allocates except the sampled
 * call-site capture and the first sighting of a new op name / cell.
 */
import type { Backend, GpuTimingSink, TimedBackend } from '../backends/backend.js';
import { isTimedBackend } from '../backends/backend.js';
import type { DispatchObserver } from '../engine.js';
import { Tensor } from '../tensor.js';
import { BYTES_PER_ELEMENT } from '../types.js';
import { CellTable } from './cells.js';
import { SiteTable } from './callsite.js';
import { currentContextId } from './context.js';
import { EventRing, SpanRing } from './ring.js';
import { addSample, emptyStats } from './stats.js';
import type { CallSiteMode, ContextCellRow, Stats } from './types.js';

const MODES: Record<CallSiteMode, number> = { all: 0, sampled: 1, off: 2 };

/** One thread's recorder. */
export class Recorder implements DispatchObserver, GpuTimingSink {
  readonly strings: string[] = [];
  private stringIds = new Map<string, number>();
  readonly ring: EventRing;
  readonly spans: SpanRing;
  readonly cells = new CellTable();
  readonly sites = new SiteTable();
  /** Wall-time statistics per context node id, plus child time. */
  readonly contextStats: (Stats & { childMs: number })[] = [];
  private readonly mode: number;
  /** Ops recorded and call sites captured. */
  ops = 0;
  captures = 0;
  /** GPU measurements that arrived after their event left the ring. */
  lateGpu = 0;
  /** Event id of the op running now (-1 between ops); its transfers arrive before it is recorded. */
  private activeId = -1;
  private pendingUpload = 0;
  private pendingDownload = 0;
  private depth = 0;
  private lastBackend: Backend | null = null;
  private lastBackendId = 0;
  private lastTimed: TimedBackend | null = null;
  private readonly timed = new Set<TimedBackend>();

  constructor(readonly callSites: CallSiteMode, readonly sampleEvery: number, maxEvents: number, readonly startMs = performance.now()) {
    this.mode = MODES[callSites];
    this.ring = new EventRing(maxEvents);
    this.spans = new SpanRing(Math.max(1024, maxEvents >> 2));
    this.intern('');
  }

  /** Interned id of a string (op, backend, dtype names). */
  intern(s: string): number {
    let id = this.stringIds.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.stringIds.set(s, id);
    }
    return id;
  }

  observe<T>(op: string, inputs: readonly Tensor[], backend: Backend, run: (backend: Backend) => T): T {
    if (this.depth !== 0) return run(backend);
    const id = this.ring.written;
    let site = -1;
    if (this.mode === 0 || (this.mode === 1 && id % this.sampleEvery === 0)) {
      site = this.sites.capture(Recorder.prototype.observe);
      this.captures++;
    }
    const ctx = currentContextId();
    if (backend !== this.lastBackend) this.switchBackend(backend);
    const timed = this.lastTimed;
    if (timed !== null) timed.markOp(id);
    this.depth = 1;
    this.activeId = id;
    const t0 = performance.now();
    let result: T;
    try {
      result = run(backend);
    } finally {
      this.depth = 0;
      this.activeId = -1;
      if (timed !== null) timed.markOp(-1);
    }
    const t1 = performance.now();
    this.record(id, op, inputs, result, t0, t1, site, ctx);
    return result;
  }

  private switchBackend(b: Backend): void {
    this.lastBackend = b;
    this.lastBackendId = this.intern(b.name);
    this.lastTimed = isTimedBackend(b) ? b : null;
    if (this.lastTimed !== null && !this.timed.has(this.lastTimed)) {
      this.lastTimed.setTimingSink(this);
      this.timed.add(this.lastTimed);
    }
  }

  private record(id: number, op: string, inputs: readonly Tensor[], result: unknown, t0: number, t1: number, site: number, ctx: number): void {
    const r = this.ring;
    const slot = id % r.capacity;
    r.written = id + 1;
    r.seq[slot] = id;
    r.start[slot] = t0;
    r.end[slot] = t1;
    const opId = this.intern(op);
    r.op[slot] = opId;
    r.backend[slot] = this.lastBackendId;
    r.site[slot] = site;
    r.context[slot] = ctx;
    let elements = 0, bytesRead = 0, bytesWritten = 0, dtype = '';
    const n = inputs.length;
    for (let i = 0; i < n; i++) {
      const t = inputs[i]!;
      elements += t.size;
      bytesRead += t.size * BYTES_PER_ELEMENT[t.dtype];
      if (i < 2) { r.setShape(slot, i, t.shape); r.inIds[2 * slot + i] = t.id; }
    }
    if (n > 0) dtype = inputs[0]!.dtype;
    for (let i = n; i < 2; i++) { r.setShape(slot, i, null); r.inIds[2 * slot + i] = -1; }
    r.setShape(slot, 3, null);
    if (result instanceof Tensor) {
      r.setShape(slot, 2, result.shape);
      bytesWritten = result.size * BYTES_PER_ELEMENT[result.dtype];
      if (n === 0) dtype = result.dtype;
    } else if (result !== null && typeof result === 'object' && (result as { mean?: unknown }).mean instanceof Tensor) {
      const m = result as { mean: Tensor; variance: Tensor };
      r.setShape(slot, 2, m.mean.shape);
      r.setShape(slot, 3, m.variance.shape);
      bytesWritten = (m.mean.size + m.variance.size) * 4;
    } else {
      r.setShape(slot, 2, null);
      if (ArrayBuffer.isView(result)) bytesWritten = result.byteLength;
    }
    r.dtype[slot] = dtype === '' ? 0 : this.intern(dtype);
    r.elements[slot] = elements;
    r.bytesRead[slot] = bytesRead;
    r.bytesWritten[slot] = bytesWritten;
    r.gpuStart[slot] = NaN;
    r.gpuEnd[slot] = NaN;
    r.upload[slot] = this.pendingUpload;
    r.download[slot] = this.pendingDownload;
    const cell = this.cells.cellOf(opId, this.lastBackendId, site, ctx);
    r.cell[slot] = cell;
    this.cells.add(cell, t1 - t0, bytesRead, bytesWritten, elements);
    if (this.pendingUpload !== 0) this.cells.addTransfer(cell, 'upload', this.pendingUpload);
    if (this.pendingDownload !== 0) this.cells.addTransfer(cell, 'download', this.pendingDownload);
    this.pendingUpload = this.pendingDownload = 0;
    this.ops++;
  }

  gpuTime(eventId: number, startMs: number, endMs: number): void {
    const slot = this.ring.slotOf(eventId);
    if (slot < 0) { this.lateGpu++; return; }
    this.ring.gpuStart[slot] = startMs;
    this.ring.gpuEnd[slot] = endMs;
    this.cells.addGpu(this.ring.cell[slot]!, endMs - startMs);
  }

  transfer(eventId: number, direction: 'upload' | 'download', bytes: number): void {
    // Transfers are reported while the op runs, before record() has a slot and cell for it.
    if (eventId === this.activeId) {
      if (direction === 'upload') this.pendingUpload += bytes;
      else this.pendingDownload += bytes;
      return;
    }
    const slot = this.ring.slotOf(eventId);
    if (slot < 0) { this.lateGpu++; return; }
    (direction === 'upload' ? this.ring.upload : this.ring.download)[slot]! += bytes;
    this.cells.addTransfer(this.ring.cell[slot]!, direction, bytes);
  }

  /** Records a closed context/function span (called through context.ts's span sink). */
  span(context: number, startMs: number, endMs: number, childMs: number): void {
    this.spans.push(context, startMs, endMs);
    const s = (this.contextStats[context] ??= { ...emptyStats(), childMs: 0 });
    addSample(s, endMs - startMs);
    s.childMs += childMs;
  }

  /** Context statistics as rows. */
  contextRows(): ContextCellRow[] {
    const out: ContextCellRow[] = [];
    this.contextStats.forEach((s, context) => { if (s) out.push({ context, ...s }); });
    return out;
  }

  /** Detaches from GPU backends. */
  detach(): void {
    for (const t of this.timed) t.setTimingSink(null);
    this.timed.clear();
  }
}
