/**
 * Ops recorded in worker threads reach the main thread's report, also when the worker is
 * stopped with `worker.terminate()` (which runs no exit handler in the worker): terminate first
 * collects the worker's snapshot (workers.ts); a worker too busy to answer still left its
 * statistics in its last periodic share.
 */
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';

const WORKER = new URL('../fixtures/workers/recording-worker.mjs', import.meta.url);

function startWorker(ops: number, busy = false): Promise<Worker> {
  const w = new Worker(WORKER, { workerData: { ops, busy } });
  return new Promise((resolve, reject) => {
    w.once('message', () => resolve(w));
    w.once('error', reject);
  });
}

describe('profiler: worker threads', function () {
  this.timeout(60000);

  it("a terminated worker's ops reach the report, with its timeline", async () => {
    await cp.setBackend('js');
    cp.clearProfile();
    cp.enableProfiling();
    const w = await startWorker(700);
    const thread = w.threadId; // -1 once terminated
    // Straight after its message: no periodic share has had time to run.
    assert.equal(await w.terminate(), 1, 'terminate() still resolves with the exit code');
    const r = cp.profileReport({ format: 'json' });
    assert.equal(r.operations.find((o) => o.op === 'mul')?.count, 700);
    assert.ok(r.threads.includes(thread), `threads ${r.threads.join(', ')} include the worker's ${thread}`);
    const flame = cp.getFlameProfile();
    const mul = flame.strings.indexOf('mul');
    assert.equal(flame.slices.name.filter((n, i) => n === mul && flame.slices.thread?.[i] === thread).length, 700);
    cp.disableProfiling();
  });

  it('a worker terminated while busy in synchronous code: its statistics as of its last periodic share', async () => {
    cp.clearProfile();
    cp.enableProfiling();
    const w = await startWorker(300, true);
    const t0 = performance.now();
    await w.terminate();
    assert.ok(performance.now() - t0 < 5000, 'terminate did not hang on the unanswered request');
    assert.equal(cp.profileReport({ format: 'json' }).operations.find((o) => o.op === 'mul')?.count, 300);
    cp.disableProfiling();
  });
});
