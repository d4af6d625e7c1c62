/** Inside a real VS Code whose workspace is NOT trusted: running is refused with an explanation. */
import * as assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunResult } from '../../../extension/src/commands.js';
import type { CorepyApi } from '../../../extension/src/extension.js';
import type { RunSnapshot } from '../../../extension/src/profile-store.js';

describe('Corepy Profiler in an untrusted workspace', function () {
  const ws = (): string => vscode.workspace.workspaceFolders![0]!.uri.fsPath;

  it('is active in limited mode and refuses to run', async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'the workspace is untrusted');
    const ext = vscode.extensions.getExtension('corepy.corepy-profiler');
    await ext!.activate();
    const file = vscode.Uri.file(path.join(ws(), 'basic.ts'));
    const res = await vscode.commands.executeCommand<RunResult>('corepy.runAndProfile', file);
    assert.equal(res.started, false);
    assert.match(res.reason ?? '', /not trusted/);
    assert.equal(vscode.debug.activeDebugSession, undefined);
    // The refusal offers the button that opens VS Code's workspace trust editor.
    const api = (await vscode.extensions.getExtension<CorepyApi>('corepy.corepy-profiler')!.activate());
    const refusal = api.notices().at(-1);
    assert.equal(refusal?.kind, 'error');
    assert.match(refusal?.message ?? '', /not trusted/);
    assert.deepEqual(refusal?.buttons, ['Manage Workspace Trust']);
    assert.ok((await vscode.commands.getCommands(true)).includes('workbench.trust.manage'), 'the command the button runs exists');
  });

  it('exports a saved profile without loading any code from the workspace', async () => {
    // A workspace "corepy" whose exporters would leave a marker if the extension host imported them.
    const mod = path.join(ws(), 'node_modules', 'corepy');
    if (existsSync(mod)) {
      if (lstatSync(mod).isSymbolicLink()) unlinkSync(mod); else rmSync(mod, { recursive: true });
    }
    const marker = path.join(ws(), 'workspace-code-ran');
    mkdirSync(path.join(mod, 'dist', 'export'), { recursive: true });
    writeFileSync(path.join(mod, 'package.json'), JSON.stringify({ name: 'corepy', type: 'module', main: 'dist/index.js' }));
    const trap = `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(marker)}, 'ran');
export const renderExport = () => 'trap'; export const renderHtmlReport = () => 'trap';\n`;
    for (const f of ['index.js', 'html.js', 'formats.js']) writeFileSync(path.join(mod, 'dist', 'export', f), trap);

    const api = (await vscode.extensions.getExtension<CorepyApi>('corepy.corepy-profiler')!.activate());
    const flame = { version: 1, title: 'saved run', strings: ['add'], locations: [],
      slices: { name: [0], kind: [2], start: [0], duration: [5], depth: [0], location: [-1], backend: [-1], parent: [-1] }, totalUs: 5, droppedEvents: 0 };
    const report = { schemaVersion: 1, exporter: 'corepy test', generatedAt: new Date(0).toISOString(), context: null, totalTimeMs: 0.005,
      wallTimeMs: 1, opCount: 1, droppedEvents: 0, callSiteMode: 'all', sampleEvery: 1, threads: [0],
      overhead: { perOpNs: 0, perCaptureNs: 0, estimatedMs: 0, percentOfOpTime: 0 }, operations: [], callSites: [], contexts: {}, recommendations: [] };
    const run = { version: 2, program: path.join(ws(), 'basic.ts'), startedAt: 0, status: 'finished', exitCode: 0, opTimeMs: 0.005, wallTimeMs: 1,
      sites: [], recommendations: [], flame, report, droppedEvents: 0 } as unknown as RunSnapshot;
    api.store.load(run);
    for (const [format, ext] of [['folded', 'folded'], ['html', 'html']] as const) {
      const target = path.join(ws(), `saved.profile.${ext}`);
      assert.equal(await vscode.commands.executeCommand<string | undefined>('corepy.exportReport', format, target), target);
      assert.notEqual(readFileSync(target, 'utf8'), 'trap');
    }
    assert.equal(readFileSync(path.join(ws(), 'saved.profile.folded'), 'utf8'), 'add 5\n', "the extension's own folded exporter wrote it");
    assert.equal(existsSync(marker), false, 'no workspace module was imported into the extension host');

    // A partial run (no report): a clear refusal, no file.
    api.store.load({ ...run, status: 'partial', report: null });
    const partial = path.join(ws(), 'partial.profile.json');
    assert.equal(await vscode.commands.executeCommand<string | undefined>('corepy.exportReport', 'json', partial), undefined);
    assert.equal(existsSync(partial), false);
  });
});
