/**
 * The undisposed-tensors estimate against what its fix gives, as a script runs once:
 * `node runtime/dist/bench/undisposed-cold.js` after the build. Fresh processes alternate between a
 * loop of STEPS 128² matmuls whose results are never released (`const b = a.matmul(a); total +=
 * b.sum().item();`) and the same loop with its body in `cp.tidy` (the rule's quick fix), profiler
 * off, each timing the loop (ms); then PROFILED fresh processes run the leaking loop under
 * `cp.enableProfiling()` and print the rule's estimate (a speedup of the profiled wall time). The
 * corpus bench checks the rule the same way on its cold pair (recommendations-cold.ts, fixture
 * test/fixtures/recommendations/undisposed); this one varies STEPS and runs from the build.
 * Environment: ROUNDS (default 7 pairs), PROFILED (default 3), STEPS (default 3000).
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as cp from '../index.js';
import { median } from './timing.js';

const STEPS = Number(process.env['STEPS'] ?? 3000);

type Mode = 'leak' | 'tidy' | 'profiled';

function child(mode: Mode): void {
  const a = cp.randn([128, 128]);
  a.matmul(a).sum().item(); // the kernels' first calls, outside the timed loop
  if (mode === 'profiled') cp.enableProfiling();
  let total = 0;
  const t0 = performance.now();
  for (let i = 0; i < STEPS; i++) {
    if (mode === 'tidy') {
      cp.tidy(() => {
        const b = a.matmul(a);
        total += b.sum().item();
      });
    } else {
      const b = a.matmul(a);
      total += b.sum().item();
    }
  }
  const loopMs = performance.now() - t0;
  const rec = mode === 'profiled' ? cp.getRecommendations().find((r) => r.rule === 'undisposed-tensors') : undefined;
  console.log(JSON.stringify({ loopMs, total, estimate: rec?.estimatedSpeedup ?? null, basis: rec?.speedupBasis ?? null }));
}

function runOnce(mode: Mode): { loopMs: number; estimate: number | null; basis: string | null } {
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url)], { env: { ...process.env, UNDISPOSED_CHILD: mode }, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as { loopMs: number; estimate: number | null; basis: string | null };
}

function parent(): void {
  const rounds = Number(process.env['ROUNDS'] ?? 7), profiled = Number(process.env['PROFILED'] ?? 3);
  const load0 = loadavg()[0]!;
  const ms = { leak: [] as number[], tidy: [] as number[] };
  for (let r = 0; r < rounds; r++) for (const mode of r % 2 === 0 ? (['leak', 'tidy'] as const) : (['tidy', 'leak'] as const)) ms[mode].push(runOnce(mode).loopMs);
  const estimates: number[] = [];
  for (let p = 0; p < profiled; p++) {
    const got = runOnce('profiled');
    if (got.estimate !== null) estimates.push(got.estimate);
    if (process.env['SHOW_BASIS'] && got.basis) console.log(`    ${got.basis}`);
  }
  const show = (xs: number[]): string => xs.slice().sort((x, y) => x - y).map((v) => v.toFixed(0)).join(' ');
  const measured = median(ms.leak) / median(ms.tidy);
  console.log(`undisposed-tensors, cold: ${STEPS} steps of 128² matmul + sum, one fresh process per run, ${rounds} alternating pairs, profiler off; ` +
    `load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`);
  console.log(`  leaking loop    median ${median(ms.leak).toFixed(0)} ms  (${show(ms.leak)})`);
  console.log(`  body in tidy    median ${median(ms.tidy).toFixed(0)} ms  (${show(ms.tidy)})`);
  console.log(`  measured speedup of the fix: ${measured.toFixed(2)}×`);
  console.log(`  the rule's estimate on ${profiled} profiled runs of the leaking loop: ${estimates.map((e) => `${e.toFixed(2)}×`).join(', ') || 'did not fire'}` +
    (estimates.length ? `; median ${median(estimates).toFixed(2)}× → estimate ÷ measured ${(median(estimates) / measured).toFixed(2)}` : ''));
}

const mode = process.env['UNDISPOSED_CHILD'];
if (mode === 'leak' || mode === 'tidy' || mode === 'profiled') child(mode); else parent();
