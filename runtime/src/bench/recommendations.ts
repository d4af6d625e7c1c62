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
 * Cold pairs: a "before" that exports `cold = true` is profiled and timed as a script runs once
 * instead, each run in a fresh process (recommendations-cold.ts): for rules whose estimate is a
 * cost a warm run has paid already (undisposed-tensors: memory growth while a loop leaks). Its top
 * level makes the data and calls the kernels once; `run()` is the part profiled and timed.
 *
 * Run from source with tsx (the fixtures import runtime/src, and must share this runtime instance).
 * Options: --rounds N (default 15; for a cold pair, the fresh processes per side), --runs N (default 1:
 * the whole corpus N times; a rule is verified only when all its pairs are within the tolerance in
 * every run), --only SUBSTRING (the pairs whose file names contain it; their rows replace theirs in
 * the results file, the others' are kept, and the file's `updates` names the command behind them),
 * --no-write; SHOW_BASIS=1 prints each estimate's basis.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as cp from '../index.js';
import { applyFixes } from '../profiler/rules/ast.js';
import { ESTIMATE_TOLERANCE, verdicts, withinTolerance, type CorpusPair } from '../profiler/rules/corpus.js';
import { CORPUS_RESULTS } from '../profiler/rules/corpus-results.js';
import { coldPair } from './recommendations-cold.js';
import { load, plain, same, type Fixture } from './recommendations-fixture.js';
import { mergeResults, resultsSource, type RunInfo } from './recommendations-results.js';

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

/** One row of the printed table. */
function row(p: CorpusPair, priority: string, beforeMs: number, afterMs: number): string {
  const label = `${p.pair}${p.cold ? ', cold' : ''}${p.run !== undefined ? ` (run ${p.run})` : ''}`;
  return `| ${label} | ${p.rule} | ${p.size.toExponential(0)} | ${priority} | ${p.estimate.toFixed(2)}× | ` +
    `${beforeMs.toFixed(2)} → ${afterMs.toFixed(2)} | ${p.measured.toFixed(2)}× | ${(p.estimate / p.measured).toFixed(2)} | ` +
    `${withinTolerance(p.estimate, p.measured) ? `within ${ESTIMATE_TOLERANCE}×` : 'outside'} | ${p.applied} |`;
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0]!;
  if (!Number.isInteger(RUNS) || RUNS < 1) throw new RangeError(`--runs must be an integer ≥ 1, got ${String(opt('--runs'))}`);
  console.log(`corpus ${CORPUS}, ${RUNS} run(s), ${ROUNDS} alternating rounds per side, ${cpus().length} cores, load average ${loadBefore.toFixed(1)}`);
  const files = readdirSync(CORPUS).filter((f) => f.endsWith('.mts') && !f.endsWith('.after.mts') && !f.endsWith('.applied.mts') && f.includes(ONLY)).sort();
  const pairs: CorpusPair[] = [];
  const ran = files.filter((f) => f.endsWith('.before.mts')).map((f) => f.replace(/\.before\.mts$/, ''));
  const rows: string[] = [];
  const failures: string[] = [];
  // Several runs: a rule is verified only when every pair was within the tolerance in every run (one profile's
  // estimate can land either side of it by chance: tiny-ops gave 3.4× and 8.6× against 4.2× in two runs).
  for (let run = 1; run <= RUNS; run++) for (const file of files) {
    const name = file.replace(/(\.before)?\.mts$/, '');
    const beforePath = join(CORPUS, file);
    const before = await load(beforePath);
    if (before.cold && file.endsWith('.before.mts')) {
      const m = coldPair(name, beforePath, before, ROUNDS, RUNS > 1 ? run : undefined, failures);
      if (!m) continue;
      pairs.push(m.pair);
      rows.push(row(m.pair, m.priority, m.beforeMs, m.afterMs));
      console.log(rows[rows.length - 1]);
      if (process.env['SHOW_BASIS']) console.log(`  ${m.basis}`);
      continue;
    }
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
      const p: CorpusPair = { pair: name, rule: rec.rule, size: before.size, estimate: rec.estimatedSpeedup, measured, applied, ...(RUNS > 1 ? { run } : {}) };
      pairs.push(p);
      rows.push(row(p, rec.priority, median(tb), median(ta)));
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
    console.log(`${rule}: ${r.impact === 'verified' ? `verified (every pair within ${ESTIMATE_TOLERANCE}×)` : `impact unknown (an estimate outside ${ESTIMATE_TOLERANCE}×)`}, ` +
      `median measured ${r.measured.toFixed(2)}× over ${r.pairs} pair(s)`);
  }
  if (WRITE && ran.length > 0) {
    const info: RunInfo = {
      command: `npm run bench:recommendations -- ${ONLY ? `--only ${ONLY} ` : ''}--rounds ${ROUNDS}${RUNS > 1 ? ` --runs ${RUNS}` : ''}`,
      generatedAt: new Date().toISOString(), rounds: ROUNDS, ...(RUNS > 1 ? { runs: RUNS } : {}),
      machine: `${cpus().length} cores, load average ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`,
    };
    // A run on some pairs keeps the last full run's rows for the others (a full run is long), naming who wrote which.
    writeFileSync(RESULTS, resultsSource(ONLY ? mergeResults(CORPUS_RESULTS, info, ran, pairs) : { ...info, pairs }));
    console.log(`wrote ${RESULTS}${ONLY ? ` (rows of ${ran.join(', ')} replaced; the others kept)` : ''}`);
  }
  if (failures.length) {
    console.error(`\n${failures.length} problem(s):\n  ${failures.join('\n  ')}`);
    process.exitCode = 1;
  }
}

await main();
