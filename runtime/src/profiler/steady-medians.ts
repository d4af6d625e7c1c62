/**
 * Robust steady-state figures per op, from the retained events: the median of the steady calls'
 * times (every call but each op × input shapes' first, as the recorder counts them) and their
 * median absolute deviation, ms. A baseline comparison judges on these where it can: one call
 * the scheduler delayed by a few ms among fifty 0.02 ms calls moves their mean and standard
 * deviation far more than the op changed, but not their median or MAD.
 *
 * Only for ops whose every call is among the retained events (none overwritten in the ring, none
 * on another thread, whole report — not one context's slice); the others get none. Contexts get the same
 * figures over all their entries ({@link contextMedians}). Pure.
 */
import type { RuleColumns } from './rule-columns.js';

/** Median and median absolute deviation of one op's steady calls, ms, over `n` calls. */
export interface SteadyMedian {
  readonly n: number;
  readonly medianMs: number;
  readonly madMs: number;
}

/** The k-th smallest of `a[0..n)` (0-based), reordering `a` in place: quickselect, linear on average. */
function select(a: Float64Array, n: number, k: number): number {
  let lo = 0, hi = n - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) { const t = a[i]!; a[i] = a[j]!; a[j] = t; i++; j--; }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** Median of `a[0..n)`, reordering `a`. */
function medianOf(a: Float64Array, n: number): number {
  const hi = select(a, n, n >> 1);
  if (n % 2 === 1) return hi;
  // The lower middle is the largest of the half below (select left it there).
  let lo = -Infinity;
  for (let i = 0; i < n >> 1; i++) if (a[i]! > lo) lo = a[i]!;
  return (lo + hi) / 2;
}

/**
 * Per op name, when its retained events number exactly `counts.get(op)` (every call retained) and
 * at least two of them are steady. Linear in the events (1e6 events: a report can hold that many).
 */
export function steadyMedians(events: RuleColumns, counts: ReadonlyMap<string, number>): Map<string, SteadyMedian> {
  // One id per op name (an index's name may repeat under another index), then integer keys: no string per event.
  const nameId = new Map<string, number>(), idOfIndex = new Int32Array(events.names.length);
  events.names.forEach((n, k) => { let id = nameId.get(n); if (id === undefined) nameId.set(n, (id = nameId.size)); idOfIndex[k] = id; });
  const names = [...nameId.keys()];
  const calls = new Int32Array(names.length), steadyCount = new Int32Array(names.length), isSteady = new Uint8Array(events.length);
  // First call of an op × shape list: shape lists are interned (equal lists share an index); a creation op is keyed
  // by its output, as in the recorder. A dense bitmap while it is small, else a set.
  const lists = events.shapeLists.length, keys = names.length * 2 * lists;
  const dense = keys <= 1 << 22 ? new Uint8Array(keys) : null, sparse = dense === null ? new Set<number>() : null;
  for (let i = 0; i < events.length; i++) {
    const op = idOfIndex[events.op[i]!]!;
    calls[op]!++;
    const input = events.inShapes[i]!, key = op * 2 * lists + (events.shapeLists[input]!.length > 0 ? input : lists + events.outShapes[i]!);
    if (dense !== null) { if (dense[key] === 0) { dense[key] = 1; continue; } } else if (!sparse!.has(key)) { sparse!.add(key); continue; }
    isSteady[i] = 1;
    steadyCount[op]!++;
  }
  const times = names.map((op, id) => (steadyCount[id]! >= 2 && calls[id] === counts.get(op) ? new Float64Array(steadyCount[id]!) : null));
  const filled = new Int32Array(names.length);
  for (let i = 0; i < events.length; i++) {
    if (isSteady[i] === 0) continue;
    const op = idOfIndex[events.op[i]!]!, t = times[op];
    if (t !== null && t !== undefined) t[filled[op]!++] = events.endMs[i]! - events.startMs[i]!;
  }
  const out = new Map<string, SteadyMedian>();
  names.forEach((op, id) => {
    const t = times[id];
    if (t === null || t === undefined) return;
    const n = t.length, medianMs = medianOf(t, n);
    for (let i = 0; i < n; i++) t[i] = Math.abs(t[i]! - medianMs);
    out.set(op, { n, medianMs, madMs: medianOf(t, n) });
  });
  return out;
}

/** Retained context/function spans as the context medians read them (SpanColumns, or records turned into columns). */
export interface SpanTimes {
  readonly length: number;
  /** Index into ProfileData.contexts. */
  readonly context: ArrayLike<number>;
  readonly startMs: ArrayLike<number>;
  readonly endMs: ArrayLike<number>;
  /** The profiler's own time inside each span, ms, left out of its wall time as in the report's statistics (absent: 0). */
  readonly profilerMs?: ArrayLike<number>;
}

/**
 * Median and MAD of each context name's entries (span wall times less the profiler's own time inside
 * them, as the report's other context statistics; every entry: a context has no "first call per input
 * shape"), ms, per name whose retained spans number exactly `counts.get(name)`
 * (every entry retained, none overwritten in the span ring nor recorded on another thread) and at
 * least two. `nameOf` maps a span's context node to its name (nodes of one name merge, as in the
 * report's contexts). The comparison judges contexts on these where both sides have them: one entry
 * the scheduler stalled by 250 ms among twenty of 9 ms moves their mean and standard deviation enough
 * to hide a 4× change (audit 24 N5), not their median. Linear in the spans.
 */
export function contextMedians(spans: SpanTimes, nameOf: (context: number) => string | undefined, counts: ReadonlyMap<string, number>): Map<string, SteadyMedian> {
  const byName = new Map<string, number[]>();
  for (let i = 0; i < spans.length; i++) {
    const name = nameOf(spans.context[i]!);
    if (name === undefined || !counts.has(name)) continue;
    let t = byName.get(name);
    if (t === undefined) byName.set(name, (t = []));
    t.push(Math.max(0, spans.endMs[i]! - spans.startMs[i]! - (spans.profilerMs?.[i] ?? 0)));
  }
  const out = new Map<string, SteadyMedian>();
  for (const [name, list] of byName) {
    const n = list.length;
    if (n < 2 || n !== counts.get(name)) continue;
    const t = Float64Array.from(list), medianMs = medianOf(t, n);
    for (let i = 0; i < n; i++) t[i] = Math.abs(t[i]! - medianMs);
    out.set(name, { n, medianMs, madMs: medianOf(t, n) });
  }
  return out;
}
