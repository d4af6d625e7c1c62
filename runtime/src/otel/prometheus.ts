/**
 * Prometheus names for corepy's instruments. The OpenTelemetry specification (Prometheus and
 * OpenMetrics compatibility) has exporters append the unit to the metric name — `corepy.op.duration`
 * in `s` becomes `corepy_op_duration_seconds` — and the Collector's Prometheus exporter does;
 * `@opentelemetry/exporter-prometheus` (JS) does not (open-telemetry/opentelemetry-js#3466). These
 * views give an in-process JS exporter the specification's names, so one set of PromQL alerts works
 * whichever path the metrics take. Use them only with a JS Prometheus exporter: with views, every
 * reader of that MeterProvider sees the renamed instruments.
 */
import { MEMORY_RESERVED, MEMORY_USED, OP_BYTES, OP_DURATION, OP_GPU_DURATION } from './names.js';

/** A view in the shape `new MeterProvider({ views })` takes (sdk-metrics ViewOptions). */
export interface PrometheusView {
  readonly instrumentName: string;
  readonly name: string;
}

/** Instrument → the unit word Prometheus puts at the end of its name (units like `{tensor}` add none). */
const UNIT_WORDS: readonly [string, string][] = [
  [OP_DURATION, 'seconds'], [OP_GPU_DURATION, 'seconds'], [OP_BYTES, 'bytes'], [MEMORY_USED, 'bytes'], [MEMORY_RESERVED, 'bytes'],
];

/**
 * Views that rename corepy's instruments to carry their unit, as the specification prescribes for
 * Prometheus: `corepy_op_duration_seconds_{bucket,sum,count}`, `corepy_op_gpu_duration_seconds_*`,
 * `corepy_memory_used_bytes`, `corepy_memory_reserved_bytes` (`corepy_op_bytes_total` already
 * names its unit, so it keeps its name).
 */
export function prometheusViews(): PrometheusView[] {
  return UNIT_WORDS
    .filter(([name, word]) => !name.split('.').includes(word))
    .map(([name, word]) => ({ instrumentName: name, name: `${name}_${word}` }));
}
