/**
 * The JSON report ({@link ProfileReport}, documented by runtime/schemas/profile-report.schema.json)
 * built from a snapshot: aggregate + recommendations + the profiler's own measured overhead.
 * Pure given the snapshot and the rule inputs.
 */
import { aggregate, type ContextStats, type OpStats, type SiteOpStats } from './aggregate.js';
import { runRules, type Recommendation } from './rules/index.js';
import type { RuleInput } from './rules/types.js';
import type { CallSiteMode, ProfileData } from './types.js';
import type { OneTimeCost, OneTimeCostKind } from '../one-time-costs.js';
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

/** One-time costs with the same name, merged. Times in ms, bytes in bytes. */
export interface OneTimeCostRow {
  /** "compile wasm kernels (simd, eager)", "grow wasm memory +4 MB", … */
  readonly name: string;
  readonly kind: OneTimeCostKind;
  readonly count: number;
  readonly totalMs: number;
  readonly bytes: number;
  /** Ops that were running when it happened (their times exclude it); empty when it ran at load or between ops. */
  readonly duringOps: string[];
}

/** Merges one-time costs by name, in first-seen order. Pure. */
export function oneTimeCostRows(costs: readonly OneTimeCost[]): OneTimeCostRow[] {
  const m = new Map<string, { name: string; kind: OneTimeCostKind; count: number; totalMs: number; bytes: number; duringOps: string[] }>();
  for (const c of costs) {
    let r = m.get(c.name);
    if (!r) m.set(c.name, (r = { name: c.name, kind: c.kind, count: 0, totalMs: 0, bytes: 0, duringOps: [] }));
    r.count++; r.totalMs += c.endMs - c.startMs; r.bytes += c.bytes;
    if (c.duringOp !== null && !r.duringOps.includes(c.duringOp)) r.duringOps.push(c.duringOp);
  }
  return [...m.values()];
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
  /**
   * One-time work (kernel compilation, memory growth, GPU pipelines) since the last clearProfile,
   * load included: never part of any op's time above. Merged by name.
   */
  readonly oneTimeCosts: OneTimeCostRow[];
  /** Sum of the one-time costs, ms. */
  readonly oneTimeTotalMs: number;
}

/** Builds the report of `data` (restricted to `context` when given). */
export function buildReport(data: ProfileData, opts: { context?: string } = {}, rules: Partial<RuleInput> = {}): ProfileReport {
  const agg = aggregate(data, opts);
  const slowest = agg.ops.reduce<OpStats | null>((a, b) => (a === null || b.totalMs > a.totalMs ? b : a), null);
  const c = data.selfCost;
  const estimatedMs = (c.perOpNs * c.ops + c.perCaptureNs * c.captures) / 1e6;
  const contexts: Record<string, ContextStats> = {};
  for (const s of agg.contexts) contexts[s.name] = s;
  const oneTimeCosts = oneTimeCostRows(data.oneTimeCosts ?? []);
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
    oneTimeCosts,
    oneTimeTotalMs: oneTimeCosts.reduce((t, r) => t + r.totalMs, 0),
  };
}
