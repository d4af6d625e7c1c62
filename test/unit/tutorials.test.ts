/**
 * Every tutorial runs as a user would run it (`node --import tsx <script>` from the repository
 * root, importing the built `corepy` package) and prints its key output: the report table with
 * the ops, the recommendation the tutorial is about, the checks it makes, and — for case
 * studies — a measured speedup line. Timings are never asserted, only their presence.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { FORMATS } from '../../runtime/src/export/formats.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SPEEDUP = /^Speedup \(measured, median of \d+\): before \d+\.\d+ ms → after \d+\.\d+ ms = \d+(\.\d+)?×$/m;

function run(script: string, ...args: string[]): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join('tutorials', script), ...args], {
    cwd: ROOT, encoding: 'utf8', timeout: 90_000, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  const out = `${r.stdout}${r.stderr}`;
  assert.equal(r.status, 0, `${script} exited with ${r.status ?? r.signal}:\n${out}`);
  return out;
}

/** The box-drawn report table's op names, in order. */
function tableOps(out: string): string[] {
  return [...out.matchAll(/^│ (\w+)\s+│ \d+\s+│/gm)].map((m) => m[1]!);
}

describe('tutorials', function () {
  this.timeout(120_000);
  let tmp = '';
  before(() => {
    assert.ok(existsSync(join(ROOT, 'runtime', 'dist', 'index.js')), "tutorials import the built 'corepy' package: run `npm run build` first");
    tmp = mkdtempSync(join(tmpdir(), 'corepy-tutorials-test-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('type-check under strict settings against the built corepy types (tutorials/tsconfig.json)', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tutorials'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, `tsc -p tutorials:\n${r.stdout}${r.stderr}`);
  });

  describe('01_profiling_basics', () => {
    it('01_enable_profiling records while enabled, keeps after disable, forgets on clear', () => {
      const out = run('01_profiling_basics/01_enable_profiling.ts');
      assert.match(out, /profiling before enableProfiling\(\): false/);
      assert.match(out, /profiling after enableProfiling\(\): {2}true/);
      assert.match(out, /ops recorded while enabled: [1-9]\d*/);
      assert.match(out, /unchanged: true/);
      assert.match(out, /ops recorded after clearProfile\(\): 0/);
    });

    it('02_first_report prints the table with the normalisation ops, the slowest marker and the moments recommendation', () => {
      const out = run('01_profiling_basics/02_first_report.ts');
      assert.match(out, /COREPY PERFORMANCE REPORT/);
      assert.match(out, /│ Operation │ Count │ Avg \(ms\) │/);
      const ops = tableOps(out);
      for (const op of ['mean', 'sub', 'std', 'div', 'sum']) assert.ok(ops.includes(op), `${op} missing from ${ops.join(', ')}`);
      assert.match(out, /← Slowest/);
      assert.match(out, /Total Time: [\d.]+ms/);
      assert.match(out, /Profiler overhead: ~/);
      assert.match(out, /Compute mean and std in one pass \(.*02_first_report\.ts:\d+\)/);
      assert.match(out, /\| Operation \| Count \| Avg \(ms\) \| Backend \| % Total \|/);
    });

    it('03_understanding_metrics derives per-element cost from the JSON report', () => {
      const out = run('01_profiling_basics/03_understanding_metrics.ts');
      assert.match(out, /report schema v1, 40 ops/);
      assert.match(out, /^mul\s+20\s/m);
      assert.match(out, /^add\s+20\s/m);
      assert.match(out, /mul +×20 at 01_profiling_basics\/03_understanding_metrics\.ts:\d+/);
      assert.match(out, /per element, mul on 100 values cost \d+× what add/);
    });
  });

  describe('02_intermediate', () => {
    it('01_context_manager reports only the preprocessing ops and every section', () => {
      const out = run('02_intermediate/01_context_manager.ts');
      assert.match(out, /COREPY PERFORMANCE REPORT — context "preprocessing"/);
      assert.deepEqual(tableOps(out), ['dropna', 'moments', 'sub', 'sqrt', 'div']);
      assert.match(out, /rows kept: \d+ of 5000/);
      assert.match(out, /preprocessing +total +[\d.]+ +self/);
      assert.match(out, /summary +total/);
    });

    it('02_custom_decorators shows nested function spans', () => {
      const out = run('02_intermediate/02_custom_decorators.ts');
      assert.match(out, /^Model\.loss +5 /m);
      assert.match(out, /^Model\.forward +5 /m);
      assert.match(out, /^dense +10 /m);
      assert.match(out, /Model\.forward spent \d+% of its time inside dense\(\)/);
      assert.ok(tableOps(out).includes('matmul'));
    });

    it('03_bottleneck_detection points at the row loop and recommends batching', () => {
      const out = run('02_intermediate/03_bottleneck_detection.ts');
      assert.match(out, /stages by wall time \(5 runs\):\n {2}scale /);
      assert.match(out, /scale .* 4005 ops/);
      assert.match(out, /×2000 .* at line \d+/);
      // Rows of a matrix, one tensor each: the fixed per-call cost (tiny-ops); priority follows the estimate.
      assert.match(out, /\[(HIGH|MEDIUM|LOW)\] (Many tiny operations|Batch repeated operations)/);
    });

    it('04_optimization_tips shows the batch recommendation with its code change, then verifies and measures', () => {
      const out = run('02_intermediate/04_optimization_tips.ts');
      assert.match(out, /⚡ \[(HIGH|MEDIUM|LOW)\] Batch repeated operations/);
      assert.match(out, /The 'add' operation was called 100 times/);
      assert.match(out, /BEFORE:\n\s+for \(let i = 0; i < 100; i\+\+\) \{/);
      assert.match(out, /unsqueeze\(0\)\.add\(offsets\.unsqueeze\(1\)\)/);
      assert.match(out, /results identical: true/);
      assert.match(out, /ops: 100 → 2;/);
      assert.match(out, SPEEDUP);
    });
  });

  describe('03_advanced', () => {
    it('01_flamegraph_analysis writes the HTML and folded files and ranks stacks', () => {
      const dir = join(tmp, 'flame');
      const out = run('03_advanced/01_flamegraph_analysis.ts', dir);
      assert.ok(existsSync(join(dir, 'flamegraph.html')));
      const folded = readFileSync(join(dir, 'profile.folded'), 'utf8');
      assert.match(folded, /^epoch;trainStep;matmul \d+$/m);
      assert.match(folded, /^epoch;augment;mul \d+$/m);
      assert.match(out, /heaviest stacks by self time:\n +[\d.]+% {2}epoch;/);
      assert.match(folded, /^one-time_at_load_\(before_the_recording\);/m, 'the export has the one-time work at load');
      assert.doesNotMatch(out, /one-time_at_load/, 'the tutorial ranks the script\'s own stacks');
      for (const fn of ['trainStep', 'normalize', 'augment']) assert.match(out, new RegExp(`^ {2}${fn} +[\\d.]+%$`, 'm'));
    });

    it('02_export_integration writes every registered format and reads two back', () => {
      const dir = join(tmp, 'exports');
      const out = run('03_advanced/02_export_integration.ts', dir);
      for (const [format, file] of FORMATS.map((f) => [f.id, `profile.${f.extensions[0]}`])) {
        assert.match(out, new RegExp(`^${format} +\\d+ bytes {2}${file.replace('.', '\\.')}`, 'm'));
        assert.ok(existsSync(join(dir, file!)), file);
      }
      assert.match(out, /json: schemaVersion 1, exporter "corepy [\d.]+", ops: .*matmul/);
      assert.match(out, /chrome: \d+ complete \('X'\) slices/);
      assert.match(out, /csv header: op,backend,file,line/);
    });

    it('03_custom_baselines saves a baseline and flags the 16× workload', () => {
      const dir = join(tmp, 'baselines');
      const out = run('03_advanced/03_custom_baselines.ts', dir);
      assert.ok(existsSync(join(dir, 'baseline.json')));
      assert.match(out, /same workload +: (OK|REGRESSION)/);
      assert.match(out, /16× larger input : REGRESSION — [1-9]\d* regressed/);
      // Which ops cross the noise threshold depends on machine load; that some op does is the lesson.
      assert.match(out, /✗ op \w+: [\d.]+× slower/);
    });

    it('04_production_monitoring warns when model_inference exceeds its measured budget', () => {
      const out = run('03_advanced/04_production_monitoring.ts');
      assert.match(out, /budgets \(measured median × 1\.5 \+ 1, ms\): \{ data_loading/);
      assert.match(out, /WARNING request [4-6]: PERFORMANCE REGRESSION in model_inference/);
      assert.match(out, /profiler cost with callSites 'off': \d+ ns per op/);
      // Part 3: OpenTelemetry through a real Prometheus exporter's /metrics and an in-memory span exporter.
      assert.match(out, /^ {2}corepy_op_duration_seconds_count\{corepy_op="matmul",corepy_backend="wasm",corepy_dtype="float32"\} 60$/m, '30 + 30 requests');
      assert.match(out, /^span corepy\.context model_inference: [\d.]+ ms, top ops \[[^\]]*"matmul"/m, "matmul among the top ops (first on a quiet machine; a loaded one can reorder it with relu)");
      assert.match(out, /^baseline check: /m);
      assert.match(out, /histogram_quantile\(0\.95, sum by \(le, corepy_op\) \(rate\(corepy_op_duration_seconds_bucket\[5m\]\)\)\)/);
      assert.match(out, /^OpenTelemetry cost: request [\d.]+ ms with vs [\d.]+ ms without/m);
    });
  });

  describe('04_case_studies', () => {
    it('01_slow_training_loop: the busiest lines named, same weights, measured speedup', () => {
      const out = run('04_case_studies/01_slow_training_loop.ts');
      // The busiest lines are named. Per-sample slices are different small tensors, so batch-loop (one tensor and a
      // loop counter) does not apply; tiny-ops times each site of the loop run once over all rows (audit 27 F1: it used
      // to time only the elementwise sites, each with a stack, and read 1.0–1.3× or nothing), so it is always there.
      assert.match(out, /busiest lines:\n\s+\w+\s+×\d+/);
      // Not verified on the corpus: "impact unknown", the figure a guide only (audit 27 F9), as the editor and tutorial 2.4 say it.
      assert.match(out, /⚡ \[(HIGH|MEDIUM|LOW)\] Many tiny operations dominated by dispatch cost \((impact unknown; est\. \d+\.\d+×, a guide only|est\. \d+\.\d+×)\)/);
      assert.match(out, /same weights: max .* → true/);
      assert.match(out, SPEEDUP);
    });

    it('02_data_pipeline: readCsv + dropna ETL, moments recommendation, same z-scores, measured speedup', () => {
      const out = run('04_case_studies/02_data_pipeline.ts');
      assert.match(out, /rows after dropna: \d+ of 10000/);
      assert.match(out, /Compute mean and std in one pass/);
      assert.match(out, /extract +entered 6× → 1×, 6 ops → 1 ops/);
      assert.match(out, /same z-scores: max difference .* → true/);
      assert.match(out, SPEEDUP);
    });

    it('03_gpu_migration: measured GPU speedup, or the reason the GPU part was skipped', () => {
      const out = run('04_case_studies/03_gpu_migration.ts');
      assert.ok(tableOps(out).includes('matmul'));
      if (/No GPU adapter: /.test(out)) {
        assert.match(out, /GPU part skipped/);
      } else {
        assert.match(out, /results match the CPU \(tolerance 1e-3\): true/);
        assert.match(out, SPEEDUP);
      }
    });
  });
});
