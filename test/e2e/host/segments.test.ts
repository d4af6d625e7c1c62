/**
 * Inside a real VS Code: a script that calls clearProfile() between a "before" loop and its
 * rewrite (the tutorials' pattern) keeps both segments; the CodeLens shows every segment by
 * default and Corepy: Show Segment… shows one; the before loop keeps its recommendation, shown
 * with its segment and with all of them, not with the after segment alone. Nothing here asserts on
 * timings.
 */
import * as assert from 'node:assert/strict';
import { copyFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunResult } from '../../../extension/src/commands.js';
import type { CorepyApi } from '../../../extension/src/extension.js';
import { until } from './poll.js';

describe('Corepy segments in VS Code', function () {
  it('both loops of a before/after script have CodeLens timings and the before loop its diagnostic; Show Segment shows one (lenses and diagnostics), then all again', async () => {
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
    const beforeId = api.store.run!.recommendations.find((r) => r.rule === 'batch-loop' && r.location.line === before + 1)?.id;
    assert.ok(beforeId !== undefined, 'the before loop\'s recommendation is in the run');
    const corepyDiagnosticLines = (): number[] => vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source === 'corepy').map((d) => d.range.start.line);
    await vscode.commands.executeCommand('corepy.showSegment', 0);
    await until('only the before loop (segment 1)', lensLines, (ls) => ls.includes(before) && !ls.includes(after));
    await until('the before loop\'s diagnostic with its segment', batchDiagnostics, (ls) => ls.includes(before));
    await vscode.commands.executeCommand('corepy.showSegment', 1);
    await until('only the after loop (segment 2)', lensLines, (ls) => !ls.includes(before) && ls.includes(after));
    // The before loop's recommendation is segment 1's: showing the after segment alone takes it away, quick fix and Explain too.
    await until('no diagnostic on the before loop with the after segment shown', async () => corepyDiagnosticLines(), (ls) => !ls.includes(before));
    assert.ok(!api.store.shownRecommendations.some((r) => r.id === beforeId), 'segment 2 shows only its own recommendations');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, new vscode.Range(before, 0, before, 0));
    assert.ok(!actions.some((a) => a.title.startsWith('Explain: Batch repeated operations') || a.title.startsWith('Corepy: Batch repeated operations')), actions.map((a) => a.title).join(' | '));
    assert.equal(await vscode.commands.executeCommand('corepy.explainRecommendation', beforeId), undefined, 'Explain: not in the segment shown');
    assert.equal(await vscode.commands.executeCommand('corepy.showSegment', 'all'), 'all');
    await until('both again', lensLines, (ls) => ls.includes(before) && ls.includes(after));
    await until('the before loop\'s diagnostic again (all segments)', batchDiagnostics, (ls) => ls.includes(before));
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('tutorial 1.1 (8 ops, then clearProfile()): lenses and status from its ended segment, no "ran no corepy ops"', async () => {
    const api = await vscode.extensions.getExtension<CorepyApi>('corepy.corepy-profiler')!.activate();
    // test/e2e/out → the repository's tutorials
    const tutorial = path.resolve(__dirname, '..', '..', '..', 'tutorials', '01_profiling_basics', '01_enable_profiling.ts');
    const file = path.join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, '01_enable_profiling.ts');
    copyFileSync(tutorial, file);
    // Opened, not shown: no editor tab of it is left for the window the UI tests reopen.
    const doc = await vscode.workspace.openTextDocument(file);
    const line = doc.getText().split('\n').findIndex((l) => l.includes('const normalized = data.sub(data.mean()).div(data.std());'));
    assert.ok(line >= 0, 'the tutorial still has its normalise line');
    const seen = api.notices().length;
    const res = await vscode.commands.executeCommand<RunResult>('corepy.runAndProfile', doc.uri);
    assert.equal(res.started, true, res.reason);
    assert.equal(res.run?.status, 'finished');
    assert.equal(res.run?.report?.opCount, 0, 'the report\'s top level is empty');
    assert.deepEqual(api.store.segments.map((s) => [s.index, s.current]), [[0, false]]);
    const lensLines = async (): Promise<number[]> =>
      (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri))
        .filter((l) => l.command?.title.startsWith('⏱')).map((l) => l.range.start.line);
    await until('a lens on the normalise line', lensLines, (ls) => ls.includes(line));
    assert.ok(api.store.hotOps().length > 0, 'Hot Operations lists the ops');
    await until('the status counts the 8 ops', () => api.status().text, (t) => / · 8 ops · 1 segment$/.test(t));
    assert.ok(!api.notices().slice(seen).some((n) => /ran no corepy ops/.test(n.message)), JSON.stringify(api.notices().slice(seen)));
    rmSync(file, { force: true });
  });
});
