/**
 * GC pauses while profiling (profiler/gc-pauses.ts): the report counts them and says how much of
 * the op time they were; the batch-loop rule leaves the pauses inside a loop's calls out of what
 * batching saves (rules/batch-as-run.ts).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { pauseOverlapMs } from '../../runtime/src/profiler/gc-pauses.js';
import { batchAsRun } from '../../runtime/src/profiler/rules/batch-as-run.js';
import { siteEvents } from '../../runtime/src/profiler/rules/site-events.js';
import { ruleColumnsOf } from '../../runtime/src/profiler/rule-columns.js';
import { snapshot } from '../../runtime/src/profiler/session.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/profiler/gc-between-ops.mts', import.meta.url));

describe('GC pauses', () => {
  it('pauseOverlapMs sums the part of each pause inside the interval', () => {
    const pauses = [{ startMs: 1, endMs: 2 }, { startMs: 5, endMs: 7 }, { startMs: 10, endMs: 11 }];
    assert.equal(pauseOverlapMs(pauses, 0, 0.5), 0);
    assert.equal(pauseOverlapMs(pauses, 0, 20), 4);
    assert.equal(pauseOverlapMs(pauses, 1.5, 6), 1.5);
    assert.equal(pauseOverlapMs(pauses, 2, 5), 0, 'touching ends are not inside');
    assert.equal(pauseOverlapMs([], 0, 100), 0);
  });

  it('a real run: forced collections between ops are counted, none inside an op, no report line', () => {
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', FIXTURE], { encoding: 'utf8' });
    const got = JSON.parse(out.trim().split('\n').pop()!) as { gcPauses: { count: number; totalMs: number; inOpsMs: number } | null; gcLine: boolean };
    assert.ok(got.gcPauses, 'Node reports gcPauses');
    assert.ok(got.gcPauses.count >= 3, `three forced collections seen, got ${got.gcPauses.count}`);
    assert.ok(got.gcPauses.totalMs > 0);
    assert.equal(got.gcPauses.inOpsMs, 0);
    assert.equal(got.gcLine, false);
  });

  it('the batch rule leaves a pause inside one of the loop\'s calls out of the saving, and slows the timed rewrite as the run\'s steady calls were slowed', async () => {
    await cp.setBackend('wasm');
    cp.clearProfile();
    cp.enableProfiling({ callSites: 'all' });
    const x = cp.ones([1000]);
    for (let i = 0; i < 40; i++) cp.tidy(() => { x.add(i); });
    cp.disableProfiling();
    const data = snapshot();
    x.dispose();
    cp.clearProfile();
    const cols = ruleColumnsOf(data.events);
    const site = data.events.find((e) => e.op === 'add')!.site;
    const events = siteEvents(cols, site, 'add');
    assert.equal(events.length, 40);
    const dur = (j: number): number => cols.endMs[events[j]!]! - cols.startMs[events[j]!]!;
    const total = Array.from({ length: 40 }, (_, j) => dur(j)).reduce((a, b) => a + b, 0);
    const steady = Array.from({ length: 20 }, (_, j) => dur(20 + j)).sort((a, b) => a - b)[10]!;
    // A trial whose calls took half this run's steady calls: the rewrite is taken as twice as slow here.
    const trialLoop = 40 * steady / 2, trialBatched = 0.01;
    const plain = batchAsRun(data, cols, events, total, 40, trialLoop, trialBatched);
    assert.equal(plain.gcMs, 0);
    assert.ok(Math.abs(plain.steadyCallMs - steady) < 1e-12);
    assert.ok(Math.abs(plain.slowdown - 2) < 1e-9);
    const first = Math.max(0, dur(0) - steady);
    assert.ok(Math.abs(plain.firstExcessMs - first) < 1e-12);
    assert.ok(Math.abs(plain.batchedMs - (0.02 + first)) < 1e-9);
    assert.ok(Math.abs(plain.savedMs - Math.max(0, total - 0.02 - first)) < 1e-9);
    // A pause covering the whole of call 10 (as a collection finishing inside an op does) is not saved.
    const e10 = events[10]!;
    const withPause = { ...data, gcPauses: [{ startMs: cols.startMs[e10]!, endMs: cols.endMs[e10]! }] };
    const paused = batchAsRun(withPause, cols, events, total, 40, trialLoop, trialBatched);
    assert.ok(Math.abs(paused.gcMs - dur(10)) < 1e-9, 'the pause inside call 10 is its whole duration');
    assert.ok(Math.abs(paused.loopMs - (total - dur(10))) < 1e-9);
    assert.ok(Math.abs(paused.savedMs - Math.max(0, total - dur(10) - 0.02 - first)) < 1e-9);
    // A warm run (the trial's calls as fast as this run's): the saving is the trial's ratio on the loop.
    const warm = batchAsRun(data, cols, events, 40 * steady, 41, 40 * steady * 41 / 40, 10 * steady);
    assert.equal(warm.firstExcessMs, 0, 'with calls missing from the ring the first retained call is not the first');
    assert.ok(Math.abs(warm.savedMs - 30 * steady) < 1e-9, 'r = 4 saves three quarters');
  });
});
