/**
 * Op + readback medians of the webgpu backend next to the CPU backends, for BENCHMARKS.md.
 * Run: `XDG_RUNTIME_DIR=$(mktemp -d) npx tsx runtime/src/backends/webgpu/bench.ts`
 * Each figure: median ms of 7 runs after one warm-up; GPU figures include the read back to host.
 */
import type { Backend, Storage, View } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { createWebGpuBackend } from './index.js';

function view(s: Storage, shape: number[]): View {
  return { storage: s, dtype: s.dtype, shape, strides: shape.map((_, d) => shape.slice(d + 1).reduce((p, e) => p * e, 1)), offset: 0 };
}

async function median(b: Backend, run: () => Storage, outShape: number[]): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < 8; r++) {
    const t0 = performance.now();
    const out = run();
    await b.read(view(out, outShape));
    if (r > 0) times.push(performance.now() - t0);
    b.free(out);
  }
  return times.sort((x, y) => x - y)[times.length >> 1]!;
}

async function row(b: Backend, family: string, n: number): Promise<number> {
  if (family === 'matmul') {
    const x = view(b.upload(Float32Array.from({ length: n * n }, (_, i) => (i % 13) / 13), 'float32'), [n, n]);
    return median(b, () => b.matmul(x, x, [n, n]), [n, n]);
  }
  const x = view(b.upload(Float32Array.from({ length: n }, (_, i) => (i % 13) / 13), 'float32'), [n]);
  return family === 'add' ? median(b, () => b.binary('add', x, x, [n]), [n]) : median(b, () => b.reduce('sum', x, [0]), []);
}

const gpu = await createWebGpuBackend();
const cpus: [string, Backend][] = [['js', jsBackend]];
try {
  const wasm = await import('../wasm/index.js');
  cpus.unshift(['wasm', wasm.createWasmBackend()]);
} catch (e) {
  console.log(`(wasm backend unavailable: ${(e as Error).message.split('\n')[0]})`);
}
console.log(`adapter: ${gpu.ctx.adapterName}; timestamps: ${gpu.ctx.timestamps}`);
console.log(['op', 'size', 'webgpu ms', ...cpus.map(([n]) => `${n} ms`)].join(' | '));
const cases: [string, number][] = [
  ['add', 1 << 10], ['add', 1 << 14], ['add', 1 << 18], ['add', 1 << 20],
  ['sum', 1 << 10], ['sum', 1 << 14], ['sum', 1 << 18], ['sum', 1 << 20],
  ['matmul', 64], ['matmul', 128], ['matmul', 256],
];
for (const [family, n] of cases) {
  const cells = [await row(gpu, family, n)];
  for (const [, b] of cpus) cells.push(family === 'matmul' && n > 128 && b === jsBackend ? NaN : await row(b, family, n));
  const size = family === 'matmul' ? `${n}×${n}×${n}` : String(n);
  console.log([family, size, ...cells.map((c) => (Number.isNaN(c) ? '—' : c.toFixed(3)))].join(' | '));
}
gpu.destroy();
