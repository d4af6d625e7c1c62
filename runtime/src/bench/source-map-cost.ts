/**
 * What source-mapping a call position costs (callsite.ts mapPosition, which stacks.ts calls for each
 * new frame start and call position): two builds side by side, each in its own fresh processes
 * (Node parses a module's map on the first lookup and keeps it, so a process can time one build's
 * first sight only), alternating build order round by round.
 *
 * The module: a generated script of FUNCS one-line functions, as a .ts run through tsx in a folder
 * whose package.json says "commonjs" (what `npm init -y` writes: tsx compiles it to CommonJS, and
 * V8 names its frames by path) and as the same .mjs run without tsx (no map; frames named by URL).
 * Each child first maps a vm script's name, as the profiler's warm-up does (corepy-profiler-warm-up.js),
 * then times, in µs: the module's first position (first sight: Node parses the module's map),
 * the FUNCS − 1 other new positions (sum), and positions seen before (median of 5 × FUNCS).
 * It also checks that both builds map every position to the same place.
 *
 *   AB_OLD=/tmp/old/dist AB_NEW=runtime/dist PROCS=7 node runtime/dist/bench/source-map-cost.js
 *
 * Environment: AB_OLD / AB_NEW (two runtime dist folders; each defaults to this build), PROCS
 * (rounds, default 7; each round runs 4 processes), FUNCS (default 40).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './timing.js';

interface Frame { getFileName(): string | null | undefined; getLineNumber(): number | null; getColumnNumber(): number | null }
interface Callsite {
  mapPosition(file: string, line: number, column: number): { location: { file: string; line: number; column: number } };
  framesAbove(skip: Function, limit: number): Frame[] | undefined;
}
interface Row { warmName: number; first: number; next: number; repeat: number; locations: string }

/** In a fresh process: µs of `dist`'s mapPosition on `target`'s positions (see the top of this file). */
async function child(dist: string, target: string): Promise<Row> {
  const cs = (await import(pathToFileURL(resolve(dist, 'profiler/callsite.js')).href)) as Callsite;
  const mod = (await import(pathToFileURL(target).href)) as Record<string, unknown> & { default?: Record<string, unknown> };
  const fns = (mod.default ?? mod) as Record<string, (cap: () => [string, number, number]) => [string, number, number]>;
  const cap = (): [string, number, number] => {
    const f = cs.framesAbove(cap, 1)![0]!;
    return [f.getFileName()!, f.getLineNumber()!, f.getColumnNumber()!];
  };
  const positions: [string, number, number][] = [];
  for (let i = 0; fns[`f${i}`]; i++) positions.push(fns[`f${i}`]!(cap));
  const time = (p: [string, number, number]): number => {
    const t0 = performance.now();
    cs.mapPosition(p[0], p[1], p[2]);
    return (performance.now() - t0) * 1000;
  };
  const warmName = time(['corepy-profiler-warm-up.js', 1, 2]);
  const first = time(positions[0]!);
  let next = 0;
  for (const p of positions.slice(1)) next += time(p);
  const repeat: number[] = [];
  for (let k = 0; k < 5; k++) for (const p of positions) repeat.push(time(p));
  const locations = JSON.stringify(positions.map((p) => cs.mapPosition(p[0], p[1], p[2]).location));
  return { warmName, first, next, repeat: median(repeat), locations };
}

/** A folder with the module as .ts (CommonJS under tsx) and as .mjs. */
function writeTargets(funcs: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'corepy-source-map-cost-'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "commonjs" }\n');
  const line = (i: number, ts: boolean): string => `export function f${i}(cap${ts ? ': () => [string, number, number]' : ''}) { const at = cap(); return at; }`;
  writeFileSync(join(dir, 'target.ts'), Array.from({ length: funcs }, (_, i) => line(i, true)).join('\n') + '\n');
  writeFileSync(join(dir, 'target.mjs'), Array.from({ length: funcs }, (_, i) => line(i, false)).join('\n') + '\n');
  return dir;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    process.stdout.write(JSON.stringify(await child(process.argv[3]!, process.argv[4]!)) + '\n');
    return;
  }
  const here = resolve(fileURLToPath(import.meta.url), '../..');
  const builds = [resolve(process.env.AB_OLD ?? here), resolve(process.env.AB_NEW ?? here)];
  const procs = Number(process.env.PROCS ?? 7), funcs = Number(process.env.FUNCS ?? 40);
  const dir = writeTargets(funcs);
  const tsx = import.meta.resolve('tsx');
  const kinds = [{ name: '.ts under tsx', target: join(dir, 'target.ts'), pre: ['--import', tsx] }, { name: '.mjs', target: join(dir, 'target.mjs'), pre: [] }];
  const load0 = loadavg()[0]!;
  const rows: Row[][][] = kinds.map(() => builds.map(() => []));
  try {
    for (let r = 0; r < procs; r++) {
      for (let k = 0; k < kinds.length; k++) {
        for (const b of r % 2 ? [1, 0] : [0, 1]) {
          const args = [...kinds[k]!.pre, fileURLToPath(import.meta.url), '--child', builds[b]!, kinds[k]!.target];
          const out = execFileSync(process.execPath, args, { encoding: 'utf8', cwd: dir });
          rows[k]![b]!.push(JSON.parse(out.trim().split('\n').pop()!) as Row);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const us = (xs: number[]): string => `${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`;
  console.log(`source-map cost of call positions, µs, median (range) of ${procs} fresh processes per build and module; ${funcs} positions; load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`);
  for (let k = 0; k < kinds.length; k++) {
    console.log(`${kinds[k]!.name}:`);
    for (let b = 0; b < builds.length; b++) {
      const rs = rows[k]![b]!;
      console.log(`  ${b ? 'new' : 'old'} ${builds[b]}: vm name ${us(rs.map((x) => x.warmName))}; first position ${us(rs.map((x) => x.first))}; ${funcs - 1} new positions ${us(rs.map((x) => x.next))} in all; seen before ${us(rs.map((x) => x.repeat))} each`);
    }
    const same = rows[k]![0]!.every((x) => x.locations === rows[k]![1]![0]!.locations) && rows[k]![1]!.every((x) => x.locations === rows[k]![1]![0]!.locations);
    console.log(`  locations: ${same ? 'identical in both builds' : 'DIFFER between builds'}; e.g. ${JSON.stringify(JSON.parse(rows[k]![1]![0]!.locations)[0])}`);
  }
}

await main();
