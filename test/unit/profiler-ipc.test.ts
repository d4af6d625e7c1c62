/**
 * The IPC stream's batches: built from the cells alone (no raw events or spans materialised, so
 * the 250 ms timer costs O(cells) inside the user's script), with the same per-(op, site)
 * figures as a full snapshot, and the cheap op counter the timer polls.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { aggregate } from '../../runtime/src/profiler/aggregate.js';
import { makeBatch } from '../../runtime/src/profiler/ipc.js';
import { Recorder } from '../../runtime/src/profiler/recorder.js';
import { SpanRing } from '../../runtime/src/profiler/ring.js';
import { opsRecorded, snapshot } from '../../runtime/src/profiler/session.js';

/** Counts calls of `proto[name]` until `restore()`. */
function spy<T extends object>(proto: T, name: keyof T & string): { calls: number; restore(): void } {
  const orig = proto[name] as unknown as (...a: unknown[]) => unknown;
  const s = { calls: 0, restore: () => { (proto as Record<string, unknown>)[name] = orig; } };
  (proto as Record<string, unknown>)[name] = function (this: unknown, ...a: unknown[]) { s.calls++; return orig.apply(this, a); };
  return s;
}

describe('profiler IPC batches', () => {
  beforeEach(async () => {
    await cp.setBackend('js');
    cp.clearProfile();
  });
  afterEach(() => cp.disableProfiling());

  it('builds a batch from the cells without materialising events or spans', async () => {
    cp.enableProfiling({ callSites: 'all' });
    const x = cp.tensor([1, 2, 3]);
    for (let i = 0; i < 50; i++) x.add(i).dispose();
    await cp.profileContext('ctx', async () => { x.mul(2).dispose(); });
    const events = spy(Recorder.prototype, 'events');
    const spans = spy(SpanRing.prototype, 'toSpans');
    let batch;
    try {
      batch = makeBatch();
    } finally {
      events.restore();
      spans.restore();
    }
    assert.equal(events.calls, 0, 'no raw events were built');
    assert.equal(spans.calls, 0, 'no raw spans were built');
    const full = aggregate(snapshot());
    assert.equal(batch.opTimeMs, full.totalOpMs);
    assert.ok(Number.isFinite(batch.wallTimeMs) && batch.wallTimeMs > 0, 'the batch carries the wall time too');
    assert.deepEqual(batch.sites.map((s) => [s.op, s.count, s.totalMs, s.bytes, s.location?.line]),
      full.sites.map((s) => [s.op, s.count, s.totalMs, s.bytesRead + s.bytesWritten, s.location?.line]));
    assert.equal(batch.sites.find((s) => s.op === 'add')!.count, 50);
  });

  it('opsRecorded() counts ops without a snapshot and matches selfCost.ops', () => {
    assert.equal(opsRecorded(), 0);
    cp.enableProfiling({ callSites: 'off' });
    const x = cp.tensor([1, 2]);
    for (let i = 0; i < 7; i++) x.add(1).dispose();
    assert.equal(opsRecorded(), snapshot(false).selfCost.ops);
    assert.ok(opsRecorded() >= 7);
    cp.clearProfile();
    assert.equal(opsRecorded(), 0);
  });

  it('a snapshot without events keeps cells, contexts and drop counts', () => {
    cp.enableProfiling({ maxEvents: 16, callSites: 'off' });
    const x = cp.tensor([1, 2, 3]);
    for (let i = 0; i < 40; i++) x.add(i).dispose();
    const light = snapshot(true, { events: false }), full = snapshot();
    assert.deepEqual(light.events, []);
    assert.deepEqual(light.spans, []);
    assert.deepEqual(light.cells, full.cells);
    assert.equal(light.droppedEvents, full.droppedEvents);
    assert.ok(full.events.length > 0);
  });
});
