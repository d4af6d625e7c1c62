/**
 * Call-line lenses while a run is live (audit 29): the IPC batches carry the recording's call lines
 * (runtime/src/profiler/ipc.ts makeBatch; one pass over the event ring), the same figures as the
 * report's `callLines`, and the editor's store shows them until the report supersedes them — at a
 * breakpoint the lines calling functions had no lens, only the lines issuing ops. Real profiling on
 * the js backend; forward() is the call-lines fixture's model, called from two lines here.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { makeBatch } from '../../runtime/src/profiler/ipc.js';
import { batchFromReport } from '../../extension/src/debug/report-sites.js';
import { ProfileStore } from '../../extension/src/profile-store.js';
import { forward } from '../fixtures/profiler/call-lines-model.mts';

const HERE = __filename;
const lineOf = (marker: string): number => markerLines.get(marker)!;
const markerLines = new Map<string, number>();

function run(small: cp.Tensor, big: cp.Tensor): void {
  for (let i = 0; i < 3; i++) {
    forward(small).dispose(); markerLines.set('A', callerLine());
    forward(big).dispose(); markerLines.set('B', callerLine());
  }
}

/** The line of the statement that called this function's caller (V8's stack). */
function callerLine(): number {
  const line = new Error().stack!.split('\n')[2]!.match(/:(\d+):\d+\)?$/)![1]!;
  return Number(line);
}

describe('call lines while the run is live', () => {
  beforeEach(async () => {
    await cp.setBackend('js');
    cp.disableProfiling();
    cp.clearProfile({ segments: true });
  });
  afterEach(() => { cp.disableProfiling(); cp.clearProfile({ segments: true }); });

  it('a batch carries the report\'s call lines, and the store shows them until the report comes', () => {
    const store = new ProfileStore();
    store.startRun(HERE, 0);
    cp.enableProfiling({ callSites: 'all' });
    assert.equal(makeBatch().callLines, undefined, 'none before any op');
    const small = cp.ones([8]), big = cp.ones([64]);
    run(small, big);
    const batch = makeBatch();
    const report = cp.profileReport({ format: 'json' });
    assert.ok(batch.callLines && batch.callLines.length >= 2, JSON.stringify(batch.callLines));
    assert.deepEqual(batch.callLines.map((c) => [c.location, c.ops]), report.callLines!.map((c) => [c.location, c.ops]));
    for (const [i, c] of batch.callLines.entries()) assert.ok(Math.abs(c.opMs - report.callLines![i]!.opMs) < 1e-9, `${c.opMs} vs ${report.callLines![i]!.opMs}`);

    store.applyBatch(batch);
    const calling = store.callLinesFor(HERE).map((c) => c.line);
    for (const m of ['A', 'B']) assert.ok(calling.includes(lineOf(m)), `line ${lineOf(m)} (${m}) has a call lens: ${calling.join(',')}`);
    assert.equal(store.callLinesFor(HERE).find((c) => c.line === lineOf('A'))!.ops, 3 * 2, 'three calls of forward, two ops each');

    // A cumulative batch without call lines (after a clearProfile()) has none: the old ones go.
    cp.clearProfile();
    store.applyBatch(makeBatch());
    assert.deepEqual(store.callLinesFor(HERE), []);
    small.dispose(); big.dispose();
  });

  it('the report\'s batch (applied when a Debug and Profile stream closes) moves the calling lines with the op lines (audit 30)', () => {
    const store = new ProfileStore();
    store.startRun(HERE, 0, true);
    cp.enableProfiling({ callSites: 'all' });
    const small = cp.ones([8]), big = cp.ones([64]);
    // A batch asked for at a breakpoint after the first round, then the script runs on to its end.
    forward(small).dispose(); const first = callerLine();
    store.applyBatch(makeBatch());
    assert.deepEqual(store.callLinesFor(HERE).map((c) => [c.line, c.ops]), [[first, 2]], 'one call of forward at the breakpoint');
    run(small, big);
    const report = cp.profileReport({ format: 'json' });
    const final = batchFromReport(report, 1)!;
    store.applyBatch(final);
    // Op lines and calling lines are the report's, both at once (before: the calling lines were dropped until the run ended).
    const wantCalls = report.callLines!.filter((c) => c.location.file === HERE).map((c) => [c.location.line, c.ops]).sort((a, b) => a[0]! - b[0]!);
    assert.ok(wantCalls.length >= 2, JSON.stringify(report.callLines));
    assert.deepEqual(store.callLinesFor(HERE).map((c) => [c.line, c.ops]), wantCalls);
    for (const m of ['A', 'B']) assert.equal(store.callLinesFor(HERE).find((c) => c.line === lineOf(m))?.ops, 3 * 2, `three calls of forward from line ${m}`);
    assert.equal(store.hotOps().reduce((n, o) => n + o.count, 0), report.callSites.reduce((n, s) => n + s.count, 0), 'the op figures are the report\'s');
    small.dispose(); big.dispose();
  });
});
