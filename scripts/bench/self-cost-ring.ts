/**
 * What the profiler's self-cost probe (session.ts measureSelfCost) reads per op for two ring sizes,
 * the probe's old 4096 slots and the recording's default 100 000, alternating in one process:
 * `node_modules/.bin/tsx scripts/bench/self-cost-ring.ts` from the repository root (CommonJS, so tsx
 * loads the runtime as users' `npx tsx` scripts do; runtime/BENCHMARKS.md, "Imported constants on
 * the op path under tsx"). Each figure: median of 5 rounds of 4000 probe ops less the same loop
 * without the recorder, after 30 000 warm-up calls of each, as measureSelfCost times it.
 */
import { loadavg } from 'node:os';
import type { Backend } from '../../runtime/src/backends/backend.js';
import { Recorder } from '../../runtime/src/profiler/recorder.js';

const fake = { name: 'js', device: 'cpu' } as unknown as Backend;
const noop = (): number => 0;
const time = (r: Recorder | null, n: number): number => {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) r ? r.observe('probe', [], fake, noop) : noop();
  return ((performance.now() - t0) * 1e6) / n;
};
const median = (xs: number[]): number => xs.sort((a, b) => a - b)[xs.length >> 1]!;
const out: string[] = [];
for (const size of [4096, 100_000, 4096, 100_000]) {
  const probe = new Recorder('off', 1, size);
  time(probe, 30000);
  time(null, 30000);
  const plain: number[] = [], bare: number[] = [];
  for (let r = 0; r < 5; r++) { plain.push(time(null, 4000)); bare.push(time(probe, 4000)); }
  out.push(`${size} slots: ${(median(bare) - median(plain)).toFixed(0)} ns per op`);
}
console.log(`${out.join(', ')} (load ${loadavg()[0]!.toFixed(2)})`);
