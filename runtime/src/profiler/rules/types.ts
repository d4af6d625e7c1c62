/**
 * The rule contract; the recommendation record itself is in runtime/src/contract/recommendation.ts.
 * Rules are pure functions over the aggregate (plus retained events for patterns such as "mean
 * and std of the same tensor") and know nothing of any UI; the VS Code extension turns `location` into a diagnostic and `fix` into a quick fix.
 */
import type { BinaryOp } from '../../backends/backend.js';
import type { GpuCalibration } from '../../backends/calibration.js';
import type { Aggregate } from '../aggregate.js';
import type { SourceLocation } from '../../contract/flame.js';
import type { Recommendation } from '../../contract/recommendation.js';
import type { RuleColumns } from '../rule-columns.js';
import type { ProfileData } from '../types.js';
import type { BatchTimes, MomentsTimes } from './measure.js';
import type { ChainLink, JitTimes } from './measure-jit.js';
import type { ReadTimes } from './measure-reads.js';
import type { StackTimes } from './measure-stack.js';

export type { Fix, Priority, Recommendation } from '../../contract/recommendation.js';
import type { Priority, Recommendation as Rec } from '../../contract/recommendation.js';
import { isStoppedRun } from './stop-report.js';

/**
 * What a measurer answers when its measurement did not fit in this report's timing budget
 * (timing-budget.ts): the rule still speaks, saying its impact is not timed yet (`untimedFields`).
 */
export const UNTIMED = 'untimed';
/** The type of {@link UNTIMED}. */
export type Untimed = typeof UNTIMED;

/** What a rule sees. */
export interface RuleInput {
  readonly data: ProfileData;
  /** The retained events as columns (data.ruleColumns, or data.events converted): what rules read per event. */
  readonly events: RuleColumns;
  readonly agg: Aggregate;
  /** Measured fixed cost of one dispatch on a backend, ms; null for GPU backends, which have no such figure (see measure.ts). */
  readonly dispatchCostMs: (backend: string) => number | null;
  /** Measured cost of copying one byte into an existing array, ms (measure.ts). */
  readonly copyMsPerByte: () => number;
  /** Lines of a source file (0-based array), or null when unreadable. */
  readonly source: (file: string) => string[] | null;
  readonly calibration: GpuCalibration | null;
  /** Times k calls of a binary op against its batched rewrite on this machine (measure.ts measureBatch). */
  readonly measureBatch: (op: BinaryOp, backend: string, shape: readonly number[], dtype: string, k: number) => BatchTimes | null | Untimed;
  /** Times mean + std/var against one moments call (measure.ts measureMoments). */
  readonly measureMoments: (spread: 'std' | 'var', backend: string, shape: readonly number[], dtype: string) => MomentsTimes | null | Untimed;
  /**
   * Times an elementwise chain + reduction eagerly against cp.jit, `runs` of it per scope (measure-jit.ts);
   * `observedMs`, the profile's median time of one eager run of the chain (ms), decides whether a stored trial is reused.
   */
  readonly measureJit: (links: readonly ChainLink[], reduce: string, backend: string, shape: readonly number[], dtype: string, runs?: number,
    observedMs?: number) => JitTimes | null | Untimed;
  /** Times k single calls on small tensors against one call on their stack; matmul rows, a per-row sum (measure-stack.ts). */
  readonly measureStack: (op: string, backend: string, shape: readonly number[], dtype: string, k: number, stacked: boolean, pair?: boolean, other?: readonly number[] | null,
    accumulate?: boolean) => StackTimes | null | Untimed;
  /** Times a read into a new array against a read into a reused one (measure-reads.ts). */
  readonly measureReads: (backend: string, shape: readonly number[], dtype: string, k: number) => ReadTimes | null | Untimed;
}

/** A rule. */
export type Rule = (input: RuleInput) => Recommendation[];

/** Whole-profile speedup when `savedMs` of `totalMs` disappear (Amdahl), rounded to 2 decimals. */
export function speedupFrom(totalMs: number, savedMs: number): number {
  const rest = Math.max(totalMs - savedMs, totalMs * 1e-3);
  return totalMs > 0 ? Math.round((totalMs / rest) * 100) / 100 : 1;
}

/** The ratio a rule claims from a side-by-side trial (see {@link trialRatio}). */
export interface TrialRatio {
  /** The ratio claimed, a ÷ b: 1 when the trial was too noisy to tell. */
  readonly r: number;
  /** The trial's medians and its per-round ratios disagree on which side is faster: no speedup is claimed. */
  readonly noisy: boolean;
  /** How the figures printed before it give r, for a basis: "r = 3.49×, the medians' ratio (per round: 4.48×)". */
  readonly text: string;
}

/**
 * What a rule may claim from a trial of `alternate` (measure.ts): its median rounds `aMs` and `bMs`, as printed,
 * and the median of its per-round ratios `perRound`. Both estimate a ÷ b, and on a busy machine they differ: the
 * figures printed were "0.866 ms vs batched 0.248 ms (r = 4.48×)", and even "eager 2.04 ms vs cp.jit 2.16 ms
 * (r = 1.21×)", a speedup claimed where the medians say cp.jit was slower (audit 24 N6, N7). So the claim is the one
 * of the two nearer 1 (the smaller speedup, or the smaller slowdown), named in the text next to the other; and where
 * they disagree on the direction, r is 1 and `noisy`: the trial cannot tell which is faster, and no rule claims a
 * speedup from it. Pure.
 */
export function trialRatio(aMs: number, bMs: number, perRound: number): TrialRatio {
  const medians = aMs / Math.max(bMs, 1e-9);
  const f = (x: number): string => `${x.toFixed(2)}×`;
  if ((medians > 1 && perRound < 1) || (medians < 1 && perRound > 1)) {
    return { r: 1, noisy: true, text: `too noisy to tell: the medians' ratio is ${f(medians)} but the median per-round ratio ${f(perRound)}, so no speedup is claimed` };
  }
  const byMedians = Math.abs(Math.log(medians)) <= Math.abs(Math.log(perRound));
  const r = byMedians ? medians : perRound;
  const text = f(medians) === f(perRound) ? `r = ${f(r)}`
    : byMedians ? `r = ${f(r)}, the medians' ratio (per round: ${f(perRound)})` : `r = ${f(r)}, the median per-round ratio (the medians': ${f(medians)})`;
  return { r, noisy: false, text };
}

/** Stable id of a recommendation. */
export function recId(rule: string, loc: SourceLocation | null, op: string): string {
  return loc ? `${rule}:${loc.file}:${loc.line}` : `${rule}:${op}`;
}

/** Formats ms for descriptions. */
export function ms(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toFixed(3);
}

/** Smallest whole-profile speedup (×) for HIGH priority: below it a user would hardly notice the change. */
export const HIGH_MIN_SPEEDUP = 1.25;
/** Smallest saving (ms of op time in the profile) for HIGH priority: large relative gains on microseconds are not worth an edit. */
export const HIGH_MIN_SAVED_MS = 1;
/** Smallest whole-profile speedup (×) for MEDIUM priority. */
export const MEDIUM_MIN_SPEEDUP = 1.1;

/**
 * Priority from the estimated impact, never from call counts: HIGH needs a speedup of at least
 * 1.25× AND at least 1 ms saved AND an estimate verified on the corpus; MEDIUM needs 1.1×
 * (or a HIGH-sized gain whose estimate is unverified); everything else — a ≈1.0× estimate
 * included — is LOW. (PROFILING_GUIDE.md, "Priorities".)
 */
export function priorityFrom(speedup: number, savedMs: number, impact: 'verified' | 'unknown'): Priority {
  const big = speedup >= HIGH_MIN_SPEEDUP && savedMs >= HIGH_MIN_SAVED_MS;
  if (big && impact === 'verified') return 'HIGH';
  return big || speedup >= MEDIUM_MIN_SPEEDUP ? 'MEDIUM' : 'LOW';
}


/**
 * The estimate fields of a recommendation whose rewrite was not timed within this report's budget
 * (timing-budget.ts): no figure ("impact unknown", speedup 1) and the basis saying so. Its priority
 * comes from that estimate like every other's — LOW: without a measurement nothing says the change
 * is worth more. It is not promised to the next report: each report times what is missing cheapest
 * first until its budget is spent, and one trial takes 0.3–1.8 s, so on a loaded machine a report
 * times one or two (measured: 4 sites over 4 runs, one or two per run, and none in a run whose
 * rules did not ask for the trial).
 */
export function untimedFields(what: string, stopped = isStoppedRun()): Pick<Rec, 'priority' | 'estimatedSpeedup' | 'speedupBasis' | 'impact'> {
  // The report of a stopped run times nothing (stop-report.ts): it says why, not that a budget ran out.
  if (stopped) {
    return {
      priority: priorityFrom(1, 0, 'unknown'),
      estimatedSpeedup: 1,
      speedupBasis: `not timed yet: the run was stopped, and ${what} has no figure on this machine yet. The report of a stopped run ` +
        'is written at once from the figures already timed (COREPY_STOP_RULE_BUDGET_MS gives it time to time more); ' +
        'a run that ends by itself times what is missing',
      impact: 'unknown',
    };
  }
  return {
    priority: priorityFrom(1, 0, 'unknown'),
    estimatedSpeedup: 1,
    speedupBasis: `not timed yet: ${what} did not fit in this report's timing budget (COREPY_RULE_BUDGET_MS). ` +
      'Each report times what is still missing, cheapest first, until its budget is spent (one trial takes 0.3–1.8 s), ' +
      'so a later report or run on this machine times it once its turn comes; a larger COREPY_RULE_BUDGET_MS times more per report',
    impact: 'unknown',
  };
}

/** Where a timed figure came from (timing-budget.ts): `measuredAtMs` set when it was not timed for this report. */
export interface TrialProvenance {
  readonly measuredAtMs?: number;
}

/**
 * How a basis says when its trial was timed: "timed now" (for this report), else "timed on this machine at
 * 2026-12-02 14:03 UTC (12 min ago), cached" — a figure reused from the per-machine file
 * (COREPY_TIMINGS_CACHE) or from an earlier report of this process, which does not change from run to run.
 */
export function trialWhen(t: TrialProvenance, nowMs = Date.now()): string {
  if (t.measuredAtMs === undefined) return 'timed now';
  const mins = Math.max(0, Math.round((nowMs - t.measuredAtMs) / 60_000));
  const age = mins < 60 ? `${mins} min ago` : `${(mins / 60).toFixed(1)} h ago`;
  return `timed on this machine at ${new Date(t.measuredAtMs).toISOString().slice(0, 16).replace('T', ' ')} UTC (${age}), cached`;
}

/** The evidence field naming when a cached trial was measured (ISO time), or nothing for one timed now. */
export function trialEvidence(t: TrialProvenance): { trialMeasuredAt?: string } {
  return t.measuredAtMs === undefined ? {} : { trialMeasuredAt: new Date(t.measuredAtMs).toISOString() };
}
