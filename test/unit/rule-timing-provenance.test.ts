/**
 * Where a timed rule's figure came from (rules/types.ts `trialWhen`, timing-budget.ts): a trial timed for
 * the report says "timed now"; the same figure reused — by a later report of this process, or by a new
 * process from the per-machine file (COREPY_TIMINGS_CACHE) — says when it was timed and that it is cached,
 * with `evidence.trialMeasuredAt` (audit: two scripts' reports printed one stored trial as if timed here).
 * Real kernels, real trials, the real rules, a fresh file in a temporary folder.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { aggregate } from '../../runtime/src/profiler/aggregate.js';
import { runRules, type Recommendation } from '../../runtime/src/profiler/rules/index.js';
import { resetTimingStore } from '../../runtime/src/profiler/rules/timing-budget.js';
import { snapshot } from '../../runtime/src/profiler/session.js';

/** A profile of a loop of `x.add(i)` over 40 calls on 3001 elements (one batch-loop site). */
function profileLoop() {
  cp.clearProfile();
  cp.enableProfiling({ callSites: 'all' });
  const x = cp.ones([3001]);
  cp.tidy(() => { for (let i = 0; i < 40; i++) x.add(i); });
  x.dispose();
  cp.disableProfiling();
  const data = snapshot();
  return { data, agg: aggregate(data) };
}

const batchRec = (recs: Recommendation[]): Recommendation => {
  const r = recs.find((x) => x.rule === 'batch-loop');
  assert.ok(r, `a batch-loop finding (got ${recs.map((x) => x.rule).join(', ')})`);
  return r;
};

/** The basis's stated time: "YYYY-MM-DD HH:MM UTC" of `ms`. */
const minuteOf = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

describe('rule timings: timed now or cached, and said so', () => {
  let dir: string;
  let file: string;
  const saved = process.env['COREPY_TIMINGS_CACHE'];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'corepy-provenance-'));
    file = join(dir, 'rule-timings.json');
    process.env['COREPY_TIMINGS_CACHE'] = file;
    resetTimingStore();
    await cp.setBackend('wasm');
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    if (saved === undefined) delete process.env['COREPY_TIMINGS_CACHE']; else process.env['COREPY_TIMINGS_CACHE'] = saved;
    resetTimingStore();
  });
  afterEach(() => { cp.disableProfiling(); cp.clearProfile(); });

  it('says "timed now" for a trial timed for this report, "cached" with its time for the same figure reused', () => {
    const { data, agg } = profileLoop();
    const t0 = Date.now();
    const fresh = batchRec(runRules(data, agg, {}, 30_000));
    assert.match(fresh.speedupBasis, /^rewrite timed now, warm, on \[3001\] float32, wasm: 40 calls /, fresh.speedupBasis);
    assert.doesNotMatch(fresh.speedupBasis, /cached/);
    assert.equal(fresh.evidence['trialMeasuredAt'], undefined);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { measuredAt: Record<string, number> };
    const key = Object.keys(stored.measuredAt).find((k) => k.startsWith('measureBatch|["add","wasm",[3001]'));
    assert.ok(key, `the trial is in the file: ${Object.keys(stored.measuredAt).join(' ')}`);
    const at = stored.measuredAt[key]!;
    assert.ok(at >= t0 && at <= Date.now());

    // A later report of the same process (the extension's live session): the figure is not timed again.
    const again = batchRec(runRules(data, agg, {}, 0));
    const cached = new RegExp(`^rewrite timed on this machine at ${minuteOf(at)} UTC \\(\\d+ min ago\\), cached, warm, on \\[3001\\]`);
    assert.match(again.speedupBasis, cached, again.speedupBasis);
    assert.equal(again.evidence['trialMeasuredAt'], new Date(at).toISOString());
    assert.equal(again.evidence['loopMs'], fresh.evidence['loopMs'], 'the same figure');

    // A new process (only the file known) with no budget: reused from the file, and said so.
    resetTimingStore();
    const next = batchRec(runRules(data, agg, {}, 0));
    assert.match(next.speedupBasis, cached, next.speedupBasis);
    assert.equal(next.evidence['trialMeasuredAt'], new Date(at).toISOString());
    assert.equal(next.evidence['loopMs'], fresh.evidence['loopMs']);
  });

  it('says "not timed yet", without promising the next report, when no budget is left and nothing is cached', () => {
    resetTimingStore();
    rmSync(file, { force: true });
    const { data, agg } = profileLoop();
    const r = batchRec(runRules(data, agg, {}, 0));
    assert.match(r.speedupBasis, /^not timed yet: the batched rewrite on \[3001\] did not fit in this report's timing budget \(COREPY_RULE_BUDGET_MS\)\. /);
    assert.match(r.speedupBasis, /cheapest first, until its budget is spent/);
    assert.doesNotMatch(r.speedupBasis, /the next report, or the next run on this machine, times it/);
    assert.equal(r.impact, 'unknown');
  });
});
