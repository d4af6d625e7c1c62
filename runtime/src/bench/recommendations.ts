/**
 * `npm run bench:recommendations`: are the recommendations' estimates what applying them gives?
 *
 * For every pair in test/fixtures/recommendations/ (NAME.before.mts + NAME.after.mts; clean scripts
 * are NAME.ts): profile one `run()` of "before" after a warm-up (the state the medians are taken in: an
 * estimate describes the run profiled, and a cold run's is checked by example3-cold.ts), and take the pair's rule's recommendation;
 * apply its quick fix to the source mechanically (written to NAME.applied.mts next to it, removed
 * afterwards) or, for rules without a fix, use the hand-written "after"; check both give the same
 * result; then time before and after with the profiler off, alternating, ROUNDS samples each after
 * a warm-up (a sample repeats the run until it lasts about 100 ms, see repeatsFor), and compare the
 * medians (measured = median before / median after, per run) with the estimate.
 * Clean scripts must get no recommendation. Prints a Markdown table, per-rule verdicts, and
 * writes runtime/src/profiler/rules/corpus-results.ts (what the rules' `impact` field reads).
 *
 * Run from source with tsx (the fixtures import runtime/src, and must share this runtime instance).
 * Options: --rounds N (default 15), --runs N (default 1: the whole corpus N times; a rule is verified only
 * when all its pairs are within the tolerance in every run), --only SUBSTRING, --no-write; SHOW_BASIS=1
 * prints each estimate's basis.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as cp from '../index.js';
import { applyFixes } from '../profiler/rules/ast.js';
import { ESTIMATE_TOLERANCE, verdicts, withinTolerance, type CorpusPair } from '../profiler/rules/corpus.js';

interface Fixture {
  readonly rule?: string | null;
  readonly size: number;
  run(): unknown;
}

const here = dirname(fileURLToPath(import.meta.url));
if (/[/\\]dist[/\\]/.test(here)) throw new Error('run this bench from source: node --import tsx runtime/src/bench/recommendations.ts');
const ROOT = join(here, '..', '..', '..');
const CORPUS = join(ROOT, 'test', 'fixtures', 'recommendations');
const RESULTS = join(ROOT, 'runtime', 'src', 'profiler', 'rules', 'corpus-results.ts');

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const ROUNDS = Number(opt('--rounds') ?? 15);
const ONLY = opt('--only') ?? '';
const RUNS = Number(opt('--runs') ?? 1);
const WRITE = !argv.includes('--no-write');

// The bench checks estimates, not what a report costs: every rule's measurement is taken afresh in this process
// (no per-machine file, rules/timing-cache-file.ts) and none is left untimed by the report's budget (timing-budget.ts).
process.env['COREPY_TIMINGS_CACHE'] ??= 'off';
process.env['COREPY_RULE_BUDGET_MS'] ??= '600000';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** A run's result as plain JSON (tensors and typed arrays to arrays), for comparing before and after. */
function plain(v: unknown): unknown {
  if (v instanceof cp.Tensor) return v.toArray();
  if (ArrayBuffer.isView(v)) return Array.from(v as Float32Array);
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

/** Equal up to a relative 1e-4 (float32 reductions in another order). */
function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(a), Math.abs(b));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  return JSON.stringify(a) === JSON.stringify(b);
}

/** One run of a fixture in a tidy scope, ms, with its result. */
function timed(f: Fixture): { ms: number; result: unknown } {
  const t0 = performance.now();
  const result = cp.tidy(() => plain(f.run()));
  return { ms: performance.now() - t0, result };
}

/** Wall time one sample should last, ms: long against a scheduler's time slice on a shared machine. */
const SAMPLE_MS = 100;

/**
 * Runs per sample for `f`: enough that a sample lasts about SAMPLE_MS (from the fastest of 3
 * runs). On a busy machine a short run is either untouched or waits out someone else's whole time
 * slice (tens of ms), so medians of single short runs measure the scheduler; a sample this long
 * is slowed in proportion, alike for before and after.
 */
function repeatsFor(f: Fixture): number {
  const fastest = Math.min(timed(f).ms, timed(f).ms, timed(f).ms);
  return Math.max(1, Math.min(1000, Math.ceil(SAMPLE_MS / Math.max(fastest, 1e-3))));
}

/** Runs `f` until its JS and kernels are warm: at least 3 runs and WARM_MS, at most 50 runs. */
function warmUp(f: Fixture): void {
  for (let i = 0, t0 = performance.now(); i < 50 && (i < 3 || performance.now() - t0 < WARM_MS); i++) timed(f);
}

/** Least warm-up before the run profiled, ms. */
const WARM_MS = 200;

/** One sample: `n` runs of `f`, each in its own tidy scope; ms per run. */
function sample(f: Fixture, n: number): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) cp.tidy(() => { f.run(); });
  return (performance.now() - t0) / n;
}

const load = async (path: string): Promise<Fixture> => (await import(pathToFileURL(path).href)) as Fixture;

async function main(): Promise<void> {
  const loadBefore = loadavg()[0]!;
  if (!Number.isInteger(RUNS) || RUNS < 1) throw new RangeError(`--runs must be an integer ≥ 1, got ${String(opt('--runs'))}`);
  console.log(`corpus ${CORPUS}, ${RUNS} run(s), ${ROUNDS} alternating rounds per side, ${cpus().length} cores, load average ${loadBefore.toFixed(1)}`);
  const files = readdirSync(CORPUS).filter((f) => f.endsWith('.mts') && !f.endsWith('.after.mts') && !f.endsWith('.applied.mts') && f.includes(ONLY)).sort();
  const pairs: CorpusPair[] = [];
  const rows: string[] = [];
  const failures: string[] = [];
  // Several runs: a rule is verified only when every pair was within the tolerance in every run (one profile's
  // estimate can land either side of it by chance: tiny-ops gave 3.4× and 8.6× against 4.2× in two runs).
  for (let run = 1; run <= RUNS; run++) for (const file of files) {
    const name = file.replace(/(\.before)?\.mts$/, '');
    const beforePath = join(CORPUS, file);
    const before = await load(beforePath);
    // The run profiled is in the state the medians below are taken in (warm): the estimates describe the run
    // profiled (batch-loop counts a cold loop's warm-up as saved), and the cold case is example3-cold.ts's.
    // Warmed with the profiler on: its observer makes the dispatch path a different one for the JS engine to optimise.
    cp.clearProfile();
    cp.enableProfiling({ callSites: 'all' });
    warmUp(before);
    // A fresh recording allocates its event ring (tens of MB), which leaves the caches cold for the next op:
    // one more run with the recorder paused brings them back, so only the run profiled is recorded, warm.
    cp.clearProfile();
    cp.disableProfiling();
    timed(before);
    cp.enableProfiling({ callSites: 'all' });
    const profiled = timed(before);
    cp.disableProfiling();
    // Node hands GC pauses to the profiler once the event loop turns (the CLI's and the editor's reports
    // are taken at exit, after that): let it turn, so a collection inside the run is known for what it is.
    await new Promise((resolve) => setTimeout(resolve, 10));
    const recs = cp.getRecommendations();
    cp.clearProfile();
    if (!file.endsWith('.before.mts')) {
      const fired = recs.map((r) => r.rule);
      console.log(`${name}: clean, ${fired.length ? `FIRED ${fired.join(', ')}` : 'no recommendation'}`);
      if (fired.length) failures.push(`${name}: clean script got ${fired.join(', ')}`);
      continue;
    }
    const rec = recs.find((r) => r.rule === before.rule);
    if (!rec) {
      console.log(`${name}: ${before.rule} did not fire (got ${recs.map((r) => r.rule).join(', ') || 'nothing'})`);
      failures.push(`${name}: no ${before.rule} recommendation`);
      continue;
    }
    let afterPath = join(CORPUS, `${name}.after.mts`);
    let applied: CorpusPair['applied'] = 'example';
    if (rec.fix) {
      afterPath = join(CORPUS, `${name}.applied.mts`);
      writeFileSync(afterPath, applyFixes(readFileSync(beforePath, 'utf8'), [rec.fix]));
      applied = 'fix';
    }
    try {
      const after = await load(afterPath);
      const b0 = timed(before), a0 = timed(after); // warm-up; also the results check
      if (!same(b0.result, a0.result) || !same(profiled.result, a0.result)) failures.push(`${name}: results differ after applying the ${applied}`);
      const nb = repeatsFor(before), na = repeatsFor(after);
      const tb: number[] = [], ta: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        // Alternate which goes first so drift in machine load hits both alike.
        if (r % 2) { ta.push(sample(after, na)); tb.push(sample(before, nb)); } else { tb.push(sample(before, nb)); ta.push(sample(after, na)); }
      }
      const measured = Math.round((median(tb) / median(ta)) * 100) / 100;
      const estimate = rec.estimatedSpeedup;
      const ok = withinTolerance(estimate, measured);
      pairs.push({ pair: name, rule: rec.rule, size: before.size, estimate, measured, applied, ...(RUNS > 1 ? { run } : {}) });
      rows.push(`| ${RUNS > 1 ? `${name} (run ${run})` : name} | ${rec.rule} | ${before.size.toExponential(0)} | ${rec.priority} | ${estimate.toFixed(2)}× | ` +
        `${median(tb).toFixed(2)} → ${median(ta).toFixed(2)} | ${measured.toFixed(2)}× | ${(estimate / measured).toFixed(2)} | ${ok ? 'within 1.3×' : 'outside'} | ${applied} |`);
      console.log(rows[rows.length - 1]);
      if (process.env['SHOW_BASIS']) console.log(`  ${rec.speedupBasis}`);
    } finally {
      if (applied === 'fix') rmSync(afterPath, { force: true });
    }
  }
  const header = ['| pair | rule | size | priority | estimate | median ms before → after | measured | est/meas | | after from |',
    '|---|---|---|---|---|---|---|---|---|---|'];
  console.log(`\n${header.join('\n')}\n${rows.join('\n')}\n`);
  const v = verdicts({ command: '', generatedAt: '', pairs });
  for (const [rule, r] of v) {
    console.log(`${rule}: ${r.impact === 'verified' ? `verified (every pair within ${ESTIMATE_TOLERANCE}×)` : 'impact unknown (an estimate outside 1.3×)'}, ` +
      `median measured ${r.measured.toFixed(2)}× over ${r.pairs} pair(s)`);
  }
  if (WRITE && !ONLY) {
    const results = {
      command: `npm run bench:recommendations -- --rounds ${ROUNDS}${RUNS > 1 ? ` --runs ${RUNS}` : ''}`, generatedAt: new Date().toISOString(), rounds: ROUNDS,
      ...(RUNS > 1 ? { runs: RUNS } : {}),
      machine: `${cpus().length} cores, load average ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`, pairs,
    };
    writeFileSync(RESULTS, [
      '/**',
      ' * GENERATED by `npm run bench:recommendations` (runtime/src/bench/recommendations.ts); do not edit.',
      ' * Each pair (per run of the bench): the estimate on a warm profile and the measured whole-run speedup of applying it.',
      ' */',
      "import type { CorpusResults } from './corpus.js';",
      '',
      '/** Estimates vs measured speedups on the corpus, per pair. */',
      `export const CORPUS_RESULTS: CorpusResults = ${JSON.stringify(results, null, 2).replace(/"(\w+)":/g, '$1:').replace(/"/g, "'")};`,
      '',
    ].join('\n'));
    console.log(`wrote ${RESULTS}`);
  }
  if (failures.length) {
    console.error(`\n${failures.length} problem(s):\n  ${failures.join('\n  ')}`);
    process.exitCode = 1;
  }
}

await main();
