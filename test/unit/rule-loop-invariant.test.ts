/**
 * loop-invariant: a line that recomputes the same result in a loop (the same tensor, a literal
 * argument: `x.mul(1.5)` a hundred times) is told to compute it once, with the saving of all calls
 * but one; batch-loop's broadcast over `arange` is not offered there (nothing varies). A scalar that
 * varies (`x.add(i)`) or one the source does not show as a literal stays batch-loop's.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { corpusFields } from '../../runtime/src/profiler/rules/corpus.js';

function recommendationsOf(run: () => void): cp.Recommendation[] {
  cp.clearProfile({ segments: true });
  cp.enableProfiling({ callSites: 'all' });
  run();
  return cp.profileReport({ format: 'json' }).recommendations;
}

describe('loop-invariant rule', () => {
  afterEach(() => { cp.disableProfiling(); cp.clearProfile({ segments: true }); });

  it('the same tensor times a literal, 100 times: compute it once (saving 99 of the 100 calls); no batch-loop', async () => {
    await cp.setBackend('wasm');
    const x = cp.keep(cp.randn([4096]));
    const recs = recommendationsOf(() => {
      for (let i = 0; i < 100; i++) cp.tidy(() => { x.mul(1.5); });
    });
    const rec = recs.find((r) => r.rule === 'loop-invariant');
    assert.ok(rec, `loop-invariant fired: ${recs.map((r) => r.rule).join(', ')}`);
    assert.equal(rec.location?.line, 29);
    assert.match(rec.description, /^'mul\(1\.5\)' ran 100 times from this line on the same input tensor, so every call after the first/);
    assert.equal(rec.impact, corpusFields('loop-invariant').impact, 'the corpus verdict');
    assert.equal(rec.fix, undefined);
    assert.equal(rec.evidence['memoryGrowthSavedMs'], undefined, 'tidy releases every result: no memory growth to save');
    assert.doesNotMatch(rec.speedupBasis, /never released/);
    const report = cp.profileReport({ format: 'json' });
    const site = report.callSites.find((s) => s.op === 'mul')!;
    // All calls but one, without the stalled calls among them (rules/stalls.ts: a loaded machine's, named in the evidence).
    const steadyMs = site.totalMs - Number(rec.evidence['stalledMs'] ?? 0);
    assert.ok(Math.abs(rec.savedMs! - steadyMs * 0.99) <= 1e-9 * Math.max(1, site.totalMs), `saved ${rec.savedMs} of ${steadyMs} ms`);
    assert.equal(recs.some((r) => r.rule === 'batch-loop' && r.location?.line === 29), false, 'no broadcast over arange for a constant');
    x.dispose();
  });

  it('a varying scalar (the loop counter) or one the source does not show as a literal: not loop-invariant', async () => {
    await cp.setBackend('wasm');
    const x = cp.keep(cp.randn([4096]));
    const scale = Number(process.env['COREPY_TEST_SCALE'] ?? '1.5');
    const recs = recommendationsOf(() => {
      for (let i = 0; i < 100; i++) cp.tidy(() => { x.add(i); });
      for (let i = 0; i < 100; i++) cp.tidy(() => { x.mul(scale); });
    });
    assert.deepEqual(recs.filter((r) => r.rule === 'loop-invariant').map((r) => r.location?.line), []);
    x.dispose();
  });

  it('a reduction of the same tensor with a literal axis, in a loop: compute it once', async () => {
    await cp.setBackend('wasm');
    const m = cp.keep(cp.randn([64, 256]));
    const recs = recommendationsOf(() => {
      for (let i = 0; i < 50; i++) cp.tidy(() => { m.sum(0); });
    });
    const rec = recs.find((r) => r.rule === 'loop-invariant');
    assert.ok(rec, `loop-invariant fired: ${recs.map((r) => r.rule).join(', ')}`);
    assert.match(rec.description, /^'sum\(0\)' ran 50 times/);
    m.dispose();
  });

  it('results never released (a fresh process, so memory grows): the basis adds the growth computing once avoids, over wall time', function () {
    this.timeout(120_000);
    const root = join(__dirname, '..', '..'), fixture = join(root, 'test', 'fixtures', 'profiler', 'invariant-leak.mts');
    const r = spawnSync(process.execPath, ['--import', 'tsx', fixture], { cwd: root, encoding: 'utf8', timeout: 100_000, maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as cp.ProfileReport;
    const line = readFileSync(fixture, 'utf8').split('\n').findIndex((l) => l.includes('LINE-LEAK')) + 1;
    const rec = report.recommendations.find((x) => x.rule === 'loop-invariant' && x.location?.line === line);
    assert.ok(rec, `loop-invariant fired: ${report.recommendations.map((x) => x.rule).join(', ')}`);
    // 200 results of 400 KB: the fresh memory grew during the muls (one-time costs, outside op time).
    const growth = report.oneTimeCosts.filter((c) => c.duringOps.length > 0 && /^(grow wasm memory|first touch of new wasm memory)/.test(c.name))
      .reduce((t, c) => t + c.totalMs - (c.stallMs ?? 0), 0);
    assert.ok(growth > 0, JSON.stringify(report.oneTimeCosts));
    const held = report.memory!.heldBySite.find((h) => h.location?.line === line)!;
    const expected = growth * Math.min(1, held.peakBytes / report.memory!.peakBytes) * 199 / 200;
    const saved = rec.evidence['memoryGrowthSavedMs'] as number;
    assert.ok(Math.abs(saved - expected) <= 1e-6 * Math.max(1, expected), `memory growth saved ${saved} ms, expected ${expected}`);
    assert.equal(rec.evidence['savedWallMs'], rec.savedMs! + saved);
    assert.match(rec.speedupBasis, /; its results are never released, so it also avoids ≈[\d.]+ ms of memory growth and first touch of new memory \(one-time costs, outside op time\): ≈\d+\.\d× of the [\d.]+ ms wall time(; op time is [^;]*)?$/);
    // The estimate itself stays on op time (what the corpus verified), without the stalled calls in it (rules/stalls.ts).
    const opMs = report.totalTimeMs - Number(rec.evidence['opStalledMs'] ?? 0);
    assert.equal(rec.estimatedSpeedup, Math.round((opMs / Math.max(opMs - rec.savedMs!, opMs * 1e-3)) * 100) / 100);
  });
});
