/**
 * The packaged extension works on its own: `extension/package.sh` makes the .vsix, a fresh
 * `code-server --install-extension` installs it, and the INSTALLED debug adapter profiles a script
 * whose folder has no corepy of its own (so the runtime, kernels and tsx bundled in the .vsix run).
 */
import { DebugClient } from '@vscode/debugadapter-testsupport';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { CorepyReportEventBody } from '../../extension/src/debug/protocol.js';
import { ROOT } from '../integration/workspace.js';

const CODE_SERVER = path.join(ROOT, '.cache', 'code-server', 'node_modules', '.bin', 'code-server');

describe('packaged extension (.vsix)', function () {
  this.timeout(600000);
  const tmp = mkdtempSync(path.join(tmpdir(), 'corepy-vsix-'));
  let installed = '';
  after(() => { rmSync(tmp, { recursive: true, force: true }); });

  it('npm run package makes a .vsix that code-server installs, with the runtime, kernels and webview inside', () => {
    const pkg = spawnSync('bash', [path.join(ROOT, 'extension', 'package.sh')], { cwd: ROOT, encoding: 'utf8', timeout: 300000 });
    assert.equal(pkg.status, 0, pkg.stderr);
    const { version, name, publisher } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string; name: string; publisher: string };
    const vsix = path.join(ROOT, `${name}-${version}.vsix`);
    assert.ok(existsSync(vsix), `${vsix} was not written`);
    const ext = path.join(tmp, 'extensions');
    const env = { ...process.env, XDG_CONFIG_HOME: path.join(tmp, 'xdg-config'), XDG_DATA_HOME: path.join(tmp, 'xdg-data'), XDG_CACHE_HOME: path.join(tmp, 'xdg-cache') };
    const inst = spawnSync(CODE_SERVER, ['--user-data-dir', path.join(tmp, 'user'), '--extensions-dir', ext, '--install-extension', vsix], { encoding: 'utf8', env, timeout: 120000 });
    assert.equal(inst.status, 0, `${inst.stdout}\n${inst.stderr}`);
    const dir = readdirSync(ext).find((d) => d.startsWith(`${publisher}.${name}-`));
    assert.ok(dir, `installed folder in ${readdirSync(ext).join(', ')}`);
    installed = path.join(ext, dir);
    for (const f of ['package.json', 'extension/dist/extension.js', 'extension/dist/adapter.js', 'runtime/dist/profiler/autostart.js',
      'runtime/kernels/corepy_kernels_simd.wasm', 'runtime/assets/flame-report.js', 'out/webview/flame.js']) {
      assert.ok(existsSync(path.join(installed, f)), `${f} missing from the installed extension`);
    }
  });

  it('the installed adapter profiles a script with the bundled runtime', async () => {
    assert.ok(installed, 'installation failed in the previous test');
    const ws = path.join(tmp, 'ws');
    spawnSync('mkdir', ['-p', ws]);
    // No node_modules here: `corepy` must resolve to the runtime inside the extension.
    writeFileSync(path.join(ws, 'loop.mjs'), "import * as cp from 'corepy';\nconst x = cp.ones([1000]);\nfor (let i = 0; i < 5; i++) cp.tidy(() => { x.add(i); });\nconsole.log('ok');\n");
    const dc = new DebugClient('node', path.join(installed, 'extension', 'dist', 'adapter.js'), 'corepy');
    await dc.start();
    try {
      const reportP = dc.waitForEvent('corepyReport', 60000);
      const exitedP = dc.waitForEvent('exited', 60000);
      await Promise.all([dc.configurationSequence(), dc.launch({ program: path.join(ws, 'loop.mjs'), bundledRuntime: path.join(installed, 'runtime') } as never)]);
      const report = (await reportP).body as CorepyReportEventBody;
      assert.equal((await exitedP).body.exitCode, 0);
      const sites = report.lastBatch?.sites ?? [];
      const add = sites.find((s) => s.op === 'add');
      assert.ok(add, `an add site, got ${JSON.stringify(sites.map((s) => s.op))}`);
      assert.equal(add.count, 5);
      assert.equal(add.location?.line, 3);
    } finally {
      await dc.stop();
    }
  });
});
