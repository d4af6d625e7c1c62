/**
 * Profiling lifecycle and GPU backends: disabling detaches the recorder from timed (GPU)
 * backends, so late timestamp readbacks cannot write into a stopped recording, and the next
 * enable re-attaches on the backend's first profiled op. A fake timed backend stands in for
 * the GPU (no device needed).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'mocha';
import type { Backend, GpuTimingSink } from '../../runtime/src/backends/backend.js';
import * as cp from '../../runtime/src/index.js';
import { getDispatchObserver } from '../../runtime/src/engine.js';

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
});
