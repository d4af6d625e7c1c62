/**
 * What the report's steady medians (profiler/steady-medians.ts) cost at a large profile: 1e6 events
 * of 4 ops and 7 input shapes, random durations, timed over ROUNDS runs (default 5); prints each run, ms.
 *
 *   node runtime/dist/bench/steady-medians.js
 */
import { steadyMedians } from '../profiler/steady-medians.js';
import type { RuleColumns } from '../profiler/rule-columns.js';
import { loadavg } from 'node:os';

const N = 1e6, names = ['add', 'mul', 'sum', 'read'];
const op = new Int32Array(N), inShapes = new Int32Array(N), outShapes = new Int32Array(N), startMs = new Float64Array(N), endMs = new Float64Array(N);
for (let i = 0; i < N; i++) { op[i] = i % 4; inShapes[i] = i % 7; startMs[i] = i; endMs[i] = i + Math.random() * 0.01; }
const columns = { length: N, op, inShapes, outShapes, startMs, endMs, names, shapeLists: Array.from({ length: 8 }, (_, k) => [[k + 1]]) } as unknown as RuleColumns;
const counts = new Map(names.map((m) => [m, N / 4]));
const runs: string[] = [];
for (let r = 0; r < Number(process.env['ROUNDS'] ?? 5); r++) {
  const t = performance.now();
  steadyMedians(columns, counts);
  runs.push((performance.now() - t).toFixed(1));
}
console.log(`steadyMedians over ${N} events: ${runs.join(' / ')} ms (load average ${loadavg()[0]!.toFixed(2)})`);
