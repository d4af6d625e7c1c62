/**
 * What the stop watcher (profiler/stop-watcher.ts) costs a profiled script that is never stopped:
 * `node runtime/dist/bench/stop-watcher-cost.js` after the build. A launcher that names a stop file
 * (`corepy profile`, the editor) gets a watcher thread in every run, so its price is paid by every
 * run: the Worker constructor on the main thread, the worker's boot on another thread (CPU the two
 * cores share), and its poll of one file every 100 ms.
 *
 * Fresh processes alternate between "watcher" (startStopWatcher on a stop file that never appears)
 * and "none"; each times the call on the main thread, then a fixed workload (ops on 1e5 float32:
 * `x.mul(1.5).add(1)` 3000×, about a second here) and reports the workload's wall time and the
 * process's CPU time (user + system, all threads). Medians per side and their ratio. Environment:
 * ROUNDS (default 6 pairs).
 */
import { execFileSync } from 'node:child_process';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as cp from '../index.js';
import { startStopWatcher } from '../profiler/stop-watcher.js';
import { median } from './timing.js';

interface Figures {
  /** startStopWatcher on the main thread, ms (0 without a watcher). */
  readonly startMs: number;
  /** The workload's wall time, ms. */
  readonly workMs: number;
  /** The process's CPU time from start to the end of the workload, all threads, ms. */
  readonly cpuMs: number;
}

function child(watch: boolean): void {
  const x = cp.keep(cp.randn([100_000]));
  let startMs = 0;
  if (watch) {
    const t0 = performance.now();
    startStopWatcher(join(tmpdir(), `corepy-never-${process.pid}`), () => false);
    startMs = performance.now() - t0;
  }
  const t0 = performance.now();
  for (let i = 0; i < 3000; i++) cp.tidy(() => x.mul(1.5).add(1));
  const workMs = performance.now() - t0;
  const cpu = process.cpuUsage();
  const figures: Figures = { startMs, workMs, cpuMs: (cpu.user + cpu.system) / 1000 };
  console.log(JSON.stringify(figures));
}

function runOnce(watch: boolean): Figures {
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url)], { env: { ...process.env, STOP_WATCHER_COST_CHILD: watch ? '1' : '0' }, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as Figures;
}

function parent(): void {
  const rounds = Number(process.env['ROUNDS'] ?? 6);
  const load0 = loadavg()[0]!;
  const runs = { none: [] as Figures[], watcher: [] as Figures[] };
  for (let r = 0; r < rounds; r++) for (const w of r % 2 === 0 ? [false, true] : [true, false]) runs[w ? 'watcher' : 'none'].push(runOnce(w));
  console.log(`stop watcher cost: ${rounds} alternating pairs of fresh processes, medians; load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`);
  const starts = runs.watcher.map((f) => f.startMs);
  console.log(`  startStopWatcher on the main thread: median ${median(starts).toFixed(2)} ms (min ${Math.min(...starts).toFixed(2)}, max ${Math.max(...starts).toFixed(2)})`);
  for (const k of ['workMs', 'cpuMs'] as const) {
    const none = median(runs.none.map((f) => f[k])), watcher = median(runs.watcher.map((f) => f[k]));
    const label = k === 'workMs' ? 'workload wall time' : 'process CPU time ';
    console.log(`  ${label}  none ${none.toFixed(1)} ms  watcher ${watcher.toFixed(1)} ms  ratio ${(watcher / none).toFixed(3)}×  (${watcher >= none ? '+' : '−'}${Math.abs(watcher - none).toFixed(1)} ms)`);
  }
}

const mode = process.env['STOP_WATCHER_COST_CHILD'];
if (mode !== undefined) child(mode === '1');
else parent();
