/**
 * The moments rule speaks of the whole line: the share it states is the mean + std pair's over every
 * iteration at that line (a loop, or a new tensor each iteration), the share its estimate takes, and its
 * evidence holds every std call's time, as the report's op table says.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';

describe('moments rule: figures of the whole line', () => {
  it("states std's share as the op table does, over every iteration and tensor", () => {
    cp.enableProfiling({ callSites: 'all' });
    cp.clearProfile();
    for (let i = 0; i < 20; i++) {
      cp.tidy(() => {
        const x = cp.rand([50000]);
        return x.sub(x.mean()).div(x.std()).sum().item();
      });
    }
    const report = cp.profileReport({ format: 'json' });
    cp.disableProfiling();
    const rec = report.recommendations.find((r) => r.rule === 'moments');
    assert.ok(rec, `a moments recommendation among ${report.recommendations.map((r) => r.rule).join(', ')}`);
    // The share stated is the pair's, every iteration's, as the estimate takes it (stalled calls left out of both: audit 32).
    const stated = Number(/, (\d+)% of op time/.exec(rec.description)?.[1]);
    assert.match(rec.description, /computed separately, 20 times/);
    assert.match(rec.speedupBasis, new RegExp(`the pair is ${stated}% of`));
    const std = report.operations.find((o) => o.op === 'std')!;
    const evidenceMs = Number(rec.evidence['stdMs']);
    assert.ok(Math.abs(evidenceMs - std.totalMs) <= 0.01 * std.totalMs, `evidence ${evidenceMs} ms is every std call's (${std.totalMs} ms)`);
  });

  it('past the event ring: the kept pairs stand for every call at the line, as the op table counts them (audit 27 F3)', () => {
    const LOOPS = 200;
    cp.clearProfile();
    // 7 events an iteration (rand, mean, sub, std, div, sum, item's read): a ring of 300 keeps the last ~40.
    cp.enableProfiling({ callSites: 'all', maxEvents: 300 });
    for (let i = 0; i < LOOPS; i++) {
      cp.tidy(() => {
        const x = cp.rand([20000]);
        return x.sub(x.mean()).div(x.std()).sum().item();
      });
    }
    const report = cp.profileReport({ format: 'json' });
    cp.disableProfiling();
    assert.ok(report.droppedEvents > 0, 'the loop overflowed the ring');
    const rec = report.recommendations.find((r) => r.rule === 'moments');
    assert.ok(rec, `a moments recommendation among ${report.recommendations.map((r) => r.rule).join(', ')}`);
    assert.equal(rec.evidence['calls'], LOOPS);
    const kept = rec.evidence['keptPairs'] as number;
    assert.ok(kept > 0 && kept < LOOPS, `kept ${kept}`);
    assert.match(rec.speedupBasis, new RegExp(`past the event ring the profile kept the last ${kept} of ${LOOPS} pairs: the time is the line.s total`));
    // std's time is the line's, as the op table has it, not the kept pairs' (kept/LOOPS of it).
    const stated = Number(/, (\d+)% of op time/.exec(rec.description)?.[1]);
    assert.match(rec.description, new RegExp(`computed separately, ${LOOPS} times`));
    assert.match(rec.speedupBasis, new RegExp(`the pair is ${stated}% of`));
    const std = report.operations.find((o) => o.op === 'std')!;
    assert.ok(Math.abs(Number(rec.evidence['stdMs']) - std.totalMs) <= 1e-9 * Math.max(1, std.totalMs));
  });
});
