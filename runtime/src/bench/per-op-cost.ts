/**
 * The recorder's cost per op, in fresh processes: `node runtime/dist/bench/per-op-cost.js` after the
 * build. Each process times 100 adds on a 16-element wasm tensor (the op itself ~1 µs, so the
 * profiler's part shows) under one mode — profiling never enabled, or enabled with callSites
 * 'off' / 'sampled' — after a warm-up, and prints the median ns per op over 3000 runs; the modes
 * rotate process by process (ROUNDS rounds), so a noisy machine hits every mode alike. The
 * difference of the medians is what the profiler adds to every op (timing, the ring's record, the
 * per-site cell), to set against an op's own duration.
 * Environment: ROUNDS (default 6).
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as cp from '../index.js';
import { median } from './timing.js';

const MODES = ['never', 'off', 'sampled'] as const;
type Mode = (typeof MODES)[number];

/** Child: prints the median ns per add under `mode`. */
async function child(mode: Mode): Promise<void> {
  await cp.setBackend('wasm');
  if (mode !== 'never') cp.enableProfiling({ callSites: mode });
  const x = cp.keep(cp.tensor(new Float32Array(16)));
  const run = (): void => cp.tidy(() => { for (let i = 0; i < 100; i++) x.add(i); });
  for (let i = 0; i < 3000; i++) run();
  const ns: number[] = [];
  for (let r = 0; r < 3000; r++) {
    const t0 = performance.now();
    run();
    ns.push(((performance.now() - t0) * 1e6) / 100);
  }
  console.log(JSON.stringify({ mode, ns: median(ns) }));
}

function parent(): void {
  const rounds = Number(process.env['ROUNDS'] ?? 6);
  const self = fileURLToPath(import.meta.url);
  const per = new Map<Mode, number[]>(MODES.map((m) => [m, []]));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < MODES.length; k++) {
      const mode = MODES[(k + r) % MODES.length]!;
      const out = execFileSync(process.execPath, [self], { env: { ...process.env, PER_OP_CHILD: mode }, encoding: 'utf8' });
      per.get(mode)!.push((JSON.parse(out.trim().split('\n').pop()!) as { ns: number }).ns);
    }
  }
  const base = median(per.get('never')!);
  console.log(`100 adds on a 16-element wasm tensor, ns per op (median of 3000 runs per process; ${rounds} fresh processes per mode, rotating); load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (const m of MODES) {
    const xs = per.get(m)!.slice().sort((a, b) => a - b);
    const med = median(xs);
    console.log(`  ${m.padEnd(8)} ${med.toFixed(0).padStart(6)} ns/op (processes ${xs.map((v) => v.toFixed(0)).join(' ')})` + (m === 'never' ? '' : `  → +${(med - base).toFixed(0)} ns per op`));
  }
}

const mode = process.env['PER_OP_CHILD'] as Mode | undefined;
if (mode) await child(mode); else parent();
