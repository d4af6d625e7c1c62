/**
 * The seed's Example 3 (100 adds of a scalar to one 1e5-element float32 tensor, every result kept until
 * the scope ends) against the rewrites one could suggest for it, profiler off, on the default backend:
 * `node --import tsx runtime/src/bench/example3-variants.ts [--rounds N]` (default 21). Each variant
 * is timed in samples of about 100 ms (runs repeated, each in its own tidy scope, as the corpus bench
 * does), all variants in rotating order per round; prints the median ms per run, the speedup against
 * the loop, and whether each variant's result equals the loop's. A benchmark, not a test.
 */
import { loadavg } from 'node:os';
import * as cp from '../index.js';

const argv = process.argv.slice(2);
const ROUNDS = Number(argv[argv.indexOf('--rounds') + 1] || 21);
const SIZE = 100_000, K = 100;

const data = cp.keep(cp.tensor(Array.from({ length: SIZE }, (_, i) => i)));
const offsetsKept = cp.keep(cp.arange(K).cast('float32'));
const column = cp.keep(cp.arange(K).cast('float32').reshape([K, 1]));

/** Each variant returns all K rows (as one tensor or a list), which the results check compares. */
const variants: Record<string, () => cp.Tensor | cp.Tensor[]> = {
  'loop (Example 3)': () => { const out: cp.Tensor[] = []; for (let i = 0; i < K; i++) out.push(data.add(i)); return out; },
  'batched: arange + unsqueeze (the rule\'s fix)': () => { const offsets = cp.arange(K); return data.unsqueeze(0).add(offsets.unsqueeze(1)); },
  'batched, float32 offsets made once outside': () => data.unsqueeze(0).add(offsetsKept.unsqueeze(1)),
  'batched, [K,1] column made once, no views': () => data.add(column),
};

let jitted: ((x: cp.Tensor, o: cp.Tensor) => cp.Tensor) | null = null;
try {
  jitted = cp.jit((x: cp.Tensor, o: cp.Tensor) => x.unsqueeze(0).add(o.unsqueeze(1)), { name: 'example3 jit', warn: false }) as (x: cp.Tensor, o: cp.Tensor) => cp.Tensor;
  cp.tidy(() => { jitted!(data, offsetsKept); jitted!(data, offsetsKept); });
  variants['cp.jit of the batched add'] = () => jitted!(data, offsetsKept);
} catch (e) {
  console.log(`cp.jit of the batched add: not available (${(e as Error).message})`);
}

const rowsOf = (r: cp.Tensor | cp.Tensor[]): Float32Array => {
  if (Array.isArray(r)) { const all = new Float32Array(K * SIZE); r.forEach((t, i) => all.set(t.dataSync() as Float32Array, i * SIZE)); return all; }
  return r.dataSync() as Float32Array;
};
const reference = cp.tidy(() => rowsOf(variants['loop (Example 3)']!()));
const sameAsLoop = (name: string): boolean => cp.tidy(() => {
  const got = rowsOf(variants[name]!());
  return got.length === reference.length && got.every((v, i) => v === reference[i]);
});

const runOnce = (fn: () => unknown): number => { const t0 = performance.now(); cp.tidy(() => { fn(); }); return performance.now() - t0; };
const names = Object.keys(variants);
const reps = new Map(names.map((n) => {
  const fastest = Math.min(runOnce(variants[n]!), runOnce(variants[n]!), runOnce(variants[n]!));
  return [n, Math.max(1, Math.min(1000, Math.ceil(100 / Math.max(fastest, 1e-3))))];
}));
const samples = new Map(names.map((n) => [n, [] as number[]]));
for (let r = 0; r < ROUNDS; r++) {
  // Rotate the order so drift in machine load hits every variant alike.
  for (let j = 0; j < names.length; j++) {
    const n = names[(r + j) % names.length]!;
    const k = reps.get(n)!;
    const t0 = performance.now();
    for (let i = 0; i < k; i++) cp.tidy(() => { variants[n]!(); });
    samples.get(n)!.push((performance.now() - t0) / k);
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const base = median(samples.get(names[0]!)!);
console.log(`Example 3 variants, backend ${cp.getBackend()}, ${ROUNDS} rounds, load average ${loadavg()[0]!.toFixed(1)}`);
console.log('| variant | median ms per run | speedup vs loop | same result |\n|---|---|---|---|');
for (const n of names) {
  const m = median(samples.get(n)!);
  console.log(`| ${n} | ${m.toFixed(2)} | ${(base / m).toFixed(2)}× | ${sameAsLoop(n) ? 'yes' : 'NO'} |`);
}
