/**
 * A script whose folder has no corepy (e.g. run from VS Code with the extension's bundled runtime)
 * still imports the runtime the launcher preloaded, from ESM, CommonJS and TypeScript.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'mocha';

const root = join(__dirname, '..', '..');
const autostart = join(root, 'runtime', 'dist', 'profiler', 'autostart.js');

describe('autostart: corepy for scripts without their own copy', function () {
  this.timeout(60000);
  const dir = mkdtempSync(join(tmpdir(), 'corepy-nodeps-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const cases: [string, string, string[]][] = [
    ['script.mjs', "import * as cp from 'corepy';\nconsole.log('profiling', cp.isProfiling(), cp.ones([3]).sum().item());\n", []],
    ['script.cjs', "const cp = require('corepy');\nconsole.log('profiling', cp.isProfiling(), cp.ones([3]).sum().item());\n", []],
    ['script.ts', "import * as cp from 'corepy';\nconsole.log('profiling', cp.isProfiling(), cp.ones([3]).sum().item());\n", ['--import', 'tsx']],
  ];
  for (const [file, source, pre] of cases) {
    it(`${file} gets the preloaded runtime`, () => {
      writeFileSync(join(dir, file), source);
      const r = spawnSync(process.execPath, [...pre, '--import', autostart, join(dir, file)], { cwd: root, encoding: 'utf8', timeout: 30000 });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /profiling true 3/);
    });
  }
});
