/**
 * What a CommonJS script pays for corepy's dispatch, by how the runtime was loaded:
 * `node_modules/.bin/tsx scripts/bench/cjs-entry.ts` from the repository root (needs scripts/build.sh's
 * dist/corepy.cjs). This file is CommonJS (the root package.json has no "type": "module"), as a user's
 * `.ts` is after `npm init -y`. Fresh processes, alternating, one per loading:
 * - `transpiled`: `require('…/dist/index.js')` — tsx transpiles every ES module of the runtime to CommonJS,
 *   each imported binding a getter call (what `require('corepy')` loaded before dist/corepy.cjs existed);
 * - `bundle`: `require('…/dist/corepy.cjs')` — the CommonJS build `require('corepy')` loads now;
 * - `esm`: `import()` of dist/index.js — Node's own ES modules (what a `.mts` file or a "type": "module"
 *   package gets).
 * Each process: x = cp.ones([16]); ROUNDS (default 9) timed loops of N (default 50 000) ×
 * { x.mul(1.5).dispose() } after two untimed ones, in CPU time; prints its median ns per iteration. The parent prints each
 * loading's median over PROCS (default 5) processes, its range, and the ratio to `esm`, and checks from the
 * module cache that each child really ran the loading it names.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const DIST = resolve(__dirname, '..', '..', 'runtime', 'dist');
const LOADINGS = ['transpiled', 'bundle', 'esm'] as const;
type Loading = (typeof LOADINGS)[number];

async function load(how: Loading): Promise<typeof import('corepy')> {
  if (how === 'transpiled') return require(join(DIST, 'index.js'));
  if (how === 'bundle') return require(join(DIST, 'corepy.cjs'));
  // Out of tsx's sight: in a CommonJS file it rewrites `import()` into `require`, which would transpile.
  const importNative = new Function('url', 'return import(url)') as (url: string) => Promise<typeof import('corepy')>;
  return importNative(pathToFileURL(join(DIST, 'index.js')).href);
}

/** Which loading this process's module caches show: dist/corepy.cjs, other dist/*.js files (transpiled), or none (ESM). */
function loadedAs(): Loading {
  const cached = Object.keys(require.cache).filter((f) => f.startsWith(DIST));
  return cached.some((f) => f.endsWith('corepy.cjs')) ? 'bundle' : cached.length > 0 ? 'transpiled' : 'esm';
}

async function child(how: Loading): Promise<void> {
  const cp = await load(how);
  const N = Number(process.env.N ?? 50_000), ROUNDS = Number(process.env.ROUNDS ?? 9);
  const x = cp.ones([16]);
  const loop = () => { for (let i = 0; i < N; i++) x.mul(1.5).dispose(); };
  loop(); loop();
  const ns: number[] = [];
  // CPU time (user + system, µs), not the wall clock: on the shared 2-core machine the wall clock mostly measures
  // the wait for a core (runtime/BENCHMARKS.md, "Why --cpu").
  const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
  for (let r = 0; r < ROUNDS; r++) { const t = cpu(); loop(); ns.push((cpu() - t) / N * 1e3); }
  ns.sort((a, b) => a - b);
  console.log(JSON.stringify({ ran: loadedAs(), ns: ns[ns.length >> 1] }));
}

function parent(): void {
  const PROCS = Number(process.env.PROCS ?? 5);
  const got: Record<Loading, number[]> = { transpiled: [], bundle: [], esm: [] };
  const load0 = loadavg()[0]!.toFixed(2);
  for (let p = 0; p < PROCS; p++) {
    for (const how of p % 2 ? [...LOADINGS].reverse() : LOADINGS) {
      const r = spawnSync(process.execPath, [...process.execArgv, __filename], { encoding: 'utf8', env: { ...process.env, CJS_ENTRY_CHILD: how } });
      if (r.status !== 0) throw new Error(`${how}: exited ${r.status}\n${r.stderr}`);
      const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { ran: Loading; ns: number };
      if (out.ran !== how) throw new Error(`${how}: the module cache says it ran as ${out.ran}`);
      got[how].push(out.ns);
    }
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
  console.log(`x.mul(1.5).dispose() on 16 elements, CPU ns per iteration, median of ${PROCS} fresh processes each (load ${load0} → ${loadavg()[0]!.toFixed(2)}):`);
  for (const how of LOADINGS) {
    const s = [...got[how]].sort((a, b) => a - b);
    console.log(`  ${how.padEnd(10)} ${median(s).toFixed(0).padStart(6)} ns (${s[0]!.toFixed(0)}–${s.at(-1)!.toFixed(0)})  ÷ esm ${(median(s) / median(got.esm)).toFixed(2)}×`);
  }
}

const how = process.env.CJS_ENTRY_CHILD as Loading | undefined;
if (how !== undefined) void child(how);
else parent();
