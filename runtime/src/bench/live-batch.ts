/**
 * What a live batch costs the profiled script (`node runtime/dist/bench/live-batch.js`): a launcher
 * asks for one at most 4×/s (profiler/ipc.ts makeBatch), on the script's own thread. With the event
 * ring full (the default 100 000 events, ops called from two functions so the stacks have call
 * lines), the median time of a whole batch and of its call lines alone (from the recorder's
 * per-stack totals), and what the timer's 4 batches a second cost as a share of that second.
 * Medians over ROUNDS (default 41) batches.
 */
import { loadavg } from 'node:os';
import * as cp from '../index.js';
import { DEFAULT_MAX_EVENTS, liveCallLines, opsRecorded } from '../profiler/session.js';
import { makeBatch } from '../profiler/ipc.js';
import { median } from './timing.js';

const ROUNDS = Number(process.env['ROUNDS'] ?? 41);

function step(x: cp.Tensor): void { cp.tidy(() => { x.mul(2).add(1); }); }
function first(x: cp.Tensor): void { step(x); }
function second(x: cp.Tensor): void { step(x); }

const x = cp.keep(cp.rand([64]));
cp.enableProfiling();
while (opsRecorded() < DEFAULT_MAX_EVENTS + 1000) { first(x); second(x); }
const time = (fn: () => unknown): number => { const t = performance.now(); fn(); return performance.now() - t; };
const batch: number[] = [], lines: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  batch.push(time(makeBatch));
  lines.push(time(() => liveCallLines(1)));
}
const calls = liveCallLines(1)?.length ?? 0;
cp.disableProfiling();
const b = median(batch), l = median(lines);
console.log(`live batch, ring full (${DEFAULT_MAX_EVENTS} events, ${calls} call lines), load ${loadavg()[0]!.toFixed(2)}: ` +
  `batch ${b.toFixed(3)} ms (median of ${ROUNDS}), its call lines ${l.toFixed(3)} ms; the timer's 4 batches/s = ` +
  `${((4 * b) / 10).toFixed(2)} % of the script's time`);
