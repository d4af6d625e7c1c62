/**
 * Every OpenTelemetry name corepy emits, in one place: instruments, spans, events and attribute
 * keys. Exporters rewrite them (Prometheus: `corepy.op.duration` in seconds becomes
 * `corepy_op_duration_seconds_{bucket,sum,count}`); PROFILING_GUIDE.md lists both spellings.
 */

/** Instrumentation scope of the meter and tracer. */
export const SCOPE = 'corepy';

/** Histogram: wall time of one op (outermost dispatch), seconds. */
export const OP_DURATION = 'corepy.op.duration';
/** Histogram: GPU time of one op from timestamp queries, seconds (recorded when the queries resolve). */
export const OP_GPU_DURATION = 'corepy.op.gpu.duration';
/** Counter: bytes an op read from its inputs plus bytes it wrote, bytes. */
export const OP_BYTES = 'corepy.op.bytes';
/** Gauge: live (undisposed) tensor objects, all backends. */
export const TENSORS_LIVE = 'corepy.tensor.live';
/** Gauge: bytes held by live storages, per backend. */
export const MEMORY_USED = 'corepy.memory.used';
/** Gauge: bytes reserved from the system (pool or linear memory), per backend. */
export const MEMORY_RESERVED = 'corepy.memory.reserved';
/** Counter: significant regressions found by `compareToBaseline`. */
export const BASELINE_REGRESSIONS = 'corepy.baseline.regressions';

/** Span name prefix of a ProfileContext / @profiled function: `corepy.context <name>`. */
export const CONTEXT_SPAN = 'corepy.context';
/** Span of one `compareToBaseline` call; its events are the regressions. */
export const BASELINE_SPAN = 'corepy.baseline.compare';
/** Span event: one regression (attributes: kind, name, means in seconds, ratio). */
export const BASELINE_EVENT = 'corepy.baseline.regression';

/** Attribute keys. Op metrics carry only op, backend and dtype: bounded cardinality (no shapes, no lines). */
export const ATTR = {
  op: 'corepy.op',
  backend: 'corepy.backend',
  dtype: 'corepy.dtype',
  contextKind: 'corepy.context.kind',
  /** Ops issued inside the span (at any depth). */
  opCount: 'corepy.op.count',
  /** Wall time of those ops, seconds. */
  opTime: 'corepy.op.time',
  /** The ops that took the most time inside the span, most first (at most TOP_OPS). */
  topOps: 'corepy.op.top',
  /** Seconds per entry of `corepy.op.top`. */
  topOpsTime: 'corepy.op.top.time',
  /** Calls per entry of `corepy.op.top`. */
  topOpsCount: 'corepy.op.top.count',
  /**
   * The profiler's own time inside the span (call-site and stack captures), seconds: the span's
   * duration less this is the context's time in corepy's report.
   */
  profilerTime: 'corepy.profiler.time',
  baselineKind: 'corepy.baseline.kind',
  baselineName: 'corepy.baseline.name',
  baselineMean: 'corepy.baseline.mean',
  currentMean: 'corepy.baseline.current_mean',
  ratio: 'corepy.baseline.ratio',
  ok: 'corepy.baseline.ok',
  regressions: 'corepy.baseline.regression_count',
} as const;

/** Ops listed on a context span. */
export const TOP_OPS = 5;

/**
 * Bucket boundaries of the duration histograms, seconds: 1-2.5-5 steps from 1 µs to 10 s
 * (corepy ops run from ~1 µs for a small add to seconds for a large matmul on the CPU). Sent as
 * advice: a View configured in the SDK overrides it.
 */
export const DURATION_BUCKETS_S: readonly number[] = [
  1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3,
  0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];
