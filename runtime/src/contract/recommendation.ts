/**
 * A recommendation as `getRecommendations()` returns it and as it crosses to the extension (IPC,
 * debug adapter event, persisted run). Lines and columns are 1-based. No imports but the
 * contract's own.
 */
import type { SourceLocation } from './flame.js';

/** Priority of a recommendation, highest first. */
export const PRIORITIES = ['HIGH', 'MEDIUM', 'LOW'] as const;

/** One of {@link PRIORITIES}. */
export type Priority = (typeof PRIORITIES)[number];

/** A 1-based, end-exclusive source range. */
export interface FixRange {
  readonly startLine: number;
  readonly startColumn: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** A mechanical edit: replace {@link FixRange} with `replacement`. */
export interface Fix {
  readonly range: FixRange;
  readonly replacement: string;
}

/** One optimisation suggestion. */
export interface Recommendation {
  /** Stable id: `<rule>:<file>:<line>` (or `<rule>:<op>` without a location). */
  readonly id: string;
  /** Rule that produced it (file name in runtime/src/profiler/rules/). */
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
  /**
   * The quick fix: replace `fix.range` (1-based, end-exclusive) in `location`'s file with
   * `fix.replacement`. Absent when the rule has no mechanical rewrite or this code does not fit it
   * (then `fixUnavailable` says why).
   */
  readonly fix?: Fix;
  /** Why no quick fix is offered when the rule has a mechanical rewrite but this code does not fit it. */
  readonly fixUnavailable?: string;
  /**
   * 'verified' when this rule's estimates were within a factor of 1.3 of the speedups measured by
   * applying it on the corpus (`npm run bench:recommendations`), else 'unknown': then the number
   * is a guide only and displays say "impact unknown".
   */
  readonly impact?: 'verified' | 'unknown';
  /** Median whole-run speedup measured on the corpus for this rule (×), when the bench has run. */
  readonly corpusSpeedup?: number;
  /** Estimated op time saved in this profile, ms (what priority is based on with the speedup). */
  readonly savedMs?: number;
}

/** The impact as displays state it: "≈1.4×", or "impact unknown" for rules not verified on the corpus. */
export function impactLabel(r: Pick<Recommendation, 'estimatedSpeedup' | 'impact'>): string {
  return r.impact === 'unknown' ? 'impact unknown' : `≈${r.estimatedSpeedup.toFixed(1)}×`;
}
