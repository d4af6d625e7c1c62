/**
 * The JSON report ({@link ProfileReport}, documented by runtime/schemas/profile-report.schema.json)
 * built from a snapshot: aggregate + recommendations + the profiler's own measured overhead.
 * Pure given the snapshot and the rule inputs.
 */
import { aggregate, type ContextStats, type OpStats, type SiteOpStats } from './aggregate.js';
import { runRules, type Recommendation } from './rules/index.js';
import type { RuleInput } from './rules/types.js';
import type { CallSiteMode, ProfileData } from './types.js';
import { EXPORTER } from './version.js';

/** Version of the report's JSON shape; baselines and consumers check it. */
export const REPORT_SCHEMA_VERSION = 1;

/** The profiler's own cost during this recording. */
export interface OverheadInfo {
  /** Measured recorder cost per op (no call site), ns. */
  readonly perOpNs: number;
  /** Measured extra cost per call-site capture, ns. */
  readonly perCaptureNs: number;
  /** perOpNs × ops + perCaptureNs × captures, ms. */
  readonly estimatedMs: number;
  /** estimatedMs as a share of the recorded op time, 0–100. */
  readonly percentOfOpTime: number;
}

/** `profileReport({ format: 'json' })`. Times in ms, bytes in bytes. */
export interface ProfileReport {
  readonly schemaVersion: typeof REPORT_SCHEMA_VERSION;
  /** `corepy <version>`. */
  readonly exporter: string;
  /** ISO time the report was made. */
  readonly generatedAt: string;
  /** The context the report is restricted to, or null. */
  readonly context: string | null;
  /** Sum of op durations, ms. */
  readonly totalTimeMs: number;
  /** Profiled wall time, ms. */
  readonly wallTimeMs: number;
  readonly opCount: number;
  /** Raw events overwritten in the ring (statistics stay exact). */
  readonly droppedEvents: number;
  readonly callSiteMode: CallSiteMode;
  readonly sampleEvery: number;
  readonly threads: number[];
  readonly overhead: OverheadInfo;
  /** Per op, in first-use order; `slowest` marks the op with the largest total. */
  readonly operations: (OpStats & { readonly slowest: boolean })[];
  /** Per op × call site. */
  readonly callSites: SiteOpStats[];
  /** Per context name (Example 4: `report.contexts[name].totalTimeMs`). */
  readonly contexts: Record<string, ContextStats>;
  readonly recommendations: Recommendation[];
}

/** Builds the report of `data` (restricted to `context` when given). */
export function buildReport(data: ProfileData, opts: { context?: string } = {}, rules: Partial<RuleInput> = {}): ProfileReport {
  const agg = aggregate(data, opts);
  const slowest = agg.ops.reduce<OpStats | null>((a, b) => (a === null || b.totalMs > a.totalMs ? b : a), null);
  const c = data.selfCost;
  const estimatedMs = (c.perOpNs * c.ops + c.perCaptureNs * c.captures) / 1e6;
  // Own properties (not assignment): a context named `__proto__` would otherwise set the prototype and vanish.
  const contexts: Record<string, ContextStats> = Object.fromEntries(agg.contexts.map((s) => [s.name, s]));
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    exporter: EXPORTER,
    generatedAt: new Date().toISOString(),
    context: opts.context ?? null,
    totalTimeMs: agg.totalOpMs,
    wallTimeMs: agg.wallMs,
    opCount: agg.ops.reduce((n, o) => n + o.count, 0),
    droppedEvents: data.droppedEvents,
    callSiteMode: data.callSites,
    sampleEvery: data.sampleEvery,
    threads: data.threads,
    overhead: {
      perOpNs: c.perOpNs, perCaptureNs: c.perCaptureNs, estimatedMs,
      percentOfOpTime: agg.totalOpMs > 0 ? (100 * estimatedMs) / agg.totalOpMs : 0,
    },
    operations: agg.ops.map((o) => ({ ...o, slowest: o === slowest })),
    callSites: agg.sites,
    contexts,
    recommendations: runRules(data, agg, rules),
  };
}
