/**
 * Tutorial 1.3 — understanding the numbers.
 *
 * Run: npx tsx tutorials/01_profiling_basics/03_understanding_metrics.ts
 *
 * The JSON report holds everything the table shows and more. This script runs the same op on a
 * small and on a large tensor and derives three numbers from the report:
 *  - time per element (ms ÷ elements): large for small tensors, because every call pays a fixed
 *    cost (front end, dispatch, kernel launch) whatever its size;
 *  - throughput (bytes read+written ÷ time, GB/s): how close an op gets to memory bandwidth;
 *  - spread (min / max / stddev): how much repeated calls vary — noisy ops need more repeats
 *    before you trust a difference.
 * Also: op time (sum of op durations) vs wall time (the whole profiled span, including your own
 * JavaScript between ops), and where each op was called (file:line).
 */
import * as cp from 'corepy';

const small = cp.rand([100]);
const large = cp.rand([1_000_000]);

cp.enableProfiling();
for (let i = 0; i < 20; i++) small.mul(2).dispose();
for (let i = 0; i < 20; i++) large.add(1).dispose();
cp.disableProfiling();

const report = cp.profileReport({ format: 'json' });
console.log(`report schema v${report.schemaVersion}, ${report.opCount} ops`);
console.log(`op time ${report.totalTimeMs.toFixed(2)} ms of wall time ${report.wallTimeMs.toFixed(2)} ms ` +
  `(the rest is JavaScript between ops and the profiler itself)\n`);

console.log('op    calls  mean ms   min ms    max ms    stddev   ns/element  GB/s');
for (const o of report.operations) {
  const nsPerElement = (o.totalMs * 1e6) / Math.max(1, o.elements);
  const gbPerS = (o.bytesRead + o.bytesWritten) / (o.totalMs * 1e6);
  console.log(`${o.op.padEnd(5)} ${String(o.count).padStart(5)}  ${o.meanMs.toFixed(4).padStart(7)}  ${o.minMs.toFixed(4).padStart(7)}  ` +
    `${o.maxMs.toFixed(4).padStart(8)}  ${o.stddevMs.toFixed(4).padStart(7)}  ${nsPerElement.toFixed(3).padStart(10)}  ${gbPerS.toFixed(2).padStart(5)}`);
}

// Call sites: the same op at two places in your code are two rows here.
console.log('\nwhere each op was called:');
for (const s of report.callSites) {
  const where = s.location ? `${s.location.file.split('/').slice(-2).join('/')}:${s.location.line}` : '(not captured)';
  console.log(`  ${s.op.padEnd(5)} ×${s.count} at ${where}`);
}

const o = report.overhead;
console.log(`\nprofiler overhead: ${o.perOpNs.toFixed(0)} ns per op measured at enable time, ` +
  `~${o.estimatedMs.toFixed(3)} ms here (${o.percentOfOpTime.toFixed(1)}% of op time)`);
// The per-element comparison, measured: the small op pays its fixed per-call cost on 100 elements.
const perElement = (op: string): number => {
  const s = report.operations.find((x) => x.op === op)!;
  return s.totalMs / Math.max(1, s.elements);
};
const ratio = perElement('mul') / perElement('add');
console.log(`\nper element, mul on 100 values cost ${ratio.toFixed(0)}× what add on 1 000 000 values cost.`);
console.log('That is the fixed per-call cost: fewer, larger ops amortise it (see 02_intermediate/04).');
