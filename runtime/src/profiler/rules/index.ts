/**
 * The rule set and the engine that runs it: every rule over the same input, results sorted by
 * priority then estimated speedup, duplicates (same id) dropped.
 */
import { getCalibration } from '../../backends/calibration.js';
import type { Aggregate } from '../aggregate.js';
import type { ProfileData } from '../types.js';
import { batchLoop } from './batch-loop.js';
import { dominantOp } from './dominant-op.js';
import { gpuCrossover } from './gpu-crossover.js';
import { jitChain } from './jit-chain.js';
import { copyMsPerByte, dispatchCostMs, measureBatch, measureMoments } from './measure.js';
import { measureJit } from './measure-jit.js';
import { measureReads } from './measure-reads.js';
import { measureStack } from './measure-stack.js';
import { freshReads } from './fresh-reads.js';
import { momentsRule } from './moments.js';
import { sourceLines } from './source.js';
import { tinyOps } from './tiny-ops.js';
import { transfers } from './transfers.js';
import type { Recommendation, Rule, RuleInput } from './types.js';

export type { Recommendation, Fix, Priority, Rule, RuleInput } from './types.js';

/** Every rule, in the order their findings are listed at equal priority. */
export const RULES: readonly Rule[] = [batchLoop, momentsRule, jitChain, dominantOp, tinyOps, gpuCrossover, transfers, freshReads];

const RANK = { HIGH: 0, MEDIUM: 1, LOW: 2 } as const;

/** Runs the rules. `overrides` replaces measured inputs (tests use it for determinism). */
export function runRules(data: ProfileData, agg: Aggregate, overrides: Partial<RuleInput> = {}): Recommendation[] {
  const input: RuleInput = {
    data, agg, dispatchCostMs, copyMsPerByte, measureBatch, measureMoments, measureJit, measureStack, measureReads, source: sourceLines, calibration: getCalibration(), ...overrides,
  };
  const seen = new Set<string>();
  return RULES.flatMap((r) => r(input))
    .filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)))
    .sort((a, b) => RANK[a.priority] - RANK[b.priority] || b.estimatedSpeedup - a.estimatedSpeedup);
}
