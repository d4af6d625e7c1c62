/**
 * Baselines: per-op and per-context statistics saved to a JSON file, and a noise-aware comparison.
 * A difference counts only when it exceeds both the relative `tolerance` and three standard
 * errors of the difference of means, sqrt(sd_b²/n_b + sd_c²/n_c), computed from the recorded
 * spreads — so a noisy op needs a larger change before it is called a regression.
 *
 * Baseline files are untrusted input (shared in repositories, edited by hand): they are read only
 * below {@link BASELINE_MAX_BYTES}, checked against a JSON schema (ajv) before use, and their
 * op/context names — chosen by users, so `constructor` or `__proto__` are possible — are only ever
 * looked up as own properties, never through Object.prototype.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { compileSchema, type ValidateFunction } from '../json-schema.js';
import type { ProfileReport } from './report.js';
import { EXPORTER } from './version.js';

/** Version of the baseline file's shape. */
export const BASELINE_SCHEMA_VERSION = 1;

/**
 * Largest baseline file read, in bytes (64 MiB). A baseline holds one entry (~100 bytes) per op and
 * per context name, so real ones are kilobytes; the limit keeps a wrong or hostile file from taking
 * seconds and gigabytes to parse (a 177 MB file took 16 s and 1.2 GB before).
 */
export const BASELINE_MAX_BYTES = 64 * 1024 * 1024;

const ENTRY_SCHEMA = {
  type: 'object',
  required: ['count', 'meanMs', 'stddevMs', 'totalMs'],
  properties: {
    count: { type: 'integer', minimum: 0 },
    meanMs: { type: 'number', minimum: 0 },
    stddevMs: { type: 'number', minimum: 0 },
    totalMs: { type: 'number', minimum: 0 },
  },
} as const;

/** JSON schema of a baseline file (kind and schemaVersion are checked first, for clearer errors). */
export const BASELINE_JSON_SCHEMA = {
  type: 'object',
  required: ['schemaVersion', 'kind', 'ops', 'contexts'],
  properties: {
    schemaVersion: { const: BASELINE_SCHEMA_VERSION },
    kind: { const: 'corepy-baseline' },
    exporter: { type: 'string' },
    createdAt: { type: 'string' },
    ops: { type: 'object', additionalProperties: ENTRY_SCHEMA },
    contexts: { type: 'object', additionalProperties: ENTRY_SCHEMA },
  },
} as const;

let validateBaseline: ValidateFunction | null = null;
/** The compiled schema (compiled on first use: most runs never read a baseline). */
function baselineValidator(): ValidateFunction {
  validateBaseline ??= compileSchema(BASELINE_JSON_SCHEMA, true);
  return validateBaseline;
}

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

/** Writes a report's baseline to `path`. */
export function writeBaseline(path: string, r: ProfileReport): void {
  try {
    writeFileSync(path, JSON.stringify(baselineOf(r), null, 2) + '\n');
  } catch (e) {
    throw new Error(`Cannot write baseline to ${path}: ${(e as Error).message}`);
  }
}

/** Reads and checks a baseline file; errors say what is wrong and how to fix it. */
export function readBaseline(path: string): Baseline {
  let text: string;
  try {
    const bytes = statSync(path).size;
    if (bytes > BASELINE_MAX_BYTES) {
      throw new RangeError(`Baseline ${path} is ${bytes} bytes, more than the limit of ${BASELINE_MAX_BYTES} bytes for baseline files; ` +
        'it is not a baseline corepy wrote (those are kilobytes): re-create it with saveBaseline()');
    }
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof RangeError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `Baseline file not found: ${path} (create it with saveBaseline('${path}'))` : `Cannot read baseline ${path}: ${(e as Error).message}`);
  }
  let b: Partial<Baseline>;
  try {
    b = JSON.parse(text) as Partial<Baseline>;
  } catch (e) {
    throw new Error(`Baseline file ${path} is corrupt (not valid JSON: ${(e as Error).message}); re-create it with saveBaseline()`);
  }
  if (b === null || typeof b !== 'object' || b.kind !== 'corepy-baseline') throw new Error(`File ${path} is not a corepy baseline (missing kind: "corepy-baseline")`);
  if (b.schemaVersion !== BASELINE_SCHEMA_VERSION) {
    throw new Error(`Baseline ${path} has schemaVersion ${JSON.stringify(b.schemaVersion)}; this corepy reads schemaVersion ${BASELINE_SCHEMA_VERSION}. Re-create it with saveBaseline()`);
  }
  if (typeof b.ops !== 'object' || typeof b.contexts !== 'object' || b.ops === null || b.contexts === null) throw new Error(`Baseline ${path} is corrupt (ops/contexts missing)`);
  const validate = baselineValidator();
  if (!validate(b)) {
    const err = validate.errors?.[0];
    throw new Error(`Baseline ${path} does not match the baseline schema: ${err ? `${err.instancePath || '/'} ${err.message ?? 'is invalid'}` : 'invalid'}; re-create it with saveBaseline()`);
  }
  return b as Baseline;
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
