/**
 * Aggregation: a pure function from recorded cells (or raw events, via {@link cellsFromEvents})
 * to per-op, per-op × call-site and per-context statistics. Rows keep first-appearance order,
 * which is the order a script issues its ops (the report table reads like the script).
 */
import type { ContextStats, OpStats, SiteOpStats } from '../contract/report.js';
import { contextPath } from './context.js';
import { fusedShares, registeredFusedGroups, type FusedLookup } from './fused-groups.js';
import { addSample, emptyStats, mergeStats, stddevOf } from './stats.js';
import type { CellRow, ContextInfo, ProfileData, ProfileEvent, Stats } from './types.js';

export type { ContextStats, OpStats, SiteOpStats };

/** The full aggregate. */
export interface Aggregate {
  /** Sum of all op durations, ms. */
  readonly totalOpMs: number;
  /** Profiled wall time, ms. */
  readonly wallMs: number;
  readonly ops: OpStats[];
  readonly sites: SiteOpStats[];
  readonly contexts: ContextStats[];
}

interface Acc extends Stats { op: string; backends: string[]; br: number; bw: number; el: number; gpu: number; up: number; down: number; fn: number; fms: number; fsq: number }

function accumulate(rows: readonly CellRow[], keyOf: (c: CellRow) => string): Map<string, Acc> {
  const m = new Map<string, Acc>();
  for (const c of rows) {
    const k = keyOf(c);
    let a = m.get(k);
    if (!a) m.set(k, (a = { ...emptyStats(), op: c.op, backends: [], br: 0, bw: 0, el: 0, gpu: 0, up: 0, down: 0, fn: 0, fms: 0, fsq: 0 }));
    mergeStats(a, c);
    if (!a.backends.includes(c.backend)) a.backends.push(c.backend);
    a.br += c.bytesRead; a.bw += c.bytesWritten; a.el += c.elements; a.gpu += c.gpuMs; a.up += c.uploadBytes; a.down += c.downloadBytes;
    a.fn += c.firstCount ?? 0; a.fms += c.firstMs ?? 0; a.fsq += c.firstSqMs ?? 0;
  }
  return m;
}

/**
 * Steady-state figures of an accumulated row: the mean without first calls, and whether the first
 * calls' excess over that mean (their time minus as many steady calls) is more than half the total.
 */
export function steadyState(count: number, totalMs: number, firstCount: number, firstMs: number): { steadyMeanMs: number | null; mostlyFirstCall: boolean } {
  const steadyCount = count - firstCount;
  if (steadyCount <= 0) return { steadyMeanMs: null, mostlyFirstCall: false };
  const steadyMeanMs = (totalMs - firstMs) / steadyCount;
  return { steadyMeanMs, mostlyFirstCall: firstMs - firstCount * steadyMeanMs > totalMs / 2 };
}

/**
 * Population standard deviation of the steady calls, ms (null without two of them): the row's sum
 * of squares (m2 + count·mean²) less the first calls' `firstSqMs`, about the steady mean.
 */
export function steadyStddev(s: Stats, firstCount: number, firstMs: number, firstSqMs: number): number | null {
  const n = s.count - firstCount;
  if (n < 2) return null;
  const sum = s.totalMs - firstMs, sq = s.m2 + s.count * s.meanMs * s.meanMs - firstSqMs;
  return Math.sqrt(Math.max(0, sq / n - (sum / n) ** 2));
}

function toOpStats(a: Acc, total: number): OpStats {
  return {
    ...steadyState(a.count, a.totalMs, a.fn, a.fms), steadyStddevMs: steadyStddev(a, a.fn, a.fms, a.fsq), firstCallCount: a.fn, firstCallMs: a.fms,
    op: a.op, backends: a.backends, count: a.count, totalMs: a.totalMs, meanMs: a.count ? a.totalMs / a.count : 0,
    minMs: a.count ? a.minMs : 0, maxMs: a.count ? a.maxMs : 0, stddevMs: stddevOf(a), percent: total > 0 ? (100 * a.totalMs) / total : 0,
    bytesRead: a.br, bytesWritten: a.bw, elements: a.el, gpuMs: a.gpu, uploadBytes: a.up, downloadBytes: a.down,
  };
}

/** True when node `id` is `name` or nested (at any depth) inside a node called `name`. */
export function isWithin(id: number, name: string, contexts: readonly ContextInfo[]): boolean {
  for (let n = id; n > 0; n = contexts[n]!.parent) if (contexts[n]!.name === name) return true;
  return false;
}

/** Names of every context that recorded a span or an op. */
export function contextNames(d: ProfileData): string[] {
  const ids = new Set<number>([...d.contextCells.map((c) => c.context), ...d.cells.map((c) => c.context)]);
  const names = new Set<string>();
  for (const id of ids) for (const n of contextPath(id, d.contexts)) names.add(n);
  return [...names];
}

/**
 * Aggregates a snapshot. With `context`, only ops issued inside that context (at any depth)
 * count, and only that context and those nested in it are listed; an unknown context name throws, listing the known ones. A fused kernel's site rows
 * carry their member ops and shares (`fusedMembers`) from `fused` (default: the groups `cp.jit`
 * registered in this process); totals and percentages count the kernel once.
 */
export function aggregate(d: ProfileData, opts: { context?: string; fused?: FusedLookup } = {}): Aggregate {
  let cells = d.cells;
  let inside: Uint8Array | null = null;
  if (opts.context !== undefined) {
    const known = contextNames(d);
    if (!known.includes(opts.context)) {
      throw new Error(`Unknown profile context ${JSON.stringify(opts.context)}; recorded contexts: ${known.length ? known.map((n) => JSON.stringify(n)).join(', ') : '(none)'}`);
    }
    const within = (inside = nodesWithin(d, opts.context));
    cells = cells.filter((c) => within[c.context] === 1);
  }
  const wallMs = Math.max(0, d.endMs - d.startMs);
  return { ...opsAndSites(d, cells, opts), wallMs, contexts: contextStats(d, cells, wallMs, inside) };
}

/**
 * Per context node id, 1 when it is `name` or nested (at any depth) in a node called `name` (what a
 * context's report keeps: its ops, and the contexts inside it, not those around or beside it).
 */
function nodesWithin(d: ProfileData, name: string): Uint8Array {
  const inside = new Uint8Array(d.contexts.length);
  for (let n = 1; n < d.contexts.length; n++) if (isWithin(n, name, d.contexts)) inside[n] = 1;
  return inside;
}

/** The op and op × site rows of `cells` (op time percentages of their sum). */
function opsAndSites(d: ProfileData, cells: readonly CellRow[], opts: { fused?: FusedLookup }): Pick<Aggregate, 'totalOpMs' | 'ops' | 'sites'> {
  const totalOpMs = cells.reduce((s, c) => s + c.totalMs, 0);
  const ops = [...accumulate(cells, (c) => c.op).values()].map((a) => toOpStats(a, totalOpMs));
  const siteAcc = accumulate(cells, (c) => `${c.op}\u0000${c.site}`);
  const sites = [...siteAcc.entries()].map(([k, a]) => {
    const site = Number(k.split('\u0000')[1]);
    const members = fusedShares(a.op, a.totalMs, opts.fused ?? registeredFusedGroups);
    return { ...toOpStats(a, totalOpMs), site, location: site >= 0 ? d.sites[site] ?? null : null, ...(members ? { fusedMembers: members } : {}) };
  });
  return { totalOpMs, ops, sites };
}

/**
 * Per context name: calls and wall time (its frames' cells), ops issued inside (nested included,
 * once per name under recursion). With `inside` (a context's report) only the nodes it marks count:
 * the enclosing contexts and those beside it are left out, as their ops are.
 */
function contextStats(d: ProfileData, cells: readonly CellRow[], wallMs: number, inside: Uint8Array | null): ContextStats[] {
  const byName = new Map<string, { kind: 'context' | 'function'; s: Stats; child: number; opCount: number; opMs: number; selfOpMs: number }>();
  const entry = (id: number) => {
    const n = d.contexts[id]!;
    let e = byName.get(n.name);
    if (!e) byName.set(n.name, (e = { kind: n.kind === 'function' ? 'function' : 'context', s: emptyStats(), child: 0, opCount: 0, opMs: 0, selfOpMs: 0 }));
    return e;
  };
  for (const c of d.contextCells) {
    if (c.context <= 0 || (inside !== null && inside[c.context] !== 1)) continue;
    const e = entry(c.context);
    mergeStats(e.s, c);
    e.child += c.childMs;
  }
  for (const c of cells) {
    const seen = new Set<string>();
    for (let n = c.context; n > 0 && (inside === null || inside[n] === 1); n = d.contexts[n]!.parent) {
      const e = entry(n);
      if (n === c.context) e.selfOpMs += c.totalMs;
      if (seen.has(d.contexts[n]!.name)) continue; // recursion: count once per name
      seen.add(d.contexts[n]!.name);
      e.opCount += c.count;
      e.opMs += c.totalMs;
    }
  }
  return [...byName.entries()].map(([name, e]) => ({
    name, kind: e.kind, count: e.s.count, totalTimeMs: e.s.totalMs, selfTimeMs: Math.max(0, e.s.totalMs - e.child),
    meanMs: e.s.count ? e.s.totalMs / e.s.count : 0, minMs: e.s.count ? e.s.minMs : 0, maxMs: e.s.count ? e.s.maxMs : 0,
    stddevMs: stddevOf(e.s), percent: wallMs > 0 ? (100 * e.s.totalMs) / wallMs : 0,
    opCount: e.opCount, opTimeMs: e.opMs, selfOpTimeMs: e.selfOpMs,
  }));
}

/** Rebuilds exact cells from raw events (what the recorder keeps incrementally). Pure. */
export function cellsFromEvents(events: readonly ProfileEvent[]): CellRow[] {
  const m = new Map<string, CellRow>();
  const seenShapes = new Set<string>();
  for (const e of events) {
    const k = `${e.op}\u0000${e.backend}\u0000${e.site}\u0000${e.context}`;
    let c = m.get(k);
    if (!c) m.set(k, (c = { op: e.op, backend: e.backend, site: e.site, context: e.context, ...emptyStats(), bytesRead: 0, bytesWritten: 0, elements: 0, gpuMs: 0, uploadBytes: 0, downloadBytes: 0, firstCount: 0, firstMs: 0, firstSqMs: 0 }));
    addSample(c, e.endMs - e.startMs);
    // Inputs' shapes are the signature; a creation op (no inputs) is keyed by its output's, as in the recorder.
    const shapeKey = `${e.op}\u0000${JSON.stringify(e.inputShapes.length > 0 ? e.inputShapes : e.outputShapes)}`;
    if (!seenShapes.has(shapeKey)) {
      seenShapes.add(shapeKey);
      c.firstCount! += 1; c.firstMs! += e.endMs - e.startMs; c.firstSqMs! += (e.endMs - e.startMs) ** 2;
    }
    c.bytesRead += e.bytesRead; c.bytesWritten += e.bytesWritten; c.elements += e.elements;
    if (e.gpuStartMs !== undefined) c.gpuMs += e.gpuEndMs! - e.gpuStartMs;
    c.uploadBytes += e.uploadBytes; c.downloadBytes += e.downloadBytes;
  }
  return [...m.values()];
}
