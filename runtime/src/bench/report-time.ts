/**
 * How long building the final report takes (recommendation rules included) after a loop of small ops,
 * twice in one process: `node runtime/dist/bench/report-time.js` (environment `CALLS`, default 50000
 * iterations of an add and a mul on 1000 elements). A benchmark, not a test: figures vary by machine.
 */
import * as cp from '../index.js';

const calls = Number(process.env['CALLS'] ?? 50000);
cp.enableProfiling();
const x = cp.ones([1000]);
for (let i = 0; i < calls; i++) cp.tidy(() => x.add(i).mul(2));
for (const which of ['first', 'second']) {
  const t0 = performance.now();
  const r = cp.profileReport({ format: 'json' });
  const ms = performance.now() - t0;
  console.log(`${which} report: ${ms.toFixed(0)} ms for ${r.opCount} ops; recommendations: ${r.recommendations.map((q) => `${q.rule} ${q.estimatedSpeedup}×`).join(', ')}`);
}
