/**
 * The low-overhead path for op durations: corepy keeps each (op, backend, dtype) histogram itself
 * (explicit buckets DURATION_BUCKETS_S, count, sum, min, max: ~20 ns per op, no allocation) and a
 * reader collects them as an sdk-metrics MetricProducer — the SDK is not called per op at all.
 * The default path (the SDK's own Histogram, fed in batches by op-metrics.ts) costs about a
 * microsecond per op in the SDK, which tiny ops feel. Wiring, with any reader or the Prometheus
 * exporter:
 *
 *   const producer = cp.createMetricProducer();
 *   new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter, metricProducers: [producer] })] });
 *   cp.enableOpenTelemetry({ metricProducer: producer });
 *
 * The data points are the shapes sdk-metrics exports (cumulative HISTOGRAM data points, the
 * same bucket rule as its ExplicitBucketHistogram: bucket i holds (b[i−1], b[i]]). Views do not
 * apply to a producer's metrics: pass `names: cp.prometheusViews()` to rename them likewise.
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import { otelApi } from './api.js';
import { VERSION } from '../profiler/version.js';
import { DURATION_BUCKETS_S, OP_DURATION, OP_GPU_DURATION, SCOPE } from './names.js';
import type { PrometheusView } from './prometheus.js';

// sdk-metrics' public enum values (DataPointType.HISTOGRAM, AggregationTemporality.CUMULATIVE): the runtime depends on the API only.
const HISTOGRAM = 0;
const CUMULATIVE = 1;
const BOUNDARIES = Float64Array.from(DURATION_BUCKETS_S);

/** Wall-clock time as OpenTelemetry's [seconds, nanoseconds]. */
function hrNow(): HrTime {
  const ms = performance.timeOrigin + performance.now();
  const s = Math.floor(ms / 1000);
  return [s, Math.round((ms - s * 1000) * 1e6)];
}

/** One series' cumulative histogram. */
export class SeriesHistogram {
  readonly counts = new Float64Array(BOUNDARIES.length + 1);
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  readonly startTime = hrNow();
  constructor(readonly attributes: Attributes) {}

  /** Adds one duration, seconds. */
  record(v: number): void {
    // First boundary ≥ v (binary search, as sdk-metrics' binarySearchUB).
    let lo = 0, hi = BOUNDARIES.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (BOUNDARIES[mid]! < v) lo = mid + 1; else hi = mid; }
    this.counts[lo]!++;
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }
}

/** What {@link CorepyMetricProducer.collect} resolves to: sdk-metrics' CollectionResult, structurally. */
export interface ProducedMetrics {
  readonly resourceMetrics: { readonly resource: unknown; readonly scopeMetrics: { scope: { name: string; version: string }; metrics: unknown[] }[] };
  readonly errors: unknown[];
}

/** An sdk-metrics `MetricProducer` holding corepy's op-duration histograms (see the file comment). */
export class CorepyMetricProducer {
  private readonly wall = new Map<string, SeriesHistogram>();
  private readonly gpu = new Map<string, SeriesHistogram>();
  private readonly rename: Map<string, string>;

  constructor(options: { names?: readonly PrometheusView[] } = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('createMetricProducer: options must be an object');
    const names = options.names ?? [];
    if (!Array.isArray(names)) throw new TypeError('createMetricProducer: names must be an array of { instrumentName, name } (cp.prometheusViews())');
    this.rename = new Map(names.map((v) => [v.instrumentName, v.name]));
  }

  /** The histogram of one series (`key` identifies op, backend and dtype); created on first use. */
  histogram(key: string, attributes: Attributes, gpu: boolean): SeriesHistogram {
    const m = gpu ? this.gpu : this.wall;
    let h = m.get(key);
    if (!h) m.set(key, (h = new SeriesHistogram(attributes)));
    return h;
  }

  /** Called by the reader at each collection. */
  collect(): Promise<ProducedMetrics> {
    const endTime = hrNow();
    const metric = (name: string, description: string, series: Map<string, SeriesHistogram>) => ({
      descriptor: { name: this.rename.get(name) ?? name, description, unit: 's', valueType: otelApi().ValueType.DOUBLE },
      aggregationTemporality: CUMULATIVE, dataPointType: HISTOGRAM,
      dataPoints: [...series.values()].map((h) => ({
        startTime: h.startTime, endTime, attributes: h.attributes,
        value: { buckets: { boundaries: [...DURATION_BUCKETS_S], counts: [...h.counts] }, count: h.count, sum: h.sum, min: h.min, max: h.max },
      })),
    });
    const metrics = [metric(OP_DURATION, 'Wall time of one corepy op (outermost dispatch)', this.wall)];
    if (this.gpu.size) metrics.push(metric(OP_GPU_DURATION, 'GPU time of one corepy op (timestamp queries)', this.gpu));
    // The reader keeps its SDK's resource and takes only the scope metrics from a producer.
    return Promise.resolve({ resourceMetrics: { resource: { attributes: {} }, scopeMetrics: [{ scope: { name: SCOPE, version: VERSION }, metrics }] }, errors: [] });
  }
}

/**
 * A MetricProducer for op durations without a per-op SDK call: pass it to your reader
 * (`metricProducers: [producer]`) and to `enableOpenTelemetry({ metricProducer: producer })`.
 * @param options.names renames, e.g. `cp.prometheusViews()` for a JS Prometheus exporter
 */
export function createMetricProducer(options: { names?: readonly PrometheusView[] } = {}): CorepyMetricProducer {
  return new CorepyMetricProducer(options);
}
