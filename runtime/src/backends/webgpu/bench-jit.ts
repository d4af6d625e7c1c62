/**
 * cp.jit on the GPU: each fused group as one generated WGSL kernel, against the same function
 * run op by op (eager, and jitted with fusion refused — the path jit took on webgpu before
 * ops-fused.ts), for runtime/BENCHMARKS.md. Every figure is one call plus the scalar read back
 * to host (`await data()`), ms; the three variants alternate within each round (order rotated),
 * and the table gives medians over rounds and the median of the per-round ratios.
 *
 * Run after the build: `node runtime/dist/backends/webgpu/bench-jit.js` (environment: ROUNDS,
 * default 15; N, default 1e6). On lavapipe (Mesa's CPU Vulkan) the figures show the effect of
 * fewer passes over memory and fewer dispatches, not GPU speed.
 */
import { loadavg } from 'node:os';
import * as cp from '../../index.js';
import type { Tensor } from '../../tensor.js';
import type { WebGpuBackend } from './webgpu-backend.js';

const ROUNDS = Number(process.env['ROUNDS'] ?? 15);
const N = Number(process.env['N'] ?? 1e6);

const PIPELINES: [string, (x: Tensor) => Tensor][] = [
  ['normalize → sum', (x) => x.sub(x.mean()).div(x.std()).sum()],
  ['sum(relu(1.5x − 0.5))', (x) => x.mul(1.5).sub(0.5).relu().sum()],
];

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function timeOnce(f: (x: Tensor) => Tensor, x: Tensor): Promise<number> {
  const t0 = performance.now();
  const out = f(x);
  await out.data();
  const ms = performance.now() - t0;
  out.dispose();
  return ms;
}

await cp.initGpu();
const x = cp.randn([N], { seed: 1 }).to('gpu');
const gpu = x.backendImpl as unknown as WebGpuBackend;
console.log(`adapter: ${gpu.ctx.adapterName}; timestamps: ${gpu.ctx.timestamps}; N = ${N}; ${ROUNDS} rounds; load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log('pipeline | eager ms | jit op-by-op ms | jit fused ms | op-by-op ÷ fused | eager ÷ fused');
for (const [name, fn] of PIPELINES) {
  const fused = cp.jit(fn, { warn: false });
  const unfused = cp.jit(fn, { warn: false });
  // The op-by-op variant: the backend refuses fusion while it runs, as before ops-fused.ts existed.
  const refuse = () => 'bench: op by op';
  const runUnfused = (t: Tensor): Tensor => {
    const own = gpu.fusedBlocker;
    gpu.fusedBlocker = refuse;
    try {
      return unfused(t);
    } finally {
      gpu.fusedBlocker = own;
    }
  };
  const variants: [string, (t: Tensor) => Tensor][] = [['eager', fn], ['op-by-op', runUnfused], ['fused', fused]];
  // Warm-up: traces, pipeline compiles, pooled buffers.
  for (let i = 0; i < 3; i++) for (const [, f] of variants) await timeOnce(f, x);
  const times: Record<string, number[]> = { eager: [], 'op-by-op': [], fused: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < variants.length; k++) {
      const [label, f] = variants[(k + r) % variants.length]!;
      times[label]!.push(await timeOnce(f, x));
    }
  }
  const ratio = (a: string) => median(times[a]!.map((t, i) => t / times['fused']![i]!));
  console.log([name, median(times['eager']!).toFixed(3), median(times['op-by-op']!).toFixed(3), median(times['fused']!).toFixed(3),
    `${ratio('op-by-op').toFixed(2)}×`, `${ratio('eager').toFixed(2)}×`].join(' | '));
  const groups = fused.signatures()[0]!.groups;
  console.log(`  fused groups: ${groups.map((g) => g.op + (g.unfused ? ` (op by op: ${g.unfused})` : '')).join(', ')}`);
}
console.log(`load average at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
x.dispose();
gpu.destroy();
