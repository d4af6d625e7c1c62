/**
 * The rule contract; the recommendation record itself is in runtime/src/contract/recommendation.ts.
 * Rules are pure functions over the aggregate (plus retained events for patterns such as "mean
 * and std of the same tensor") and know nothing of any UI; the VS Code extension turns `location` into a diagnostic and `fix` into a quick fix.
 */
import type { GpuCalibration } from '../../backends/calibration.js';
import type { Aggregate } from '../aggregate.js';
import type { SourceLocation } from '../../contract/flame.js';
import type { Recommendation } from '../../contract/recommendation.js';
import type { ProfileData } from '../types.js';

export type { Fix, Priority, Recommendation } from '../../contract/recommendation.js';

/** What a rule sees. */
export interface RuleInput {
  readonly data: ProfileData;
  readonly agg: Aggregate;
  /** Measured fixed cost of one dispatch on a backend, ms; null for GPU backends, which have no such figure (see measure.ts). */
  readonly dispatchCostMs: (backend: string) => number | null;
  /** Measured cost of copying one byte into an existing array, ms (measure.ts). */
  readonly copyMsPerByte: () => number;
  /** Lines of a source file (0-based array), or null when unreadable. */
  readonly source: (file: string) => string[] | null;
  readonly calibration: GpuCalibration | null;
}

/** A rule. */
export type Rule = (input: RuleInput) => Recommendation[];

/** Whole-profile speedup when `savedMs` of `totalMs` disappear (Amdahl), rounded to 2 decimals. */
export function speedupFrom(totalMs: number, savedMs: number): number {
  const rest = Math.max(totalMs - savedMs, totalMs * 1e-3);
  return totalMs > 0 ? Math.round((totalMs / rest) * 100) / 100 : 1;
}

/** Stable id of a recommendation. */
export function recId(rule: string, loc: SourceLocation | null, op: string): string {
  return loc ? `${rule}:${loc.file}:${loc.line}` : `${rule}:${op}`;
}

/** Formats ms for descriptions. */
export function ms(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toFixed(3);
}
