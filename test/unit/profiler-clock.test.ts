/**
 * The recorder's clock (profiler/clock.ts): in Node it reads process.hrtime() and must stay on
 * performance.now()'s timeline, since op times are compared with one-time costs, context spans,
 * GPU intervals and the launcher's timers, all read with performance.now().
 */
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { describe, it } from 'mocha';
import { clockInfo, clockMs, MAX_CALIBRATION_ERROR_MS } from '../../runtime/src/profiler/clock.js';
import * as cp from '../../runtime/src/index.js';
import { snapshot } from '../../runtime/src/profiler/session.js';

describe('profiler clock', () => {
  it('reads hrtime in Node, with its origin pinned to within a microsecond', () => {
    assert.equal(clockInfo.source, 'hrtime');
    assert.ok(clockInfo.errorMs >= 0 && clockInfo.errorMs <= MAX_CALIBRATION_ERROR_MS, `origin uncertainty ${clockInfo.errorMs} ms`);
  });

  it('every reading falls between the performance.now() readings around it', () => {
    let outside = 0;
    for (let i = 0; i < 20000; i++) {
      const a = performance.now(), c = clockMs(), b = performance.now();
      // Both clocks round a double; allow the origin's stated uncertainty.
      if (c < a - clockInfo.errorMs || c > b + clockInfo.errorMs) outside++;
    }
    assert.equal(outside, 0);
  });

  it('recorded ops lie within the performance.now() interval that ran them', () => {
    cp.clearProfile();
    cp.enableProfiling({ callSites: 'off' });
    const x = cp.tensor(new Float32Array(1024).fill(1));
    const before = performance.now();
    for (let i = 0; i < 50; i++) x.add(x).dispose();
    const after = performance.now();
    const events = snapshot(false).events.filter((e) => e.op === 'add');
    // Leave nothing recorded: a later test enabling the same options would carry these events on.
    cp.disableProfiling();
    cp.clearProfile({ segments: true });
    x.dispose();
    assert.equal(events.length, 50);
    for (const e of events) {
      assert.ok(e.startMs >= before - clockInfo.errorMs && e.endMs <= after + clockInfo.errorMs, `${e.startMs}–${e.endMs} outside ${before}–${after}`);
      assert.ok(e.endMs >= e.startMs);
    }
  });

  it('a worker thread calibrates against its own performance.now() origin', async () => {
    // A worker's performance.now() starts at the worker's start: the main thread's origin would be off by that.
    // A worker does not inherit tsx's loader: register it, then import the TypeScript source.
    const src = `import { register } from 'tsx/esm/api';
      import { parentPort } from 'node:worker_threads';
      register();
      const { clockMs, clockInfo } = await import(${JSON.stringify(new URL('../../runtime/src/profiler/clock.ts', import.meta.url).href)});
      const a = performance.now(), c = clockMs(), b = performance.now();
      parentPort.postMessage({ a, c, b, source: clockInfo.source, errorMs: clockInfo.errorMs });`;
    await new Promise((r) => setTimeout(r, 20));
    const w = new Worker(src, { eval: true });
    const m = await new Promise<{ a: number; c: number; b: number; source: string; errorMs: number }>((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
    await w.terminate();
    assert.equal(m.source, 'hrtime');
    assert.ok(m.c >= m.a - m.errorMs && m.c <= m.b + m.errorMs, `worker reading ${m.c} outside ${m.a}–${m.b}`);
  });
});
