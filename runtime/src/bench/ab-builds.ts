/**
 * Two builds of the runtime side by side, for a change to the runtime's JavaScript: each fresh
 * process loads BOTH builds (two module graphs, two kernel instances) and alternates rounds
 * between them, so the ±20 % that one process's figures move from one fresh process to the next
 * (heap layout, JIT) hits both sides alike; the per-round ratios' median is the process's figure,
 * and the report gives the median over processes with their range. Workloads: the seed's
 * Example 1 resident @ 1e5 (five ops of ~12 µs), 100 sums of a 1000-element tensor, 100 adds
 * of a scalar to a 16-element tensor (the tensor layer's own cost stands out in those two), and a
 * mask `where(x > 0, x, 0)` over 64×64 random values (a kernel whose condition is data).
 *
 *   AB_OLD=/tmp/old/runtime/dist AB_NEW=runtime/dist PROCS=6 node runtime/dist/bench/ab-builds.js
 *
 * AB_CALLSITES=sampled (or all, off) runs the workloads with each build's profiler enabled in that
 * call-site mode (stack captures sampled as in any profiled run), for a change to the recorder's hot path.
 *
 * A build is a copy of runtime/dist whose `../kernels` holds the wasm kernels (copy or link
 * runtime/kernels next to it) and whose imports resolve (link node_modules beside it).
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './timing.js';
import type { CallSiteMode } from '../contract/names.js';

const WORKLOADS = ['Example 1 resident @ 1e5', '100 sums of 1000 elements', '100 adds of a scalar, 16 elements', 'where(x > 0, x, 0), 64×64 random'] as const;
/** Rounds per workload per process; each round times both builds, in alternating order. */
const ROUNDS = 41;

/** One build's workloads, each a function running one repetition. */
async function workloads(dist: string): Promise<(() => void)[]> {
  const cp = (await import(pathToFileURL(resolve(dist, 'index.js')).href)) as typeof import('../index.js');
  const { example1 } = (await import(pathToFileURL(resolve(dist, 'bench/example1.js')).href)) as typeof import('./example1.js');
  const callSites = process.env['AB_CALLSITES'];
  if (callSites) cp.enableProfiling({ callSites: callSites as CallSiteMode });
  const big = cp.keep(cp.tensor(new Float32Array(1000).fill(1))), small = cp.keep(cp.tensor(new Float32Array(16)));
  const signs = cp.keep(cp.randn([64, 64], { seed: 1 }));
  return [
    example1(1e5, false),
    () => { cp.tidy(() => { for (let i = 0; i < 100; i++) big.sum(); }); },
    () => { cp.tidy(() => { for (let i = 0; i < 100; i++) small.add(i); }); },
    () => { cp.tidy(() => { cp.where(signs.gt(0), signs, 0); }); },
  ];
}

/** In a fresh process: per workload, ms per repetition of each build and the median per-round ratio new/old. */
async function child(oldDist: string, newDist: string): Promise<{ old: number; neu: number; ratio: number }[]> {
  const sides = [await workloads(oldDist), await workloads(newDist)];
  const out: { old: number; neu: number; ratio: number }[] = [];
  for (let w = 0; w < WORKLOADS.length; w++) {
    const fs = [sides[0]![w]!, sides[1]![w]!];
    // Warm-up to the optimising tier on both, and a repetition count that makes a round ~2 ms.
    for (let i = 0; i < 300; i++) { fs[0]!(); fs[1]!(); }
    const t = performance.now();
    fs[0]!();
    const reps = Math.max(1, Math.round(2 / Math.max(1e-3, performance.now() - t)));
    const times: number[][] = [[], []];
    const ratios: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (const s of r % 2 === 0 ? [0, 1] : [1, 0]) {
        const a = performance.now();
        for (let i = 0; i < reps; i++) fs[s]!();
        times[s]!.push((performance.now() - a) / reps);
      }
      ratios.push(times[1]![r]! / times[0]![r]!);
    }
    out.push({ old: median(times[0]!), neu: median(times[1]!), ratio: median(ratios) });
  }
  return out;
}

function parent(): void {
  const old = process.env['AB_OLD'], neu = process.env['AB_NEW'];
  if (!old || !neu) throw new Error('ab-builds: set AB_OLD and AB_NEW to the two builds\' dist folders (see the file comment)');
  const procs = Number(process.env['PROCS'] ?? 6);
  const self = fileURLToPath(import.meta.url);
  const per: { old: number; neu: number; ratio: number }[][] = [];
  const load0 = loadavg()[0]!;
  for (let p = 0; p < procs; p++) {
    // Which build loads first alternates too (module and heap layout).
    const [first, second] = p % 2 === 0 ? [old, neu] : [neu, old];
    const out = execFileSync(process.execPath, [self], { env: { ...process.env, AB_CHILD: JSON.stringify([first, second]) }, encoding: 'utf8' });
    const rows = JSON.parse(out.trim().split('\n').pop()!) as { old: number; neu: number; ratio: number }[];
    per.push(p % 2 === 0 ? rows : rows.map((r) => ({ old: r.neu, neu: r.old, ratio: 1 / r.ratio })));
  }
  console.log(`ab-builds: ${procs} fresh processes, both builds in each, ${ROUNDS} alternating rounds per workload; load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`);
  const us = (ms: number): string => (ms * 1000).toFixed(1);
  WORKLOADS.forEach((label, w) => {
    const ratios = per.map((p) => p[w]!.ratio);
    console.log(`${label}: new/old ${median(ratios).toFixed(3)} (processes ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}); ` +
      `old ${us(median(per.map((p) => p[w]!.old)))} µs, new ${us(median(per.map((p) => p[w]!.neu)))} µs per repetition`);
  });
}

const childArgs = process.env['AB_CHILD'];
if (childArgs !== undefined) {
  const [first, second] = JSON.parse(childArgs) as [string, string];
  console.log(JSON.stringify(await child(first, second)));
  process.exit(0);
} else if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  parent();
}
