/**
 * Inside a real VS Code (trusted workspace, real runtime): a loop that never releases its results
 * shows in Hot Operations' Memory group (the line, its held results) and as an undisposed-tensors
 * diagnostic whose quick fix wraps the loop body in cp.tidy. The fake runtime
 * (COREPY_TEST_RUNTIME=fake) reports no memory: the test is skipped there.
 */
import * as assert from 'node:assert/strict';
import { lstatSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunResult } from '../../../extension/src/commands.js';
import type { CorepyApi } from '../../../extension/src/extension.js';
import type { HotOpsNode } from '../../../extension/src/views/hot-ops.js';
import { until } from './poll.js';
import { LEAK_SCRIPT, MATMUL_LINE } from '../../fixtures/editor/leak-script.js';

describe('memory in VS Code: the Memory group and the tidy quick fix', function () {
  let api: CorepyApi;
  let doc: vscode.TextDocument;
  const ws = (): string => vscode.workspace.workspaceFolders![0]!.uri.fsPath;
  const file = (): string => path.join(ws(), 'leak.ts');

  before(async function () {
    if (!lstatSync(path.join(ws(), 'node_modules', 'corepy')).isSymbolicLink()) this.skip(); // the fake runtime
    api = await vscode.extensions.getExtension<CorepyApi>('corepy.corepy-profiler')!.activate();
    writeFileSync(file(), LEAK_SCRIPT);
    doc = await vscode.workspace.openTextDocument(file());
    await vscode.window.showTextDocument(doc);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    rmSync(file(), { force: true });
  });

  it('lists the line holding its results under Memory, and offers cp.tidy around the loop body', async () => {
    const res = await vscode.commands.executeCommand<RunResult>('corepy.runAndProfile', doc.uri);
    assert.equal(res.started, true, res.reason);
    assert.equal(res.run?.status, 'finished');
    const tree = api.hotOperations;
    const roots = (await tree.getChildren(undefined)) ?? [];
    const items = await Promise.all(roots.map((n) => tree.getTreeItem(n)));
    const at = items.findIndex((i) => i.label === 'Memory');
    assert.ok(at >= 0, `a Memory group, got ${items.map((i) => String(i.label)).join(', ')}`);
    assert.match(String(items[at]!.description), /^[\d.]+ [KM]B live · peak [\d.]+ [KM]B$/);
    const held = await Promise.all(((await tree.getChildren(roots[at] as HotOpsNode)) ?? []).map((n) => tree.getTreeItem(n)));
    const line = held.find((h) => h.label === `leak.ts:${MATMUL_LINE + 1}`);
    assert.ok(line, `the matmul line under Memory, got ${held.map((h) => String(h.label)).join(', ')}`);
    // The report comes after the script's end, when finalisers may have freed some: the line shows the most it held at once.
    assert.match(String(line.description), /^matmul · [\d.]+ MB · up to ≈\d+ of 600 results · \d+ now$/);
    assert.equal(line.command?.command, 'vscode.open');

    const diag = await until('the undisposed-tensors diagnostic', () => vscode.languages.getDiagnostics(doc.uri)
      .find((d) => d.source === 'corepy' && String(d.code).startsWith('undisposed-tensors')), (d) => d !== undefined);
    assert.equal(diag!.range.start.line, MATMUL_LINE);
    // Action and worth first (what a narrow Problems view keeps), the finding on its own line.
    assert.match(diag!.message, /^Release the tensors this loop creates \((estimated ≈[\d.]+×, not verified|≈[\d.]+× faster)\)\nNever disposed: line \d+ held up to /);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, diag!.range);
    const fix = actions.find((a) => a.title === 'Corepy: Release the tensors this loop creates' && a.edit !== undefined);
    assert.ok(fix?.edit, `the tidy quick fix, got ${actions.map((a) => a.title).join(' | ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    try {
      assert.match(doc.getText(), /for \(let i = 0; i < 600; i\+\+\) \{\n {2}cp\.tidy\(\(\) => \{\n {4}const b = a\.matmul\(a\);\n {4}total \+= b\.sum\(\)\.item\(\);\n {2}\}\);\n\}/);
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    assert.equal(doc.getText(), LEAK_SCRIPT);
  });
});
