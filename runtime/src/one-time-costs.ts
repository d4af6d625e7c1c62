/**
 * One-time costs: work the runtime does once (compiling the wasm kernels, growing linear memory,
 * creating a GPU pipeline) rather than per op. Backends report them here as they happen; the
 * profiler shows each as its own named event and takes its duration out of the op that happened
 * to trigger it, so a first call is not reported as 50× its steady-state time.
 *
 * This module sits beside engine.ts (not in profiler/) because backends report into it whether or
 * not profiling is on: ops run before `enableProfiling()` create (and compile) their backend then.
 */

import type { OneTimeCostKind } from './contract/report.js';

export type { OneTimeCostKind };

/** One piece of one-time work. Times in ms on the `performance.now()` clock; bytes in bytes. */
export interface OneTimeCost {
  /** What happened, as shown to the user: "compile wasm kernels", "grow wasm memory +8 MB". */
  readonly name: string;
  readonly kind: OneTimeCostKind;
  readonly startMs: number;
  readonly endMs: number;
  /** Bytes involved (memory grown or reserved), 0 when not applicable. */
  readonly bytes: number;
  /**
   * Of `endMs − startMs`, what the machine took rather than the work (ms): the process descheduled in the middle
   * of it, found by timing the work in equal pieces (wasm/memory.ts's first touch). Absent where not measured.
   */
  readonly stallMs?: number;
  /** The op that was running when it happened (its time excludes this cost), or null (at load, between ops). */
  readonly duringOp: string | null;
}

/**
 * Told about each cost as it happens (the profiler's recorder): returns the name of the op
 * running now, which then starts its own duration after `endMs` (ms), or null when no op is running.
 */
export interface OneTimeCostListener {
  oneTimeCost(startMs: number, endMs: number): string | null;
}

/** Most costs kept; older ones are dropped (a program growing memory forever should not grow this log). */
const MAX_KEPT = 10_000;
const log: OneTimeCost[] = [];
let dropped = 0;
let listener: OneTimeCostListener | null = null;

let aheadOfOps = false;

/** Depth of {@link asProfilerWork} calls running now (nested trials count once). */
let profilerWork = 0;
/** Costs paid by the profiler's own work since load: how many, and their ms (see {@link asProfilerWork}). */
let profilerCosts = { count: 0, ms: 0 };

/**
 * Runs `fn` as the profiler's own work (a recommendation's trial timing a rewrite on this machine):
 * one-time costs it triggers (kernels it compiles, memory its tensors grow) are the profiler's, not the
 * program's, so they stay out of the log the report's one-time costs come from and are only tallied
 * ({@link profilerOneTimeCosts}). A trial is run while a report is built, so logged they would show in
 * the next report as costs the script never paid.
 */
export function asProfilerWork<T>(fn: () => T): T {
  profilerWork++;
  try {
    return fn();
  } finally {
    profilerWork--;
  }
}

/** One-time costs paid inside {@link asProfilerWork} in this thread since load: count, and total duration (ms). */
export function profilerOneTimeCosts(): { readonly count: number; readonly ms: number } {
  return { ...profilerCosts };
}

/**
 * Asks backends to do their one-time work ahead of the ops that would trigger it, where they can
 * choose (the wasm kernels' optimised code compiled before the first op: loader.ts, `optimised`). Called by `enableProfiling()` before its
 * warm-up creates a backend: a profiled process is one whose first calls are read as op times.
 */
export function requestOneTimeCostsAhead(): void {
  aheadOfOps = true;
}

/** Whether {@link requestOneTimeCostsAhead} was called in this thread. */
export function oneTimeCostsAhead(): boolean {
  return aheadOfOps;
}

/** Installs (or, with null, removes) the listener. Used by the profiler. */
export function setOneTimeCostListener(l: OneTimeCostListener | null): void {
  listener = l;
}

/**
 * Records one-time work that ran from `startMs` to `endMs` (ms, `performance.now()`).
 * @param bytes bytes involved (memory grown), 0 when not applicable
 * @param stallMs of that time, what stalls of the machine took (ms; see {@link OneTimeCost.stallMs}), when measured
 */
export function recordOneTimeCost(name: string, kind: OneTimeCostKind, startMs: number, endMs: number, bytes = 0, stallMs?: number): void {
  // No op of the program runs inside the profiler's work (its trials run detached): nothing for the listener to adjust.
  if (profilerWork > 0) { profilerCosts = { count: profilerCosts.count + 1, ms: profilerCosts.ms + (endMs - startMs) }; return; }
  const duringOp = listener === null ? null : listener.oneTimeCost(startMs, endMs);
  if (log.length >= MAX_KEPT) { log.shift(); dropped++; }
  log.push({ name, kind, startMs, endMs, bytes, duringOp, ...(stallMs !== undefined ? { stallMs } : {}) });
}

/** Runs `fn`, recording its duration as a one-time cost named `name`; returns what `fn` returns. */
export function timeOneTimeCost<T>(name: string, kind: OneTimeCostKind, fn: () => T, bytes = 0): T {
  const t0 = performance.now();
  const out = fn();
  recordOneTimeCost(name, kind, t0, performance.now(), bytes);
  return out;
}

/** Position in the log, for {@link oneTimeCostsSince}: costs recorded so far (dropped ones included). */
export function oneTimeCostMark(): number {
  return dropped + log.length;
}

/** Costs recorded since `mark` (from {@link oneTimeCostMark}), oldest first. */
export function oneTimeCostsSince(mark: number): OneTimeCost[] {
  return log.slice(Math.max(0, mark - dropped));
}

