/**
 * `cp.enableOpenTelemetry()` / `cp.disableOpenTelemetry()`: op metrics and context spans through
 * `@opentelemetry/api`, into whatever SDK the application registered (a collector over OTLP,
 * Prometheus, a tracing backend). Without an SDK the API's providers are no-ops. Wiring only:
 * the op path is op-metrics.ts, the spans context-spans.ts, the names names.ts.
 */
import type { BatchObservableCallback, Counter, MeterProvider, Observable, TracerProvider } from '@opentelemetry/api';
import { otelApi } from './api.js';
import { memory } from '../memory.js';
import { setComparisonObserver, type BaselineComparison } from '../profiler/baseline.js';
import { setFrameObserver } from '../profiler/context.js';
import { disableProfiling, enableProfiling, isProfiling, setOpObserver } from '../profiler/session.js';
import type { ProfilerOptions } from '../profiler/types.js';
import { VERSION } from '../profiler/version.js';
import { ContextSpans } from './context-spans.js';
import {
  ATTR, BASELINE_EVENT, BASELINE_REGRESSIONS, BASELINE_SPAN, DURATION_BUCKETS_S, MEMORY_RESERVED, MEMORY_USED, OP_BYTES, OP_DURATION,
  OP_GPU_DURATION, SCOPE, TENSORS_LIVE,
} from './names.js';
import { CorepyMetricProducer } from './metric-producer.js';
import { OpMetrics } from './op-metrics.js';

/** Options of {@link enableOpenTelemetry}. */
export interface OpenTelemetryOptions {
  /** Where metrics go; default the globally registered provider (`metrics.setGlobalMeterProvider`). */
  readonly meterProvider?: MeterProvider;
  /** Where context spans go; default the globally registered provider (`trace.setGlobalTracerProvider`). */
  readonly tracerProvider?: TracerProvider;
  /**
   * Op metrics come from the profiler's recorder: when profiling is off, enableOpenTelemetry turns
   * it on with these options (default: enableProfiling's defaults) and disableOpenTelemetry turns
   * it off again. Ignored when profiling is already on.
   */
  readonly profiling?: ProfilerOptions;
  /**
   * Op durations go to this producer (cp.createMetricProducer(), passed to your reader's
   * `metricProducers`) instead of SDK histograms: no SDK call per op. Default: SDK histograms.
   */
  readonly metricProducer?: CorepyMetricProducer;
}

interface Installed {
  readonly ops: OpMetrics;
  readonly spans: ContextSpans;
  readonly observables: Observable[];
  readonly collect: BatchObservableCallback;
  readonly meter: ReturnType<MeterProvider['getMeter']>;
  readonly startedProfiling: boolean;
}
let installed: Installed | null = null;

function check(options: OpenTelemetryOptions): void {
  if (options === null || typeof options !== 'object') throw new TypeError('enableOpenTelemetry: options must be an object');
  const { meterProvider: mp, tracerProvider: tp } = options;
  if (mp !== undefined && typeof (mp as { getMeter?: unknown })?.getMeter !== 'function') {
    throw new TypeError('enableOpenTelemetry: meterProvider must be an OpenTelemetry MeterProvider (an object with getMeter)');
  }
  if (tp !== undefined && typeof (tp as { getTracer?: unknown })?.getTracer !== 'function') {
    throw new TypeError('enableOpenTelemetry: tracerProvider must be an OpenTelemetry TracerProvider (an object with getTracer)');
  }
  if (options.metricProducer !== undefined && !(options.metricProducer instanceof CorepyMetricProducer)) {
    throw new TypeError('enableOpenTelemetry: metricProducer must come from cp.createMetricProducer()');
  }
}

/**
 * Sends op metrics and context spans to OpenTelemetry until {@link disableOpenTelemetry}.
 * Calling it again replaces the previous set-up (flushing it first).
 *
 * Metrics (meter `corepy`): histogram `corepy.op.duration` (s; attributes `corepy.op`,
 * `corepy.backend`, `corepy.dtype`; buckets 1 µs…10 s as advice), histogram
 * `corepy.op.gpu.duration` (s, when GPU timestamp queries resolve), counter `corepy.op.bytes`
 * (By, read + written), gauges `corepy.tensor.live`, `corepy.memory.used` and
 * `corepy.memory.reserved` (By, per `corepy.backend`), counter `corepy.baseline.regressions`.
 * Spans (tracer `corepy`): `corepy.context <name>` per ProfileContext / @profiled call, with its
 * top ops as attributes; `corepy.baseline.compare` per compareToBaseline, one event per regression.
 */
export function enableOpenTelemetry(options: OpenTelemetryOptions = {}): void {
  check(options);
  if (installed) disableOpenTelemetry();
  const { metrics, trace, ValueType } = otelApi();
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE, VERSION);
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE, VERSION);
  const advice = { explicitBucketBoundaries: [...DURATION_BUCKETS_S] };
  const producer = options.metricProducer ?? null;
  // With a producer the SDK gets no duration histograms (the producer's would be duplicates).
  const sdk = producer !== null ? null : {
    duration: meter.createHistogram(OP_DURATION, { unit: 's', description: 'Wall time of one corepy op (outermost dispatch)', advice }),
    gpuDuration: meter.createHistogram(OP_GPU_DURATION, { unit: 's', description: 'GPU time of one corepy op (timestamp queries)', advice }),
  };
  const bytes = meter.createObservableCounter(OP_BYTES, { unit: 'By', description: 'Bytes read plus written by corepy ops', valueType: ValueType.INT });
  const tensors = meter.createObservableGauge(TENSORS_LIVE, { unit: '{tensor}', description: 'Live (undisposed) corepy tensors', valueType: ValueType.INT });
  const used = meter.createObservableGauge(MEMORY_USED, { unit: 'By', description: 'Bytes held by live tensor storages, per backend', valueType: ValueType.INT });
  const reserved = meter.createObservableGauge(MEMORY_RESERVED, { unit: 'By', description: 'Bytes reserved from the system, per backend', valueType: ValueType.INT });
  const regressions = meter.createCounter(BASELINE_REGRESSIONS, { unit: '{regression}', description: 'Regressions found by compareToBaseline', valueType: ValueType.INT });

  const spans = new ContextSpans(tracer);
  const ops = new OpMetrics(sdk, producer, spans.onOp);
  // Runs at the start of every collection, before the histogram is read: pending durations go in first.
  const collect: BatchObservableCallback = (result) => {
    ops.flush();
    for (const s of ops.series) result.observe(bytes, s.bytes, s.attributes);
    const m = memory();
    result.observe(tensors, m.tensors);
    for (const [backend, b] of Object.entries(m.backends)) {
      result.observe(used, b.bytesInUse, { [ATTR.backend]: backend });
      result.observe(reserved, b.bytesReserved, { [ATTR.backend]: backend });
    }
  };
  const observables = [bytes, tensors, used, reserved];
  meter.addBatchObservableCallback(collect, observables);

  const startedProfiling = !isProfiling();
  if (startedProfiling) enableProfiling(options.profiling ?? {});
  setOpObserver(ops);
  setFrameObserver(spans);
  setComparisonObserver((c) => reportComparison(c, tracer, regressions, spans));
  installed = { ops, spans, observables, collect, meter, startedProfiling };
}

/** A `corepy.baseline.compare` span (under the open corepy context, if any) with one event per regression, and the counter. */
function reportComparison(c: BaselineComparison, tracer: ReturnType<TracerProvider['getTracer']>, counter: Counter, spans: ContextSpans): void {
  const { context, trace } = otelApi();
  const parent = spans.currentSpan();
  const ctx = parent ? trace.setSpan(context.active(), parent) : context.active();
  const span = tracer.startSpan(BASELINE_SPAN, { attributes: { [ATTR.ok]: c.ok, [ATTR.regressions]: c.regressions.length } }, ctx);
  for (const r of c.regressions) {
    span.addEvent(BASELINE_EVENT, {
      [ATTR.baselineKind]: r.kind, [ATTR.baselineName]: r.name, [ATTR.baselineMean]: r.baselineMeanMs / 1000,
      [ATTR.currentMean]: r.currentMeanMs / 1000, [ATTR.ratio]: r.ratio,
    });
    counter.add(1, { [ATTR.baselineKind]: r.kind, [ATTR.baselineName]: r.name });
  }
  span.end();
}

/**
 * Stops sending: pending durations are recorded, context spans still open are ended, and the
 * profiler is turned off again if {@link enableOpenTelemetry} turned it on. The SDK keeps what it
 * received until it exports.
 */
export function disableOpenTelemetry(): void {
  const i = installed;
  if (!i) return;
  installed = null;
  setOpObserver(null);
  setFrameObserver(null);
  setComparisonObserver(null);
  i.ops.flush();
  i.spans.endAll();
  i.meter.removeBatchObservableCallback(i.collect, i.observables);
  if (i.startedProfiling) disableProfiling();
}

/** True between {@link enableOpenTelemetry} and {@link disableOpenTelemetry}. */
export function isOpenTelemetryEnabled(): boolean {
  return installed !== null;
}
