/**
 * The JSON report ({@link ProfileReport}, documented by runtime/schemas/profile-report.schema.json)
 * built from a snapshot: aggregate + recommendations + the profiler's own measured overhead.
 * Pure given the snapshot and the rule inputs. The types live in the contract
 * (runtime/src/contract/report.ts).
 */
import { REPORT_SCHEMA_VERSION, type ContextStats, type OpStats, type ProfileReport } from '../contract/report.js';
import { aggregate } from './aggregate.js';
import { runRules } from './rules/index.js';
import type { RuleInput } from './rules/types.js';
import type { ProfileData } from './types.js';
import { EXPORTER } from './version.js';

export { REPORT_SCHEMA_VERSION, type OverheadInfo, type ProfileReport } from '../contract/report.js';

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
