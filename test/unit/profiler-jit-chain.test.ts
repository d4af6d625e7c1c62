/**
 * The jit-chain rule (issue 16): a hot chain of elementwise ops ending in a whole-tensor reduction
 * gets "Fuse this chain with cp.jit" at the reduction's line, with the chain's ops, an estimate
 * from the chain timed eagerly against cp.jit (overridden here where a figure is asserted, so
 * nothing depends on timing) and an AST quick fix where the chain is one method chain; a chain without a reduction, a tiny chain and
 * a chain already under cp.jit get none. The real measurement is exercised once.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { aggregate } from '../../runtime/src/profiler/aggregate.js';
import { applyFixes } from '../../runtime/src/profiler/rules/ast.js';
import { runRules } from '../../runtime/src/profiler/rules/index.js';
import { jitRewrite } from '../../runtime/src/profiler/rules/jit-rewrite.js';
import { jitTrialRuns, measureJit, type ChainLink, type JitTimes } from '../../runtime/src/profiler/rules/measure-jit.js';
import { snapshot } from '../../runtime/src/profiler/session.js';

const N = 50_000;

/** Runs `body` profiled and returns the jit-chain findings, with the chain timing `ratio`× faster under jit. */
function jitRecs(body: () => void, ratio = 3, maxEvents?: number) {
  cp.clearProfile(); // each profile on its own: events of an earlier call would otherwise still be retained
  cp.enableProfiling({ callSites: 'all', ...(maxEvents !== undefined ? { maxEvents } : {}) });
  body();
  cp.disableProfiling();
  const data = snapshot();
  const agg = aggregate(data);
  const calls: { links: readonly ChainLink[]; reduce: string; shape: readonly number[]; runs: number | undefined }[] = [];
  const measureJitStub = (links: readonly ChainLink[], reduce: string, _b: string, shape: readonly number[], _dt: string, runs?: number): JitTimes => {
    calls.push({ links, reduce, shape, runs });
    return { eagerMs: ratio, jitMs: 1, ratio };
  };
  const recs = runRules(data, agg, { dispatchCostMs: () => 1e-3, source: () => null, measureJit: measureJitStub }).filter((r) => r.rule === 'jit-chain');
  return { recs, calls, agg };
}

describe('profiler rule: jit-chain', () => {
  beforeEach(async () => {
    await cp.setBackend('wasm');
    cp.clearProfile();
  });
  afterEach(() => { cp.disableProfiling(); cp.clearProfile(); });

  it('recommends cp.jit for a chain of elementwise ops + sum, at the line of the chain, estimate by Amdahl', () => {
    const frames = Array.from({ length: 5 }, () => cp.keep(cp.rand([N])));
    const { recs, calls, agg } = jitRecs(() => {
      for (const f of frames) cp.tidy(() => f.mul(1.5).sub(0.5).relu().sum()); // the chain
    });
    for (const f of frames) f.dispose();
    assert.equal(recs.length, 1, `jit recs: ${recs.map((r) => r.title)}`);
    const r = recs[0]!;
    assert.equal(r.title, 'Fuse this chain with cp.jit');
    assert.match(r.location!.file, /profiler-jit-chain\.test\.ts$/);
    assert.equal(r.evidence['ops'], 'mul,sub,relu,sum');
    assert.equal(r.evidence['chains'], 5);
    assert.deepEqual(calls[0]!.links, [{ op: 'mul', operand: 'scalar' }, { op: 'sub', operand: 'scalar' }, { op: 'relu', operand: 'none' }]);
    assert.equal(calls[0]!.reduce, 'sum');
    assert.deepEqual(calls[0]!.shape, [N]);
    // Timed as the profile ran it: five runs of the chain per scope (jitTrialRuns).
    assert.equal(calls[0]!.runs, 5);
    // The chains are the whole profile here (p = 1 up to rounding), so the speedup is the measured ratio. Stalled
    // calls (a busy machine) are left out of the chain's time and of the op time alike (audit 32).
    const p = (r.evidence['totalMs'] as number) / ((r.evidence['steadyOpMs'] as number | undefined) ?? agg.totalOpMs);
    assert.equal(r.estimatedSpeedup, Math.max(1, Math.round(100 / ((1 - p) + p / 3)) / 100));
    assert.match(r.codeExample.after, /cp\.jit\(\(x: cp\.Tensor\) => x\.mul\(c\)\.sub\(c\)\.relu\(\)\.sum\(\)\)/);
    // The source is not given to the rules here (source: () => null): no fix, and the reason says so.
    assert.equal(r.fix, undefined);
    assert.match(r.fixUnavailable ?? '', /could not be read/);
  });

  it('past the event ring: the kept chains stand for every run at this site, and the share is of all op time (audit 27 F3)', () => {
    const frame = cp.keep(cp.rand([N]));
    const RUNS = 300;
    // 4 events a chain: a ring of 400 keeps the last ~100 chains of 300.
    const { recs, agg } = jitRecs(() => {
      for (let i = 0; i < RUNS; i++) cp.tidy(() => frame.mul(1.5).sub(0.5).relu().sum()); // the chain past the ring
    }, 3, 400);
    frame.dispose();
    assert.equal(recs.length, 1, `jit recs: ${recs.map((r) => r.title)}`);
    const r = recs[0]!, kept = r.evidence['keptChains'] as number;
    assert.equal(r.evidence['chains'], RUNS);
    assert.ok(kept > 0 && kept < RUNS, `kept ${kept} of ${RUNS}`);
    assert.match(r.description, new RegExp(`ran ${RUNS} time\\(s\\) for ≈[\\d.]+ ms \\(\\d+% of op time(, stalled calls left out)?\\) \\(the profile kept its last ${kept} runs, past the event ring`));
    // The chain's time is its four lines' exact totals: every op of this profile, p = 1 (it was kept/RUNS of it).
    const lines = agg.sites.filter((s) => ['mul', 'sub', 'relu', 'sum'].includes(s.op));
    assert.ok(Math.abs(((r.evidence['recordedMs'] ?? r.evidence['totalMs']) as number) - lines.reduce((t, s) => t + s.totalMs, 0)) <= 1e-9 * agg.totalOpMs);
    const p = (r.evidence['totalMs'] as number) / ((r.evidence['steadyOpMs'] as number | undefined) ?? agg.totalOpMs);
    assert.ok(p > 0.99, `share ${p.toFixed(2)} of op time`);
    assert.equal(r.estimatedSpeedup, Math.max(1, Math.round(100 / ((1 - Math.min(1, p)) + Math.min(1, p) / 3)) / 100));
  });

  it('is silent for a chain without a reduction, for tiny tensors, for a measured ratio near 1, and under cp.jit', () => {
    const x = cp.keep(cp.rand([N])), small = cp.keep(cp.rand([100]));
    assert.equal(jitRecs(() => { for (let i = 0; i < 5; i++) cp.tidy(() => x.mul(1.5).sub(0.5).relu()); }).recs.length, 0);
    assert.equal(jitRecs(() => { for (let i = 0; i < 5; i++) cp.tidy(() => small.mul(1.5).sub(0.5).relu().sum()); }).recs.length, 0);
    assert.equal(jitRecs(() => { for (let i = 0; i < 5; i++) cp.tidy(() => x.mul(1.5).sub(0.5).relu().sum()); }, 1.02).recs.length, 0);
    const fused = cp.jit((t: cp.Tensor) => t.mul(1.5).sub(0.5).relu().sum());
    assert.equal(jitRecs(() => { for (let i = 0; i < 5; i++) cp.tidy(() => fused(x)); }).recs.length, 0);
    x.dispose(); small.dispose();
  });

  it('asks for as many runs per trial scope as the profile had, no more than 2^23 live intermediate elements', () => {
    assert.equal(jitTrialRuns(10, 3, [100_000]), 10);
    assert.equal(jitTrialRuns(1000, 3, [100_000]), 20, '4 × 1e5 elements per run: 20 runs fill 2^23');
    assert.equal(jitTrialRuns(1000, 3, [1e7]), 1, 'one run even when it alone is past the cap');
    assert.equal(jitTrialRuns(0, 1, [10]), 1);
  });

  it('times the chain eagerly against cp.jit on this machine, and not on a GPU', () => {
    const t = measureJit([{ op: 'mul', operand: 'scalar' }, { op: 'relu', operand: 'none' }], 'sum', 'wasm', [N], 'float32');
    assert.ok(t && t.eagerMs > 0 && t.jitMs > 0 && t.ratio > 0, JSON.stringify(t));
    assert.equal(measureJit([{ op: 'mul', operand: 'scalar' }], 'sum', 'webgpu', [N], 'float32'), null);
    assert.equal(measureJit([{ op: 'matmul', operand: 'tensor' }], 'sum', 'wasm', [N], 'float32'), null, 'not an elementwise op');
  });
});

describe('jit-chain quick fix (syntax tree)', () => {
  const src = [
    "import * as cp from 'corepy';",
    '',
    'export function run(frames: cp.Tensor[]): number[] {',
    '  const totals: number[] = [];',
    '  for (const frame of frames) {',
    '    // keep this comment',
    '    totals.push(frame.mul(1.5).sub(-0.5).relu().sum().item());',
    '  }',
    '  return totals;',
    '}',
    '',
  ].join('\n');

  it('defines the jitted chain once after the import and calls it where the chain was, keeping the rest', () => {
    const r = jitRewrite('/w/a.ts', src, 7, 17, ['mul', 'sub', 'relu'], 'sum');
    assert.ok('fix' in r, 'reason' in r ? r.reason : '');
    const out = applyFixes(src, [r.fix]);
    assert.match(out, /^import \* as cp from 'corepy';\n\/\/ mul → sub → relu → sum as one fused kernel[^\n]*\nconst fused = cp\.jit\(\(t: cp\.Tensor\) => t\.mul\(1\.5\)\.sub\(-0\.5\)\.relu\(\)\.sum\(\)\);\n/);
    assert.match(out, /    \/\/ keep this comment\n    totals\.push\(fused\(frame\)\.item\(\)\);/);
    assert.equal(out.split('\n').length, src.split('\n').length + 2);
  });

  it('writes no type annotation in JavaScript and picks names that collide with none', () => {
    const js = src.replace('(frames: cp.Tensor[]): number[]', '(frames)').replace('const totals: number[]', 'const totals').replace('const totals', 'const fused = 1; const t = 2; const totals');
    const r = jitRewrite('/w/a.js', js, 7, 17, ['mul', 'sub', 'relu'], 'sum');
    assert.ok('fix' in r, 'reason' in r ? r.reason : '');
    assert.match(applyFixes(js, [r.fix]), /const fused2 = cp\.jit\(\(t2\) => t2\.mul\(1\.5\)/);
  });

  it('offers no fix, with a reason, for variable arguments, another chain, function forms, or no namespace', () => {
    const reasonOf = (s: string, ops = ['mul', 'sub', 'relu']): string => {
      const r = jitRewrite('/w/a.ts', s, 7, 17, ops, 'sum');
      assert.ok('reason' in r, `unexpected fix for ${s}`);
      return r.reason;
    };
    assert.match(reasonOf(src.replace('mul(1.5)', 'mul(scale)')), /number arguments/);
    assert.match(reasonOf(src, ['mul', 'relu']), /not mul → relu → sum/);
    assert.match(reasonOf(src.replace('frame.mul(1.5).sub(-0.5).relu().sum()', 'cp.sum(cp.relu(frame.mul(1.5).sub(-0.5)))')), /\.sum\(\)|not a method call/);
    assert.match(reasonOf(src.replace("import * as cp from 'corepy';", "import { jit } from 'corepy';")), /namespace/);
    assert.match(reasonOf(src.replace('frame.mul', 'next().mul')), /not a plain variable/);
  });
});
