/**
 * Context wall times leave out the profiler's own call-site and stack captures (audit 19 F10):
 * five entries of a context around warmed ops read 4.0 ms with sampled call sites and 0.9 ms with
 * them off, the difference being the captures. Checked on real ops (js backend): what a context's
 * statistics leave out of its spans' clock time is exactly the capture time the recorder timed
 * inside it, nested contexts included, and 'all' reads close to 'off'.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { contextPath } from '../../runtime/src/profiler/context.js';
import { snapshot } from '../../runtime/src/profiler/session.js';
import type { ProfileData } from '../../runtime/src/profiler/types.js';

/** Capture time the recorder timed (call sites and stacks), ms. */
function captureMs(d: ProfileData): number {
  return (d.selfCost.perCaptureNs * d.selfCost.captures) / 1e6 + (d.selfCost.stackCaptureMs ?? 0);
}

/** Per context name: its spans' clock time, and the wall time its statistics hold (sum and fastest entry), ms. */
function byContext(d: ProfileData, name: string): { clockMs: number; totalMs: number; minMs: number; childMs: number } {
  const ids = d.contexts.map((_, id) => id).filter((id) => id > 0 && d.contexts[id]!.name === name);
  const clockMs = d.spans.filter((s) => ids.includes(s.context)).reduce((a, s) => a + s.endMs - s.startMs, 0);
  const rows = d.contextCells.filter((c) => ids.includes(c.context));
  return { clockMs, totalMs: rows.reduce((a, c) => a + c.totalMs, 0), minMs: Math.min(...rows.map((c) => c.minMs)), childMs: rows.reduce((a, c) => a + c.childMs, 0) };
}

describe('context wall times leave out the profiler\'s captures', () => {
  let x: cp.Tensor;
  const work = (): void => { for (let i = 0; i < 20; i++) x.add(x).mul(x).dispose(); };
  beforeEach(async () => {
    await cp.setBackend('js');
    x = cp.ones([8]);
    for (let i = 0; i < 50; i++) work(); // warm, unprofiled
  });
  afterEach(() => { cp.disableProfiling(); cp.clearProfile(); x.dispose(); });

  it('callSites all: what the context leaves out equals the capture time recorded inside it, nested contexts included', () => {
    cp.enableProfiling({ callSites: 'all' });
    cp.clearProfile();
    for (let k = 0; k < 5; k++) cp.profileContext('step', () => { work(); cp.profileContext('inner', work); });
    const d = snapshot();
    const step = byContext(d, 'step'), inner = byContext(d, 'inner');
    assert.equal(d.events.filter((e) => contextPath(e.context, d.contexts)[0] !== 'step').length, 0, 'every op ran in step');
    const captured = captureMs(d);
    assert.ok(captured > 0, 'captures were timed');
    // Every capture happened inside step: step's statistics leave out exactly that (float sums: 1 ns).
    assert.ok(Math.abs(step.clockMs - step.totalMs - captured) < 1e-6, `step left out ${step.clockMs - step.totalMs} ms, captures took ${captured} ms`);
    // inner's ops are half of the ops: about half of the capture time, and never more than all of it.
    const innerLeft = inner.clockMs - inner.totalMs;
    assert.ok(innerLeft > 0 && innerLeft < captured, `inner left out ${innerLeft} of ${captured} ms`);
    // step's child time is inner's wall time as its statistics hold it (its captures are already out of step's).
    assert.ok(Math.abs(step.childMs - inner.totalMs) < 1e-6, `step child ${step.childMs} ms, inner ${inner.totalMs} ms`);
  });

  it('the same work reads about the same context wall time with callSites all as with off', () => {
    const fastest = (mode: 'all' | 'off'): { minMs: number; clockMinMs: number; captures: number; captureMs: number } => {
      cp.enableProfiling({ callSites: mode });
      cp.clearProfile();
      for (let k = 0; k < 20; k++) cp.profileContext('step', work);
      const d = snapshot();
      const ids = d.contexts.map((_, id) => id).filter((id) => d.contexts[id]!.name === 'step');
      const clockMinMs = Math.min(...d.spans.filter((s) => ids.includes(s.context)).map((s) => s.endMs - s.startMs));
      cp.disableProfiling();
      return { minMs: byContext(d, 'step').minMs, clockMinMs, captures: d.selfCost.captures, captureMs: captureMs(d) };
    };
    fastest('off'); // the op path warmed in both modes before timing either
    fastest('all');
    const off = fastest('off'), all = fastest('all');
    // The fastest of 20 entries, so a busy machine's pauses drop out. Each entry issues 40 ops, and with
    // 'all' each captured its call site: the captures' time is what the context must leave out. (Comparing
    // the clock times instead, 'all' > 2 × 'off', failed 4 runs in 5 at load 6: a busy machine slows the
    // 8-element ops more than the captures.)
    assert.ok(all.captures >= 20 * 40 && off.captures === 0, `call-site captures: all ${all.captures}, off ${off.captures}`);
    assert.ok(all.captureMs > 0, 'the captures were timed');
    assert.ok(all.minMs < 2 * off.minMs + 0.02, `context wall time: all ${all.minMs} ms, off ${off.minMs} ms`);
  });
});
