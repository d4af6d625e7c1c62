/**
 * The JSON report ({@link ProfileReport}, documented by runtime/schemas/profile-report.schema.json)
 * built from a snapshot: aggregate + recommendations + the profiler's own measured overhead.
 * Pure given the snapshot and the rule inputs. The types live in the contract
 * (runtime/src/contract/report.ts).
 */
import { REPORT_SCHEMA_VERSION, type ContextStats, type OpStats, type ProfileReport } from '../contract/report.js';
import { aggregate, contextNames, isWithin, type Aggregate } from './aggregate.js';
import { runRulesOver } from './rules/index.js';
import type { RuleInput } from './rules/types.js';
import type { ProfileData, SegmentData } from './types.js';
import type { ReportSegment } from '../contract/report.js';
import type { Recommendation } from '../contract/recommendation.js';
import type { OneTimeCost } from '../one-time-costs.js';
import type { HeldSite, MemorySummary, OneTimeCostRow } from '../contract/report.js';
import { EXPORTER } from './version.js';
import { costMs } from './format-gpu.js';
import { gcPausesInOps } from './gc-in-ops.js';
import { ruleColumnsOf } from './rule-columns.js';
import { contextMedians, steadyMedians } from './steady-medians.js';
import { spanColumns } from './event-columns.js';
import { callLineStats } from './call-lines.js';
import { withSiteStalls } from './site-stalls.js';

export { REPORT_SCHEMA_VERSION, type OneTimeCostRow, type OverheadInfo, type ProfileReport } from '../contract/report.js';

/** Merges one-time costs by name, in first-seen order. Pure. */
export function oneTimeCostRows(costs: readonly OneTimeCost[]): OneTimeCostRow[] {
  const m = new Map<string, { name: string; kind: OneTimeCostRow['kind']; count: number; totalMs: number; bytes: number; duringOps: string[]; stallMs: number }>();
  for (const c of costs) {
    let r = m.get(c.name);
    if (!r) m.set(c.name, (r = { name: c.name, kind: c.kind, count: 0, totalMs: 0, bytes: 0, duringOps: [], stallMs: 0 }));
    r.count++; r.totalMs += c.endMs - c.startMs; r.bytes += c.bytes; r.stallMs += c.stallMs ?? 0;
    if (c.duringOp !== null && !r.duringOps.includes(c.duringOp)) r.duringOps.push(c.duringOp);
  }
  return [...m.values()].map(({ stallMs, ...r }) => (stallMs > 0 ? { ...r, stallMs } : r));
}

/** The report's `gcPauses`, when the snapshot can say (gc-in-ops.ts). */
function gcField(data: ProfileData): { gcPauses?: NonNullable<ReturnType<typeof gcPausesInOps>> } {
  const gc = gcPausesInOps(data);
  return gc ? { gcPauses: gc } : {};
}

/**
 * `callSiteMode` and `staticSiteOps`: `exact` where every op of a whole-recording report had its line numbered at
 * load (the text's "Call sites: exact" comes from the same test), else the option. A context's report keeps the
 * option: `staticOps` counts the whole recording, not the context's ops.
 */
function callSiteFields(data: ProfileData, context: string | undefined, opCount: number): Pick<ProfileReport, 'callSiteMode' | 'staticSiteOps'> {
  const staticSiteOps = data.callSites === 'off' ? 0 : data.selfCost.staticOps ?? 0;
  const exact = context === undefined && opCount > 0 && staticSiteOps >= opCount;
  return { callSiteMode: exact ? 'exact' : data.callSites, staticSiteOps };
}

/** Sites listed in the report's `memory.heldBySite`. */
export const MAX_HELD_SITES = 10;

/** The report's `memory`: the snapshot's figures with each held site's location, ops and calls. */
function memoryField(data: ProfileData): { memory?: MemorySummary } {
  const m = data.memory;
  if (!m) return {};
  const heldBySite: HeldSite[] = m.held.slice(0, MAX_HELD_SITES).map((h) => {
    const cells = data.cells.filter((c) => c.site === h.site);
    return {
      location: data.sites[h.site] ?? null, ops: [...new Set(cells.map((c) => c.op))],
      peakTensors: h.peakTensors, peakBytes: h.peakBytes, tensors: h.tensors, bytes: h.bytes, calls: cells.reduce((n, c) => n + c.count, 0),
    };
  });
  return { memory: { liveTensors: m.liveTensors, liveBytes: m.liveBytes, peakBytes: m.peakBytes, heldBySite } };
}

/** One segment's data aggregated (restricted to `context` when given; a segment without that context has no ops). Pure. */
function segmentAggregate(s: SegmentData, opts: { context?: string }): Aggregate {
  const known = opts.context === undefined || contextNames(s.data).includes(opts.context);
  return aggregate(known ? s.data : { ...s.data, cells: [] }, known ? opts : {});
}

/**
 * The raw events of segment `s` that the ring no longer held when it ended (or now, for the current
 * segment): its recommendations saw only the rest. `s.data.droppedEvents` is the recorder's count
 * since it was created (at the last clearProfile() or enable with new options), which includes the
 * earlier segments' events when profiling was paused and resumed on one recorder. The ring drops the
 * oldest first and holds one event per recorded op, so of the segment's own events it dropped
 * max(0, dropped − written before the segment began), where the latter is the recorder's op count
 * (`selfCost.ops`) less the segment's (its cells; workers' ops are in both and cancel). Pure.
 */
export function segmentDroppedEvents(s: SegmentData): number {
  const d = s.data;
  const segmentOps = d.cells.reduce((n, c) => n + c.count, 0);
  const before = Math.max(0, d.selfCost.ops - segmentOps);
  return Math.max(0, d.droppedEvents - before);
}

/**
 * One segment's figures, with its own recommendations when they were computed (ended segments), and its sites'
 * stalls unless `context` (its rows then count that context's calls only, its events every call). Pure.
 */
export function segmentReport(s: SegmentData, agg: Aggregate, recommendations?: Recommendation[], context?: string): ReportSegment {
  return {
    index: s.index, cause: s.cause, current: s.current, startMs: s.data.startMs, endMs: s.data.endMs,
    totalTimeMs: agg.totalOpMs, opCount: agg.ops.reduce((n, o) => n + o.count, 0), droppedEvents: segmentDroppedEvents(s),
    operations: agg.ops, callSites: context === undefined ? withSiteStalls(agg.sites, s.data) : agg.sites,
    // Own properties (not assignment), as the report's: a context named `__proto__` would otherwise vanish.
    ...(agg.contexts.length > 0 ? { contexts: Object.fromEntries(agg.contexts.map((c) => [c.name, c])) } : {}),
    ...(recommendations ? { recommendations } : {}),
  };
}

/**
 * An ended segment's recommendations once computed with every measurement they needed: it no
 * longer changes, and a process that clears often would otherwise run the rules on up to 32
 * segments at every report. Keyed by the segment's cells (kept when its events are dropped).
 */
const segmentFindings = new WeakMap<object, Recommendation[]>();

/**
 * The recommendations of the report and of its ended segments, under one timing budget. Only an
 * ended segment that kept its retained events (session.ts MAX_SEGMENT_RULE_EVENTS) gets its own, and
 * only in a report of the whole recording (not a context's); the current segment's are the report's.
 */
function recommendationsOf(data: ProfileData, agg: Aggregate, segments: readonly { s: SegmentData; agg: Aggregate }[],
  opts: { context?: string; recommendations?: boolean }, rules: Partial<RuleInput>): { top: Recommendation[]; bySegment: Map<SegmentData, Recommendation[]> } {
  const bySegment = new Map<SegmentData, Recommendation[]>();
  if (opts.recommendations === false) return { top: [], bySegment };
  const ended = opts.context === undefined ? segments.filter(({ s }) => !s.current) : [];
  for (const { s } of ended) {
    const known = segmentFindings.get(s.data.cells);
    if (known) bySegment.set(s, known);
  }
  // Rules given fixed inputs (tests) are not remembered: another report may fix others.
  const memo = Object.keys(rules).length === 0;
  const ruled = ended.filter(({ s }) => !bySegment.has(s) && s.data.ruleColumns !== undefined);
  const [top, ...rest] = runRulesOver([{ data, agg }, ...ruled.map(({ s, agg: a }) => ({ data: s.data, agg: a }))], rules);
  ruled.forEach(({ s }, i) => {
    const found = rest[i]!;
    bySegment.set(s, found.recommendations);
    if (memo && found.complete) segmentFindings.set(s.data.cells, found.recommendations);
  });
  return { top: top!.recommendations, bySegment };
}

/** `steadyMedianMs` / `steadyMadMs` on the ops every call of which the snapshot retained (whole report only; see steady-medians.ts). */
function withMedians(ops: readonly OpStats[], data: ProfileData, opts: { context?: string }): OpStats[] {
  const events = data.ruleColumns ?? (data.events.length > 0 ? ruleColumnsOf(data.events) : null);
  if (opts.context !== undefined || events === null || events.length === 0) return [...ops];
  const medians = steadyMedians(events, new Map(ops.map((o) => [o.op, o.count])));
  return ops.map((o) => {
    const m = medians.get(o.op);
    return m === undefined ? o : { ...o, steadyMedianMs: m.medianMs, steadyMadMs: m.madMs };
  });
}

/**
 * `medianMs` / `madMs` on the contexts every entry of which the snapshot retained (steady-medians.ts contextMedians);
 * in a context's report over the entries inside it, as its other figures. Spans come as columns (`columns`,
 * `spanColumns`) or as records.
 */
function withContextMedians(contexts: readonly ContextStats[], data: ProfileData, opts: { context?: string }): ContextStats[] {
  const spans = data.columns?.spans ?? data.spanColumns ?? (data.spans.length > 0 ? spanColumns(data.spans) : null);
  if (spans === null || spans.length === 0) return [...contexts];
  const inside = new Map<number, boolean>();
  const within = (id: number): boolean => {
    let known = inside.get(id);
    if (known === undefined) inside.set(id, (known = opts.context === undefined || isWithin(id, opts.context, data.contexts)));
    return known;
  };
  const medians = contextMedians(spans, (id) => (id > 0 && within(id) ? data.contexts[id]?.name : undefined), new Map(contexts.map((c) => [c.name, c.count])));
  return contexts.map((c) => {
    const m = medians.get(c.name);
    return m === undefined ? c : { ...c, medianMs: m.medianMs, madMs: m.madMs };
  });
}

/**
 * Builds the report of `data` (restricted to `context` when given). `recommendations: false` runs no
 * rule (their list is empty): for exports that do not show them, which then pay none of the rules'
 * measurements.
 */
export function buildReport(data: ProfileData, opts: { context?: string; recommendations?: boolean } = {}, rules: Partial<RuleInput> = {}): ProfileReport {
  const agg = aggregate(data, opts);
  // The op costing most: op time, or GPU time where larger (a webgpu op's op time is only its submit; format-gpu.ts).
  const slowest = agg.ops.reduce<OpStats | null>((a, b) => (a === null || costMs(b) > costMs(a) ? b : a), null);
  const c = data.selfCost;
  const estimatedMs = (c.perOpNs * c.ops + c.perCaptureNs * c.captures) / 1e6 + (c.stackCaptureMs ?? 0);
  // Own properties (not assignment): a context named `__proto__` would otherwise set the prototype and vanish.
  const contexts: Record<string, ContextStats> = Object.fromEntries(withContextMedians(agg.contexts, data, opts).map((s) => [s.name, s]));
  // A context's report lists none (see ProfileReport.oneTimeOmittedMs): the snapshot has no spans to tell which ran inside it.
  const allOneTime = oneTimeCostRows(data.oneTimeCosts ?? []);
  const oneTimeCosts = opts.context === undefined ? allOneTime : [];
  const segments = (data.segments ?? []).map((s) => ({ s, agg: segmentAggregate(s, opts) }));
  const recs = recommendationsOf(data, agg, segments, opts, rules);
  // The whole recording's only: a context's report would need the events inside it (and a stack may run outside it).
  const callLines = opts.context === undefined ? callLineStats(data, agg.totalOpMs) : undefined;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    exporter: EXPORTER,
    generatedAt: new Date().toISOString(),
    context: opts.context ?? null,
    totalTimeMs: agg.totalOpMs,
    wallTimeMs: agg.wallMs,
    opCount: agg.ops.reduce((n, o) => n + o.count, 0),
    droppedEvents: data.droppedEvents,
    ...callSiteFields(data, opts.context, agg.ops.reduce((n, o) => n + o.count, 0)),
    callStacks: {
      captures: c.stackCaptures ?? 0, captureMs: c.stackCaptureMs ?? 0,
      ...(c.stackBudgetMs !== undefined ? { pacedMs: c.stackPacedMs ?? 0, budgetMs: c.stackBudgetMs, timedOut: c.stackTimedOut ?? 0, holdMs: c.stackHoldMs ?? 0 } : {}),
    },
    sampleEvery: data.sampleEvery,
    threads: data.threads,
    overhead: {
      perOpNs: c.perOpNs, perCaptureNs: c.perCaptureNs, estimatedMs,
      percentOfOpTime: agg.totalOpMs > 0 ? (100 * estimatedMs) / agg.totalOpMs : 0,
    },
    operations: withMedians(agg.ops, data, opts).map((o) => ({ ...o, slowest: o.op === slowest?.op })),
    // A context's rows count its calls only, the events every call: stalls are the whole recording's only.
    callSites: opts.context === undefined ? withSiteStalls(agg.sites, data) : agg.sites,
    ...(callLines ? { callLines } : {}),
    contexts,
    recommendations: recs.top,
    oneTimeCosts,
    oneTimeTotalMs: oneTimeCosts.reduce((t, r) => t + r.totalMs, 0),
    ...(opts.context !== undefined ? { oneTimeOmittedMs: allOneTime.reduce((t, r) => t + r.totalMs, 0) } : {}),
    ...gcField(data),
    ...memoryField(data),
    ...(data.segments ? { segments: segments.map(({ s, agg: a }) => segmentReport(s, a, recs.bySegment.get(s), opts.context)), droppedSegments: data.droppedSegments ?? 0 } : {}),
  };
}
