/**
 * The extension in a real VS Code (code-server + headless Chromium). One server per suite:
 *  - trusted: extension-host mocha tests (host/trusted.test.ts) via the `payload` URL parameter,
 *    then a UI test in a plain window: Quick Open the script, run "Corepy: Run and Profile Current File"
 *    from the command palette, wait for the timing CodeLens, screenshot in test-artifacts/;
 *  - untrusted: a server started WITHOUT --disable-workspace-trust; Run and Profile must refuse.
 * Inner (extension-host) output is echoed with a "[host]" prefix so the outer runner counts only
 * the outer tests.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { chooseRuntime, makeWorkspace, ROOT } from '../integration/workspace.js';
import { devQuery, payloadQuery, startSession, type Session } from './code-server.js';

const OUT = path.join(ROOT, 'test', 'e2e', 'out');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');

async function buildHostTests(): Promise<void> {
  await esbuild.build({
    entryPoints: ['index', 'trusted.test', 'views.test', 'untrusted.test'].map((n) => path.join(__dirname, 'host', `${n}.ts`)),
    outdir: OUT, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode', 'mocha'], logLevel: 'warning',
  });
}

async function runHostSuite(s: Session, ws: string): Promise<void> {
  await s.open(payloadQuery(s, ws, path.join(OUT, 'index.js')));
  const code = await Promise.race([
    s.testsExit,
    new Promise<number>((_, reject) => setTimeout(() => reject(new Error('extension-host tests timed out')), 150000)),
  ]);
  const log = s.log.join('\n').split('\n').map((l) => `      [host] ${l}`).join('\n');
  process.stdout.write(`${log}\n`);
  assert.equal(code, 0, 'extension-host tests failed (see the [host] lines above)');
}

describe(`VS Code (code-server, ${chooseRuntime()} runtime)`, function () {
  this.timeout(240000);
  before(buildHostTests);

  describe('trusted workspace', () => {
    let s: Session | undefined;
    let ws = '';
    let exportDir = '';
    before(async () => {
      ws = makeWorkspace();
      exportDir = mkdtempSync(path.join(tmpdir(), 'corepy-export-'));
      s = await startSession({ env: { COREPY_E2E_SUITE: 'trusted', COREPY_E2E_OUT: exportDir, COREPY_LOG_CONSOLE: '1' } });
    });
    after(async () => {
      await s?.stop();
      rmSync(ws, { recursive: true, force: true });
      rmSync(exportDir, { recursive: true, force: true });
    });

    it('extension-host tests pass (profile, CodeLens, hovers, diagnostics + quick fix, exports)', async () => {
      await runHostSuite(s!, ws);
    });

    it('Run and Profile from the command palette draws the timing CodeLens (screenshot in test-artifacts/)', async () => {
      // A fresh window with only the development extension: what a user sees, driven by keys.
      const page = s!.page;
      await s!.open(devQuery(s!, ws));
      await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60000 });
      await page.keyboard.press('Control+P');
      await page.keyboard.type('basic.ts');
      await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ state: 'visible', timeout: 30000 });
      await page.keyboard.press('Enter');
      await page.locator('.monaco-editor .view-lines').first().waitFor({ state: 'visible', timeout: 30000 });
      await page.keyboard.press('F1');
      await page.keyboard.type('Corepy: Run and Profile Current File');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Run and Profile Current File' }).first().waitFor({ state: 'visible', timeout: 30000 });
      await page.keyboard.press('Enter');
      const lens = page.locator('.codelens-decoration', { hasText: '⏱' }).first();
      await lens.waitFor({ state: 'visible', timeout: 60000 });
      assert.match(await lens.innerText(), /⏱ .+ %/);
      // Line heat: whole-line overlays tinted with the contributed corepy.heat* colours (orange to red).
      await page.waitForFunction(() => [...document.querySelectorAll('.view-overlays .cdr')]
        .some((e) => /^rgba\(255, (0|69|140), 0/.test(getComputedStyle(e).backgroundColor)), undefined, { timeout: 30000 });
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'codelens.png') });
    });
  });

  describe('untrusted workspace', () => {
    let s: Session | undefined;
    let ws = '';
    before(async () => {
      ws = makeWorkspace();
      s = await startSession({ trust: true, env: { COREPY_E2E_SUITE: 'untrusted' } });
    });
    after(async () => {
      await s?.stop();
      rmSync(ws, { recursive: true, force: true });
    });

    it('Run and Profile refuses with an explanation', async () => {
      await runHostSuite(s!, ws);
    });
  });
});
