/**
 * How long building the final report takes (recommendation rules included) after a loop of small ops,
 * twice in one process: `node runtime/dist/bench/report-time.js` (environment `CALLS`, default 50000
 * iterations of an add and a mul on 1000 elements). With `SPLIT=1` it then times the parts of a report
 * once more: the snapshot (the events as the rules' columns, as reports take them; then as event
 * records, as reports took them before), the aggregate, and the rules with a timing budget of 0
 * (their own work, no measurement). The rules' measurements are kept in a per-machine file
 * (COREPY_TIMINGS_CACHE, see PROFILING_GUIDE.md): point it at a new file, or `off`, to time them from
 * cold. A benchmark, not a test: figures vary by machine.
 */
import * as cp from '../index.js';
import { aggregate } from '../profiler/aggregate.js';
import { runRules } from '../profiler/rules/index.js';
import { snapshot } from '../profiler/session.js';

const calls = Number(process.env['CALLS'] ?? 50000);
// Longer runs get a ring that holds all their events (the default keeps the last 100 000).
cp.enableProfiling(calls > 50000 ? { maxEvents: 2 * calls + 10 } : {});
const x = cp.ones([1000]);
for (let i = 0; i < calls; i++) cp.tidy(() => x.add(i).mul(2));
for (const which of ['first', 'second']) {
  const t0 = performance.now();
  const r = cp.profileReport({ format: 'json' });
  const ms = performance.now() - t0;
  console.log(`${which} report: ${ms.toFixed(0)} ms for ${r.opCount} ops; recommendations: ${r.recommendations.map((q) => `${q.rule} ${q.estimatedSpeedup}×`).join(', ')}`);
}
if (process.env['SPLIT'] === '1') {
  // What a report takes (the rules' columns), then the same parts from event records (what reports took before rule-columns.ts).
  for (const events of ['rules', true] as const) {
    const t0 = performance.now();
    const data = snapshot(true, { events });
    const t1 = performance.now();
    const agg = aggregate(data);
    const t2 = performance.now();
    runRules(data, agg, {}, 0);
    const t3 = performance.now();
    const what = events === 'rules' ? `${data.ruleColumns?.length ?? 0} events as rule columns` : `${data.events.length} event records`;
    console.log(`parts: snapshot ${(t1 - t0).toFixed(0)} ms (${what}), aggregate ${(t2 - t1).toFixed(0)} ms, rules with budget 0 ${(t3 - t2).toFixed(0)} ms`);
  }
}
