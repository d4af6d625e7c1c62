/**
 * A failed run in a real VS Code: Run and Profile on a script that throws leaves a diagnostic on
 * the throwing line, a distinct status bar state, and the timings of what ran before it; a
 * TypeScript syntax error is marked where it is; a script that never loads corepy is told so.
 */
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunResult } from '../../../extension/src/commands.js';
import type { CorepyApi } from '../../../extension/src/extension.js';

describe('a failed run', function () {
  this.timeout(300000);
  const ws = (): string => vscode.workspace.workspaceFolders![0]!.uri.fsPath;

  it('marks the throwing line, shows the failure in the status bar, keeps the timings before it', async () => {
    const api = await vscode.extensions.getExtension<CorepyApi>('corepy.corepy-profiler')!.activate();
    const uri = vscode.Uri.file(path.join(ws(), 'throws.js'));
    const res = await vscode.commands.executeCommand<RunResult>('corepy.runAndProfile', uri);
    assert.equal(res.started, true, res.reason);
    assert.notEqual(res.run?.exitCode, 0);
    const diag = vscode.languages.getDiagnostics(uri).find((d) => d.source === 'corepy' && d.message.startsWith('The script failed here'));
    assert.ok(diag, `a failure diagnostic, got ${JSON.stringify(vscode.languages.getDiagnostics(uri).map((d) => d.message))}`);
    assert.equal(diag.range.start.line, 5, 'on `throw new Error(...)` (line 6)');
    assert.match(diag.message, /Error: fixture failure after 10 adds/);
    assert.match(api.status().text, /^\$\(error\) corepy: throws\.js failed \(exit 1\)/);
    assert.ok(api.store.linesFor(uri.fsPath).some((l) => l.line === 5 && l.count === 10), 'the 10 adds before the throw');
  });

  it('a TypeScript syntax error is marked at its line and column, named SyntaxError', async () => {
    const api = await vscode.extensions.getExtension<CorepyApi>('corepy.corepy-profiler')!.activate();
    const file = path.join(ws(), 'bad-syntax.ts');
    writeFileSync(file, "import * as cp from 'corepy';\nconst a = cp.tensor([1, 2]);\nconst b = a.add(1;\nconsole.log(b);\n");
    const uri = vscode.Uri.file(file);
    const res = await vscode.commands.executeCommand<RunResult>('corepy.runAndProfile', uri);
    assert.equal(res.started, true, res.reason);
    assert.equal(res.run?.exitCode, 1);
    const diag = vscode.languages.getDiagnostics(uri).find((d) => d.source === 'corepy');
    assert.ok(diag, 'a failure diagnostic');
    assert.equal(diag.range.start.line, 2);
    assert.equal(diag.range.start.character, 17, 'at the `;` esbuild names (column 18)');
    assert.match(diag.message, /SyntaxError: Expected "\)" but found ";"/);
    assert.match(api.notices().at(-1)?.message ?? '', /bad-syntax\.ts failed \(exit 1\)/);
  });

  it('a script that never loads corepy is told so', async () => {
    const api = await vscode.extensions.getExtension<CorepyApi>('corepy.corepy-profiler')!.activate();
    const file = path.join(ws(), 'no-corepy.mjs');
    writeFileSync(file, "console.log('no tensors here');\n");
    const res = await vscode.commands.executeCommand<RunResult>('corepy.runAndProfile', vscode.Uri.file(file));
    assert.equal(res.started, true, res.reason);
    assert.equal(res.run?.exitCode, 0);
    const last = api.notices().at(-1);
    assert.equal(last?.kind, 'info');
    assert.match(last?.message ?? '', /no-corepy\.mjs ran no corepy ops, so there is nothing to profile\. Import it/);
  });
});
