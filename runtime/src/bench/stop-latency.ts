/**
 * How long `corepy profile` takes from Ctrl-C to its exit, and from a script's last line to its
 * report, as a user has it: `node runtime/dist/bench/stop-latency.js <SIGINT|normal> <appDir>...`,
 * each app a folder with corepy installed from its tarball (scripts/pack-runtime.sh, then `npm install
 * <tarball>`; two builds side by side are two folders). Fresh processes alternate between the apps
 * (the order flips every round), each running the app's own `node_modules/corepy/dist/cli.js`.
 *
 * SIGINT: an endless loop of ops on 1e3 elements (yielding every 50 ops, as an async training loop
 * does) gets the signal 1.5 s (+ 0–1 s at random) after its 200th op; timed from the signal to the
 * CLI's exit. normal: 20 000 ops that end by themselves; timed from the script's last line to the
 * CLI's exit (the report: rules, their trials, the flame model, the table). Both with
 * `COREPY_TIMINGS_CACHE=off` (each report times its own trials) and the TypeScript code cache in
 * `COREPY_CODE_CACHE` (default: a folder under the OS temporary folder, kept across runs; FRESH_CODE_CACHE=1
 * empties it before every run: a first run's figures). ROUNDS (default 8). Medians per app; load
 * average before and after. Each row says which recommendations came out (they must not differ by build).
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { median } from './timing.js';

const ENDLESS = `import * as cp from 'corepy';
const x = cp.ones([1000]);
for (let i = 0; ; i++) {
  const y = x.mul(2).add(1);
  y.dispose();
  if (i === 200) console.log('READY');
  if (i % 50 === 0) await new Promise((r) => setTimeout(r, 1));
}
`;
const ENDS = `import * as cp from 'corepy';
const x = cp.ones([1000]);
for (let i = 0; i < 20000; i++) {
  const y = x.mul(2).add(1);
  y.dispose();
}
console.log('DONE');
`;

interface Run {
  /** From the signal (SIGINT) or the script's last line (normal) to the CLI's exit, ms. */
  readonly ms: number;
  readonly code: number | null;
  /** Priority and first words of each recommendation printed. */
  readonly recs: string;
}

function once(app: string, mode: 'SIGINT' | 'normal', cacheDir: string): Promise<Run> {
  const script = join(app, mode === 'SIGINT' ? 'stop-latency-endless.ts' : 'stop-latency-ends.ts');
  writeFileSync(script, mode === 'SIGINT' ? ENDLESS : ENDS);
  if (process.env['FRESH_CODE_CACHE'] === '1') rmSync(cacheDir, { recursive: true, force: true });
  const env = { ...process.env, COREPY_TIMINGS_CACHE: 'off', COREPY_CODE_CACHE: cacheDir };
  return new Promise((done) => {
    const c = spawn(process.execPath, [join(app, 'node_modules/corepy/dist/cli.js'), 'profile', script], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', at = 0;
    c.stdout.on('data', (d: Buffer) => {
      out += String(d);
      if (at !== 0) return;
      if (mode === 'SIGINT' && out.includes('READY')) {
        at = -1;
        setTimeout(() => { at = performance.now(); c.kill('SIGINT'); }, 1500 + Math.random() * 1000);
      }
      if (mode === 'normal' && out.includes('DONE')) at = performance.now();
    });
    c.stderr.resume();
    c.on('exit', (code) => {
      const recs = (out.match(/\[(HIGH|MEDIUM|LOW)\] [^(]*/g) ?? []).map((l) => l.trim()).join('; ');
      done({ ms: performance.now() - at, code, recs });
    });
  });
}

const [mode, ...apps] = process.argv.slice(2);
if ((mode !== 'SIGINT' && mode !== 'normal') || apps.length === 0) {
  console.error('usage: node stop-latency.js <SIGINT|normal> <appDir>...');
  process.exit(2);
}
const rounds = Number(process.env['ROUNDS'] ?? 8);
const caches = apps.map((_, k) => process.env['COREPY_CODE_CACHE'] ?? join(tmpdir(), `corepy-bench-code-cache-${process.getuid?.() ?? 0}-${k}`));
const per = apps.map((): number[] => []);
console.log(`load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (let r = 0; r < rounds; r++) {
  const order = apps.map((_, k) => k);
  if (r % 2 === 1) order.reverse();
  for (const k of order) {
    const run = await once(apps[k]!, mode, caches[k]!);
    per[k]!.push(run.ms);
    console.log(`${r} ${basename(apps[k]!)} ${run.ms.toFixed(0)} ms exit ${run.code} load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]} | ${run.recs}`);
  }
}
console.log(`load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
apps.forEach((a, k) => console.log(`${basename(a)}: median ${median(per[k]!).toFixed(0)} ms (n=${per[k]!.length}), sorted ${[...per[k]!].sort((x, y) => x - y).map((v) => v.toFixed(0)).join(' ')}`));
