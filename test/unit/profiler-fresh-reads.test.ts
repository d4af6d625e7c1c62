/**
 * The fresh-reads rule: a line that reads a large tensor into a new array on every pass of a loop
 * gets a recommendation to read into one reused array (located at that line, speedup from both
 * reads timed on this machine); the same loop written with `t.dataSync(out)` is recorded as
 * `readInto` and gets none; small reads and GPU sites get none. The timing is overridden where a
 * figure is asserted, so nothing here depends on timing; the real measurement is exercised once.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { aggregate, type Aggregate } from '../../runtime/src/profiler/aggregate.js';
import { runRules } from '../../runtime/src/profiler/rules/index.js';
import { measureReads, type ReadTimes } from '../../runtime/src/profiler/rules/measure-reads.js';
import { snapshot } from '../../runtime/src/profiler/session.js';

const N = 40_000; // 160 KB of float32 per read
const READS = 30;

/** Runs `body` with profiling on (call sites exact) and returns the rules' findings. */
/** A read timing with fresh reads `ratio` times slower than reads into a reused array. */
const reads = (ratio: number) => (): ReadTimes => ({ freshMs: 0.1 * ratio, intoMs: 0.1, ratio });

function profile(body: () => void, overrides: { measureReads?: () => ReadTimes | null; backend?: string } = {}) {
  cp.enableProfiling({ callSites: 'all' });
  body();
  cp.disableProfiling();
  const data = snapshot();
  let agg: Aggregate = aggregate(data);
  if (overrides.backend) agg = { ...agg, sites: agg.sites.map((s) => ({ ...s, backends: [overrides.backend!] })) };
  const cost = (b: string): number | null => (b === 'webgpu' ? null : 1e-3);
  return { agg, recs: runRules(data, agg, { dispatchCostMs: cost, source: () => null, ...(overrides.measureReads ? { measureReads: overrides.measureReads } : {}) }) };
}

describe('profiler rule: fresh reads', () => {
  beforeEach(async () => {
    await cp.setBackend('wasm');
    cp.clearProfile();
  });
  afterEach(() => { cp.disableProfiling(); cp.clearProfile(); });

  it('recommends a reused array for a loop of dataSync() on a large tensor, at that line', () => {
    const x = cp.keep(cp.rand([N]));
    const { recs, agg } = profile(() => {
      for (let i = 0; i < READS; i++) x.dataSync(); // the line to change
    }, { measureReads: reads(4) });
    x.dispose();
    const r = recs.find((x) => x.rule === 'fresh-reads');
    assert.ok(r, `rules: ${recs.map((x) => x.rule)}`);
    const site = agg.sites.find((s) => s.op === 'read')!;
    assert.equal(r.location?.line, site.location?.line);
    assert.match(r.location!.file, /profiler-fresh-reads\.test\.ts$/);
    assert.equal(r.evidence['reads'], READS);
    assert.equal(r.evidence['bytesPerRead'], 4 * N);
    // Reads into a reused array measured 4× faster: the site saves 3/4 of its time, Amdahl over the profile (both
    // without stalled calls, where a busy machine had any: audit 32).
    const readMs = (r.evidence['steadyReadMs'] as number | undefined) ?? site.totalMs, opMs = (r.evidence['steadyOpMs'] as number | undefined) ?? agg.totalOpMs;
    const expected = Math.round((opMs / (opMs - 0.75 * readMs)) * 100) / 100;
    assert.equal(r.estimatedSpeedup, expected);
    assert.ok(Math.abs(r.savedMs! - 0.75 * readMs) < 1e-9);
    assert.match(r.speedupBasis, /r = 4\.00×/);
    assert.match(r.codeExample.after, /dataSync\(pixels\)/);
    assert.equal(r.fix, undefined, 'no mechanical fix: the array must be hoisted by hand');
  });

  it('is silent for the same loop reading into a reused array (recorded as readInto)', () => {
    const x = cp.keep(cp.rand([N]));
    const out = new Float32Array(N);
    const { recs, agg } = profile(() => { for (let i = 0; i < READS; i++) x.dataSync(out); }, { measureReads: reads(4) });
    x.dispose();
    assert.ok(agg.ops.some((o) => o.op === 'readInto' && o.count === READS), `ops: ${agg.ops.map((o) => `${o.op}×${o.count}`)}`);
    assert.ok(!recs.some((r) => r.rule === 'fresh-reads'));
  });

  it('is silent for small reads, for few reads, for GPU sites, and when the copy itself is the cost', () => {
    const small = cp.keep(cp.rand([1000])), big = cp.keep(cp.rand([N]));
    const free = { measureReads: reads(4) };
    assert.ok(!profile(() => { for (let i = 0; i < 200; i++) small.dataSync(); }, free).recs.some((r) => r.rule === 'fresh-reads'));
    assert.ok(!profile(() => { for (let i = 0; i < 3; i++) big.dataSync(); }, free).recs.some((r) => r.rule === 'fresh-reads'));
    assert.ok(!profile(() => { for (let i = 0; i < READS; i++) big.dataSync(); }, { ...free, backend: 'webgpu' }).recs.some((r) => r.rule === 'fresh-reads'));
    // A reused array measured no faster: nothing to save.
    assert.ok(!profile(() => { for (let i = 0; i < READS; i++) big.dataSync(); }, { measureReads: reads(1) }).recs.some((r) => r.rule === 'fresh-reads'));
    small.dispose(); big.dispose();
  });

  it('times both reads on this machine, once per shape and loop length', () => {
    const a = measureReads('wasm', [N], 'float32', READS);
    assert.ok(a && a.freshMs > 0 && a.intoMs > 0 && Number.isFinite(a.ratio) && a.ratio > 0, JSON.stringify(a));
    assert.equal(measureReads('wasm', [N], 'float32', READS), a, 'cached');
    assert.equal(measureReads('webgpu', [N], 'float32', READS), null, 'no CPU-clock figure for a GPU');
  });
});
