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

  it('the batch rule leaves a pause inside one of the loop\'s calls out of the saving, and counts the early calls\' warm-up (the first call left out) as saved', async () => {
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
    // A pause covering the whole of call 10 (as a collection finishing inside an op does).
    const e10 = events[10]!;
    const withPause = { ...data, gcPauses: [{ startMs: cols.startMs[e10]!, endMs: cols.endMs[e10]! }] };
    const plain = batchAsRun(data, cols, events, total, 40, 2);
    const paused = batchAsRun(withPause, cols, events, total, 40, 2);
    assert.equal(plain.gcMs, 0);
    assert.ok(Math.abs(paused.gcMs - dur(10)) < 1e-9, 'the pause inside call 10 is its whole duration');
    assert.ok(Math.abs(paused.loopMs - (total - dur(10))) < 1e-9);
    const sorted = Array.from({ length: 40 }, (_, j) => dur(j)).sort((a, b) => a - b);
    const med = sorted[20]!;
    assert.ok(Math.abs(plain.medianMs - med) < 1e-9);
    let halves = 0;
    for (let j = 1; j < 40; j++) halves += (j < 20 ? 1 : -1) * (dur(j) - med);
    const medianOf = (js: number[]): number => js.map(dur).sort((a, b) => a - b)[js.length >> 1]!;
    const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);
    const slowerStart = medianOf(range(1, 20)) > 1.25 * medianOf(range(20, 40));
    const warmUp = slowerStart ? Math.min(total, Math.max(0, halves)) : 0;
    assert.ok(Math.abs(plain.warmUpMs - warmUp) < 1e-9);
    const saved = Math.min(total, Math.max(0, (total - warmUp) * (1 - 1 / 2) + warmUp));
    assert.ok(Math.abs(plain.savedMs - saved) < 1e-9, `saved ${plain.savedMs} vs ${saved}`);
    // The same loop with its early calls slowed as a cold run's are (0.5 ms each, calls 2-15): that excess is saved.
    const endMs = Float64Array.from(cols.endMs);
    for (let j = 1; j < 15; j++) endMs[events[j]!]! += 0.5;
    const coldCols = { ...cols, endMs };
    const coldTotal = total + 14 * 0.5;
    const cold = batchAsRun(data, coldCols, events, coldTotal, 40, 2);
    assert.ok(cold.warmUpMs > 14 * 0.5 * 0.8 && cold.warmUpMs <= coldTotal, `warm-up ${cold.warmUpMs} ms found`);
    assert.ok(Math.abs(cold.savedMs - Math.min(coldTotal, (coldTotal - cold.warmUpMs) / 2 + cold.warmUpMs)) < 1e-9);
    // With calls missing from the ring, the first retained call is not the first: no cold excess is assumed.
    const partial = batchAsRun(data, cols, events, total, 41, 2);
    assert.equal(partial.warmUpMs, 0);
    assert.ok(Math.abs(partial.savedMs - total / 2) < 1e-9, 'a warm loop saves what the trial ratio says');
  });
});
