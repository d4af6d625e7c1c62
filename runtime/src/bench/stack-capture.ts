/**
 * What one user call stack capture costs (stacks.ts StackTable.capture), two builds side by side as
 * ab-builds.ts does: each fresh process loads both builds' stack tables and alternates rounds
 * between them, so the process-to-process variation hits both alike; the per-round ratios' median is
 * the process's figure, and the report gives medians over processes with their range.
 *
 * The stack: DEPTH nested functions of this file (user frames: bench/ is not the runtime's) above
 * the capture, each stopped at the call into the next, as a training script's top level → main →
 * train → step → forward → layer. Positions repeat, so this is the steady state (every frame and
 * call position interned and source-mapped already), not a new line's first capture.
 *
 *   AB_OLD=/tmp/old/dist AB_NEW=runtime/dist PROCS=7 node runtime/dist/bench/stack-capture.js
 *
 * Environment: AB_OLD / AB_NEW (two runtime dist folders; AB_OLD alone compares a build with itself
 * when unset), PROCS (fresh processes, default 7), DEPTH (user frames, default 6), CAPTURES (per
 * round per build, default 2000).
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './timing.js';

/** Rounds per process; each times both builds, in alternating order. */
const ROUNDS = 31;

interface Table { capture(skip: Function): number }

/** ns per capture of `t` at `depth` user frames (the recursion below is `depth` frames of this file). */
function timeCaptures(t: Table, depth: number, n: number): number {
  const t0 = performance.now();
  nest(t, depth, n);
  return ((performance.now() - t0) * 1e6) / n;
}

/** `depth` frames, each calling the next from its own line; the innermost captures `n` times. */
function nest(t: Table, depth: number, n: number): number {
  if (depth > 1) return nest(t, depth - 1, n);
  let s = 0;
  for (let i = 0; i < n; i++) s += t.capture(nest);
  return s;
}

/** In a fresh process: ns per capture of each build (medians over rounds) and the median per-round ratio new/old. */
async function child(oldDist: string, newDist: string, depth: number, n: number): Promise<{ old: number; neu: number; ratio: number; nodes: number[] }> {
  const load = async (dist: string): Promise<Table & { parent: number[] }> => {
    const mod = (await import(pathToFileURL(resolve(dist, 'profiler/stacks.js')).href)) as { StackTable: new () => Table & { parent: number[] } };
    return new mod.StackTable();
  };
  const tables = [await load(oldDist), await load(newDist)];
  // Warm-up: JIT tiers, and every frame and call position interned.
  for (let i = 0; i < 20; i++) for (const t of tables) timeCaptures(t, depth, 200);
  const old: number[] = [], neu: number[] = [], ratio: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const first = r % 2;
    const ns = [0, 0];
    ns[first] = timeCaptures(tables[first]!, depth, n);
    ns[1 - first] = timeCaptures(tables[1 - first]!, depth, n);
    old.push(ns[0]!); neu.push(ns[1]!); ratio.push(ns[1]! / ns[0]!);
  }
  // The nodes each table interned: the same stack every time, so `depth` nodes or so (a check, not a figure).
  return { old: median(old), neu: median(neu), ratio: median(ratio), nodes: tables.map((t) => t.parent.length) };
}

async function main(): Promise<void> {
  const oldDist = resolve(process.env.AB_OLD ?? resolve(fileURLToPath(import.meta.url), '../..'));
  const newDist = resolve(process.env.AB_NEW ?? resolve(fileURLToPath(import.meta.url), '../..'));
  const depth = Number(process.env.DEPTH ?? 6), n = Number(process.env.CAPTURES ?? 2000);
  if (process.argv[2] === '--child') {
    process.stdout.write(JSON.stringify(await child(oldDist, newDist, depth, n)) + '\n');
    return;
  }
  const procs = Number(process.env.PROCS ?? 7);
  const load0 = loadavg()[0]!;
  const rows: { old: number; neu: number; ratio: number; nodes: number[] }[] = [];
  for (let p = 0; p < procs; p++) {
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child'], { encoding: 'utf8', env: { ...process.env, AB_OLD: oldDist, AB_NEW: newDist } });
    rows.push(JSON.parse(out.trim().split('\n').pop()!) as (typeof rows)[number]);
  }
  const range = (xs: number[], f: (x: number) => string): string => `${f(Math.min(...xs))}–${f(Math.max(...xs))}`;
  const ns = (x: number): string => x.toFixed(0);
  console.log(`stack capture at ${depth} user frames, ${procs} fresh processes × ${ROUNDS} alternating rounds of ${n} captures per build; load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`);
  console.log(`  old ${oldDist}: ${ns(median(rows.map((r) => r.old)))} ns per capture (processes ${range(rows.map((r) => r.old), ns)})`);
  console.log(`  new ${newDist}: ${ns(median(rows.map((r) => r.neu)))} ns per capture (processes ${range(rows.map((r) => r.neu), ns)})`);
  console.log(`  new / old: ${median(rows.map((r) => r.ratio)).toFixed(3)} (processes ${range(rows.map((r) => r.ratio), (x) => x.toFixed(3))}); nodes interned ${rows[0]!.nodes.join(' / ')}`);
}

await main();
