/**
 * "Corepy: Add corepy to this workspace" inside a real VS Code: the quick fix offered on an
 * unresolved `corepy` import, and the command installing the shipped tarball into an empty folder
 * outside the workspace (npm install), after which TypeScript completes `cp.`.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AddResult } from '../../../extension/src/workspace-install.js';
import { findRuntimeTarball } from '../../../extension/src/workspace-install.js';

describe('Add corepy to this workspace', function () {
  // npm install from the cache and the TypeScript server's first project load are slow on loaded machines.
  this.timeout(400000);
  const ws = (): string => vscode.workspace.workspaceFolders![0]!.uri.fsPath;

  before(async () => {
    const ext = vscode.extensions.getExtension('corepy.corepy-profiler')!;
    await ext.activate();
    // A development checkout has the tarball only after `npm run package`: pack it the same way.
    if (findRuntimeTarball(ext.extensionPath) === null) {
      const r = spawnSync('npm', ['pack', '--pack-destination', ext.extensionPath, '--loglevel=error'], { cwd: path.join(ext.extensionPath, 'runtime'), encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    }
  });

  it('offers the quick fix on an unresolved corepy import (TS2307)', async () => {
    const uri = vscode.Uri.file(path.join(ws(), 'basic.ts'));
    const doc = await vscode.workspace.openTextDocument(uri);
    const line = doc.lineAt(1).range; // `import * as cp from 'corepy';`
    const diags = vscode.languages.createDiagnosticCollection('test-ts');
    try {
      const d = new vscode.Diagnostic(line, "Cannot find module 'corepy' or its corresponding type declarations.", vscode.DiagnosticSeverity.Error);
      d.code = 2307;
      d.source = 'ts';
      diags.set(uri, [d]);
      // The diagnostic reaches the workbench's markers asynchronously, and the code-action context is
      // built from those markers: ask until it has arrived (a busy machine takes a few hundred ms).
      let actions: vscode.CodeAction[] = [];
      let fix: vscode.CodeAction | undefined;
      for (let i = 0; i < 50 && !fix; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 200));
        actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, line);
        fix = actions.find((a) => a.command?.command === 'corepy.addToWorkspace');
      }
      assert.ok(fix, `the quick fix, got ${actions.map((a) => a.title).join(' | ')}`);
      assert.equal(fix.kind?.value, vscode.CodeActionKind.QuickFix.value);
    } finally {
      diags.dispose();
    }
  });

  it('installs the bundled package into an empty folder; cp. then completes', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'corepy-add-'));
    const res = await vscode.commands.executeCommand<AddResult>('corepy.addToWorkspace', vscode.Uri.file(folder));
    assert.equal(res.installed, true, res.reason);
    assert.ok(existsSync(path.join(folder, 'node_modules', 'corepy', 'dist', 'index.d.ts')));
    const pkg = JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    assert.match(pkg.dependencies?.corepy ?? '', /corepy-.*\.tgz$/);
    const file = path.join(folder, 'pipeline.ts');
    writeFileSync(file, "import * as cp from 'corepy';\ncp.\n");
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    // The TypeScript server loads the new project on its own time: ask until it answers.
    let labels: string[] = [];
    for (let i = 0; i < 60 && !labels.includes('ones'); i++) {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(1, 3));
      labels = list.items.map((it) => (typeof it.label === 'string' ? it.label : it.label.label));
      if (!labels.includes('ones')) await new Promise((r) => setTimeout(r, 1000));
    }
    assert.ok(labels.includes('ones') && labels.includes('matmul'), `completions for cp., got ${labels.slice(0, 20).join(', ')}`);
  });

  after(async () => {
    // Leave no editor on a file outside the workspace (pipeline.ts above) for the suites and UI tests
    // that share this window: restored, it could become the file "Run and Profile Current File" runs.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.window.showTextDocument(vscode.Uri.file(path.join(ws(), 'basic.ts')));
  });
});
