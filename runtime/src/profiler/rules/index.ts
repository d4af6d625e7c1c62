/**
 * The rule set and the engine that runs it: every rule over the same input, results sorted by
 * priority then estimated speedup, duplicates (same id) dropped.
 */
import { getCalibration } from '../../backends/calibration.js';
import type { Aggregate } from '../aggregate.js';
import { ruleColumnsOf } from '../rule-columns.js';
import type { ProfileData } from '../types.js';
import { batchLoop } from './batch-loop.js';
import { dominantOp } from './dominant-op.js';
import { gpuCrossover } from './gpu-crossover.js';
import { jitChain } from './jit-chain.js';
import { invariantCovers, loopInvariant } from './loop-invariant.js';
import { copyMsPerByte, dispatchCostMs } from './measure.js';
import { freshReads } from './fresh-reads.js';
import { momentsRule } from './moments.js';
import { sourceLines } from './source.js';
import { tinyOps } from './tiny-ops.js';
import { budgetedRun, MEASURER_NAMES, timingBudgetMs, type MeasurerName, type Measurers } from './timing-budget.js';
import { transfers } from './transfers.js';
import { undisposedTensors } from './undisposed.js';
import { inProportionToWallTime, runOwnMs } from './wall-share.js';
import { stallsInOps } from './stalls.js';
import { UNTIMED, type Recommendation, type Rule, type RuleInput } from './types.js';

export type { Recommendation, Fix, Priority, Rule, RuleInput } from './types.js';

/** Every rule, in the order their findings are listed at equal priority. */
export const RULES: readonly Rule[] = [batchLoop, loopInvariant, momentsRule, jitChain, dominantOp, tinyOps, gpuCrossover, transfers, freshReads, undisposedTensors];

const RANK = { HIGH: 0, MEDIUM: 1, LOW: 2 } as const;

/**
 * Runs the rules under one timing budget for their measurements (timing-budget.ts; `budgetMs`,
 * default COREPY_RULE_BUDGET_MS or DEFAULT_BUDGET_MS, 1980 ms). `overrides` replaces measured inputs (tests use it for
 * determinism); overridden measurers are called as given, outside the budget.
 */
export function runRules(data: ProfileData, agg: Aggregate, overrides: Partial<RuleInput> = {}, budgetMs = timingBudgetMs()): Recommendation[] {
  return runRulesOver([{ data, agg }], overrides, budgetMs)[0]!.recommendations;
}

/** One recording's findings; `complete` when none of the measurements they needed was left untimed. */
export interface RuleFindings {
  readonly recommendations: Recommendation[];
  readonly complete: boolean;
}

/**
 * The rules over several recordings (a report and its ended segments) under ONE timing budget:
 * a measurement two of them need is timed once, and a report with segments takes no longer to
 * time than one without. One entry per recording, in order.
 */
export function runRulesOver(recordings: readonly { readonly data: ProfileData; readonly agg: Aggregate }[], overrides: Partial<RuleInput> = {},
  budgetMs = timingBudgetMs()): RuleFindings[] {
  // Columns, not records: a report at 1e6 events spent most of its time building one object per event for the rules.
  const calibration = getCalibration();
  const bases = recordings.map(({ data, agg }) => ({ data, agg, events: data.ruleColumns ?? ruleColumnsOf(data.events), dispatchCostMs, copyMsPerByte, source: sourceLines, calibration }));
  const fixed: Partial<Measurers> = Object.fromEntries(MEASURER_NAMES.filter((n) => overrides[n]).map((n) => [n, overrides[n]]));
  // Which recordings met an untimed measurement in the last (final) pass.
  const untimed = bases.map(() => false);
  const lists = budgetedRun((measurers) => bases.map((base, i) => {
    untimed[i] = false;
    // The measurers already are the overrides where given (budgetedRun's `fixed`).
    return rulesOf({ ...base, ...overrides, ...noticingUntimed(measurers, () => { untimed[i] = true; }) });
  }), budgetMs, fixed).result;
  return lists.map((recommendations, i) => ({ recommendations, complete: !untimed[i] }));
}

/** `m` with each measurer calling `seen` when it answers UNTIMED. */
function noticingUntimed(m: Measurers, seen: () => void): Measurers {
  const wrap = <N extends MeasurerName>(name: N): Measurers[N] => ((...args: unknown[]) => {
    const v = (m[name] as (...a: unknown[]) => unknown)(...args);
    if (v === UNTIMED) seen();
    return v;
  }) as Measurers[N];
  return { measureBatch: wrap('measureBatch'), measureMoments: wrap('measureMoments'), measureJit: wrap('measureJit'), measureStack: wrap('measureStack'), measureReads: wrap('measureReads') };
}

/** Every rule's findings on one input: duplicates and findings moot next to a batch-loop dropped, set against the wall time, sorted. */
function rulesOf(input: RuleInput): Recommendation[] {
  const seen = new Set<string>();
  // The run's own time (a scan of the retained events), only once a finding has a saving to set against it; both it
  // and the op time without the stalled calls in ops (stalls.ts), as the rules' savings are: on a loaded machine the
  // stalls decided whether "op time is under half of the run", and the priority with it (audit 29).
  let ownMs: number | null | undefined;
  const stalled = (): number => stallsInOps(input.events).stallMs;
  const opMs = (): number => Math.max(0, input.agg.totalOpMs - stalled());
  const own = (): number | null => {
    if (ownMs !== undefined) return ownMs;
    const all = runOwnMs(input.data, input.events, input.agg.totalOpMs);
    return (ownMs = all === null ? null : Math.max(opMs(), all - stalled()));
  };
  const all = RULES.flatMap((r) => r(input));
  // A batched loop is gone, and its tensors with it: releasing them each iteration is moot where batch-loop rewrites the loop.
  const batched = new Set(all.filter((r) => r.rule === 'batch-loop' && r.location).map((r) => `${r.location!.file}\n${r.location!.line}`));
  // A chain that should leave the loop is not told to be fused as well: computed once it runs once, and cp.jit pays
  // from its second call; kept only where fusing it in the loop would save more than hoisting it (loop-invariant.ts).
  const hoisted = all.filter((r) => r.rule === 'loop-invariant' && r.evidence['chainSites'] !== undefined);
  // (Not the advice to keep a cp.jit function traced: that chain is inside a function, which is the user's to restructure.)
  const moot = (r: Recommendation): boolean => r.rule === 'jit-chain' && r.evidence['eagerSignatures'] === undefined &&
    hoisted.some((h) => invariantCovers(h, r) && (h.savedMs ?? 0) >= (r.savedMs ?? 0));
  return all
    .filter((r) => !(r.rule === 'undisposed-tensors' && r.location && batched.has(`${r.location.file}\n${r.location.line}`)))
    .filter((r) => !moot(r))
    .filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)))
    .map((r) => (r.savedMs !== undefined && r.savedMs > 0 ? inProportionToWallTime(r, opMs(), own(), stalled() > 0) : r))
    .sort((a, b) => RANK[a.priority] - RANK[b.priority] || b.estimatedSpeedup - a.estimatedSpeedup);
}
