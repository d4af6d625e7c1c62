/**
 * Steady op times of a script that calls `cp.enableProfiling()` before its first op, against the
 * same script unprofiled: `node runtime/dist/bench/profiled-steady.js` after the build. The
 * profiler must not change how fast the kernels run once warm (audit 24 N1: the former `tiered`
 * compile mode left every kernel in unoptimised code, 1.5–3× slower for good). Fresh processes
 * alternate between the two; each times 3000× `x.mul(1.5)` and 1000× `x.tanh()` on 1e5 float32,
 * 200× `randn([1e5])` and 100× a 256² matmul, call by call, and keeps the median of the last
 * calls; the profiled one also reports the one-time compile row. Environment: ROUNDS (default 4
 * pairs); COREPY_WASM_COMPILE passes through (e.g. `baseline` with `--wasm-tiering-budget=1` in
 * NODE_OPTIONS reproduces the former mode).
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as cp from '../index.js';
import { median } from './timing.js';

interface Figures { mul: number; tanh: number; randn: number; matmul: number; compileMs: number | null }

/** Median of `calls` timings of `f` after its first `skip` calls, ms. */
function steady(calls: number, skip: number, f: () => cp.Tensor): number {
  const ms: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    const t = f();
    ms.push(performance.now() - t0);
    t.dispose();
  }
  return median(ms.slice(skip));
}

function child(profiled: boolean): void {
  if (profiled) cp.enableProfiling();
  const x = cp.keep(cp.randn([100_000]));
  const a = cp.keep(cp.randn([256, 256]));
  const figures: Figures = {
    mul: steady(3000, 2000, () => x.mul(1.5)),
    tanh: steady(1000, 500, () => x.tanh()),
    randn: steady(200, 100, () => cp.randn([100_000])),
    matmul: steady(100, 50, () => a.matmul(a)),
    compileMs: profiled ? cp.profileReport({ format: 'json' }).oneTimeCosts.find((c) => c.name.startsWith('compile wasm kernels'))?.totalMs ?? null : null,
  };
  console.log(JSON.stringify(figures));
}

function runOnce(profiled: boolean): Figures {
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url)], { env: { ...process.env, PROFILED_STEADY_CHILD: profiled ? '1' : '0' }, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as Figures;
}

function parent(): void {
  const rounds = Number(process.env['ROUNDS'] ?? 4);
  const load0 = loadavg()[0]!;
  const runs = { off: [] as Figures[], on: [] as Figures[] };
  for (let r = 0; r < rounds; r++) for (const on of r % 2 === 0 ? [false, true] : [true, false]) runs[on ? 'on' : 'off'].push(runOnce(on));
  console.log(`steady op times, enableProfiling() first vs unprofiled: ${rounds} alternating pairs of fresh processes, medians (ms); ` +
    `COREPY_WASM_COMPILE=${process.env['COREPY_WASM_COMPILE'] ?? '(default)'}; load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`);
  for (const k of ['mul', 'tanh', 'randn', 'matmul'] as const) {
    const off = median(runs.off.map((f) => f[k])), on = median(runs.on.map((f) => f[k]));
    console.log(`  ${k.padEnd(7)} unprofiled ${off.toFixed(4)}  profiled ${on.toFixed(4)}  ratio ${(on / off).toFixed(2)}×`);
  }
  const compile = runs.on.map((f) => f.compileMs).filter((v): v is number => v !== null);
  if (compile.length > 0) console.log(`  compile wasm kernels (one-time row of the profiled runs): median ${median(compile).toFixed(0)} ms`);
}

const mode = process.env['PROFILED_STEADY_CHILD'];
if (mode !== undefined) child(mode === '1');
else parent();
