/**
 * Profiles of GPU work show GPU time, dispatch (CPU) time and transfer bytes per op, and the
 * Chrome trace puts the GPU queue on its own track. Runs on lavapipe in CI.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';

describe('profiler on the webgpu backend', function () {
  this.timeout(120000);
  it('records GPU time, dispatch time and upload/download bytes per op; GPU queue track in the trace', async () => {
    await cp.initGpu();
    cp.clearProfile();
    cp.enableProfiling({ callSites: 'off' });
    try {
      const a = cp.rand([1000]);
      const g = a.to('gpu');
      const s = g.mul(2).sum();
      assert.equal((await s.data()).length, 1);
      // Timestamp queries resolve after the GPU finished; give the batch a moment to land.
      await new Promise((r) => setTimeout(r, 300));
      const report = cp.profileReport({ format: 'json' });
      const op = (name: string) => report.operations.find((o) => o.op === name)!;
      assert.equal(op('to').uploadBytes, 4000);
      assert.ok(op('read').downloadBytes >= 4, `read downloaded ${op('read').downloadBytes} bytes`);
      assert.ok(op('mul').gpuMs > 0 && op('mul').totalMs > 0, `mul gpu ${op('mul').gpuMs} ms, cpu ${op('mul').totalMs} ms`);
      const file = join(mkdtempSync(join(tmpdir(), 'corepy-gpu-')), 'trace.json');
      cp.exportProfile(file, { format: 'chrome' });
      const trace = JSON.parse(readFileSync(file, 'utf8')) as { traceEvents: { ph: string; tid: number; name: string; args?: { name?: string } }[] };
      const gpuTrack = trace.traceEvents.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'GPU queue');
      assert.ok(gpuTrack, 'no GPU queue thread in the trace');
      assert.ok(trace.traceEvents.some((e) => e.ph === 'X' && e.tid === gpuTrack.tid), 'no slices on the GPU track');
      for (const t of [a, g, s]) t.dispose();
    } finally {
      cp.disableProfiling();
      cp.clearProfile();
    }
  });
});
