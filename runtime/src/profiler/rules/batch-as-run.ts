/**
 * What batching a loop saves in the run that was profiled, not only in steady state.
 *
 * The trial (measure.ts measureBatch) times the loop and its rewrite warm, side by side. The run
 * profiled may not be warm: a short script runs once, and its loop's early calls pay what a warm
 * trial never sees (the JS engine has not optimised the dispatch path yet, the wasm kernel runs in
 * its baseline tier), while even its later calls run slower than the trial's (results kept alive in
 * fresh memory, the profiler's own work between ops). Batching removes the calls; the one batched
 * call runs in the same conditions, and is a first call. So the loop is what this run paid at the
 * site, less what it paid to the machine rather than to the loop (GC pauses inside its calls, and stalls: calls
 * far above their neighbours, stalls.ts), and the rewrite is the loop's steady calls divided by the trial's
 * ratio r (the trial's batched time slowed as much as this run's steady calls were slower than the trial's),
 * plus what this run's first call paid over its steady ones:
 *   steady  = median call of the loop's second half; c = steady ÷ the trial's loop time per call (printed)
 *   first   = the loop's first call − steady (when the ring kept every call)
 *   saved   = (site op time − GC pauses − stalls) − (steady × calls ÷ r + first)
 * Both sides are this run's robust figures: with the raw site time instead (stalls in, audit 24 N6), the same
 * script's estimate went 6.5× → 24.6× between two runs at load 12, one call of 300 taking 17–32 ms (a descheduled
 * process) where its neighbours took 0.01 ms.
 * That is for a loop that ran cold: its first call far above its steady ones and its first half's
 * calls still slower than its second's (COLD_EARLY_RATIO, COLD_FIRST_CALLS: the JS engine warming up, as
 * with `warmUp: false`), or memory grew while it ran and its steady calls were well above the trial's
 * (COLD_SLOWDOWN: a short script, its results landing in fresh pages, the collections growth starts running
 * beside it). A warm loop's saving is the trial's ratio on the loop as it ran here, loop × (1 − batched / loop).
 * Measured on the seed's Example 3 under `corepy profile` (runtime/BENCHMARKS.md, "Example 3 profiled cold"):
 * with the profiler's JS warm-up, c = 1.39–1.46 and the first call 0.07–0.08 ms over 0.023 ms steady ones, the
 * trial's batched 1.44 ms: rewrite ≈ 2.1 ms, against 2.1–2.2 ms measured for it cold. GC pauses are left out:
 * batching does not remove a collection that memory growth started, and the rewrite's run has its own (gc-pauses.ts).
 * Pure given its inputs.
 */
import { gcInEventMs } from '../gc-in-ops.js';
import type { RuleColumns } from '../rule-columns.js';
import type { ProfileData } from '../types.js';
import { stallExcess } from './stalls.js';

/** The site's loop as this run paid it, and its rewrite in the same conditions, ms. */
export interface BatchAsRun {
  /** The site's op time without GC pauses inside its calls, ms. */
  readonly loopMs: number;
  /** GC pause time inside the site's retained calls, ms. */
  readonly gcMs: number;
  /** Stalled calls among the retained ones (stalls.ts), and what they took over their neighbours' median, ms (left out of loopMs). */
  readonly stalls: number;
  readonly stallMs: number;
  /** Median call of the second half of the retained calls (GC pauses out), ms. */
  readonly steadyCallMs: number;
  /** How much slower this run's steady calls were than the trial's (c above). */
  readonly slowdown: number;
  /** The first half's median call ÷ the second half's (the first call left out): a cold loop's calls get faster. */
  readonly earlyRatio: number;
  /** Whether wasm memory grew while the loop ran (its results landed in fresh memory). */
  readonly grewMemory: boolean;
  /** Whether the loop ran cold (see COLD_EARLY_RATIO, COLD_FIRST_CALLS, COLD_SLOWDOWN); a warm run's saving is the trial's ratio on the loop. */
  readonly cold: boolean;
  /** The loop's first call over its steady calls, ms (0 when the ring lost calls): what the batched call pays as a first call. */
  readonly firstExcessMs: number;
  /** The rewrite in this run: steady call × calls ÷ the trial's ratio + firstExcessMs, ms. */
  readonly batchedMs: number;
  /** What batching saves in this run, ms (≥ 0). */
  readonly savedMs: number;
}

const medianOf = (xs: Float64Array): number => (xs.length ? Float64Array.from(xs).sort()[xs.length >> 1]! : 0);

/**
 * The saving of batching the site whose retained events are `events` (oldest first), `totalMs`
 * its op time over all `calls` calls; `trialLoopMs` the trial's time for `calls` calls, ms, and
 * `trialRatio` the loop / batched ratio the rule claims from the trial (types.ts `trialRatio`).
 */
export function batchAsRun(data: ProfileData, cols: RuleColumns, events: Int32Array, totalMs: number, calls: number,
  trialLoopMs: number, trialRatio: number): BatchAsRun {
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
  // Stalls: a call (not the first, whose excess is the loop's one-time cost) far above the median of the calls around it (stalls.ts).
  let stalls = 0, stallMs = 0;
  for (const x of stallExcess(d)) if (x > 0) { stalls++; stallMs += x; }
  const loopMs = Math.max(0, totalMs - gcMs - stallMs);
  const complete = n === calls && n >= 4;
  const earlyRatio = complete && steadyCallMs > 0 ? medianOf(d.subarray(1, n >> 1)) / steadyCallMs : 1;
  const firstOver = complete ? Math.max(0, d[0]! - steadyCallMs) : 0;
  const trialCallMs = trialLoopMs / Math.max(calls, 1);
  const slowdown = trialCallMs > 0 && steadyCallMs > 0 ? steadyCallMs / trialCallMs : 1;
  // Cold: both signs of an engine warm-up (the first call far above the steady ones, the first half's calls still
  // slower), or a loop whose results landed in memory grown while it ran, its steady calls well above the trial's
  // (a short script after the profiler's JS warm-up: fresh pages, and the collections growth starts, beside it).
  const warmingUp = earlyRatio >= COLD_EARLY_RATIO && firstOver >= Math.max(COLD_FIRST_CALLS * steadyCallMs, COLD_FIRST_MS);
  const grewMemory = n > 0 && (data.oneTimeCosts ?? []).some((c) =>
    c.kind === 'memory' && c.startMs >= cols.startMs[events[0]!]! && c.startMs <= cols.endMs[events[n - 1]!]!);
  const cold = warmingUp || (grewMemory && slowdown >= COLD_SLOWDOWN);
  if (!cold) {
    // Warm: the trial's side-by-side ratio on what the loop took here (robust where a one-run remainder of a few
    // µs is not: 200 adds of 1e3 elements gave 7–25× from single profiles, the trial 13–14× every time).
    const savedMs = Math.max(0, loopMs * (1 - 1 / Math.max(trialRatio, 1e-9)));
    return { loopMs, gcMs, stalls, stallMs, steadyCallMs, earlyRatio, grewMemory, cold, slowdown, firstExcessMs: 0, batchedMs: loopMs - savedMs, savedMs };
  }
  const firstExcessMs = firstOver;
  // The trial's batched time × c, with the ratio the rule claims (the same when r is the trial's medians' ratio).
  const batchedMs = (steadyCallMs * calls) / Math.max(trialRatio, 1e-9) + firstExcessMs;
  return { loopMs, gcMs, stalls, stallMs, steadyCallMs, earlyRatio, grewMemory, cold, slowdown, firstExcessMs, batchedMs, savedMs: Math.max(0, loopMs - batchedMs) };
}

/**
 * A loop ran cold when its first half's median call is this much slower than its second half's
 * (Example 3 under `corepy profile`: 1.2–2.1×; the corpus's loops profiled warm: 0.87–1.11×; a
 * machine's stray spikes do not move a median) …
 */
const COLD_EARLY_RATIO = 1.1;
/**
 * … and its first call took this many steady calls more, and at least COLD_FIRST_MS more (Example 3
 * cold: 0.5–0.6 ms over 0.024 ms calls, 20–25×; warm: 0–0.02 ms over 0.02 ms, and 0.011 ms over
 * 0.0013 ms for 200 adds of 1e3 elements).
 */
const COLD_FIRST_CALLS = 10;
/** Least first-call excess of a cold loop, ms (see COLD_FIRST_CALLS). */
const COLD_FIRST_MS = 0.1;
/**
 * … or memory grew while it ran and its steady calls were this much slower than the trial's (Example 3 under
 * `corepy profile` after the profiler's JS warm-up: 1.39–1.46×, its first call only 0.07–0.08 ms over the steady
 * ones; the corpus's loops profiled warm, memory already grown: 0.85–1.12×, one at 1.57× on 3 µs calls).
 */
const COLD_SLOWDOWN = 1.25;
