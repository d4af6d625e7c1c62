/**
 * When a measured time is the machine's, not the work's: on a busy machine the process is descheduled now and
 * then, and whatever was being timed reads tens of ms where it took µs. One test for every place that tells them
 * apart — op calls (profiler/rules/stalls.ts) and the first touch of new wasm memory (backends/wasm/memory.ts) —
 * here, beside neither, since backends do not reach into the profiler. Pure.
 */

/**
 * A stall took this many times what the work was due … (batch.before.ts of audit 24, 300 adds on [2000] under
 * `corepy profile`, at load 2–12: one or two calls of 17–32 ms among calls of 0.01 ms, 55–95 % of the loop's time,
 * in one run in two; the calls every ~17th, 0.05–0.1 ms over their neighbours, are the loop's own and stay.)
 */
export const STALL_RATIO = 5;
/** … and at least this much more, ms (a timer tick or a cache miss on a µs call is not a stall). */
export const STALL_MIN_MS = 0.5;

/** What `tookMs` took over `dueMs` (what the work was due, ms) when that was a stall, else 0. */
export function stallOverMs(tookMs: number, dueMs: number): number {
  return tookMs > STALL_RATIO * dueMs && tookMs - dueMs > STALL_MIN_MS ? tookMs - dueMs : 0;
}
