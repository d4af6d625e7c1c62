/**
 * What a short script pays before and around its first op: in fresh processes, the time of
 * `import('corepy')`, of `cp.enableProfiling()` (its op warm-up off, so the figure is the profiler's
 * own set-up: the event ring, the self-cost measurement), and of a whole `corepy profile` run of a
 * one-op script and of the seed's Example 3, start to exit, as a user waits for them.
 *
 *   node runtime/dist/bench/startup.js                      # this build
 *   BUILDS=/tmp/old/runtime/dist,runtime/dist PROCS=5 node runtime/dist/bench/startup.js   # compare builds
 *
 * With several builds, their processes alternate (a build is a copy of runtime/dist with the wasm
 * kernels at ../kernels and its imports resolvable, as for ab-builds.ts). Medians over PROCS
 * processes per build and measure; each `corepy profile` run writes its report to a temp folder.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './timing.js';

const SCRIPTS = {
  'one op': "import * as cp from 'corepy';\ncp.ones([3]).add(1);\n",
  'Example 3': "import * as cp from 'corepy';\nconst data = cp.tensor(Array.from({ length: 100000 }, (_, i) => i));\n" +
    'for (let i = 0; i < 100; i++) {\n  const temp = data.add(i);\n}\n',
};

/** In a fresh process: ms to import the build, then ms of enableProfiling without the op warm-up. */
async function child(dist: string): Promise<void> {
  const t0 = performance.now();
  const cp = (await import(pathToFileURL(resolve(dist, 'index.js')).href)) as typeof import('../index.js');
  const t1 = performance.now();
  cp.enableProfiling({ warmUp: false });
  const t2 = performance.now();
  console.log(JSON.stringify([t1 - t0, t2 - t1]));
}

function parent(): void {
  const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const builds = (process.env['BUILDS'] ?? here).split(',').map((b) => resolve(b));
  const procs = Number(process.env['PROCS'] ?? 5);
  const self = fileURLToPath(import.meta.url);
  const dir = mkdtempSync(join(tmpdir(), 'startup-'));
  const names = Object.keys(SCRIPTS) as (keyof typeof SCRIPTS)[];
  for (const name of names) writeFileSync(join(dir, `${names.indexOf(name)}.mjs`), SCRIPTS[name]);
  const rows = ['import corepy', 'enableProfiling()', ...names.map((n) => `corepy profile: ${n}`)];
  const per = builds.map(() => rows.map(() => [] as number[]));
  const load0 = loadavg()[0]!;
  try {
    for (let p = 0; p < procs; p++) {
      for (let k = 0; k < builds.length; k++) {
        const b = (p + k) % builds.length, build = builds[b]!;
        const out = execFileSync(process.execPath, [self], { env: { ...process.env, STARTUP_CHILD: build }, encoding: 'utf8' });
        const [imp, enable] = JSON.parse(out.trim().split('\n').pop()!) as number[];
        per[b]![0]!.push(imp!); per[b]![1]!.push(enable!);
        names.forEach((_, s) => {
          const t0 = performance.now();
          execFileSync(process.execPath, [join(build, 'cli.js'), 'profile', `${s}.mjs`, '--format', 'json', '--out', `${s}.json`], { cwd: dir, stdio: 'ignore' });
          per[b]![2 + s]!.push(performance.now() - t0);
        });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`start-up, ms (medians over ${procs} fresh processes per build and measure); load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`);
  console.log(`${''.padEnd(28)}${builds.map((b) => (builds.length > 1 ? b.split('/').slice(-2).join('/') : 'ms').padStart(22)).join('')}`);
  rows.forEach((row, r) => console.log(`${row.padEnd(28)}${builds.map((_, b) => median(per[b]![r]!).toFixed(1).padStart(22)).join('')}`));
}

const build = process.env['STARTUP_CHILD'];
if (build) await child(build); else parent();
