/**
 * The recommendation record and the rule contract. Rules are pure functions over the aggregate
 * (plus retained events for patterns such as "mean and std of the same tensor") and know nothing
 * of any UI; the VS Code extension turns `location` into a diagnostic and `fix` into a quick fix.
 */
import type { GpuCalibration } from '../../backends/calibration.js';
import type { Aggregate } from '../aggregate.js';
import type { SourceLocation } from '../flame-model.js';
import type { ProfileData } from '../types.js';

/** Priority of a recommendation. */
export type Priority = 'HIGH' | 'MEDIUM' | 'LOW';

/** A mechanical edit: replace the 1-based, end-exclusive range with `replacement`. */
export interface Fix {
  readonly range: { readonly startLine: number; readonly startColumn: number; readonly endLine: number; readonly endColumn: number };
  readonly replacement: string;
}

/** One optimisation suggestion. */
export interface Recommendation {
  /** Stable id: `<rule>:<file>:<line>` (or `<rule>:<op>` without a location). */
  readonly id: string;
  /** Rule that produced it (file name in rules/). */
  readonly rule: string;
  readonly priority: Priority;
  readonly title: string;
  readonly description: string;
  /** Whole-profile speedup factor (≥ 1) if applied, computed from measured times; see `speedupBasis`. */
  readonly estimatedSpeedup: number;
  /** How `estimatedSpeedup` was derived, with the measured inputs. */
  readonly speedupBasis: string;
  readonly codeExample: { readonly before: string; readonly after: string };
  /** The call site to change (null when call sites were not captured). */
  readonly location: SourceLocation | null;
  /** Measured figures backing the recommendation (ms, counts, bytes). */
  readonly evidence: Readonly<Record<string, number | string>>;
  readonly fix?: Fix;
}

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
