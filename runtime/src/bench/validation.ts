/**
 * `node runtime/dist/bench/validation.js`: what the API-boundary checks (ops/validate.ts) and the
 * backend-boundary assertion (backends/view-check.ts) cost, next to the small ops that run them.
 * Each line is the median of ROUNDS rounds of N calls (ns per call); the last column puts the checks
 * an op runs against that op's own time. A benchmark, not a test: figures vary by machine and load.
 * Environment: N (calls per round, default 200000), ROUNDS (default 9).
 */
import * as cp from '../index.js';
import { assertViewFits } from '../backends/view-check.js';
import { checkOperand, checkShape, checkTensor } from '../ops/validate.js';

const N = Number(process.env['N'] ?? 200_000);
const ROUNDS = Number(process.env['ROUNDS'] ?? 9);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Median ns per call of `f`. */
function nsPerCall(f: () => void): number {
  for (let i = 0; i < 1000; i++) f();
  const ts: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    for (let i = 0; i < N; i++) f();
    ts.push(((performance.now() - t) * 1e6) / N);
  }
  return median(ts);
}

const x = cp.ones([4]), z = cp.ones([16, 16]);
let sink = 0;
const checks = {
  checkTensor: nsPerCall(() => { sink += checkTensor('f', 'x', z).rank; }),
  'checkOperand(number)': nsPerCall(() => { sink += checkOperand('f', 'b', 1) as number; }),
  'checkShape([16, 16])': nsPerCall(() => { sink += checkShape('f', 'shape', [16, 16]).length; }),
  'assertViewFits(rank 2)': nsPerCall(() => assertViewFits('f', z)),
};
for (const [name, ns] of Object.entries(checks)) console.log(`${name.padEnd(28)} ${ns.toFixed(1).padStart(8)} ns/call`);

/**
 * Op, and the checks it runs per call, as sums of the figures above: the operand checks, one
 * assertViewFits per operand at the wasm boundary and one for the output Tensor.
 */
const ops: [string, () => void, number][] = [
  ['x.add(1)', () => x.add(1).dispose(), checks.checkTensor + checks['checkOperand(number)'] + checks['assertViewFits(rank 2)'] * 3],
  ['z.sum(1)', () => z.sum(1).dispose(), checks.checkTensor + checks['assertViewFits(rank 2)'] * 2],
  ['z.slice([[1, 9, 2]])', () => z.slice([[1, 9, 2]]).dispose(), checks.checkTensor + checks['assertViewFits(rank 2)']],
  ['cp.zeros([16, 16])', () => cp.zeros([16, 16]).dispose(), checks['checkShape([16, 16])'] + checks['assertViewFits(rank 2)']],
];
console.log('');
for (const [name, f, checkNs] of ops) {
  const ns = nsPerCall(f);
  console.log(`${name.padEnd(28)} ${ns.toFixed(0).padStart(8)} ns/op, checks ≈ ${checkNs.toFixed(0)} ns (${((100 * checkNs) / ns).toFixed(1)} %)`);
}
if (sink < 0) console.log(sink);
