/**
 * What a rule claims from a side-by-side trial (rules/types.ts `trialRatio`) and what it prints (audit 24
 * N6, N7): the basis prints the trial's medians and an r they support — of the medians' ratio and the
 * median per-round ratio the one nearer 1, the other named beside it — and where the two disagree on
 * which side is faster ("eager 2.04 ms vs cp.jit 2.16 ms (r = 1.21×)"), no speedup: batch-loop says the
 * trial was too noisy (LOW, 1×), jit-chain is silent. And a loop's stalled calls (a descheduled process)
 * are not what batching saves (rules/batch-as-run.ts). All on fixed timing figures, nothing timed.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { aggregate } from '../../runtime/src/profiler/aggregate.js';
import { runRules } from '../../runtime/src/profiler/rules/index.js';
import { batchAsRun } from '../../runtime/src/profiler/rules/batch-as-run.js';
import { siteEvents } from '../../runtime/src/profiler/rules/site-events.js';
import { ruleColumnsOf } from '../../runtime/src/profiler/rule-columns.js';
import type { BatchTimes } from '../../runtime/src/profiler/rules/measure.js';
import type { JitTimes } from '../../runtime/src/profiler/rules/measure-jit.js';
import { trialRatio } from '../../runtime/src/profiler/rules/types.js';
import { snapshot } from '../../runtime/src/profiler/session.js';

/** The two medians printed in a basis as "A ms vs … B ms", and the r printed after them. */
function printed(basis: string): { a: number; b: number; r: number | null } {
  const m = /([\d.]+) ms vs (?:batched |cp\.jit )?([\d.]+) ms \(medians; (?:r = ([\d.]+)×)?/.exec(basis);
  assert.ok(m, `medians in: ${basis}`);
  return { a: Number(m[1]), b: Number(m[2]), r: m[3] === undefined ? null : Number(m[3]) };
}

describe('rules: the ratio claimed from a trial agrees with the medians printed', () => {
  it('trialRatio: the one of the two nearer 1, the other named; none where they disagree on the direction', () => {
    // Audit 24 N6: the medians say 3.49×, the per-round median 4.48×: 3.49× is claimed, and printed with 4.48× beside it.
    const n6 = trialRatio(0.866, 0.248, 4.48);
    assert.equal(n6.noisy, false);
    assert.ok(Math.abs(n6.r - 0.866 / 0.248) < 1e-12);
    assert.equal(n6.text, 'r = 3.49×, the medians\' ratio (per round: 4.48×)');
    // The per-round median nearer 1.
    const low = trialRatio(2, 1, 1.5);
    assert.equal(low.r, 1.5);
    assert.equal(low.text, 'r = 1.50×, the median per-round ratio (the medians\': 2.00×)');
    // A slowdown: the smaller one (nearer 1) too.
    assert.equal(trialRatio(1, 2, 0.8).r, 0.8);
    assert.equal(trialRatio(1, 2, 0.4).r, 0.5);
    // Agreeing figures: one r.
    assert.equal(trialRatio(3, 1, 3).text, 'r = 3.00×');
    // Audit 24 N7: the medians say cp.jit is slower (0.94×), the per-round median 1.21× faster: no claim.
    const n7 = trialRatio(2.04, 2.16, 1.21);
    assert.equal(n7.noisy, true);
    assert.equal(n7.r, 1);
    assert.match(n7.text, /too noisy to tell: the medians' ratio is 0\.94× but the median per-round ratio 1\.21×, so no speedup is claimed/);
    assert.equal(trialRatio(2.16, 2.04, 0.9).noisy, true);
  });

  describe('on a profiled loop and chain, with fixed trial figures', () => {
    beforeEach(async () => {
      await cp.setBackend('wasm');
      cp.clearProfile();
    });
    afterEach(() => { cp.disableProfiling(); cp.clearProfile(); });

    /** The batch-loop and jit-chain findings for a profiled loop of adds and a chain, with the trials giving `batch` and `jit`. */
    function recsWith(batch: Omit<BatchTimes, 'timedCalls'>, jit: JitTimes) {
      const x = cp.keep(cp.ones([100]));
      const frames = Array.from({ length: 5 }, () => cp.keep(cp.rand([50_000])));
      cp.enableProfiling({ callSites: 'all' });
      cp.tidy(() => { for (let i = 0; i < 50; i++) x.add(i); });
      for (const f of frames) cp.tidy(() => f.mul(1.5).sub(0.5).relu().sum());
      cp.disableProfiling();
      const data = snapshot();
      x.dispose();
      for (const f of frames) f.dispose();
      // The source is read (batch-loop needs the loop counter from it); the timings are the figures given.
      return runRules(data, aggregate(data), {
        dispatchCostMs: () => 1e-3,
        measureBatch: (_op, _b, _s, _d, k) => ({ ...batch, timedCalls: k }),
        measureJit: () => jit,
      });
    }

    it('prints an r with the direction of the printed medians, from the figures printed', () => {
      const recs = recsWith({ loopMs: 0.866, batchedMs: 0.248, ratio: 4.48 }, { eagerMs: 3, jitMs: 1, ratio: 3.6 });
      for (const rule of ['batch-loop', 'jit-chain']) {
        const rec = recs.find((r) => r.rule === rule);
        assert.ok(rec, `${rule} fired: ${recs.map((r) => r.rule).join(', ')}`);
        const p = printed(rec.speedupBasis);
        assert.ok(p.r !== null, `${rule}: an r printed: ${rec.speedupBasis}`);
        assert.equal(Math.sign(Math.log(p.a / p.b)), Math.sign(Math.log(p.r)), `${rule}: ${rec.speedupBasis}`);
        // The claim is the medians' ratio here (nearer 1 than the per-round one), up to the printed rounding.
        assert.ok(Math.abs(p.r - p.a / p.b) < 0.02, `${rule}: r ${p.r} vs ${p.a} / ${p.b}`);
      }
      assert.match(recs.find((r) => r.rule === 'batch-loop')!.speedupBasis, /r = 3\.49×, the medians' ratio \(per round: 4\.48×\)/);
      assert.match(recs.find((r) => r.rule === 'jit-chain')!.speedupBasis, /r = 3\.00×, the medians' ratio \(per round: 3\.60×\)/);
    });

    it('claims no speedup where the medians and the per-round ratios disagree on which is faster', () => {
      const recs = recsWith({ loopMs: 0.9, batchedMs: 1, ratio: 1.3 }, { eagerMs: 2.04, jitMs: 2.16, ratio: 1.21 });
      assert.deepEqual(recs.filter((r) => r.rule === 'jit-chain').map((r) => r.speedupBasis), [], 'jit-chain is silent');
      const batch = recs.find((r) => r.rule === 'batch-loop');
      assert.ok(batch, 'batch-loop still shows the rewrite');
      assert.equal(batch.estimatedSpeedup, 1);
      assert.equal(batch.priority, 'LOW');
      assert.equal(batch.savedMs, 0);
      assert.match(batch.speedupBasis, /0\.900 ms vs batched 1\.00 ms \(medians; too noisy to tell: the medians' ratio is 0\.90× but the median per-round ratio 1\.30×, so no speedup is claimed\)/);
    });
  });

  it('batchAsRun: a stalled call is left out of the loop, and the estimate does not move with it', async () => {
    await cp.setBackend('wasm');
    cp.clearProfile();
    cp.enableProfiling({ callSites: 'all' });
    const x = cp.ones([1000]);
    for (let i = 0; i < 40; i++) cp.tidy(() => { x.add(i); });
    cp.disableProfiling();
    const data = snapshot();
    x.dispose();
    cp.clearProfile();
    const real = ruleColumnsOf(data.events);
    const events = siteEvents(real, data.events.find((e) => e.op === 'add')!.site, 'add');
    assert.equal(events.length, 40);
    const withDurations = (ms: (j: number) => number) => {
      const startMs = Float64Array.from(real.startMs), endMs = Float64Array.from(real.endMs);
      for (let j = 0; j < 40; j++) { startMs[events[j]!] = 1000 + 40 * j; endMs[events[j]!] = 1000 + 40 * j + ms(j); }
      return { ...real, startMs, endMs };
    };
    const sum = (ms: (j: number) => number): number => Array.from({ length: 40 }, (_, j) => ms(j)).reduce((a, b) => a + b, 0);
    // Calls of 0.01 ms, every 17th 0.08 ms (the loop's own: kept), with or without one of 20 ms and one of 32 ms
    // (audit 24 N6: the same script's loop 9 ms in one run, 28 ms in the next).
    const base = (j: number): number => (j % 17 === 5 ? 0.08 : 0.01);
    const stalled = (j: number): number => (j === 12 ? 20 : j === 30 ? 32 : base(j));
    for (const trialRatioR of [4, 2]) {
      const quiet = batchAsRun(data, withDurations(base), events, sum(base), 40, 0.4, trialRatioR);
      const loud = batchAsRun(data, withDurations(stalled), events, sum(stalled), 40, 0.4, trialRatioR);
      assert.equal(quiet.stalls, 0);
      assert.equal(loud.stalls, 2);
      assert.ok(Math.abs(loud.stallMs - (20 - 0.01 + 32 - 0.01)) < 1e-9, `stalls ${loud.stallMs}`);
      assert.ok(Math.abs(loud.loopMs - quiet.loopMs) < 1e-9, `loop ${loud.loopMs} vs ${quiet.loopMs}`);
      assert.ok(Math.abs(loud.savedMs - quiet.savedMs) < 1e-9, `saved ${loud.savedMs} vs ${quiet.savedMs}`);
      assert.ok(Math.abs(quiet.savedMs - sum(base) * (1 - 1 / trialRatioR)) < 1e-9);
    }
  });
});
