/**
 * What batching a loop saves in the run that was profiled, not only in steady state.
 *
 * The trial (measure.ts measureBatch) times the loop and its rewrite warm, side by side: its ratio r
 * is what batching gains in steady state, and applied to the loop's steady part of this run it
 * gives the steady saving (as a ratio it does not care that the profiled calls ran slower than the
 * trial's, as they do under `callSites: 'all'`). A short script runs once, cold, and the early calls
 * of a loop pay what a warm trial never sees — the JS engine has not optimised the dispatch path
 * yet, the wasm kernel runs in its baseline tier until the optimised one arrives. Batching removes
 * those calls; the one batched call pays one cold dispatch. Measured on the seed's Example 3 under
 * `corepy profile` (runtime/BENCHMARKS.md, "Example 3 cold"): the loop's median call 0.02 ms, its
 * first 0.5 ms, its first half 3.5 ms more than its second half.
 *
 * So, from the site's own events, GC pauses inside them taken out first (batching does not remove a
 * collection that memory growth started; the rewrite's run has its own, gc-pauses.ts):
 *   warm-up = Σ first half (call − median) − Σ second half (call − median), over calls 2…k (≥ 0),
 *             counted when the first half's median call is clearly slower than the second's
 *             (WARM_UP_MEDIAN_RATIO): the early calls' cold excess, the second half standing for the
 *             spikes a steady loop has anyway; a warm loop's warm-up is 0 and the estimate the trial's
 *   saved   = (loop − warm-up) × (1 − 1 / r) + warm-up
 * The first call is left out of the warm-up: the one batched call pays a first call too (cold: about
 * the loop's first, 2.3–2.7 ms against 2.0 warm on Example 3), and in a warm run its excess is the
 * profiler's own first op after enableProfiling (30–180 µs here), which no rewrite removes. Pure given its inputs.
 */
import { gcInEventMs } from '../gc-in-ops.js';
import type { RuleColumns } from '../rule-columns.js';
import type { ProfileData } from '../types.js';

/** The site's loop as this run paid it, ms. */
export interface BatchAsRun {
  /** The site's op time without GC pauses inside its calls, ms. */
  readonly loopMs: number;
  /** GC pause time inside the site's retained calls, ms. */
  readonly gcMs: number;
  /** Median call, ms. */
  readonly medianMs: number;
  /** The early calls' cold excess (first half over second half, the first call left out), ms (≥ 0). */
  readonly warmUpMs: number;
  /** What batching saves in this run, ms (≥ 0). */
  readonly savedMs: number;
}

/**
 * The saving of batching the site whose retained events are `events` (oldest first), `totalMs`
 * its op time over all `calls` calls, `r` the trial's warm loop / batched ratio.
 */
export function batchAsRun(data: ProfileData, cols: RuleColumns, events: Int32Array, totalMs: number, calls: number, r: number): BatchAsRun {
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
  const medianMs = medianOf(d);
  const complete = n === calls && n > 2;
  let halves = 0;
  const mid = 1 + ((n - 1) >> 1);
  for (let j = 1; j < n; j++) halves += (j < mid ? 1 : -1) * (d[j]! - medianMs);
  const loopMs = Math.max(0, totalMs - gcMs);
  // A warm-up shows as a slower first half, not one slow call: a machine's stray spike (another process
  // taking the core for a few ms) lands in either half and would otherwise read as warm-up half the time.
  const slowerStart = complete && medianOf(d.subarray(1, mid)) > WARM_UP_MEDIAN_RATIO * medianOf(d.subarray(mid));
  // Without every call in the ring the halves are not the loop's first and second: no warm-up assumed.
  const warmUpMs = slowerStart ? Math.min(loopMs, Math.max(0, halves)) : 0;
  const savedMs = Math.min(loopMs, Math.max(0, (loopMs - warmUpMs) * (1 - 1 / Math.max(r, 1e-9)) + warmUpMs));
  return { loopMs, gcMs, medianMs, warmUpMs, savedMs };
}

/**
 * How much slower the first half's median call must be than the second half's for the loop to count as
 * warming up: Example 3 cold under `corepy profile` 2.1× (45 µs vs 21 µs), the same loop warm 1.0–1.1×.
 */
const WARM_UP_MEDIAN_RATIO = 1.25;

const medianOf = (xs: Float64Array): number => (xs.length ? Float64Array.from(xs).sort()[xs.length >> 1]! : 0);
