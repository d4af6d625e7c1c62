/**
 * Inside a real VS Code: a script that calls clearProfile() between a "before" loop and its
 * rewrite (the tutorials' pattern) keeps both segments; the CodeLens shows every segment by
 * default and Corepy: Show Segment… shows one; the before loop keeps its recommendation. Nothing
 * here asserts on timings.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunResult } from '../../../extension/src/commands.js';
import type { CorepyApi } from '../../../extension/src/extension.js';
import { until } from './poll.js';

describe('Corepy segments in VS Code', function () {
  it('both loops of a before/after script have CodeLens timings and the before loop its diagnostic; Show Segment shows one, then all again', async () => {
    const api = await vscode.extensions.getExtension<CorepyApi>('corepy.corepy-profiler')!.activate();
    const file = path.join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, 'segments.ts');
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    const text = doc.getText().split('\n');
    const before = text.findIndex((l) => l.includes('// BEFORE')), after = text.findIndex((l) => l.includes('// AFTER')) + 1;
    const res = await vscode.commands.executeCommand<RunResult>('corepy.runAndProfile', doc.uri);
    assert.equal(res.started, true, res.reason);
    assert.equal(res.run?.status, 'finished');
    assert.deepEqual(api.store.segments.map((s) => s.cause), ['start', 'clear']);
    const lensLines = async (): Promise<number[]> =>
      (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri))
        .filter((l) => l.command?.title.startsWith('⏱')).map((l) => l.range.start.line);
    await until('lenses on the before and the after loop (all segments)', lensLines, (ls) => ls.includes(before) && ls.includes(after));
    // The before loop's recommendation is its segment's own: clearProfile() does not take it from the editor.
    const batchDiagnostics = async (): Promise<number[]> => vscode.languages.getDiagnostics(doc.uri)
      .filter((d) => d.source === 'corepy' && /^Batch repeated operations/.test(d.message)).map((d) => d.range.start.line);
    await until('the before loop\'s batch recommendation as a diagnostic', batchDiagnostics, (ls) => ls.includes(before));
    await vscode.commands.executeCommand('corepy.showSegment', 0);
    await until('only the before loop (segment 1)', lensLines, (ls) => ls.includes(before) && !ls.includes(after));
    await vscode.commands.executeCommand('corepy.showSegment', 1);
    await until('only the after loop (segment 2)', lensLines, (ls) => !ls.includes(before) && ls.includes(after));
    assert.equal(await vscode.commands.executeCommand('corepy.showSegment', 'all'), 'all');
    await until('both again', lensLines, (ls) => ls.includes(before) && ls.includes(after));
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
