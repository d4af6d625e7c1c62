/**
 * What batching a loop saves in the run that was profiled, not only in steady state.
 *
 * The trial (measure.ts measureBatch) times the loop and its rewrite warm, side by side. A short
 * script runs once, cold, and the first calls of a loop pay what a warm trial never sees — the JS
 * engine has not optimised the dispatch path yet, the wasm kernel runs in its baseline tier until
 * the optimised one arrives. Batching removes those calls; the one batched call pays one cold
 * dispatch. Measured on the seed's Example 3 under `corepy profile` (runtime/BENCHMARKS.md,
 * "Example 3 cold"): the loop's median call took 0.02 ms and its first 0.5 ms, the loop 5–6 ms in
 * all against 2 ms timed warm, while the rewrite's one call cost the warm trial's figure plus about
 * one first call. So the loop is what this run paid at the site (its own events), and the rewrite
 * is the trial's batched time plus the first call's excess over the site's median call:
 *   saved = (site op time − GC pauses inside it) − (batched, warm + first call − median call)
 * A warm loop's first call is a median one, and the estimate is the observed loop against the
 * timed rewrite. GC pauses are left out: batching does not remove a collection that memory growth
 * started, and the rewrite's run has its own (gc-pauses.ts). Pure given its inputs.
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
  /** The first call's excess over the median call, ms (≥ 0): what the one batched call pays cold. */
  readonly firstExcessMs: number;
  /** The rewrite in this run: the trial's warm batched time plus the first call's excess, ms. */
  readonly batchedMs: number;
  /** What batching saves in this run, ms (≥ 0). */
  readonly savedMs: number;
}

/**
 * The saving of batching the site whose retained events are `events` (oldest first), `totalMs`
 * its op time over all `calls` calls, `trialBatchedMs` the rewrite timed warm for `calls` rows, ms.
 */
export function batchAsRun(data: ProfileData, cols: RuleColumns, events: Int32Array, totalMs: number, calls: number, trialBatchedMs: number): BatchAsRun {
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
  const medianMs = n > 0 ? Float64Array.from(d).sort()[n >> 1]! : 0;
  // The first retained call is the site's first only when the ring kept every call.
  const firstExcessMs = n === calls && n > 0 ? Math.max(0, d[0]! - medianMs) : 0;
  const loopMs = Math.max(0, totalMs - gcMs);
  const batchedMs = trialBatchedMs + firstExcessMs;
  return { loopMs, gcMs, medianMs, firstExcessMs, batchedMs, savedMs: Math.max(0, loopMs - batchedMs) };
}
