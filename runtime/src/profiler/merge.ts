/**
 * Merging two snapshots (the main thread's and a worker's): call sites are appended, context
 * nodes are re-interned by (parent, kind, name) so the same named context in two threads is
 * one node, and every event/span/cell index is remapped. Pure.
 */
import { mergeStackTables } from './stacks.js';
import type { ContextInfo, MemorySnapshot, ProfileData, SelfCost } from './types.js';

/** Shifts every time in `d` by `ms` (to move a worker's clock onto the main thread's origin). */
export function shiftData(d: ProfileData, ms: number): ProfileData {
  if (ms === 0) return d;
  return {
    ...d,
    events: d.events.map((e) => ({
      ...e, startMs: e.startMs + ms, endMs: e.endMs + ms,
      ...(e.gpuStartMs !== undefined ? { gpuStartMs: e.gpuStartMs + ms, gpuEndMs: e.gpuEndMs! + ms } : {}),
    })),
    spans: d.spans.map((s) => ({ ...s, startMs: s.startMs + ms, endMs: s.endMs + ms })),
    ...(d.oneTimeCosts ? { oneTimeCosts: d.oneTimeCosts.map((c) => ({ ...c, startMs: c.startMs + ms, endMs: c.endMs + ms })) } : {}),
    startMs: d.startMs + ms, endMs: d.endMs + ms,
  };
}

/** `a` and `b` as one snapshot. */
export function mergeData(a: ProfileData, b: ProfileData): ProfileData {
  const contexts: ContextInfo[] = a.contexts.slice();
  const key = (parent: number, kind: string, name: string): string => `${parent}\u0000${kind}\u0000${name}`;
  const known = new Map<string, number>();
  contexts.forEach((c, i) => { if (i > 0) known.set(key(c.parent, c.kind, c.name), i); });
  const ctxMap: number[] = [0];
  for (let i = 1; i < b.contexts.length; i++) {
    const c = b.contexts[i]!;
    const parent = ctxMap[c.parent] ?? 0;
    const k = key(parent, c.kind, c.name);
    let id = known.get(k);
    if (id === undefined) {
      id = contexts.length;
      contexts.push({ name: c.name, kind: c.kind, parent });
      known.set(k, id);
    }
    ctxMap[i] = id;
  }
  const off = a.sites.length;
  const site = (s: number): number => (s < 0 ? s : s + off);
  const ctx = (c: number): number => ctxMap[c] ?? 0;
  // b's stacks follow a's: its events' node ids move by the offset.
  const stacks = mergeStackTables(a.stacks, b.stacks);
  const stack = (s: number | undefined): number => (s === undefined || s < 0 ? -1 : s + stacks.offset);
  return {
    sites: [...a.sites, ...b.sites],
    ...(stacks.table ? { stacks: stacks.table } : {}),
    contexts,
    events: [...a.events, ...b.events.map((e) => ({ ...e, site: site(e.site), context: ctx(e.context), stack: stack(e.stack) }))].sort((x, y) => x.startMs - y.startMs),
    spans: [...a.spans, ...b.spans.map((s) => ({ ...s, context: ctx(s.context) }))],
    cells: [...a.cells, ...b.cells.map((c) => ({ ...c, site: site(c.site), context: ctx(c.context) }))],
    contextCells: [...a.contextCells, ...b.contextCells.map((c) => ({ ...c, context: ctx(c.context) }))],
    droppedEvents: a.droppedEvents + b.droppedEvents,
    droppedSpans: a.droppedSpans + b.droppedSpans,
    startMs: Math.min(a.startMs, b.startMs),
    endMs: Math.max(a.endMs, b.endMs),
    threads: [...a.threads, ...b.threads.filter((t) => !a.threads.includes(t))],
    callSites: a.callSites,
    sampleEvery: a.sampleEvery,
    selfCost: mergeSelfCost(a.selfCost, b.selfCost),
    oneTimeCosts: [...(a.oneTimeCosts ?? []), ...(b.oneTimeCosts ?? [])].sort((x, y) => x.startMs - y.startMs),
    // GC pauses are per thread (one JS heap each) and only the snapshotting thread's are observed.
    ...(a.gcPauses ? { gcPauses: a.gcPauses } : {}),
    ...mergeMemory(a.memory, b.memory, site),
    // `a`'s indexes stay valid (its sites come first, its context nodes keep their ids); a `b` with
    // columns is not merged (session.snapshot takes records when a worker shared events).
    ...(a.columns ? { columns: a.columns } : {}),
    ...(a.ruleColumns ? { ruleColumns: a.ruleColumns } : {}),
    ...(a.spanColumns ? { spanColumns: a.spanColumns } : {}),
  };
}

/**
 * Both threads' memory (each has its own engine and heap): live figures add up, and so do the peaks
 * (an upper bound: they need not have coincided); held sites move with the merged site indexes.
 */
function mergeMemory(a: MemorySnapshot | undefined, b: MemorySnapshot | undefined, site: (s: number) => number): { memory?: MemorySnapshot } {
  if (!a || !b) return a ? { memory: a } : b ? { memory: { ...b, held: b.held.map((h) => ({ ...h, site: site(h.site) })) } } : {};
  return {
    memory: {
      liveTensors: a.liveTensors + b.liveTensors, liveBytes: a.liveBytes + b.liveBytes, peakBytes: a.peakBytes + b.peakBytes,
      held: [...a.held, ...b.held.map((h) => ({ ...h, site: site(h.site) }))].sort((x, y) => y.peakBytes - x.peakBytes || y.peakTensors - x.peakTensors),
    },
  };
}

/** Both threads' costs: counts add up, the per-capture cost is the capture-weighted mean. */
function mergeSelfCost(a: SelfCost, b: SelfCost): SelfCost {
  const captures = a.captures + b.captures;
  const perCaptureNs = captures > 0 ? (a.perCaptureNs * a.captures + b.perCaptureNs * b.captures) / captures : a.perCaptureNs;
  return {
    perOpNs: a.perOpNs, perCaptureNs, ops: a.ops + b.ops, captures, staticOps: (a.staticOps ?? 0) + (b.staticOps ?? 0),
    stackCaptures: (a.stackCaptures ?? 0) + (b.stackCaptures ?? 0), stackCaptureMs: (a.stackCaptureMs ?? 0) + (b.stackCaptureMs ?? 0),
    // Each thread paces its own captures against its own budget: over budget when the sums are (a worker over its own and the main thread under its own reads as under).
    ...(a.stackBudgetMs !== undefined || b.stackBudgetMs !== undefined
      ? { stackPacedMs: (a.stackPacedMs ?? 0) + (b.stackPacedMs ?? 0), stackBudgetMs: (a.stackBudgetMs ?? 0) + (b.stackBudgetMs ?? 0), stackTimedOut: (a.stackTimedOut ?? 0) + (b.stackTimedOut ?? 0),
        stackHoldMs: Math.max(a.stackHoldMs ?? 0, b.stackHoldMs ?? 0) }
      : {}),
  };
}
