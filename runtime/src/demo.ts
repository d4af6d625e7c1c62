/**
 * `npm run demo`: the seed's first example on the real runtime — normalise 1e6 values,
 * sum them — with the profiler on, then the report and its recommendations.
 */
import * as cp from './index.js';

const n = 1_000_000;
console.log(`corepy demo — backend: ${cp.getBackend()}, ${n.toLocaleString('en-US')} float32 values\n`);

cp.enableProfiling({ callSites: 'sampled' });
const data = cp.arange(n).cast('float32');
const normalized = data.sub(data.mean()).div(data.std());
const result = normalized.sum();
console.log(`sum of the normalised values: ${result.item().toExponential(3)} (≈ 0 up to float32 rounding)`);
const { mean, variance } = data.moments();
console.log(`moments in one pass: mean ${mean.item()}, variance ${variance.item().toExponential(4)}\n`);

console.log(cp.profileReport());
