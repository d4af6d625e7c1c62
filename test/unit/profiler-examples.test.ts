/**
 * The seed's Examples 1–4 (docs: seed/performance-profiling-system.md §4) translated to TypeScript:
 * the report table, a context-filtered report, the HIGH batch recommendation for a loop of 100
 * adds (and the measured speedup after applying it), and Example 4's baseline check. No test
 * asserts on timings.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { expectedPriority } from './helpers.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('profiler: seed examples', () => {
  beforeEach(async () => {
    await cp.setBackend('js');
    cp.clearProfile();
    cp.enableProfiling();
  });
  afterEach(() => cp.disableProfiling());

  it('Example 1: the report table lists each op once, marks the slowest, states total time and overhead', () => {
    const data = cp.tensor(range(10000));
    const normalized = data.sub(data.mean()).div(data.std());
    normalized.sum();
    const text = cp.profileReport({ width: 100, color: false });
    console.log(text);
    assert.match(text, /COREPY PERFORMANCE REPORT/);
    assert.match(text, /│ Operation +│ Count │ Avg \(ms\) │ Backend +│ % Total │/);
    for (const op of ['mean', 'sub', 'std', 'div', 'sum']) assert.match(text, new RegExp(`│ ${op} +│ 1 +│`));
    assert.equal((text.match(/← Slowest/g) ?? []).length, 1);
    assert.match(text, /Total Time: [\d.]+ms/);
    assert.match(text, /Profiler overhead: ~[\d.]+ ms/);
    const json = cp.profileReport({ format: 'json' });
    assert.deepEqual(json.operations.map((o) => o.op), ['tensor', 'mean', 'sub', 'std', 'div', 'sum']);
    assert.equal(json.operations.filter((o) => o.slowest).length, 1);
    const pct = json.operations.reduce((s, o) => s + o.percent, 0);
    assert.ok(Math.abs(pct - 100) < 1e-6);
    // mean and std of the same tensor: the one-pass recommendation, with a mechanical fix.
    const rec = json.recommendations.find((r) => r.rule === 'moments');
    assert.ok(rec, 'moments recommendation');
    assert.equal(rec.location?.line, 27);
    assert.match(rec.codeExample.after, /moments\(\)/);
    assert.ok(rec.fix && rec.fix.replacement.includes('dataVar.sqrt()'));
  });

  it('narrow terminals drop the Backend column; no colour codes off a TTY', () => {
    cp.tensor(range(10)).add(1);
    const narrow = cp.profileReport({ width: 40, color: false });
    assert.doesNotMatch(narrow, /Backend/);
    assert.doesNotMatch(narrow, /\x1b\[/);
  });

  it('Example 2: a context-filtered report contains only the ops inside the context', () => {
    const data = cp.tensor(range(1000));
    data.mul(2); // outside
    const processData = (d: cp.Tensor): cp.Tensor => {
      using _ctx = new cp.ProfileContext('preprocessing');
      return d.sub(d.mean()).div(d.std());
    };
    processData(data);
    const r = cp.profileReport({ format: 'json', context: 'preprocessing' });
    assert.deepEqual(r.operations.map((o) => o.op).sort(), ['div', 'mean', 'std', 'sub']);
    assert.equal(r.context, 'preprocessing');
    assert.match(cp.profileReport({ context: 'preprocessing', color: false }), /context "preprocessing"/);
    assert.throws(() => cp.profileReport({ context: 'nope' }), /Unknown profile context "nope"; recorded contexts: "preprocessing"/);
    assert.throws(() => cp.profileReport({ format: 'yaml' as 'text' }), /unknown format "yaml"/);
  });

  it('Example 3: a batch recommendation for 100 adds (priority from its estimate), then the batched rewrite measured', async () => {
    // On the default backend, as the seed runs it: on the js reference the batched broadcast is measured slower
    // than the loop, and the rule rightly stays silent.
    await cp.setBackend('wasm');
    const data = cp.tensor(range(100000));
    cp.clearProfile();
    for (let i = 0; i < 100; i++) {
      const temp = data.add(i);
    }
    const recs = cp.getRecommendations();
    const batch = recs.find((r) => r.rule === 'batch-loop');
    assert.ok(batch, `batch recommendation; got ${JSON.stringify(recs.map((r) => r.title))}`);
    // HIGH or not follows the estimate timed on this machine (npm run bench:recommendations checks it against
    // the measured speedup of the rewrite); a test cannot assert a timing, only that priority follows from it.
    assert.equal(batch.priority, expectedPriority(batch));
    assert.equal(batch.title, 'Batch repeated operations');
    assert.match(batch.description, /called 100 times/);
    assert.match(batch.codeExample.before, /for \(let i = 0; i < 100; i\+\+\)/);
    assert.match(batch.codeExample.after, /unsqueeze\(0\)\.add\(offsets\d*\.unsqueeze\(1\)\)/);
    assert.ok(batch.fix, 'mechanical fix');
    assert.equal(batch.fix.range.startLine, 79);
    assert.ok(batch.estimatedSpeedup >= 1);
    assert.equal(batch.evidence['calls'], 100);
    const before = cp.profileReport({ format: 'json' });
    console.log(`      ⚡ ${batch.title}\n         Impact: ${batch.estimatedSpeedup}x (${batch.speedupBasis})\n         ${batch.codeExample.after.replace(/\n/g, '\n         ')}`);

    cp.clearProfile();
    const offsets = cp.arange(100);
    const results = data.unsqueeze(0).add(offsets.unsqueeze(1));
    assert.deepEqual(results.shape, [100, 100000]);
    const after = cp.profileReport({ format: 'json' });
    const adds = (r: cp.ProfileReport): number => r.operations.find((o) => o.op === 'add')?.count ?? 0;
    assert.equal(adds(before), 100);
    assert.equal(adds(after), 1);
    console.log(`      Shows: ${adds(before)} ops → ${adds(after)} op, ${before.totalTimeMs.toFixed(2)}ms → ${after.totalTimeMs.toFixed(2)}ms ` +
      `(${(before.totalTimeMs / Math.max(after.totalTimeMs, 1e-9)).toFixed(2)}x measured)`);
    assert.equal(cp.getRecommendations().filter((r) => r.rule === 'batch-loop').length, 0);
  });

  it('Example 4: report.contexts[section].totalTimeMs and a baseline check', async () => {
    const BASELINE_MS: Record<string, number> = { data_loading: 50.0, preprocessing: 100.0, model_inference: 200.0 };
    const pipeline = async (): Promise<cp.Tensor> => {
      const data = await cp.profileContext('data_loading', async () => cp.tensor(range(5000)));
      const processed = new cp.ProfileContext('preprocessing').run(() => data.sub(data.mean()));
      return cp.profileContext('model_inference', () => cp.matmul(processed.reshape([50, 100]), cp.ones([100, 10])));
    };
    await pipeline();
    const report = cp.profileReport({ format: 'json' });
    const warnings: string[] = [];
    for (const [section, baseline] of Object.entries(BASELINE_MS)) {
      const actual = report.contexts[section]!.totalTimeMs;
      assert.equal(typeof actual, 'number');
      if (actual > baseline * 1.5) warnings.push(`PERFORMANCE REGRESSION: ${section} took ${actual}ms (baseline: ${baseline}ms)`);
    }
    assert.equal(report.contexts['preprocessing']!.opCount, 2);
    assert.equal(report.contexts['model_inference']!.count, 1);
    // The same check through saved baselines.
    const dir = mkdtempSync(join(tmpdir(), 'corepy-baseline-'));
    const path = join(dir, 'base.json');
    cp.saveBaseline(path);
    const same = cp.compareToBaseline(path, { tolerance: 10 });
    assert.equal(same.ok, true);
    assert.deepEqual(same.regressions, []);
    // A baseline 1000× faster than now must show regressions with evidence.
    const base = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(path, 'utf8')));
    for (const e of Object.values(base.contexts) as { meanMs: number; stddevMs: number }[]) { e.meanMs /= 1000; e.stddevMs = 0; }
    writeFileSync(path, JSON.stringify(base));
    // These contexts take a fraction of a millisecond: count any change (the default ignores changes under 1 ms in all).
    const cmp = cp.compareToBaseline(path, { minChangeMs: 0 });
    assert.equal(cmp.ok, false);
    assert.ok(cmp.regressions.some((f) => f.kind === 'context' && f.name === 'preprocessing'));
    assert.match(cmp.regressions[0]!.evidence, /threshold/);
  });
});
