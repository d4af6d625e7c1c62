/**
 * corepy's `require` entry (runtime/src/require.cts) loads dist/corepy.cjs, the runtime bundled as one
 * CommonJS file (runtime/build-cjs.mjs), when nothing has loaded corepy yet:
 * - a `.cts` script under tsx runs on Node 20 too (its ES-module loader's `require` took only modules loaded
 *   already, so the ES-module runtime could not load there: users had to preload it);
 * - a `.ts` script in a CommonJS package (`npm init -y`) under tsx gets the bundle, not a copy of the runtime
 *   transpiled module by module (whose imported bindings are getter calls), and the profiler in it still
 *   attributes ops to the script's lines;
 * - with corepy preloaded as an ES module (`--import corepy`, what `corepy profile` does through autostart),
 *   `require` returns that runtime: one per process.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'mocha';

const ROOT = resolve(import.meta.dirname, '..', '..');
const TSX = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

describe('require(\'corepy\') from CommonJS scripts under tsx', function () {
  this.timeout(60_000);
  // In a checkout, `tsc -b runtime` alone leaves the bundle older than dist/*.js, and require.cts then loads
  // the ES module instead (the published package has no tsbuildinfo): make it as scripts/build.sh would.
  before(() => {
    const age = (f: string) => statSync(join(ROOT, 'runtime', f), { throwIfNoEntry: false })?.mtimeMs ?? 0;
    if (age('dist/corepy.cjs') < age('tsconfig.tsbuildinfo')) {
      const r = spawnSync(process.execPath, [join(ROOT, 'runtime', 'build-cjs.mjs')], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    }
  });
  const dir = mkdtempSync(join(tmpdir(), 'corepy-cjs-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(join(ROOT, 'runtime'), join(dir, 'node_modules', 'corepy'), 'dir');
  // A CommonJS package, as `npm init -y` writes it: `.ts` files there are CommonJS under tsx.
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'user', version: '1.0.0', type: 'commonjs' }));
  // Where the runtime's frames come from: the bundle, or (if tsx transpiled the runtime) dist/ops/*.js.
  const where = "const f = (() => { try { (cp.ones([2]) as any).mul({}); } catch (e) { return String((e as Error).stack).split('\\n')[1]; } })();\n" +
    "console.log(/corepy\\.cjs:/.test(f!) ? 'bundle' : f);\n";
  writeFileSync(join(dir, 'q.cts'), "const cp = require('corepy');\nconsole.log(JSON.stringify(cp.tensor([[1, 2], [3, 4]]).mul(2).toArray()));\n");
  writeFileSync(join(dir, 'main.ts'), [
    "import * as cp from 'corepy';",
    'cp.enableProfiling();',
    'const x = cp.ones([64]);',
    'for (let i = 0; i < 50; i++) x.mul(2).dispose();',
    "const r = cp.profileReport({ format: 'json' });",
    "const site = r.callSites.find((s) => s.op === 'mul' && s.location?.file.endsWith('main.ts') && s.location.line === 4);",
    "console.log(JSON.stringify({ calls: site?.count ?? 0, sameRuntime: (globalThis as any)[Symbol.for('corepy.runtime')] === cp || (globalThis as any)[Symbol.for('corepy.runtime')]?.tensor === cp.tensor }));",
    where,
  ].join('\n'));
  const run = (...args: string[]) => spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });

  it('a .cts script runs, with or without corepy preloaded', () => {
    for (const args of [['--import', TSX, 'q.cts'], ['--import', 'corepy', '--import', TSX, 'q.cts']]) {
      const r = run(...args);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), '[[2,4],[6,8]]');
    }
  });

  it('a CommonJS .ts script gets the bundle, and its profile names the script\'s line', () => {
    const r = run('--import', TSX, 'main.ts');
    assert.equal(r.status, 0, r.stderr);
    const [json, frames] = r.stdout.trim().split('\n');
    assert.deepEqual(JSON.parse(json!), { calls: 50, sameRuntime: true });
    assert.equal(frames, 'bundle');
  });

  it('with corepy preloaded as an ES module, require returns that runtime', () => {
    const r = run('--import', 'corepy', '--import', TSX, 'main.ts');
    assert.equal(r.status, 0, r.stderr);
    const [json, frames] = r.stdout.trim().split('\n');
    assert.deepEqual(JSON.parse(json!), { calls: 50, sameRuntime: true });
    assert.match(frames!, /dist\/ops\/validate\.js/);
  });
});
