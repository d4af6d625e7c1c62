/**
 * jit-chain with a trial stored by an earlier process (rules/timing-cache-file.ts; audit 25 5a): a stored
 * trial whose eager time is far from this profile's own chain time (one taken at a busy moment) is timed
 * again, never reused, and the file then holds the new figure with the new time; one that agrees is
 * reused with no budget, and the basis and evidence say when it was measured. Real kernels, real trials;
 * the stored figures are written into the file as an earlier process would have left them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { aggregate } from '../../runtime/src/profiler/aggregate.js';
import { runRules, type Recommendation } from '../../runtime/src/profiler/rules/index.js';
import { jitTrialFits, TRIAL_FITS } from '../../runtime/src/profiler/rules/measure-jit.js';
import { resetTimingStore } from '../../runtime/src/profiler/rules/timing-budget.js';
import { snapshot } from '../../runtime/src/profiler/session.js';

const N = 60_000;

/** A profile of 8 runs of `x.mul(1.5).sub(0.5).relu().sum()` on N elements. */
function profileChain(x: cp.Tensor) {
  cp.clearProfile();
  cp.enableProfiling({ callSites: 'all' });
  for (let i = 0; i < 8; i++) cp.tidy(() => x.mul(1.5).sub(0.5).relu().sum().item());
  cp.disableProfiling();
  const data = snapshot();
  return { data, agg: aggregate(data) };
}

/** The profile's median time of one run of the chain (its four ops), ms, as the rule takes it. */
function medianChainMs(data: ReturnType<typeof snapshot>): number {
  const ev = data.events.filter((e) => ['mul', 'sub', 'relu', 'sum'].includes(e.op) && e.inputShapes[0]?.[0] === N);
  const runs: number[] = [];
  for (let i = 0; i + 4 <= ev.length; i += 4) runs.push(ev.slice(i, i + 4).reduce((t, e) => t + (e.endMs - e.startMs), 0));
  assert.equal(runs.length, 8, `8 runs of the chain in the profile (${ev.map((e) => e.op).join(',')})`);
  return runs.sort((a, b) => a - b)[runs.length >> 1]!;
}

interface StoredFile {
  format: number;
  machine: string;
  entries: Record<string, Record<string, number>>;
  measuredAt: Record<string, number>;
}

describe('jit-chain: a trial stored by an earlier process', () => {
  let dir: string;
  let file: string;
  let x: cp.Tensor;
  const saved = process.env['COREPY_TIMINGS_CACHE'];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'corepy-jit-trial-'));
    await cp.setBackend('wasm');
    x = cp.keep(cp.rand([N]));
  });
  after(() => {
    x.dispose();
    rmSync(dir, { recursive: true, force: true });
    if (saved === undefined) delete process.env['COREPY_TIMINGS_CACHE']; else process.env['COREPY_TIMINGS_CACHE'] = saved;
    resetTimingStore();
  });
  beforeEach(() => {
    file = join(dir, `t${Math.random().toString(36).slice(2)}.json`);
    process.env['COREPY_TIMINGS_CACHE'] = file;
    resetTimingStore();
  });
  afterEach(() => { cp.disableProfiling(); cp.clearProfile(); });

  const jitRec = (recs: Recommendation[]): Recommendation | undefined => recs.find((r) => r.rule === 'jit-chain');

  /**
   * Profiles the chain and times it for real (the file then holds its trial), then replaces the stored
   * trial with `make(chainMs)` measured an hour ago, as a new process would find it.
   */
  function withStored(make: (chainMs: number) => Record<string, number>) {
    const { data, agg } = profileChain(x);
    const fresh = jitRec(runRules(data, agg, {}, 30_000));
    assert.ok(fresh, 'a chain of 8 runs on 6e4 elements is reported');
    const chainMs = medianChainMs(data);
    assert.ok(chainMs > 0);
    const body = JSON.parse(readFileSync(file, 'utf8')) as StoredFile;
    const key = Object.keys(body.entries).find((k) => k.startsWith('measureJit|'))!;
    assert.ok(key, 'the trial was stored');
    const freshTrial = body.entries[key]!;
    const hourAgo = Date.now() - 3600_000;
    body.entries[key] = make(chainMs);
    body.measuredAt[key] = hourAgo;
    writeFileSync(file, JSON.stringify(body));
    resetTimingStore(); // as a new process: only the file is known
    return { data, agg, key, chainMs, freshTrial, hourAgo };
  }

  it('times again a stored trial far from this profile\'s chain time, and stores the new one with its time', () => {
    // A busy moment's trial: eager 10× this profile's chain time, and a ratio no fresh trial gives.
    const { data, agg, key, chainMs, hourAgo } = withStored((c) => ({ eagerMs: 10 * c, jitMs: c / 4, ratio: 40 }));
    const t0 = Date.now();
    const r = jitRec(runRules(data, agg, {}, 30_000));
    assert.ok(r, 'still reported');
    assert.ok(!r.speedupBasis.includes('r = 40'), r.speedupBasis);
    assert.ok(r.estimatedSpeedup < 20, `estimate ${r.estimatedSpeedup} from the stale trial`);
    assert.match(r.speedupBasis, /^chain timed now /);
    assert.equal(r.evidence['trialMeasuredAt'], undefined);
    assert.notEqual(r.evidence['eagerMs'], 10 * chainMs);
    const body = JSON.parse(readFileSync(file, 'utf8')) as StoredFile;
    assert.notEqual(body.entries[key]!['eagerMs'], 10 * chainMs, 'the stale trial was replaced in the file');
    assert.ok(body.measuredAt[key]! >= t0, `stored with the new time, not the old one (${body.measuredAt[key]! - hourAgo} ms after it)`);
  });

  it('says the trial is not timed yet, never the stale figure, when the budget leaves no time to time it again', () => {
    const { data, agg } = withStored((c) => ({ eagerMs: c / 10, jitMs: c / 40, ratio: 4 }));
    const r = jitRec(runRules(data, agg, {}, 0));
    assert.ok(r);
    assert.match(r.speedupBasis, /^not timed yet/);
    assert.equal(r.evidence['eagerMs'], undefined);
  });

  it('reuses a stored trial near this profile\'s chain time with no budget, and says when it was measured', () => {
    const { data, agg, chainMs, hourAgo } = withStored((c) => ({ eagerMs: 1.2 * c, jitMs: 0.4 * c, ratio: 3 }));
    const r = jitRec(runRules(data, agg, {}, 0));
    assert.ok(r);
    assert.equal(r.evidence['eagerMs'], 1.2 * chainMs);
    assert.equal(r.evidence['trialMeasuredAt'], new Date(hourAgo).toISOString());
    const at = new Date(hourAgo).toISOString().slice(0, 16).replace('T', ' ');
    assert.ok(r.speedupBasis.startsWith(`chain timed on this machine at ${at} UTC (1.0 h ago), cached `), r.speedupBasis);
  });

  it('reuses a stored trial within TRIAL_FITS of the profile\'s chain time, either way, and nothing to compare with', () => {
    assert.ok(jitTrialFits({ eagerMs: 1 }, 1));
    assert.ok(jitTrialFits({ eagerMs: TRIAL_FITS.above }, 1));
    assert.ok(jitTrialFits({ eagerMs: TRIAL_FITS.below }, 1));
    assert.ok(!jitTrialFits({ eagerMs: 5.5 }, 1), 'audit 25: a stored trial 5.5× the chain time');
    assert.ok(!jitTrialFits({ eagerMs: 0.1 }, 1));
    assert.ok(jitTrialFits({ eagerMs: 9 }, undefined));
    assert.ok(jitTrialFits({ eagerMs: 9 }, 0));
  });
});
