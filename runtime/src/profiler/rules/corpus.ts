/**
 * What the corpus benchmark measured per rule (`npm run bench:recommendations` writes
 * corpus-results.ts next to this file): for each anti-pattern pair (and each run of the bench,
 * `--runs`), the estimate the rule gave on its profile and the whole-run speedup measured by
 * applying its fix (a cold pair's: as a script runs once, in fresh processes). A rule's impact is 'verified' only when every pair's estimate, in every run,
 * was within a factor of 1.3 of the measured speedup; rules absent from the file (never
 * benchmarked) are 'unknown'.
 */
import { CORPUS_RESULTS } from './corpus-results.js';

/** Allowed ratio between an estimate and the measured speedup, either way. */
export const ESTIMATE_TOLERANCE = 1.3;

/** One corpus pair's figures. */
export interface CorpusPair {
  readonly pair: string;
  readonly rule: string;
  /** Elements of the main tensor. */
  readonly size: number;
  /** The rule's estimated whole-profile speedup (×) on the profile of "before". */
  readonly estimate: number;
  /** Median before ÷ median after, profiler off, alternating runs (×). */
  readonly measured: number;
  /** How the "after" was produced: the rule's quick fix, or the pair's hand-written after script. */
  readonly applied: 'fix' | 'example';
  /** Which run of the bench (1-based), when it ran the corpus more than once. */
  readonly run?: number;
  /** Profiled and timed as a script runs once, each run a fresh process (the fixture exports `cold`), not warm. */
  readonly cold?: true;
}

/** A later run of the bench on some pairs (`--only`), merged into the file: its rows replaced theirs. */
export interface CorpusUpdate {
  readonly command: string;
  readonly generatedAt: string;
  readonly rounds?: number;
  readonly runs?: number;
  readonly machine?: string;
  /** The pairs whose rows come from this run. */
  readonly pairs: readonly string[];
}

/** The file the bench writes. */
export interface CorpusResults {
  readonly command: string;
  readonly generatedAt: string;
  /** Timed runs of each side per pair. */
  readonly rounds?: number;
  /** Times the whole corpus was run (absent: once). */
  readonly runs?: number;
  /** Cores and 1-minute load average during the run (a shared machine's noise shows here). */
  readonly machine?: string;
  readonly pairs: readonly CorpusPair[];
  /** Runs on some pairs since (oldest first); the header fields above describe the other rows. */
  readonly updates?: readonly CorpusUpdate[];
}

/** A rule's verdict over its pairs. */
export interface RuleVerdict {
  readonly impact: 'verified' | 'unknown';
  /** Median measured speedup over the rule's pairs (×). */
  readonly measured: number;
  readonly pairs: number;
}

let loaded: Map<string, RuleVerdict> | undefined;

/** True when `estimate` is within the tolerance of `measured`. */
export const withinTolerance = (estimate: number, measured: number): boolean =>
  estimate > 0 && measured > 0 && Math.max(estimate / measured, measured / estimate) <= ESTIMATE_TOLERANCE;

/** Per-rule verdicts of a results file. */
export function verdicts(results: CorpusResults): Map<string, RuleVerdict> {
  const byRule = new Map<string, CorpusPair[]>();
  for (const p of results.pairs) byRule.set(p.rule, [...(byRule.get(p.rule) ?? []), p]);
  const out = new Map<string, RuleVerdict>();
  for (const [rule, ps] of byRule) {
    const m = ps.map((p) => p.measured).sort((a, b) => a - b);
    out.set(rule, {
      impact: ps.every((p) => withinTolerance(p.estimate, p.measured)) ? 'verified' : 'unknown',
      measured: m[m.length >> 1]!,
      pairs: ps.length,
    });
  }
  return out;
}

/** The corpus verdict for `rule`, or null when the corpus has no pair for it (or no results file exists). */
export function ruleVerdict(rule: string): RuleVerdict | null {
  loaded ??= verdicts(CORPUS_RESULTS);
  return loaded.get(rule) ?? null;
}

/** The fields every recommendation of `rule` carries from the corpus. */
export function corpusFields(rule: string): { impact: 'verified' | 'unknown'; corpusSpeedup?: number } {
  const v = ruleVerdict(rule);
  return v ? { impact: v.impact, corpusSpeedup: v.measured } : { impact: 'unknown' };
}
