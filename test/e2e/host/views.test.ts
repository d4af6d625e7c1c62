/**
 * Inside a real VS Code (trusted workspace), after trusted.test.ts: the Hot Operations tree, the
 * status bar item, Toggle Inline Timings, Save Baseline / Compare with Baseline, Show Flame Graph
 * (the panel opens; drawing is checked by the UI test), Clear Profile, and the call-line lenses of a
 * script whose ops run in another module (calls.ts). Nothing here asserts
 * on timings.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunResult } from '../../../extension/src/commands.js';
import type { CorepyApi } from '../../../extension/src/extension.js';
import type { HotOpsNode } from '../../../extension/src/views/hot-ops.js';
import { until } from './poll.js';

const LOOP_LINE = 7; // 0-based: the `data.add(i)` loop of basic.ts
const FIXTURE_OPS = ['tensor', 'mean', 'std', 'add'];

const flameTabs = (): vscode.Tab[] => vscode.window.tabGroups.all.flatMap((g) => g.tabs)
  .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('corepy.flameGraph'));

describe('Corepy views and commands in VS Code', function () {
  let api: CorepyApi;
  let doc: vscode.TextDocument;
  const ws = (): string => vscode.workspace.workspaceFolders![0]!.uri.fsPath;
  const timingLenses = async (): Promise<number> =>
    (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri))
      .filter((l) => l.command?.title.startsWith('⏱')).length;
  const hoverCount = async (): Promise<number> =>
    (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(LOOP_LINE, 10)))
      .filter((h) => h.contents.some((c) => (typeof c === 'string' ? c : c.value).includes('**Corepy**'))).length;
  const corepyDiagnostics = (): number => vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source === 'corepy').length;
  const profileBasic = async (): Promise<void> => {
    const res = await vscode.commands.executeCommand<RunResult>('corepy.runAndProfile', doc.uri);
    assert.equal(res.started, true, res.reason);
    assert.equal(res.run?.status, 'finished');
  };

  before(async () => {
    api = await vscode.extensions.getExtension<CorepyApi>('corepy.corepy-profiler')!.activate();
    doc = await vscode.workspace.openTextDocument(path.join(ws(), 'basic.ts'));
    await vscode.window.showTextDocument(doc);
    if (api.store.run?.status !== 'finished' || api.store.run.program !== doc.uri.fsPath) await profileBasic();
  });

  it('Hot Operations lists the fixture ops, each expanding to the lines it ran from', async () => {
    const tree = api.hotOperations;
    const roots = (await tree.getChildren(undefined)) ?? [];
    const label = async (n: HotOpsNode): Promise<string> => String((await tree.getTreeItem(n)).label);
    const names = await Promise.all(roots.map(label));
    for (const op of FIXTURE_OPS) assert.ok(names.includes(op), `${op} in Hot Operations, got ${names.join(',')}`);
    const add = roots[names.indexOf('add')]!;
    const addItem = await tree.getTreeItem(add);
    assert.equal(addItem.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    assert.match(String(addItem.description), /×100\b/);
    // The figures, cut off at the default sidebar width, are in the row's tooltip too.
    assert.equal(addItem.tooltip, `add — ${String(addItem.description)}`);
    const lines = (await tree.getChildren(add)) ?? [];
    const items = await Promise.all(lines.map((n) => tree.getTreeItem(n)));
    const loop = items.find((i) => i.label === `basic.ts:${LOOP_LINE + 1}`);
    assert.ok(loop, `add runs from basic.ts:${LOOP_LINE + 1}, got ${items.map((i) => String(i.label)).join(',')}`);
    assert.equal(loop.command?.command, 'vscode.open');
    assert.equal((loop.command!.arguments![0] as vscode.Uri).fsPath, doc.uri.fsPath);
    assert.equal(loop.tooltip, `${doc.uri.fsPath}:${LOOP_LINE + 1} — ${String(loop.description)}`);
  });

  it('Hot Operations ends with the one-time costs and the memory, apart from the ops; the status tooltip names the costs; no lens carries them', async () => {
    const rows = api.store.run?.report?.oneTimeCosts ?? [];
    assert.ok(rows.length > 0, 'the run recorded one-time work (the adapters compile the wasm kernels at load)');
    const tree = api.hotOperations;
    const roots = (await tree.getChildren(undefined)) ?? [];
    const labels = await Promise.all(roots.map(async (n) => String((await tree.getTreeItem(n)).label)));
    // After the ops: the one-time costs, then the run's memory.
    assert.deepEqual(labels.slice(-2), ['One-time costs', 'Memory']);
    const at = labels.indexOf('One-time costs');
    const group = roots[at]!;
    const groupItem = await tree.getTreeItem(group);
    assert.match(String(groupItem.description), /· not in op time$/);
    const children = await Promise.all(((await tree.getChildren(group)) ?? []).map((n) => tree.getTreeItem(n)));
    assert.deepEqual(children.map((c) => c.label), rows.map((r) => r.name));
    assert.ok(children.some((c) => /^compile wasm kernels/.test(String(c.label))), `a compile row, got ${children.map((c) => String(c.label)).join(', ')}`);
    // Only ops above it: no op row is a one-time cost.
    const opLabels = labels.slice(0, at);
    for (const r of rows) assert.ok(!opLabels.includes(r.name));
    const tip = (await until('the status tooltip', () => api.status(), (st) => st.tooltip?.includes('One-time costs') === true)).tooltip!;
    assert.match(tip, /One-time costs [\d.]+ [µm]?s, not in op time: compile wasm kernels/);
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri))
      .map((l) => l.command?.title ?? '');
    assert.ok(lenses.length > 0 && lenses.every((t) => !/compile|grow wasm memory|first touch of new wasm memory|warm up corepy|pipeline/.test(t)), lenses.join(' | '));
  });

  it('the CodeLenses and hovers move with edits until the next run', async () => {
    await until('timing lenses', timingLenses, (n) => n > 0);
    const lensLines = async (): Promise<number[]> => (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri))
      .filter((l) => l.command?.title.startsWith('⏱')).map((l) => l.range.start.line);
    const before = await lensLines();
    assert.ok(before.includes(LOOP_LINE));
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(0, 0), '// two lines\n// inserted above\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const typed = ' // edited';
    try {
      const after = await until('every lens two lines down', lensLines, (l) => JSON.stringify(l) === JSON.stringify(before.map((x) => x + 2)));
      const hover = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(LOOP_LINE + 2, 10));
      assert.match(hover.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n'), /\| add \| 100 \|/);
      // Typing on the loop line keeps its lens there.
      const typing = new vscode.WorkspaceEdit();
      typing.insert(doc.uri, doc.lineAt(LOOP_LINE + 2).range.end, typed);
      assert.ok(await vscode.workspace.applyEdit(typing));
      assert.deepEqual(await until('lenses after typing', lensLines, (l) => l.length === before.length), after);
    } finally {
      // Undo both edits (the text is then the one that ran) and leave the file clean for the UI tests.
      const undo = new vscode.WorkspaceEdit();
      const loop = doc.lineAt(LOOP_LINE + 2);
      if (loop.text.endsWith(typed)) undo.delete(doc.uri, new vscode.Range(loop.range.end.translate(0, -typed.length), loop.range.end));
      if (doc.lineAt(0).text === '// two lines') undo.delete(doc.uri, new vscode.Range(0, 0, 2, 0));
      assert.ok(await vscode.workspace.applyEdit(undo));
      await doc.save();
    }
    // The document holds the text that ran again: every lens is back on its run line.
    await until('lenses back after the revert', lensLines, (l) => JSON.stringify(l) === JSON.stringify(before));
  });

  it('an open flame graph follows the latest run', async () => {
    await vscode.commands.executeCommand('corepy.showFlameGraph');
    const first = await until('the flame panel', () => api.flamePanel(), (p) => p !== undefined);
    assert.equal(first!.profile, api.store.run!.flame);
    await profileBasic();
    const next = await until('the panel showing the new run', () => api.flamePanel(), (p) => p?.profile === api.store.run?.flame);
    assert.notEqual(next!.profile, first!.profile, 'a new profile, not the old one');
    assert.doesNotMatch(next!.title, /previous run/);
    await vscode.window.tabGroups.close(flameTabs());
  });

  it('the status bar item shows the live run (click: Stop), then its summary (click: Show Flame Graph, or Hot Operations for a partial run)', async () => {
    const long = vscode.Uri.file(path.join(ws(), 'long.js'));
    const running = vscode.commands.executeCommand<RunResult>('corepy.runAndProfile', long);
    // Before its first op the item reads "starting…" (unit test run-start-and-end.test.ts); then the live figures.
    const live = await until('status while profiling long.js', () => api.status(), (s) => s.visible && s.text.includes('long.js') && !s.text.endsWith('starting…'));
    assert.match(live.text, /^\$\(pulse\) corepy: long\.js · .+ op time · \d+ ops$/);
    assert.equal(live.command, 'corepy.stop');
    await until('the stop command enabled', () => api.store.run?.status, (st) => st === 'running');
    await vscode.commands.executeCommand('corepy.stop');
    const res = await running;
    assert.equal(res.started, true, res.reason);
    // Stopped this early the script may not have written its report (stopped while loading): a partial run has no flame graph.
    const summary = (): string => (api.store.run?.flame ? 'corepy.showFlameGraph' : 'corepy.hotOperations.focus');
    const after = await until('status after the run', () => api.status(), (s) => s.command === summary());
    assert.equal(after.visible, true);
    assert.match(after.text, /^\$\(flame\) corepy: long\.js/);
    await profileBasic();
    const basic = await until('status after basic.ts', () => api.status(), (s) => s.text.includes('basic.ts'));
    assert.match(basic.text, /^\$\(flame\) corepy: basic\.ts · .+ op time · \d+ ops$/);
  });

  it('Toggle Inline Timings removes and restores the CodeLenses and hovers', async () => {
    const before = await until('timing lenses', timingLenses, (n) => n > 0);
    assert.equal(await hoverCount(), 1);
    assert.equal(await vscode.commands.executeCommand('corepy.toggleInlineTimings'), false);
    await until('lenses after toggling off', timingLenses, (n) => n === 0);
    assert.equal(await hoverCount(), 0);
    assert.equal(await vscode.commands.executeCommand('corepy.toggleInlineTimings'), true);
    await until('lenses after toggling on', timingLenses, (n) => n === before);
    assert.equal(await hoverCount(), 1);
  });

  it('Toggle Inline Timings also works when the workspace settings enable them', async () => {
    const cfg = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('corepy');
    const before = await timingLenses();
    await cfg().update('inlineTimings.enabled', true, vscode.ConfigurationTarget.Workspace);
    try {
      assert.equal(await vscode.commands.executeCommand('corepy.toggleInlineTimings'), false);
      await until('lenses after toggling off (workspace setting)', timingLenses, (n) => n === 0);
      assert.equal(await vscode.commands.executeCommand('corepy.toggleInlineTimings'), true);
      await until('lenses after toggling on (workspace setting)', timingLenses, (n) => n === before);
    } finally {
      await cfg().update('inlineTimings.enabled', undefined, vscode.ConfigurationTarget.Workspace);
    }
    assert.equal(cfg().inspect('inlineTimings.enabled')?.globalValue ?? true, true, 'the user setting is left on');
  });

  it('Compare with Baseline needs a baseline; Save Baseline then Compare gives a ratio and the compare flame graph', async () => {
    assert.equal(await vscode.commands.executeCommand('corepy.compareWithBaseline'), undefined);
    assert.equal(await vscode.commands.executeCommand('corepy.saveBaseline'), true);
    const result = await vscode.commands.executeCommand<{ ratio: number; comparison: { ok: boolean; regressions: unknown[]; unchanged: number } }>('corepy.compareWithBaseline');
    const ratio = result.ratio;
    assert.equal(typeof ratio, 'number');
    assert.ok(Number.isFinite(ratio) && ratio > 0, `a positive ratio, got ${ratio}`);
    // The run compared with itself: the noise-aware comparison finds nothing.
    assert.equal(result.comparison.ok, true);
    assert.equal(result.comparison.regressions.length, 0);
    assert.ok(result.comparison.unchanged > 0);
    await until('a flame graph tab', () => flameTabs().length, (n) => n === 1);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('Show Flame Graph opens one panel and reuses it', async () => {
    await vscode.commands.executeCommand('corepy.showFlameGraph');
    await vscode.commands.executeCommand('corepy.showFlameGraph');
    const tabs = await until('one flame graph tab', () => flameTabs(), (t) => t.length === 1);
    assert.match(tabs[0]!.label, /^Flame: /);
    await vscode.window.tabGroups.close(tabs);
  });

  it('Clear Profile empties the CodeLenses, diagnostics, Hot Operations and status bar; a new run brings them back', async () => {
    assert.ok(corepyDiagnostics() > 0, 'diagnostics before clearing');
    await vscode.commands.executeCommand('corepy.clearProfile');
    assert.equal(api.store.run, undefined);
    await until('lenses after Clear Profile', timingLenses, (n) => n === 0);
    assert.equal(corepyDiagnostics(), 0);
    assert.equal(((await api.hotOperations.getChildren(undefined)) ?? []).length, 0);
    assert.equal(api.status().visible, false);
    await profileBasic();
    await until('lenses after a new run', timingLenses, (n) => n > 0);
    assert.ok(corepyDiagnostics() > 0);
  });

  it('a line that calls a function gets a lens with the op time inside its calls, and it moves with edits; the lines issuing the ops keep theirs', async () => {
    const calls = await vscode.workspace.openTextDocument(path.join(ws(), 'calls.ts'));
    await vscode.window.showTextDocument(calls);
    const lineOf = (marker: string): number => calls.getText().split('\n').findIndex((l) => l.includes(marker)); // 0-based
    const callLenses = async (): Promise<vscode.CodeLens[]> => (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', calls.uri))
      .filter((l) => / in calls \(sampled\) · /.test(l.command?.title ?? ''));
    try {
      const res = await vscode.commands.executeCommand<RunResult>('corepy.runAndProfile', calls.uri);
      assert.equal(res.started, true, res.reason);
      assert.equal(res.run?.status, 'finished');
      const lenses = await until('call-line lenses in calls.ts', callLenses, (ls) => ls.length === 3);
      const titleAt = (ls: vscode.CodeLens[], line: number): string[] => ls.filter((l) => l.range.start.line === line).map((l) => l.command!.title);
      // main calls forward() 3 times from TRAIN and 2 from EVAL (a mul and an add each); the top level calls main (and its `ones`).
      assert.deepEqual(titleAt(lenses, lineOf('// TRAIN')).map((t) => t.replace(/^⏱ ≈.+ in calls \(sampled\) · .+ of op time · /, '')), ['6 ops']);
      assert.deepEqual(titleAt(lenses, lineOf('// EVAL')).map((t) => t.replace(/^⏱ ≈.+ in calls \(sampled\) · .+ of op time · /, '')), ['4 ops']);
      assert.deepEqual(titleAt(lenses, lineOf('// MAIN')).map((t) => t.replace(/^⏱ ≈.+ in calls \(sampled\) · .+ of op time · /, '')), ['11 ops']);
      // The ops' own lines, in calls-model.ts, keep their op lenses (no call lens there: forward calls no function of the user's).
      const modelDoc = await vscode.workspace.openTextDocument(path.join(ws(), 'calls-model.ts'));
      const model = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', modelDoc.uri))
        .map((l) => l.command?.title ?? '');
      assert.ok(model.some((t) => /^⏱ .+ · mul ×5 · /.test(t)) && model.some((t) => /^⏱ .+ · add ×5 · /.test(t)) && !model.some((t) => / in calls /.test(t)), model.join(' | '));
      // An edit above moves the call lenses with their lines, as the op lenses.
      const lines = async (): Promise<number[]> => (await callLenses()).map((l) => l.range.start.line).sort((a, b) => a - b);
      const before = await lines();
      const edit = new vscode.WorkspaceEdit();
      edit.insert(calls.uri, new vscode.Position(0, 0), '// inserted\n');
      assert.ok(await vscode.workspace.applyEdit(edit));
      try {
        await until('call lenses one line down', lines, (l) => JSON.stringify(l) === JSON.stringify(before.map((x) => x + 1)));
      } finally {
        const undo = new vscode.WorkspaceEdit();
        if (calls.lineAt(0).text === '// inserted') undo.delete(calls.uri, new vscode.Range(0, 0, 1, 0));
        assert.ok(await vscode.workspace.applyEdit(undo));
        await calls.save();
      }
    } finally {
      // Leave basic.ts and its run, and no other editor, as the UI tests expect (a restored calls.ts tab was
      // the current file their Run and Profile ran).
      await vscode.window.showTextDocument(doc);
      const ours = (t: vscode.Tab): boolean => t.input instanceof vscode.TabInputText && /[\\/]calls(-model)?\.ts$/.test(t.input.uri.fsPath);
      await vscode.window.tabGroups.close(vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter(ours));
      await profileBasic();
    }
  });

  after(async () => {
    await vscode.window.showTextDocument(doc);
  });
});
