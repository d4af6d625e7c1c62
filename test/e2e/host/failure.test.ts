/**
 * A failed run in a real VS Code: Run and Profile on a script that throws leaves a diagnostic on
 * the throwing line, a distinct status bar state, and the timings of what ran before it.
 */
import * as assert from 'node:assert/strict';
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
});
