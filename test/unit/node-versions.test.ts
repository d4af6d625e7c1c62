/**
 * `corepy profile` on every maintained Node (20 here, 22 and 24 fetched by
 * scripts/setup.d/55-node-versions.sh): the ways modules load differ between them — on Node ≥ 22.15
 * tsx moves its hooks in-thread (`module.registerHooks`), and on Node 24 a TypeScript entry's
 * CommonJS output then reaches Node without passing Module#_compile — and each must still give every
 * op its exact line (static call sites, no stack capture), in TypeScript, ES and CommonJS modules.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'mocha';
import type { ProfileReport } from '../../runtime/src/contract/report.js';

const root = join(__dirname, '..', '..');
const cli = join(root, 'runtime', 'dist', 'cli.js');

/** A user's folder as `npm init -y` leaves it, with a TypeScript entry that requires a CommonJS helper, and an ES module. */
function userFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'corepy-node-versions-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'user-project', version: '1.0.0', type: 'commonjs' }));
  writeFileSync(join(dir, 'helper.cjs'), [
    'module.exports = function scale(cp, x) {',
    '  return x.mul(2);',
    '};',
    '',
  ].join('\n'));
  writeFileSync(join(dir, 'main.ts'), [
    "import * as cp from 'corepy';",
    "const scale = require('./helper.cjs');",
    'function normalize(x: cp.Tensor): cp.Tensor {',
    '  return x.sub(x.mean());',
    '}',
    'const x = cp.arange(64).cast("float32");',
    "for (let i = 0; i < 3; i++) console.log('sum', scale(cp, normalize(x)).sum().item());",
    '',
  ].join('\n'));
  writeFileSync(join(dir, 'main.mjs'), [
    "import * as cp from 'corepy';",
    'const x = cp.ones([16]);',
    "console.log('sum', x.add(1).sum().item());",
    '',
  ].join('\n'));
  return dir;
}

/** `corepy profile <script>` under `node`, its JSON report. */
function profile(node: string, dir: string, script: string): ProfileReport {
  const out = join(dir, `${script}.json`);
  const r = spawnSync(node, [cli, 'profile', script, '--format', 'json', '--out', out], { cwd: dir, encoding: 'utf8', timeout: 120000 });
  assert.equal(r.status, 0, `${node} ${script}: ${r.stderr}`);
  assert.match(r.stdout, /sum /);
  return JSON.parse(readFileSync(out, 'utf8')) as ProfileReport;
}

/** op → "file:line" of every call site in the report. */
function lines(report: ProfileReport): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of report.callSites) if (s.location) out[s.op] = `${s.location.file.split('/').pop()}:${s.location.line}`;
  return out;
}

const NODES: [string, string][] = [['this Node', process.execPath], ['Node 22', join(root, '.cache', 'node', '22', 'bin', 'node')], ['Node 24', join(root, '.cache', 'node', '24', 'bin', 'node')]];

describe('corepy profile on every maintained Node', () => {
  const dir = userFolder();
  for (const [name, node] of NODES) {
    it(`${name}: every op of a TypeScript entry, its CommonJS helper and an ES module has its exact line`, function () {
      if (!existsSync(node)) this.skip(); // not fetched: scripts/setup.d/55-node-versions.sh runs on Linux x64 only
      const ts = profile(node, dir, 'main.ts');
      assert.equal(ts.staticSiteOps, ts.opCount, `${ts.staticSiteOps} of ${ts.opCount} ops had a static call site`);
      assert.deepEqual(lines(ts), {
        arange: 'main.ts:6', cast: 'main.ts:6', mean: 'main.ts:4', sub: 'main.ts:4', mul: 'helper.cjs:2', sum: 'main.ts:7', read: 'main.ts:7',
      });
      const mjs = profile(node, dir, 'main.mjs');
      assert.equal(mjs.staticSiteOps, mjs.opCount);
      assert.deepEqual(lines(mjs), { full: 'main.mjs:2', add: 'main.mjs:3', sum: 'main.mjs:3', read: 'main.mjs:3' });
    });
  }
});
