/**
 * A recommendation in proportion to the run (rules/wall-share.ts; audit 24 N9): every estimate is
 * over op time, so a run that mostly does other work gets the saving's share of its wall time in
 * the basis, and a HIGH whose saving is under 5 % of the wall time is MEDIUM. Real kernels, real
 * wall time: a loop-invariant `x.mul(1.5)` with and without busy JavaScript between the calls.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { inProportionToWallTime } from '../../runtime/src/profiler/rules/wall-share.js';
import type { Recommendation } from '../../runtime/src/profiler/rules/types.js';

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* JavaScript that issues no op */ }
}

function loopInvariant(run: () => void): { rec: Recommendation | undefined; opMs: number; wallMs: number } {
  cp.clearProfile({ segments: true });
  cp.enableProfiling({ callSites: 'all' });
  run();
  const report = cp.profileReport({ format: 'json' });
  return { rec: report.recommendations.find((r) => r.rule === 'loop-invariant'), opMs: report.totalTimeMs, wallMs: report.wallTimeMs };
}

describe('recommendations in proportion to the wall time', () => {
  afterEach(() => { cp.disableProfiling(); cp.clearProfile({ segments: true }); });

  it('ops a small share of the run: the basis gives the saving\'s share of the wall time', async () => {
    await cp.setBackend('wasm');
    const x = cp.keep(cp.randn([4096]));
    const { rec, opMs, wallMs } = loopInvariant(() => {
      for (let i = 0; i < 100; i++) { cp.tidy(() => { x.mul(1.5); }); busy(3); }
    });
    assert.ok(rec, 'loop-invariant fired');
    assert.ok(opMs < 0.5 * wallMs, `op time ${opMs} ms of ${wallMs} ms wall`);
    // "stalled calls" joins the list where a busy machine stalled some calls (rules/stalls.ts).
    assert.match(rec.speedupBasis, /; op time is [\d.]+ % of the \d+ ms from this run's first op to its last \(one-time costs(, stalled calls)? and the profiler's own left out\), so the saving is [\d.]+ % of the run/);
    assert.notEqual(rec.priority, 'HIGH', `${rec.priority}: ${rec.speedupBasis}`);
    x.dispose();
  });

  it('ops most of the run: no wall-time clause', async () => {
    await cp.setBackend('wasm');
    const x = cp.keep(cp.randn([1_000_000]));
    const { rec, opMs, wallMs } = loopInvariant(() => {
      for (let i = 0; i < 50; i++) cp.tidy(() => { x.mul(1.5); });
    });
    assert.ok(rec, 'loop-invariant fired');
    assert.doesNotMatch(rec.speedupBasis, /wall time/, `${opMs} of ${wallMs} ms`);
    x.dispose();
  });

  it('the demotion: HIGH under 5 % of the wall time is MEDIUM, at 5 % or more it stays', () => {
    const high: Recommendation = {
      id: 'x', rule: 'loop-invariant', priority: 'HIGH', title: 't', description: 'd', estimatedSpeedup: 50, speedupBasis: 'basis',
      codeExample: { before: '', after: '' }, location: null, evidence: {}, savedMs: 100,
    };
    assert.equal(inProportionToWallTime(high, 110, 4000).priority, 'MEDIUM');
    assert.match(inProportionToWallTime(high, 110, 4000).speedupBasis, /^basis; op time is 2\.8 % of the 4000 ms from this run's first op to its last \(one-time costs and the profiler's own left out\), so the saving is 2\.5 % of the run \(MEDIUM, not HIGH/);
    assert.equal(inProportionToWallTime(high, 110, 1000).priority, 'HIGH');
    assert.equal(inProportionToWallTime(high, 110, 200), high, 'op time over half the wall time: unchanged');
    const unsaved = { ...high, savedMs: undefined };
    assert.equal(inProportionToWallTime(unsaved, 1, 4000), unsaved, 'no saving known: unchanged');
  });
});
