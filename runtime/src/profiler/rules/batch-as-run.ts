/**
 * What batching a loop saves in the run that was profiled, not only in steady state.
 *
 * The trial (measure.ts measureBatch) times the loop and its rewrite warm, side by side. The run
 * profiled may not be warm: a short script runs once, and its loop's early calls pay what a warm
 * trial never sees (the JS engine has not optimised the dispatch path yet, the wasm kernel runs in
 * its baseline tier), while even its later calls run slower than the trial's (results kept alive in
 * fresh memory, the profiler's own work between ops). Batching removes the calls; the one batched
 * call runs in the same conditions, and is a first call. So the loop is what this run paid at the
 * site, and the rewrite is the trial's batched time slowed as much as this run's steady calls were
 * slower than the trial's, plus what this run's first call paid over its steady ones:
 *   c       = median call of the loop's second half ÷ the trial's loop time per call
 *   first   = the loop's first call − that median (when the ring kept every call)
 *   saved   = (site op time − GC pauses inside its calls) − (trial batched time × c + first)
 * A warm run's loop is c × the trial's loop, and the estimate is the trial's ratio; a cold run's
 * loop carries its warm-up on top, which batching saves. Measured on the seed's Example 3 under
 * `corepy profile` (runtime/BENCHMARKS.md, "Example 3 profiled cold"): c = 1.05–1.5, first call
 * 0.5 ms over 0.02–0.03 ms steady ones, the trial's batched ~1.95 ms: rewrite ≈ 2.5 ms, against
 * 2.45–2.5 ms measured for it cold. GC pauses are left out: batching does not remove a
 * collection that memory growth started, and the rewrite's run has its own (gc-pauses.ts).
 * Pure given its inputs.
 */
import { gcInEventMs } from '../gc-in-ops.js';
import type { RuleColumns } from '../rule-columns.js';
import type { ProfileData } from '../types.js';

/** The site's loop as this run paid it, and its rewrite in the same conditions, ms. */
export interface BatchAsRun {
  /** The site's op time without GC pauses inside its calls, ms. */
  readonly loopMs: number;
  /** GC pause time inside the site's retained calls, ms. */
  readonly gcMs: number;
  /** Median call of the second half of the retained calls (GC pauses out), ms. */
  readonly steadyCallMs: number;
  /** How much slower this run's steady calls were than the trial's (c above). */
  readonly slowdown: number;
  /** The loop's first call over its steady calls, ms (0 when the ring lost calls): what the batched call pays as a first call. */
  readonly firstExcessMs: number;
  /** The rewrite in this run: the trial's batched time × slowdown + firstExcessMs, ms. */
  readonly batchedMs: number;
  /** What batching saves in this run, ms (≥ 0). */
  readonly savedMs: number;
}

const medianOf = (xs: Float64Array): number => (xs.length ? Float64Array.from(xs).sort()[xs.length >> 1]! : 0);

/**
 * The saving of batching the site whose retained events are `events` (oldest first), `totalMs`
 * its op time over all `calls` calls; `trialLoopMs` and `trialBatchedMs` the trial's times for
 * `calls` calls and for their batched rewrite, ms.
 */
export function batchAsRun(data: ProfileData, cols: RuleColumns, events: Int32Array, totalMs: number, calls: number,
  trialLoopMs: number, trialBatchedMs: number): BatchAsRun {
  const pauses = data.gcPauses ?? [];
  const thread = data.threads[0] ?? 0;
  const n = events.length;
  const d = new Float64Array(n);
  let gcMs = 0;
  for (let j = 0; j < n; j++) {
    const e = events[j]!;
    const gc = gcInEventMs(cols, pauses, thread, e);
    gcMs += gc;
    d[j] = cols.endMs[e]! - cols.startMs[e]! - gc;
  }
  const steadyCallMs = medianOf(d.subarray(n >> 1));
  const trialCallMs = trialLoopMs / Math.max(calls, 1);
  const slowdown = trialCallMs > 0 && steadyCallMs > 0 ? steadyCallMs / trialCallMs : 1;
  const loopMs = Math.max(0, totalMs - gcMs);
  const firstExcessMs = n === calls && n > 0 ? Math.max(0, d[0]! - steadyCallMs) : 0;
  const batchedMs = trialBatchedMs * slowdown + firstExcessMs;
  return { loopMs, gcMs, steadyCallMs, slowdown, firstExcessMs, batchedMs, savedMs: Math.max(0, loopMs - batchedMs) };
}
