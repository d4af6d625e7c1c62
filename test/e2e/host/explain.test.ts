/**
 * Inside a real VS Code (trusted workspace): an "Explain" preview follows the runs after it. VS Code
 * unloads a document no editor shows 3 minutes after it was last opened (the Markdown preview holds
 * none), or when more than 50 others have been opened since; a change event for an unloaded virtual
 * document is dropped, so the preview kept explaining a recommendation of a run long replaced
 * (audit 30: main.ts:4:15 still shown after runs of long.ts, throws.ts and main.mjs). The Markdown
 * preview refreshes when its document is opened again, which is what is checked here: the test
 * cannot read the preview's webview. It unloads the explanation the second way (60 other
 * explanation documents opened), not by waiting 3 minutes.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunResult } from '../../../extension/src/commands.js';
import type { CorepyApi } from '../../../extension/src/extension.js';
import { until } from './poll.js';

describe('Explain: the preview follows later runs', function () {
  let api: CorepyApi;
  const ws = (): string => vscode.workspace.workspaceFolders![0]!.uri.fsPath;
  const loaded = (uri: vscode.Uri): vscode.TextDocument | undefined => vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());

  before(async () => {
    api = await vscode.extensions.getExtension<CorepyApi>('corepy.corepy-profiler')!.activate();
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('a run of another file turns an unloaded explanation into "Recommendation gone"', async () => {
    const basic = await vscode.workspace.openTextDocument(path.join(ws(), 'basic.ts'));
    await vscode.window.showTextDocument(basic);
    const res = await vscode.commands.executeCommand<RunResult>('corepy.runAndProfile', basic.uri);
    assert.equal(res.started, true, res.reason);
    const rec = api.store.run!.recommendations[0]!;
    const shown = await vscode.commands.executeCommand<vscode.TextDocument | undefined>('corepy.explainRecommendation', rec.id);
    assert.ok(shown, 'an explanation');
    const uri = shown.uri;
    const name = uri.path.slice(uri.path.lastIndexOf('/') + 1);
    await until('the Markdown preview tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs)
      .filter((t) => t.input instanceof vscode.TabInputWebview).map((t) => t.label), (labels) => labels.some((l) => l.endsWith(name)));
    // Unload it as 3 minutes would: VS Code keeps the last 50 documents an extension opened without an editor.
    for (let i = 0; i < 60; i++) await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: uri.scheme, path: `/other-${i}.md`, query: `none-${i}` }));
    await until('the explanation unloaded', () => loaded(uri) === undefined, (gone) => gone, 30000);

    const other = await vscode.workspace.openTextDocument(path.join(ws(), 'calls.ts'));
    await vscode.window.showTextDocument(other);
    const next = await vscode.commands.executeCommand<RunResult>('corepy.runAndProfile', other.uri);
    assert.equal(next.started, true, next.reason);
    assert.ok(!api.store.run!.recommendations.some((r) => r.id === rec.id), 'the other file\'s run has no such recommendation');
    // Loaded again with the new run's text: the preview refreshes on that open (it stayed on basic.ts's explanation).
    const text = await until('the explanation reloaded', () => loaded(uri)?.getText() ?? '', (t) => t.startsWith('# Recommendation gone'), 30000);
    assert.match(text, /not in the current profile any more/);
  });
});
