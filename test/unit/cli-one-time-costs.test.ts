/**
 * `corepy profile` counts each one-time cost the script paid once: a matmul worker thread does not run
 * the process's preloads (the profiler's autostart enabled profiling in it, and its warm-up and kernel
 * compile were shared into the report as a second "compile wasm kernels" and "warm up corepy ops"), and
 * a report's own trials add nothing to the next report's one-time costs. Runs the built CLI
 * (runtime/dist/cli.js), where the worker starts from a file (the preloads reach it); from source it
 * starts from an eval'd string, which Node gives no preloads.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'mocha';

const root = join(__dirname, '..', '..');
const cli = join(root, 'runtime', 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'corepy-once-'));

interface Row { name: string; count: number }

const importCorepy = `import * as cp from ${JSON.stringify(pathToFileURL(join(root, 'runtime', 'dist', 'index.js')).href)};`;

/**
 * The JSON report's one-time cost rows of a `corepy profile` run of `body` (after the import of corepy as `cp`),
 * with wasm matmuls on `threads` threads.
 */
function profiledRows(name: string, body: string[], threads = 2): Row[] {
  const file = join(dir, `${name}.mjs`), out = join(dir, `${name}.json`);
  writeFileSync(file, [importCorepy, ...body].join('\n'));
  const r = spawnSync(process.execPath, [cli, 'profile', file, '--backend', 'wasm', '--format', 'json', '--out', out],
    { cwd: dir, env: { ...process.env, COREPY_WASM_THREADS: String(threads) }, encoding: 'utf8', timeout: 100000 });
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(readFileSync(out, 'utf8')) as { oneTimeCosts: Row[] }).oneTimeCosts;
}

const count = (rows: Row[], re: RegExp): number => rows.filter((c) => re.test(c.name)).reduce((n, c) => n + c.count, 0);

describe('cli: one-time costs counted once', function () {
  this.timeout(240000);

  // Two threads: 256³ matmuls are split across the calling thread and one worker (matmul-threads.ts DEFAULT_MIN_WORK).
  it('a script with a threaded matmul that asks for its own report: one kernel compile and one warm-up in the final report', () => {
    const rows = profiledRows('threads', [
      'cp.enableProfiling();',
      'const x = cp.randn([256, 256]);',
      'for (let i = 0; i < 30; i++) cp.tidy(() => x.matmul(x).relu().add(1).mul(2).sum().item());',
      // Time for the worker to start (and, before the fix, to run the preloaded profiler and share its profile).
      'await new Promise((r) => setTimeout(r, 1500));',
      'for (let i = 0; i < 5; i++) cp.tidy(() => x.matmul(x).sum().item());',
      'console.log(cp.profileReport().length);',
    ]);
    assert.ok(count(rows, /^start 1 matmul worker thread$/) === 1, `the worker started: ${JSON.stringify(rows)}`);
    assert.equal(count(rows, /^compile wasm kernels /), 1, JSON.stringify(rows));
    assert.equal(count(rows, /^warm up corepy ops /), 1, JSON.stringify(rows));
  });

  it('a script whose own worker thread uses corepy pays both costs twice, and both are counted: one per thread', () => {
    writeFileSync(join(dir, 'user-worker.mjs'), [importCorepy, 'cp.tidy(() => cp.ones([1000]).add(1).sum().item());'].join('\n'));
    const rows = profiledRows('own-worker', [
      "import { Worker } from 'node:worker_threads';",
      'cp.tidy(() => cp.ones([1000]).mul(2).sum().item());',
      "await new Promise((done, fail) => { const w = new Worker(new URL('./user-worker.mjs', import.meta.url)); w.on('exit', done); w.on('error', fail); });",
    ], 1);
    assert.equal(count(rows, /^compile wasm kernels /), 2, JSON.stringify(rows));
    assert.equal(count(rows, /^warm up corepy ops /), 2, JSON.stringify(rows));
  });
});
