/**
 * The profiler's cost on a plain loop that disposes its results, run the way most users run a
 * script: `node_modules/.bin/tsx scripts/bench/overhead-tsx-loop.ts` from the repository root. This
 * file is CommonJS (the root package.json has no "type": "module"), so tsx transforms the runtime it
 * imports to CommonJS too — the path that made every imported constant on the recorder's op path a
 * getter call (audit 27 F2; runtime/BENCHMARKS.md, "Imported constants on the op path under tsx").
 * `node runtime/dist/bench/overhead-estimate.js` loads the runtime as ES modules and never saw it.
 *
 * x = cp.rand([256, 256]); 200 warm-up iterations; then ROUNDS rounds (default 40) alternating the
 * order (off → on, on → off), each one timed loop of 300 × { const y = x.mul(1.5); y.dispose(); }
 * per side, profiling toggled with enableProfiling / disableProfiling, clearProfile after each "on"
 * unless NOCLEAR=1. LOOP=tidy runs the 300 ops in cp.tidy without dispose, LOOP=keep keeps the
 * results and disposes them after the timed loop. CS: callSites (default sampled).
 * Prints the medians: loop ms per side, the on/off ratio, the extra ns per op, what the report's
 * "Profiler overhead" line estimated per op (each round's own recording; with NOCLEAR the
 * recording grows, so that figure is cumulative), and process CPU time per side.
 */
import { loadavg } from 'node:os';
import * as cp from 'corepy';

const LOOP = process.env.LOOP ?? 'dispose', N = 300, ROUNDS = Number(process.env.ROUNDS ?? 40);
const CS = (process.env.CS ?? 'sampled') as 'off' | 'sampled' | 'all';
const x = cp.rand([256, 256]);
for (let w = 0; w < 200; w++) x.mul(1.5).dispose();

function wall(): number {
  if (LOOP === 'tidy') {
    const t0 = performance.now();
    cp.tidy(() => { for (let i = 0; i < N; i++) x.mul(1.5); });
    return performance.now() - t0;
  }
  if (LOOP === 'keep') {
    const kept: cp.Tensor[] = [];
    const t0 = performance.now();
    for (let i = 0; i < N; i++) kept.push(x.mul(1.5));
    const ms = performance.now() - t0;
    for (const y of kept) y.dispose();
    return ms;
  }
  const t0 = performance.now();
  for (let i = 0; i < N; i++) { const y = x.mul(1.5); y.dispose(); }
  return performance.now() - t0;
}

/** One timed loop: wall ms, and the process's CPU ms over it (less sensitive to the other jobs on a shared machine). */
function once(): { ms: number; cpu: number } {
  const c0 = process.cpuUsage();
  const ms = wall();
  const c = process.cpuUsage(c0);
  return { ms, cpu: (c.user + c.system) / 1000 };
}

const offs: number[] = [], ons: number[] = [], ratios: number[] = [], extra: number[] = [], claimed: number[] = [];
const cpuOff: number[] = [], cpuOn: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  let off = { ms: 0, cpu: 0 }, on = { ms: 0, cpu: 0 };
  for (const side of r % 2 === 0 ? ['off', 'on'] : ['on', 'off']) {
    if (side === 'off') { off = once(); continue; }
    cp.enableProfiling({ callSites: CS });
    on = once();
    cp.disableProfiling();
    claimed.push(cp.profileReport({ format: 'json' }).overhead.estimatedMs);
    if (!process.env.NOCLEAR) cp.clearProfile();
  }
  offs.push(off.ms); ons.push(on.ms); ratios.push(on.ms / off.ms); extra.push(((on.ms - off.ms) * 1e6) / N);
  cpuOff.push(off.cpu); cpuOn.push(on.cpu);
}
const med = (v: number[]): number => [...v].sort((p, q) => p - q)[v.length >> 1]!;
console.log(`${LOOP} CS=${CS}${process.env.NOCLEAR ? ' NOCLEAR' : ''}: off ${med(offs).toFixed(2)} ms, on ${med(ons).toFixed(2)} ms, ` +
  `ratio ${med(ratios).toFixed(3)}, extra ${med(extra).toFixed(0)} ns/op; report's estimate ${((med(claimed) * 1e6) / N).toFixed(0)} ns/op; ` +
  `cpu off ${med(cpuOff).toFixed(2)} on ${med(cpuOn).toFixed(2)} ms (load ${loadavg()[0]!.toFixed(2)})`);
