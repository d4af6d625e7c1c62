/**
 * Steady op times of a script that calls `cp.enableProfiling()` before its first op, against the
 * same script unprofiled: `node runtime/dist/bench/profiled-steady.js` after the build. The
 * profiler must not change how fast the kernels run once warm (audit 24 N1: the former `tiered`
 * compile mode left every kernel in unoptimised code, 1.5–3× slower for good). Fresh processes
 * alternate between the two; each times 3000× `x.mul(1.5)` and 1000× `x.tanh()` on 1e5 float32,
 * 200× `randn([1e5])` and 100× a 256² matmul, call by call, and keeps the median of the last
 * calls; the profiled one also reports the one-time compile row. Each child also reports where
 * its `mul` and `tanh` results started in linear memory (byte offset mod 64): the binary kernels ran
 * ~1.5× slower with their output 16 or 32 bytes past a cache line, and before large blocks were
 * line-aligned (backends/wasm/memory.ts LINE) the unprofiled process's result sat at 16 and the
 * profiled one's, after the warm-up's blocks, at 0 (audit 25 3a: mul 0.032 vs 0.019 ms). A gap
 * between the two sides with different offsets is the layout, not the profiler; the last lines
 * time the kernels alone (their own instance, no allocator) with the output at each offset. Environment:
 * ROUNDS (default 4 pairs); COREPY_WASM_COMPILE passes through (e.g. `baseline` with
 * `--wasm-tiering-budget=1` in NODE_OPTIONS reproduces the former mode).
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { WasmStorage } from '../backends/wasm/backend.js';
import { writeWalk } from '../backends/wasm/layout.js';
import { loadKernels } from '../backends/wasm/loader.js';
import * as cp from '../index.js';
import { median } from './timing.js';

interface Figures {
  mul: number; tanh: number; randn: number; matmul: number; compileMs: number | null;
  /** Byte offsets mod 64 in linear memory of the last `mul` and `tanh` results. */
  mulAt: number; tanhAt: number;
}

/** Byte offset mod 64 of the last result `steady` timed (-1 when not on the wasm backend). */
let lastAt = -1;

/** Median of `calls` timings of `f` after its first `skip` calls, ms; sets {@link lastAt}. */
function steady(calls: number, skip: number, f: () => cp.Tensor): number {
  const ms: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    const t = f();
    ms.push(performance.now() - t0);
    const ptr = (t.storage as Partial<WasmStorage>).ptr;
    lastAt = ptr === undefined ? -1 : ptr % 64;
    t.dispose();
  }
  return median(ms.slice(skip));
}

function child(profiled: boolean): void {
  if (profiled) cp.enableProfiling();
  const x = cp.keep(cp.randn([100_000]));
  const a = cp.keep(cp.randn([256, 256]));
  const mul = steady(3000, 2000, () => x.mul(1.5)), mulAt = lastAt;
  const tanh = steady(1000, 500, () => x.tanh()), tanhAt = lastAt;
  const figures: Figures = {
    mul, tanh, mulAt, tanhAt,
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
  const at = (fs: Figures[], k: 'mulAt' | 'tanhAt'): string => [...new Set(fs.map((f) => f[k]))].join('/');
  console.log(`  result offset mod 64 bytes: mul unprofiled ${at(runs.off, 'mulAt')} profiled ${at(runs.on, 'mulAt')}; ` +
    `tanh unprofiled ${at(runs.off, 'tanhAt')} profiled ${at(runs.on, 'tanhAt')}`);
  const compile = runs.on.map((f) => f.compileMs).filter((v): v is number => v !== null);
  if (compile.length > 0) console.log(`  compile wasm kernels (one-time row of the profiled runs): median ${median(compile).toFixed(0)} ms`);
  kernelByOutputOffset();
}

/**
 * The binary kernels alone over 1e5 float32 (`x * 1.5`, `x + y`; inputs on a cache line), the output 0, 16, 32
 * and 48 bytes past a line: median ms per call, the offsets interleaved over 6 rounds of 400 calls.
 */
function kernelByOutputOffset(): void {
  const { exports: k } = loadKernels('auto', 'optimised');
  const n = 100_000, bytes = 409_600; // a multiple of 64 above n × 4
  const base = Math.ceil(k.__heap_base.value / 4096) * 4096 + 4096;
  const need = base + 3 * bytes + 64 - k.memory.buffer.byteLength;
  if (need > 0) k.memory.grow(Math.ceil(need / 65536));
  const i32 = new Int32Array(k.memory.buffer), f32 = new Float32Array(k.memory.buffer);
  const metaScalar = base - 2048, metaPair = base - 1024, scalar = base - 64, x = base, y = base + bytes, out = base + 2 * bytes;
  const ndScalar = writeWalk(i32, metaScalar >> 2, [n], [null, [1], [0]], [4, 4, 4]);
  const ndPair = writeWalk(i32, metaPair >> 2, [n], [null, [1], [1]], [4, 4, 4]);
  f32[scalar >> 2] = 1.5;
  for (let i = 0; i < n; i++) f32[(x >> 2) + i] = f32[(y >> 2) + i] = i / n;
  const kernels = { 'x * 1.5': (o: number) => k.binary_f32(2, ndScalar, metaScalar, o, x, scalar), 'x + y': (o: number) => k.binary_f32(0, ndPair, metaPair, o, x, y) };
  const rounds: Record<string, number[][]> = {};
  for (let r = 0; r < 6; r++) {
    for (const [name, run] of Object.entries(kernels)) {
      for (const [j, at] of [0, 16, 32, 48].entries()) {
        const ms: number[] = [];
        for (let i = 0; i < 400; i++) { const t0 = performance.now(); run(out + at); ms.push(performance.now() - t0); }
        ((rounds[name] ??= [[], [], [], []])[j]!).push(median(ms.slice(200)));
      }
    }
  }
  console.log(`kernel alone by output offset past a cache line (0 / 16 / 32 / 48 bytes), medians (ms); load average ${loadavg()[0]!.toFixed(2)}`);
  for (const [name, byAt] of Object.entries(rounds)) console.log(`  ${name.padEnd(8)} ${byAt.map((v) => median(v).toFixed(4)).join(' / ')}`);
}

const mode = process.env['PROFILED_STEADY_CHILD'];
if (mode !== undefined) child(mode === '1');
else parent();
