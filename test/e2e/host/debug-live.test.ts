/**
 * Debug and Profile streams while the script is still inside one synchronous loop (audit 32: a
 * CommonJS script whose loop started before the runtime's socket had connected showed "starting…"
 * and no lenses until the loop ended). The probe loops until the test writes its release file, so
 * "still looping" is a fact, not a timing guess; the test polls, with a generous bound, for the
 * loop's ops in the store and the live lenses while the loop runs, then releases it.
 * `COREPY_E2E_ONLY=debug-live` runs this file alone.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CorepyApi } from '../../../extension/src/extension.js';
import { until } from './poll.js';

/** Audit 32's long.js, here live-loop.js (CommonJS, its own enableProfiling()), looping until `release` exists, at most 5 minutes. */
const PROBE = `const cp = require('corepy');
const { existsSync, writeFileSync } = require('node:fs');
const path = require('node:path');
cp.enableProfiling();
const x = cp.arange(4096).cast('float32');
const forward = (t) => cp.tidy(() => t.mul(2).add(1).relu());
const release = path.join(__dirname, 'release');
const t0 = Date.now();
let i = 0;
while (!existsSync(release) && Date.now() - t0 < 300000) { forward(x).dispose(); i++; }
writeFileSync(path.join(__dirname, 'loop-ended'), String(i));
`;

describe('Debug and Profile: live figures during a synchronous loop', function () {
  this.timeout(600000);
  let api: CorepyApi;
  const ws = (): string => vscode.workspace.workspaceFolders![0]!.uri.fsPath;

  before(async function () {
    if (!existsSync(path.join(ws(), 'node_modules', 'corepy', 'dist', 'profiler', 'ipc.js'))) this.skip();
    api = await vscode.extensions.getExtension<CorepyApi>('corepy.corepy-profiler')!.activate();
  });

  it('shows the loop\'s ops and lenses while the loop still runs (CommonJS script)', async () => {
    // A CommonJS folder inside the ESM workspace: `require` as in the user's script.
    const dir = path.join(ws(), 'cjs-live');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), '{ "type": "commonjs" }\n');
    // Not `long.js`: the code-server test after this one opens the workspace's long.js by typing its name in Quick
    // Open, and a second long.js here was picked in its place (it ended at once, on this test's release file).
    const file = path.join(dir, 'live-loop.js');
    const release = path.join(dir, 'release');
    const loopEnded = path.join(dir, 'loop-ended');
    rmSync(release, { force: true });
    rmSync(loopEnded, { force: true });
    writeFileSync(file, PROBE);
    const uri = vscode.Uri.file(file);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const ended = api.whenRunEnds();
    const startedAt = Date.now();
    void vscode.commands.executeCommand('corepy.debugAndProfile', uri);
    try {
      // forward()'s line (6: its ops run only inside the loop) counted from a live batch while the run is still going.
      const loopLine = (): number => api.store.linesFor(file).find((l) => l.line === 6)?.count ?? 0;
      await until('the loop line\'s ops while the run is live', () => ({ status: api.store.run?.status, loopOps: loopLine(), bar: api.status().text }),
        (v) => v.status === 'running' && v.loopOps > 0, 240000);
      assert.ok(!existsSync(loopEnded), 'still inside its loop');
      const lenses = await until('a timing lens on forward()\'s line while the run is live', async () =>
        ((await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [])
          .filter((l) => l.range.start.line === 5).map((l) => l.command?.title ?? ''), (t) => t.some((x) => /⏱/.test(x)), 60000);
      assert.ok(!existsSync(loopEnded), 'still inside its loop once the lens showed');
      assert.doesNotMatch(api.status().text, /starting…/);
      console.log(`[debug-live] live loop figures ${Date.now() - startedAt} ms after Debug and Profile; lens ${JSON.stringify(lenses)}; status ${api.status().text}`);
    } finally {
      writeFileSync(release, '');
    }
    const run = await ended;
    assert.equal(run?.status, 'finished');
    assert.ok(existsSync(loopEnded), 'the loop ended on its release');
  });
});
