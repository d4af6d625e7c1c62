/**
 * Baselines: per-op and per-context statistics of a report, and a noise-aware comparison.
 * A difference counts only when it exceeds both the relative `tolerance` and three standard
 * errors of the difference of means, sqrt(sd_b²/n_b + sd_c²/n_c), computed from the recorded
 * spreads — so a noisy op needs a larger change before it is called a regression.
 *
 * Op and context names are chosen by users (`constructor` or `__proto__` are possible), so they
 * are only ever looked up as own properties, never through Object.prototype. Reading and writing
 * baseline files is baseline-file.ts: this file has no I/O, so the extension bundles it as is.
 */
import type { ProfileReport } from './report.js';
import { EXPORTER } from './version.js';

/** Version of the baseline file's shape. */
export const BASELINE_SCHEMA_VERSION = 1;

/** Statistics of one op or context in a baseline. Times in ms. */
export interface BaselineEntry {
  readonly count: number;
  readonly meanMs: number;
  readonly stddevMs: number;
  readonly totalMs: number;
}

/** A saved baseline file. */
export interface Baseline {
  readonly schemaVersion: typeof BASELINE_SCHEMA_VERSION;
  readonly kind: 'corepy-baseline';
  readonly exporter: string;
  readonly createdAt: string;
  readonly ops: Record<string, BaselineEntry>;
  readonly contexts: Record<string, BaselineEntry>;
}

/** One significant difference. */
export interface BaselineFinding {
  readonly kind: 'op' | 'context';
  readonly name: string;
  readonly baselineMeanMs: number;
  readonly currentMeanMs: number;
  /** current / baseline. */
  readonly ratio: number;
  /** The difference had to exceed this, ms. */
  readonly thresholdMs: number;
  /** Human-readable evidence with the figures used. */
  readonly evidence: string;
}

/** `compareToBaseline` result. */
export interface BaselineComparison {
  /** True when nothing regressed. */
  readonly ok: boolean;
  readonly regressions: BaselineFinding[];
  readonly improvements: BaselineFinding[];
  /** Entries compared without a significant difference. */
  readonly unchanged: number;
  /** In the baseline but not recorded now, and the reverse. */
  readonly missing: string[];
  readonly added: string[];
}

/** Told about every `compareToBaseline` result (OpenTelemetry: a span with events and a counter); null when none. */
export type ComparisonObserver = (c: BaselineComparison) => void;
let comparisonObserver: ComparisonObserver | null = null;

/** @internal Installs (or, with null, removes) the observer of baseline comparisons. */
export function setComparisonObserver(o: ComparisonObserver | null): void {
  comparisonObserver = o;
}

/** @internal Tells the observer, if any, about a comparison the user asked for. */
export function notifyComparison(c: BaselineComparison): void {
  if (comparisonObserver !== null) comparisonObserver(c);
}

/** The baseline of a report. */
export function baselineOf(r: ProfileReport): Baseline {
  // Object.fromEntries defines own properties: a name such as `__proto__` stays a key (assignment
  // would set the prototype and lose the entry).
  const ops: Record<string, BaselineEntry> = Object.fromEntries(r.operations.map((o) =>
    [o.op, { count: o.count, meanMs: o.meanMs, stddevMs: o.stddevMs, totalMs: o.totalMs }]));
  const contexts: Record<string, BaselineEntry> = Object.fromEntries(Object.entries(r.contexts).map(([name, c]) =>
    [name, { count: c.count, meanMs: c.meanMs, stddevMs: c.stddevMs, totalMs: c.totalTimeMs }]));
  return { schemaVersion: BASELINE_SCHEMA_VERSION, kind: 'corepy-baseline', exporter: EXPORTER, createdAt: new Date().toISOString(), ops, contexts };
}

function compareEntries(kind: 'op' | 'context', base: Record<string, BaselineEntry>, now: Record<string, BaselineEntry>, tolerance: number,
  out: { regressions: BaselineFinding[]; improvements: BaselineFinding[]; unchanged: number; missing: string[]; added: string[] }): void {
  for (const [name, b] of Object.entries(base)) {
    // Own properties only: `now.constructor` would otherwise be Object's constructor function.
    const c = Object.hasOwn(now, name) ? now[name] : undefined;
    if (!c) { out.missing.push(`${kind}:${name}`); continue; }
    const se = Math.sqrt((b.stddevMs ** 2) / Math.max(1, b.count) + (c.stddevMs ** 2) / Math.max(1, c.count));
    const threshold = Math.max(tolerance * b.meanMs, 3 * se);
    const delta = c.meanMs - b.meanMs;
    const f: BaselineFinding = {
      kind, name, baselineMeanMs: b.meanMs, currentMeanMs: c.meanMs, ratio: b.meanMs > 0 ? c.meanMs / b.meanMs : Infinity, thresholdMs: threshold,
      evidence: `${kind} '${name}': mean ${c.meanMs.toFixed(4)} ms (n=${c.count}, sd ${c.stddevMs.toFixed(4)}) vs baseline ${b.meanMs.toFixed(4)} ms ` +
        `(n=${b.count}, sd ${b.stddevMs.toFixed(4)}); difference ${delta.toFixed(4)} ms, threshold ${threshold.toFixed(4)} ms ` +
        `(max of ${(tolerance * 100).toFixed(0)}% and 3 standard errors)`,
    };
    if (delta > threshold) out.regressions.push(f);
    else if (-delta > threshold) out.improvements.push(f);
    else out.unchanged++;
  }
  for (const name of Object.keys(now)) if (!Object.hasOwn(base, name)) out.added.push(`${kind}:${name}`);
}

/** Compares a report with a baseline. `tolerance` is the relative change ignored as noise (default 0.1 = 10 %). */
export function compareBaseline(base: Baseline, r: ProfileReport, tolerance = 0.1): BaselineComparison {
  if (!(tolerance >= 0)) throw new RangeError(`compareToBaseline: tolerance must be ≥ 0, got ${tolerance}`);
  const now = baselineOf(r);
  const out = { regressions: [] as BaselineFinding[], improvements: [] as BaselineFinding[], unchanged: 0, missing: [] as string[], added: [] as string[] };
  compareEntries('op', base.ops, now.ops, tolerance, out);
  compareEntries('context', base.contexts, now.contexts, tolerance, out);
  return { ok: out.regressions.length === 0, ...out };
}
