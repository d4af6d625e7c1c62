/**
 * The packaged extension works on its own: `extension/package.sh` makes the .vsix, a fresh
 * `code-server --install-extension` installs it, and the INSTALLED debug adapter profiles a script
 * whose folder has no corepy of its own (so the runtime, kernels and tsx bundled in the .vsix run),
 * JavaScript and TypeScript alike. The runtime tarball written beside it installs into an empty
 * folder, where `tsc --strict --module nodenext` type-checks against it and Node runs it (ESM and CJS).
 * The installed extension's page (code-server + Chromium) shows the users' README with its screenshot.
 */
import { DebugClient } from '@vscode/debugadapter-testsupport';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { CorepyReportEventBody } from '../../extension/src/debug/protocol.js';
import { ROOT } from '../integration/workspace.js';
import { startSession } from './code-server.js';

const CODE_SERVER = path.join(ROOT, '.cache', 'code-server', 'node_modules', '.bin', 'code-server');

/** The runtime package's version (the tarball is corepy-<version>.tgz). */
function runtimeVersion(): string {
  return (JSON.parse(readFileSync(path.join(ROOT, 'runtime', 'package.json'), 'utf8')) as { version: string }).version;
}

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
      'runtime/kernels/corepy_kernels_simd.wasm', 'runtime/assets/flame-report.js', 'runtime/schemas/profile-report.schema.json', 'out/webview/flame.js',
      'runtime/node_modules/tsx/dist/loader.mjs', `runtime-package/corepy-${runtimeVersion()}.tgz`]) {
      assert.ok(existsSync(path.join(installed, f)), `${f} missing from the installed extension`);
    }
  });

  it('ships only this platform\'s native binaries (Dawn)', () => {
    assert.ok(installed, 'installation failed in the first test');
    const dawn = readdirSync(path.join(installed, 'runtime', 'node_modules', 'webgpu', 'dist'));
    assert.deepEqual(dawn, [process.platform === 'darwin' ? 'darwin-universal' : `${process.platform}-${process.arch}`]);
  });

  it('the installed extension\'s page is the users\' README with its screenshot drawn (screenshot in test-artifacts/)', async () => {
    assert.ok(installed, 'installation failed in the first test');
    const ws = path.join(tmp, 'page-ws');
    mkdirSync(ws, { recursive: true });
    writeFileSync(path.join(ws, 'a.ts'), "import * as cp from 'corepy';\n");
    const s = await startSession({ extensionsDir: path.dirname(installed) });
    try {
      const page = s.page;
      await s.open(`folder=${encodeURIComponent(ws)}`);
      await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60000 });
      await page.keyboard.press('Control+Shift+X');
      await page.keyboard.type('@installed');
      await page.locator('.extension-list-item', { hasText: 'Corepy Profiler' }).first().click({ timeout: 60000 });
      // The README is drawn in a webview (nested iframes); its one image is the embedded screenshot.
      const drawn = async (): Promise<{ heading: boolean; width: number } | undefined> => {
        for (const f of page.frames()) {
          const r = await f.evaluate(() => ({
            heading: [...document.querySelectorAll('h2')].some((h) => h.textContent?.includes('Getting started in three steps')),
            width: [...document.images].find((i) => i.src.startsWith('data:image/png'))?.naturalWidth ?? 0,
          })).catch(() => undefined);
          if (r?.heading) return r;
        }
        return undefined;
      };
      let r: Awaited<ReturnType<typeof drawn>>;
      for (const end = Date.now() + 60000; Date.now() < end && !(r = await drawn())?.width;) await page.waitForTimeout(500);
      mkdirSync(path.join(ROOT, 'test-artifacts'), { recursive: true });
      await page.screenshot({ path: path.join(ROOT, 'test-artifacts', 'extension-page.png') });
      assert.ok(r?.heading, 'the extension page does not show the users\' README ("Getting started in three steps")');
      assert.ok((r?.width ?? 0) > 100, `the README's screenshot was not drawn (naturalWidth ${String(r?.width)})`);
    } finally {
      await s.stop();
    }
  });

  it('the runtime tarball installs in an empty folder; tsc --strict --module nodenext checks it; ESM and CJS run', () => {
    const tgz = path.join(ROOT, `corepy-${runtimeVersion()}.tgz`);
    assert.ok(existsSync(tgz), `${tgz} was not written by npm run package`);
    const user = path.join(tmp, 'user-project');
    mkdirSync(user);
    // A package.json without "type": .ts files are CommonJS under nodenext, .mts files ESM.
    writeFileSync(path.join(user, 'package.json'), JSON.stringify({ name: 'user-project', version: '1.0.0', private: true }));
    const npm = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tgz], { cwd: user, encoding: 'utf8', timeout: 300000 });
    assert.equal(npm.status, 0, npm.stderr);
    const src = "import * as cp from 'corepy';\nconst t: cp.Tensor = cp.ones([2, 3]).add(1);\nconst sum: number = t.sum().item();\nconsole.log(sum);\n";
    writeFileSync(path.join(user, 'cjs.ts'), src);
    writeFileSync(path.join(user, 'esm.mts'), src);
    const tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--strict', '--module', 'nodenext', '--noEmit', 'cjs.ts', 'esm.mts'], { cwd: user, encoding: 'utf8', timeout: 120000 });
    assert.equal(tsc.status, 0, `tsc found errors:\n${tsc.stdout}${tsc.stderr}`);
    writeFileSync(path.join(user, 'run.mjs'), "import * as cp from 'corepy';\nconsole.log(cp.ones([2, 3]).add(1).sum().item());\n");
    writeFileSync(path.join(user, 'run.cjs'), "const cp = require('corepy');\nconsole.log(cp.ones([2, 3]).add(2).sum().item());\n");
    for (const [file, want] of [['run.mjs', '12'], ['run.cjs', '18']]) {
      const r = spawnSync(process.execPath, [file], { cwd: user, encoding: 'utf8', timeout: 60000 });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), want, file);
    }
    const files = readdirSync(path.join(user, 'node_modules', 'corepy'));
    assert.deepEqual(files.sort(), ['BENCHMARKS.md', 'LICENSE', 'PROFILING_GUIDE.md', 'README.md', 'assets', 'dist', 'kernels', 'package.json', 'schemas', 'tutorials']);
    assert.ok(!existsSync(path.join(user, 'node_modules', 'corepy', 'dist', 'bench')), 'no benchmark code in the package (BENCHMARKS.md, the figures the guide cites, is)');
  });

  it('the installed adapter profiles a TypeScript script (tsx or Node type stripping) with the right lines', async () => {
    assert.ok(installed, 'installation failed in the first test');
    const ws = path.join(tmp, 'ws-ts');
    mkdirSync(ws);
    writeFileSync(path.join(ws, 'pipeline.ts'), "import * as cp from 'corepy';\ninterface Cfg { n: number }\nconst cfg: Cfg = { n: 4 };\nconst x: cp.Tensor = cp.ones([1000]);\nfor (let i = 0; i < cfg.n; i++) cp.tidy(() => { x.mul(i); });\n");
    const dc = new DebugClient('node', path.join(installed, 'extension', 'dist', 'adapter.js'), 'corepy');
    await dc.start();
    try {
      const reportP = dc.waitForEvent('corepyReport', 60000);
      const exitedP = dc.waitForEvent('exited', 60000);
      const consoleP = dc.waitForEvent('output', 60000);
      await Promise.all([dc.configurationSequence(), dc.launch({ program: path.join(ws, 'pipeline.ts'), bundledRuntime: path.join(installed, 'runtime') } as never)]);
      assert.match(String((await consoleP).body.output), /with Node v\d+\.\d+\.\d+ .*TypeScript: (tsx|Node's type stripping)/);
      const report = (await reportP).body as CorepyReportEventBody;
      assert.equal((await exitedP).body.exitCode, 0);
      const mul = (report.lastBatch?.sites ?? []).find((s) => s.op === 'mul');
      assert.ok(mul, `a mul site, got ${JSON.stringify(report.lastBatch?.sites.map((s) => s.op))}`);
      assert.equal(mul.count, 4);
      assert.equal(mul.location?.line, 5);
    } finally {
      await dc.stop();
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
      const output: string[] = [];
      dc.on('output', (e: { body: { output: string } }) => output.push(e.body.output));
      await Promise.all([dc.configurationSequence(), dc.launch({ program: path.join(ws, 'loop.mjs'), bundledRuntime: path.join(installed, 'runtime') } as never)]);
      const report = (await reportP).body as CorepyReportEventBody;
      assert.equal((await exitedP).body.exitCode, 0);
      // Every dependency of the runtime is inside the .vsix: a missing one (the source-map codec once)
      // turned exact per-line figures into sampled guesses, with only a warning in the Debug Console.
      assert.ok(!output.some((o) => /unavailable|Cannot find (package|module)/.test(o)), `the bundled runtime warned:\n${output.join('')}`);
      assert.equal(report.report?.staticSiteOps, report.report?.opCount, 'every op\'s line numbered at load (exact), none from stack captures');
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
