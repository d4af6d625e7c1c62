/** Inside a real VS Code whose workspace is NOT trusted: running is refused with an explanation. */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunResult } from '../../../extension/src/commands.js';

describe('Corepy Profiler in an untrusted workspace', function () {
  it('is active in limited mode and refuses to run', async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'the workspace is untrusted');
    const ext = vscode.extensions.getExtension('corepy.corepy-profiler');
    await ext!.activate();
    const file = vscode.Uri.file(path.join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, 'basic.ts'));
    const res = await vscode.commands.executeCommand<RunResult>('corepy.runAndProfile', file);
    assert.equal(res.started, false);
    assert.match(res.reason ?? '', /not trusted/);
    assert.equal(vscode.debug.activeDebugSession, undefined);
  });
});
