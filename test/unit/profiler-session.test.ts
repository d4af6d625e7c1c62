/**
 * Profiling lifecycle and GPU backends: disabling detaches the recorder from timed (GPU)
 * backends, so late timestamp readbacks cannot write into a stopped recording, and the next
 * enable re-attaches on the backend's first profiled op. A fake timed backend stands in for
 * the GPU (no device needed). clearProfile() reuses the event ring (audit 21 N5): no new ring,
 * and the old recording's late GPU times land nowhere.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'mocha';
import type { Backend, GpuTimingSink } from '../../runtime/src/backends/backend.js';
import * as cp from '../../runtime/src/index.js';
import { getDispatchObserver } from '../../runtime/src/engine.js';
import type { Recorder } from '../../runtime/src/profiler/recorder.js';
import { snapshot } from '../../runtime/src/profiler/session.js';

/** A timed backend that only records which sink it was given. */
function fakeGpu(): { backend: Backend; sinks: (GpuTimingSink | null)[] } {
  const sinks: (GpuTimingSink | null)[] = [];
  const backend = { name: 'fake-gpu', device: 'gpu', setTimingSink: (s: GpuTimingSink | null) => { sinks.push(s); }, markOp: () => undefined } as unknown as Backend;
  return { backend, sinks };
}

describe('profiler session and GPU backends', () => {
  afterEach(() => { cp.disableProfiling(); cp.clearProfile(); });

  it('detaches GPU backends on disable and re-attaches them on the next enable', () => {
    const { backend, sinks } = fakeGpu();
    cp.enableProfiling({ callSites: 'off' });
    const rec = getDispatchObserver()!;
    rec.observe('probe', [], backend, () => 0);
    assert.deepEqual(sinks, [rec], 'attached on the first op');
    cp.disableProfiling();
    assert.deepEqual(sinks, [rec, null], 'detached on disable');
    cp.enableProfiling({ callSites: 'off' });
    const again = getDispatchObserver()!;
    assert.equal(again, rec, 'same options keep the recording');
    assert.equal(sinks.length, 2, 'nothing is attached until the backend runs an op');
    again.observe('probe', [], backend, () => 0);
    assert.deepEqual(sinks, [rec, null, rec], 're-attached lazily');
    again.observe('probe', [], backend, () => 0);
    assert.equal(sinks.length, 3, 'attached once');
  });

  it('clearProfile() records into the same ring, emptied; a late GPU time of the old recording lands nowhere', () => {
    const { backend } = fakeGpu();
    cp.enableProfiling({ callSites: 'off' });
    const old = getDispatchObserver() as Recorder;
    const ring = old.ring, spans = old.spans;
    for (let k = 0; k < 3; k++) old.observe('before', [], backend, () => 0);
    cp.clearProfile();
    const rec = getDispatchObserver() as Recorder;
    assert.notEqual(rec, old, 'a new recorder');
    assert.equal(rec.ring, ring, 'the same event ring');
    assert.equal(rec.spans, spans, 'the same span ring');
    assert.equal(ring.written, 0, 'emptied');
    rec.observe('after', [], backend, () => 0);
    rec.observe('after', [], backend, () => 0);
    // Event 0 of the old recording resolves now: it must not become event 0 of this one.
    old.gpuTime(0, 1, 5);
    old.transfer(1, 'upload', 64);
    assert.equal(old.lateGpu, 2, 'counted as late by the old recorder');
    const d = snapshot(false);
    assert.deepEqual(d.events.map((e) => [e.id, e.op, e.gpuStartMs, e.uploadBytes]), [[0, 'after', undefined, 0], [1, 'after', undefined, 0]]);
    assert.deepEqual(d.cells.map((c) => [c.op, c.count, c.gpuMs, c.uploadBytes]), [['after', 2, 0, 0]]);
    assert.equal(d.droppedEvents, 0);
  });

  it('clearProfile() allocates no ring: 20 clears of the default 100 000-event recording add < 1 ring of array buffers', () => {
    cp.enableProfiling({ callSites: 'off' });
    const x = cp.randn([64]);
    const ringBytes = (getDispatchObserver() as Recorder).ring.f.byteLength;
    const base = process.memoryUsage().arrayBuffers;
    let most = 0;
    for (let k = 0; k < 20; k++) {
      x.add(1).dispose();
      cp.clearProfile();
      most = Math.max(most, process.memoryUsage().arrayBuffers - base);
    }
    x.dispose();
    // A new ring per clear (the old way) added ringBytes (23 MB) at the first clear already.
    assert.ok(most < ringBytes, `array buffers grew by up to ${most} bytes over 20 clears; one ring is ${ringBytes}`);
  });
});
