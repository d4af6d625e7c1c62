/**
 * Op metrics: the {@link OpObserver} the recorder calls for every recorded op. The op's wall time
 * goes into a small preallocated buffer (no allocation, no SDK call on the op's path) and is
 * handed to the `corepy.op.duration` histogram in batches — when the buffer fills, when the SDK
 * collects (the observable callback in index.ts calls {@link OpMetrics.flush} first), and on
 * disable — so every op is recorded exactly once and counts are exact. Why batches: with three
 * attributes the SDK's `Histogram.record` costs ~1.2–1.7 µs (it hashes the attributes with
 * JSON.stringify on every call); the batch moves that off the op and out of its timing, it does
 * not make it smaller. With a {@link CorepyMetricProducer} (metric-producer.ts) durations go into
 * corepy's own histograms instead and the SDK is not called per op. Bytes are summed here per
 * series and read by an observable counter at collection: no SDK call per op at all.
 */
import type { Attributes, Histogram } from '@opentelemetry/api';
import type { OpObserver } from '../profiler/recorder.js';
import type { CorepyMetricProducer, SeriesHistogram } from './metric-producer.js';
import { ATTR } from './names.js';

/** Pending durations before a flush into the histogram. */
export const BUFFER_SIZE = 4096;
/** Ids below this pack into one numeric Map key; larger ones (never seen in practice) use a string key. */
const ID_LIMIT = 1 << 13;

/** One (op, backend, dtype) combination: its attributes and its running byte total. */
export interface OpSeries {
  readonly op: string;
  /** op, backend and dtype joined by NUL: the series' identity across enables. */
  readonly key: string;
  readonly attributes: Attributes;
  /** The producer's histograms of this series (producer mode only; created on first use). */
  wall: SeriesHistogram | null;
  gpu: SeriesHistogram | null;
  /** Bytes read plus written by this series' ops since OpenTelemetry was enabled. */
  bytes: number;
}

/** Receives each op issued inside a context (context-spans.ts); `seconds` is the op's wall time. */
export type ContextOpSink = (op: string, seconds: number) => void;

export class OpMetrics implements OpObserver {
  /** Every series seen, in first-seen order. */
  readonly series: OpSeries[] = [];
  private readonly byName = new Map<string, number>();
  /** Cache by interned ids of the recorder whose `strings` we last saw (ids differ between recorders). */
  private byIds = new Map<number, number>();
  private strings: readonly string[] | null = null;
  private readonly pendingSeries = new Int32Array(BUFFER_SIZE);
  private readonly pendingSeconds = new Float64Array(BUFFER_SIZE);
  /** 1 for a GPU time, 0 for a wall time. */
  private readonly pendingGpu = new Uint8Array(BUFFER_SIZE);
  private pending = 0;

  /**
   * @param sdk the SDK histograms (durations batched into them), or null when `producer` takes the durations
   * @param producer corepy's own histograms (no SDK call per op), or null
   */
  constructor(private readonly sdk: { duration: Histogram; gpuDuration: Histogram } | null, private readonly producer: CorepyMetricProducer | null,
    private readonly contextOp: ContextOpSink | null) {}

  op(strings: readonly string[], opId: number, backendId: number, dtypeId: number, ms: number, bytes: number, context: number): void {
    const s = this.seriesOf(strings, opId, backendId, dtypeId);
    const series = this.series[s]!;
    series.bytes += bytes;
    const p = this.producer;
    if (p !== null) (series.wall ??= p.histogram(series.key, series.attributes, false)).record(ms / 1000);
    else this.push(s, ms / 1000, 0);
    if (context !== 0 && this.contextOp !== null) this.contextOp(series.op, ms / 1000);
  }

  gpu(strings: readonly string[], opId: number, backendId: number, dtypeId: number, ms: number): void {
    const s = this.seriesOf(strings, opId, backendId, dtypeId), p = this.producer;
    if (p !== null) {
      const series = this.series[s]!;
      (series.gpu ??= p.histogram(series.key, series.attributes, true)).record(ms / 1000);
    } else this.push(s, ms / 1000, 1);
  }

  /** Records every pending duration into its histogram (called before each collection and on disable). */
  flush(): void {
    const n = this.pending, sdk = this.sdk;
    this.pending = 0;
    if (sdk === null) return;
    for (let i = 0; i < n; i++) {
      const attributes = this.series[this.pendingSeries[i]!]!.attributes;
      (this.pendingGpu[i] === 0 ? sdk.duration : sdk.gpuDuration).record(this.pendingSeconds[i]!, attributes);
    }
  }

  private push(series: number, seconds: number, gpu: number): void {
    const i = this.pending;
    this.pendingSeries[i] = series;
    this.pendingSeconds[i] = seconds;
    this.pendingGpu[i] = gpu;
    this.pending = i + 1;
    if (this.pending === BUFFER_SIZE) this.flush();
  }

  private seriesOf(strings: readonly string[], opId: number, backendId: number, dtypeId: number): number {
    if (strings !== this.strings) { this.strings = strings; this.byIds = new Map(); }
    const packed = opId < ID_LIMIT && backendId < ID_LIMIT && dtypeId < ID_LIMIT;
    const key = packed ? (opId * ID_LIMIT + backendId) * ID_LIMIT + dtypeId : -1;
    if (packed) {
      const s = this.byIds.get(key);
      if (s !== undefined) return s;
    }
    const op = strings[opId]!, backend = strings[backendId]!, dtype = strings[dtypeId] || 'none';
    const name = `${op}\u0000${backend}\u0000${dtype}`;
    let s = this.byName.get(name);
    if (s === undefined) {
      s = this.series.length;
      this.series.push({ op, key: name, attributes: { [ATTR.op]: op, [ATTR.backend]: backend, [ATTR.dtype]: dtype }, bytes: 0, wall: null, gpu: null });
      this.byName.set(name, s);
    }
    if (packed) this.byIds.set(key, s);
    return s;
  }
}
