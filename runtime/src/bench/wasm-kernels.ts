/**
 * Kernel-level benchmark of the wasm backend (through the Backend interface, no front end)
 * against @tensorflow/tfjs-backend-wasm (XNNPACK), both single-threaded:
 * matmul GFLOP/s at n×n×n, add/sum including the read back to a JS array, and the per-call
 * cost of a 1e3-element add. Run: `npx tsx runtime/src/bench/wasm-kernels.ts [--scalar]`.
 * A benchmark, not a test: figures vary by machine. Each contender is timed in its own block
 * (median of 5 runs of ≥ 200 ms) rather than interleaved: interleaving put the other runtime's
 * garbage collection of 0.4–4 MB read-back arrays into our windows and vice versa.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { View } from '../backends/backend.js';
import { createWasmBackend } from '../backends/wasm/index.js';
import { median, timePerCall } from './timing.js';

/** ms per call of each contender, each timed in its own block. */
function blocks(contenders: Record<string, () => void>, runs = 5, budgetMs = 200): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, fn] of Object.entries(contenders)) out[name] = median(Array.from({ length: runs }, () => timePerCall(fn, budgetMs)));
  return out;
}

const require = createRequire(import.meta.url);
type Tf = typeof import('@tensorflow/tfjs-core');

async function main(): Promise<void> {
  const tf = require('@tensorflow/tfjs-core') as Tf;
  require('@tensorflow/tfjs-backend-wasm');
  const { setWasmPaths } = require('@tensorflow/tfjs-backend-wasm') as { setWasmPaths: (p: string) => void };
  setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false); // compare single-threaded
  await tf.setBackend('wasm');
  await tf.ready();
  const w = createWasmBackend({ flavour: process.argv.includes('--scalar') ? 'scalar' : 'auto' });
  console.log(`corepy wasm (${w.flavour}) vs tfjs ${tf.version_core} ${tf.getBackend()}; ratio > 1: corepy faster`);
  const view = (data: Float32Array, shape: number[]): View => {
    const strides = shape.length === 2 ? [shape[1]!, 1] : [1];
    return { storage: w.upload(data, 'float32'), dtype: 'float32', shape, strides, offset: 0 };
  };
  const rand = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 2);

  for (const n of [128, 256, 512, 1024]) {
    const a = view(rand(n * n), [n, n]), b = view(rand(n * n), [n, n]);
    const ta = tf.tensor2d(rand(n * n), [n, n]), tb = tf.tensor2d(rand(n * n), [n, n]);
    const t = blocks({
      cp: () => { const c = w.matmul(a, b, [n, n]); w.readSync({ ...a, storage: c }); w.free(c); },
      tf: () => tf.tidy(() => { tf.matMul(ta, tb).dataSync(); }),
    }, n >= 1024 ? 3 : 5);
    const gf = (ms: number) => (2 * n ** 3) / ms / 1e6;
    console.log(`matmul ${n}: corepy ${gf(t.cp!).toFixed(1)} GFLOP/s, tfjs ${gf(t.tf!).toFixed(1)} GFLOP/s, ratio ${(t.tf! / t.cp!).toFixed(2)}`);
  }
  for (const n of [1e5, 1e6]) {
    const a = view(rand(n), [n]), b = view(rand(n), [n]);
    const ta = tf.tensor1d(rand(n)), tb = tf.tensor1d(rand(n));
    const t = blocks({
      cpAdd: () => { const s = w.binary('add', a, b, [n]); w.readSync({ ...a, storage: s }); w.free(s); },
      tfAdd: () => tf.tidy(() => { tf.add(ta, tb).dataSync(); }),
      cpSum: () => { const s = w.reduce('sum', a, [0]); w.readSync({ ...a, storage: s, shape: [], strides: [] }); w.free(s); },
      tfSum: () => tf.tidy(() => { tf.sum(ta).dataSync(); }),
    });
    console.log(`add ${n} + read: corepy ${(t.cpAdd! * 1e3).toFixed(1)} µs, tfjs ${(t.tfAdd! * 1e3).toFixed(1)} µs, ratio ${(t.tfAdd! / t.cpAdd!).toFixed(2)}`);
    console.log(`sum ${n} + read: corepy ${(t.cpSum! * 1e3).toFixed(1)} µs, tfjs ${(t.tfSum! * 1e3).toFixed(1)} µs, ratio ${(t.tfSum! / t.cpSum!).toFixed(2)}`);
  }
  const x = view(rand(1000), [1000]), y = view(rand(1000), [1000]);
  const t = blocks({ cp: () => w.free(w.binary('add', x, y, [1000])) });
  console.log(`backend-level add of 1e3 (alloc + walk + kernel + free): ${(t.cp! * 1e3).toFixed(2)} µs per call`);
}

await main();
