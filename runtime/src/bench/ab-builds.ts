/**
 * Two builds of the runtime, side by side in alternating fresh processes: the seed's Example 1
 * resident @ 1e5 (five ops of ~12 µs) and 100 sums of a 1000-element tensor (the tensor layer's
 * own cost stands out). For a change to the runtime's JavaScript, where one process's figure moves
 * by ±20 % from one fresh process to the next: each side's median over processes, and the ratio.
 *
 *   AB_OLD=/tmp/old/runtime/dist AB_NEW=runtime/dist PROCS=8 node runtime/dist/bench/ab-builds.js
 *
 * A build is a copy of runtime/dist whose `../kernels` holds the wasm kernels (copy or link
 * runtime/kernels next to it) and whose imports resolve (link node_modules beside it).
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './timing.js';

interface Result { readonly example1Ms: number; readonly smallSumsMs: number }

/** Runs in a fresh process: medians of 31 rounds, after a warm-up, in ms per run. */
async function child(dist: string): Promise<Result> {
  const cp = (await import(pathToFileURL(resolve(dist, 'index.js')).href)) as typeof import('../index.js');
  const { example1 } = (await import(pathToFileURL(resolve(dist, 'bench/example1.js')).href)) as typeof import('./example1.js');
  const ex1 = example1(1e5, false);
  const x = cp.keep(cp.tensor(new Float32Array(1000).fill(1)));
  const smallSums = (): void => { cp.tidy(() => { for (let i = 0; i < 100; i++) x.sum(); }); };
  for (let i = 0; i < 500; i++) { ex1(); smallSums(); }
  const per = (f: () => void, n: number): number => {
    const rounds: number[] = [];
    for (let r = 0; r < 31; r++) {
      const t = performance.now();
      for (let i = 0; i < n; i++) f();
      rounds.push((performance.now() - t) / n);
    }
    return median(rounds);
  };
  return { example1Ms: per(ex1, 200), smallSumsMs: per(smallSums, 20) };
}

function parent(): void {
  const old = process.env['AB_OLD'], neu = process.env['AB_NEW'];
  if (!old || !neu) throw new Error('ab-builds: set AB_OLD and AB_NEW to the two builds\' dist folders (see the file comment)');
  const procs = Number(process.env['PROCS'] ?? 8);
  const self = fileURLToPath(import.meta.url);
  const sides = { old: [] as Result[], new: [] as Result[] };
  const load0 = loadavg()[0]!;
  for (let r = 0; r < procs; r++) {
    for (const side of r % 2 === 0 ? (['old', 'new'] as const) : (['new', 'old'] as const)) {
      const out = execFileSync(process.execPath, [self], { env: { ...process.env, AB_CHILD: side === 'old' ? old : neu }, encoding: 'utf8' });
      sides[side].push(JSON.parse(out.trim().split('\n').pop()!) as Result);
    }
  }
  console.log(`ab-builds: ${procs} fresh processes per build, alternating; load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`);
  const rows: [string, keyof Result][] = [['Example 1 resident @ 1e5', 'example1Ms'], ['100 sums of 1000 elements', 'smallSumsMs']];
  for (const [label, key] of rows) {
    const o = sides.old.map((s) => s[key]), n = sides.new.map((s) => s[key]);
    const us = (ms: number): string => (ms * 1000).toFixed(1);
    console.log(`${label}: old ${us(median(o))} µs, new ${us(median(n))} µs per run → new/old ${(median(n) / median(o)).toFixed(3)} ` +
      `(processes: old ${us(Math.min(...o))}–${us(Math.max(...o))}, new ${us(Math.min(...n))}–${us(Math.max(...n))} µs)`);
  }
}

const childDist = process.env['AB_CHILD'];
if (childDist !== undefined) {
  console.log(JSON.stringify(await child(childDist)));
  process.exit(0);
} else if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  parent();
}
