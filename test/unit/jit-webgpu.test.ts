/**
 * cp.jit on the webgpu backend (lavapipe in CI): the conformance suite of jit.test.ts
 * (jit-conformance.ts) with GPU inputs, where each fused group runs as ONE generated WGSL kernel
 * (ops-fused.ts); the fused event in the report, the flame model and the Chrome trace, with GPU
 * time; and the op-by-op fallback, with its reason, for a group that binds more inputs than the
 * device allows.
 *
 * GPU tolerances: WGSL bounds exp/log/pow only to (3 + 2|x|) ulp (webgpu-elementwise.test.ts), so
 * cases with transcendentals use rtol 1e-4; reductions accumulate in f32 in a different order
 * than the js reference's float64, so they use rtol 1e-4 and an atol scaled to the summed
 * magnitude (up to 2·10⁴ terms of |x| ≤ ~3 → n·ε·max|x| ≈ 7e-3).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import type { Tensor } from '../../runtime/src/index.js';
import { buildFlame } from '../../runtime/src/profiler/flame.js';
import { SliceKind } from '../../runtime/src/contract/flame.js';
import { snapshot } from '../../runtime/src/profiler/session.js';
import { GpuUnavailableError, type WebGpuBackend } from '../../runtime/src/backends/webgpu/index.js';
import { oneTimeCostMark, oneTimeCostsSince } from '../../runtime/src/one-time-costs.js';
import { assertClose, values, withBackend, type Tolerance } from './helpers.js';
import { CONFORMANCE, makeInput, type Case } from './jit-conformance.js';

const TOL_GPU_TRANSCENDENTAL: Tolerance = { rtol: 1e-4, atol: 1e-6 };
const TOL_GPU_ACCUMULATE: Tolerance = { rtol: 1e-4, atol: 2e4 * 2 ** -23 * 3 };

function gpuTol(k: Case): Tolerance {
  if (k.what === 'normalize → sum') return k.tol;
  if (k.kind === 'accumulate') return TOL_GPU_ACCUMULATE;
  return k.kind === 'transcendental' ? TOL_GPU_TRANSCENDENTAL : k.tol;
}

const flat = (r: Tensor | Tensor[]): Tensor[] => (Array.isArray(r) ? r : [r]);
const toGpu = (t: Tensor): Tensor => { const g = t.to('gpu'); if (g !== t) t.dispose(); return g; };

/** Pipelines the fused path compiled since `mark` (named `… for fused(…)` / `… for fused sum (pass 2)`), from the one-time costs log. */
function fusedPipelinesSince(mark: number): number {
  return oneTimeCostsSince(mark).filter((c) => c.name.startsWith('create GPU pipeline for fused')).length;
}

describe('cp.jit on webgpu', function () {
  this.timeout(300_000);
  before(async function () {
    try {
      await cp.initGpu();
    } catch (e) {
      if (!(e instanceof GpuUnavailableError)) throw e;
      console.log(`    skipping webgpu suite: ${e.message}`);
      this.skip();
    }
  });

  describe('conformance (the cases of jit.test.ts, one WGSL kernel per fused group)', () => {
    for (const [title, cases] of CONFORMANCE) {
      it(title, async () => {
        for (const k of cases()) {
          const expected = withBackend('js', () => cp.tidy(() => flat(k.fn(...k.inputs.map((i) => makeInput(i))))
            .map((t) => ({ dtype: t.dtype, shape: t.shape, data: [...t.dataSync()] }))));
          const jitted = cp.jit(k.fn, { warn: false });
          const xs = k.inputs.map((i) => makeInput(i, toGpu));
          try {
            for (const round of ['trace', 'fused']) {
              const got = flat(jitted(...xs));
              assert.equal(got.length, expected.length, k.what);
              for (let i = 0; i < got.length; i++) {
                const t = got[i]!, e = expected[i]!;
                assert.equal(t.device, 'gpu', `${k.what} (${round}): stays on the GPU`);
                assert.equal(t.dtype, e.dtype, `${k.what} (${round}): dtype`);
                assert.deepEqual(t.shape, e.shape, `${k.what} (${round}): shape`);
                assertClose([...(await t.data())].map(Number), e.data.map(Number), gpuTol(k), `${k.what} on webgpu (${round})`);
              }
              for (const t of got) t.dispose();
            }
          } finally {
            for (const t of xs) t.dispose();
          }
          const sig = jitted.signatures()[0]!;
          if (k.expect?.fusedGroups !== undefined) assert.equal(sig.fusedGroups, k.expect.fusedGroups, `${k.what}: fused groups`);
          if (k.expect?.fusedOps !== undefined) assert.equal(sig.fusedOps, k.expect.fusedOps, `${k.what}: fused ops`);
          if (k.expect?.steps !== undefined) assert.equal(sig.steps, k.expect.steps, `${k.what}: steps`);
          for (const g of sig.groups) assert.equal(g.unfused, null, `${k.what}: ${g.op} ran as one kernel`);
        }
      });
    }
  });

  describe('the fused dispatch', () => {
    after(() => { cp.disableProfiling(); cp.clearProfile(); });

    it('is one event named like the wasm one, with GPU time, in the report, the flame model and the Chrome trace', async () => {
      const f = cp.jit((x: Tensor) => x.mul(1.5).sub(0.5).relu().sum(), { warn: false });
      const x = cp.tensor(values(100_000)).to('gpu');
      for (let i = 0; i < 2; i++) { const s = f(x); await s.data(); s.dispose(); } // the trace, then the first fused call
      const mark = oneTimeCostMark();
      cp.clearProfile();
      cp.enableProfiling({ callSites: 'off' });
      for (let i = 0; i < 3; i++) {
        const s = f(x);
        const v = (await s.data())[0]!;
        assert.ok(Number.isFinite(v) && v > 0, `sum ${v}`);
        s.dispose();
      }
      // Timestamp queries resolve after the GPU finished; give the last batch a moment to land.
      await new Promise((r) => setTimeout(r, 300));
      cp.disableProfiling();
      // The chain's name; `#n` after it when other groups with this chain ran in this process first.
      const label = f.signatures()[0]!.groups[0]!.op;
      assert.match(label, /^fused\(mul\+sub\+relu\+sum\)(#\d+)?$/);
      const report = cp.profileReport({ format: 'json' });
      const op = report.operations.find((o) => o.op === label);
      assert.ok(op, `no ${label} in ${report.operations.map((o) => o.op).join(', ')}`);
      assert.equal(op.count, 3, 'one event per call');
      assert.ok(op.gpuMs > 0, `GPU time ${op.gpuMs} ms`);
      for (const member of ['mul', 'sub', 'relu', 'sum']) {
        assert.equal(report.operations.find((o) => o.op === member), undefined, `${member} ran on its own`);
      }
      assert.equal(fusedPipelinesSince(mark), 0, 'the cached pipeline served the profiled calls');
      const flame = buildFlame(snapshot(), 'jit on webgpu');
      const nameIdx = flame.strings.indexOf(label);
      assert.ok(nameIdx >= 0, 'the fused op is named in the flame model');
      const slicesOf = (kind: number) => flame.slices.name.filter((n, i) => n === nameIdx && flame.slices.kind[i] === kind
        && flame.slices.backend[i] === flame.strings.indexOf('webgpu')).length;
      assert.equal(slicesOf(SliceKind.Op), 3, 'three op slices of the fused op in the flame model');
      assert.equal(slicesOf(SliceKind.Gpu), 3, 'and three GPU slices');
      const file = join(mkdtempSync(join(tmpdir(), 'corepy-jit-gpu-')), 'trace.json');
      cp.exportProfile(file, { format: 'chrome' });
      const trace = JSON.parse(readFileSync(file, 'utf8')) as { traceEvents: { ph: string; tid: number; name: string; args?: { name?: string } }[] };
      const gpuTrack = trace.traceEvents.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'GPU queue');
      assert.ok(gpuTrack, 'no GPU queue thread in the trace');
      assert.ok(trace.traceEvents.some((e) => e.ph === 'X' && e.name === label && e.tid !== gpuTrack.tid), 'the fused op on the CPU track');
      assert.ok(trace.traceEvents.some((e) => e.ph === 'X' && e.tid === gpuTrack.tid && e.name.includes(label)), 'the fused op on the GPU queue track');
      const [group] = f.signatures()[0]!.groups;
      assert.deepEqual(group!.members.map((m) => m.op), ['mul', 'sub', 'relu', 'sum']);
      assert.ok(group!.members.every((m) => m.location?.file.endsWith('jit-webgpu.test.ts')), 'each member names its line');
      x.dispose();
    });

    it('runs a group op by op when the backend refuses it, says why, and still matches', async () => {
      const n = 300;
      const fn = (...xs: Tensor[]) => xs.slice(1).reduce((acc, t) => acc.add(t), xs[0]!.mul(2)).relu();
      const expected = withBackend('js', () => cp.tidy(() => [...fn(...Array.from({ length: 8 }, (_, i) => cp.tensor(values(n, i + 1)))).dataSync()]));
      const xs = Array.from({ length: 8 }, (_, i) => cp.tensor(values(n, i + 1)).to('gpu'));
      const gpu = xs[0]!.backendImpl as unknown as WebGpuBackend;
      const limit = gpu.ctx.device.limits.maxStorageBuffersPerShaderStage;
      const run = async (f: cp.JitFunction<Tensor[], Tensor>, what: string) => {
        for (let round = 0; round < 2; round++) {
          const out = f(...xs);
          assertClose([...(await out.data())], expected, TOL_GPU_TRANSCENDENTAL, `${what} (${round})`);
          out.dispose();
        }
        return f.signatures()[0]!.groups[0]!;
      };
      const natural = await run(cp.jit(fn, { warn: false }), '8-input chain');
      // 8 inputs + meta + output need 10 storage buffers per stage (WebGPU's default is 8).
      if (limit >= 10) assert.equal(natural.unfused, null, `this device binds ${limit} storage buffers per stage`);
      else assert.match(natural.unfused ?? '', /reads 8 tensors; one kernel binds at most \d+/);
      const own = Object.getOwnPropertyDescriptor(gpu, 'fusedBlocker');
      (gpu as { fusedBlocker: WebGpuBackend['fusedBlocker'] }).fusedBlocker = () => 'webgpu: refused by the test';
      try {
        const refused = await run(cp.jit(fn, { warn: false }), '8-input chain, refused');
        assert.equal(refused.unfused, 'webgpu: refused by the test');
      } finally {
        if (own) Object.defineProperty(gpu, 'fusedBlocker', own); else delete (gpu as { fusedBlocker?: unknown }).fusedBlocker;
      }
      for (const t of xs) t.dispose();
    });
  });
});
