/**
 * Inside a real VS Code (code-server, trusted workspace): Run and Profile on a fixture, then the
 * views the ProfileStore feeds, the recommendation quick fix, and every export format.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunResult } from '../../../extension/src/commands.js';
import type { CorepyApi } from '../../../extension/src/extension.js';
import { FORMATS } from '../../../extension/src/export/formats.js';

const LOOP_LINE = 7; // 0-based: `for (let i = 0; i < 100; i++) { const temp = data.add(i); }`

describe('Corepy Profiler in VS Code', function () {
  let doc: vscode.TextDocument;
  let api: CorepyApi;
  const ws = (): string => vscode.workspace.workspaceFolders![0]!.uri.fsPath;

  before(async function () {
    const ext = vscode.extensions.getExtension<CorepyApi>('corepy.corepy-profiler');
    assert.ok(ext, 'the extension is loaded');
    api = await ext.activate();
    doc = await vscode.workspace.openTextDocument(path.join(ws(), 'basic.ts'));
    await vscode.window.showTextDocument(doc);
  });

  it('Run and Profile finishes with a report', async () => {
    const res = await vscode.commands.executeCommand<RunResult>('corepy.runAndProfile', doc.uri);
    assert.equal(res.started, true, res.reason);
    assert.equal(res.run?.status, 'finished');
    assert.ok(api.store.linesFor(doc.uri.fsPath).length >= 3, 'per-line stats for basic.ts');
  });

  it('shows timing CodeLenses on the op lines', async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    const timing = lenses.filter((l) => l.command?.title.startsWith('⏱'));
    const lines = timing.map((l) => l.range.start.line);
    for (const want of [3, 4, 5, LOOP_LINE]) assert.ok(lines.includes(want), `a lens on line ${want + 1}, got ${lines.map((l) => l + 1).join(',')}`);
    const loop = timing.find((l) => l.range.start.line === LOOP_LINE)!;
    assert.match(loop.command!.title, /⏱ .+ · \d+ % of op time · add ×100 · \w+/);
  });

  it('hovers show the per-op breakdown', async () => {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(LOOP_LINE, 10));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /\| add \| 100 \|/);
  });

  it('puts the loop recommendation in diagnostics and applies its quick fix', async () => {
    const diags = vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source === 'corepy');
    const loop = diags.find((d) => d.range.start.line === LOOP_LINE);
    assert.ok(loop, `a corepy diagnostic on the loop, got ${JSON.stringify(diags.map((d) => d.range.start.line))}`);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, loop.range);
    // Only ours: TypeScript offers quick fixes on this line too (unused `temp`).
    const fix = actions.find((a) => a.kind?.value === vscode.CodeActionKind.QuickFix.value && a.title.startsWith('Corepy:') && a.edit !== undefined);
    assert.ok(fix?.edit, 'a quick fix with an edit');
    assert.ok(actions.some((a) => a.title.startsWith('Explain')), 'an Explain action');
    const before = doc.lineAt(LOOP_LINE).text;
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    const after = doc.lineAt(LOOP_LINE).text;
    assert.notEqual(after, before);
    // The replacement may span several lines (offsets, then the broadcast op): check the whole text.
    const rec = api.store.run!.recommendations.find((r) => r.location.line === LOOP_LINE + 1 && r.fix !== undefined)!;
    assert.ok(doc.getText().includes(rec.fix!.replacement), 'the document holds the replacement');
    await vscode.commands.executeCommand('workbench.action.files.revert');
    assert.equal(doc.lineAt(LOOP_LINE).text, before);
  });

  it('explains a recommendation as a read-only preview: measured, estimate, before/after, corpus, evidence', async () => {
    const rec = api.store.run!.recommendations[0]!;
    const shown = await vscode.commands.executeCommand<vscode.TextDocument | undefined>('corepy.explainRecommendation', rec.id);
    assert.equal(shown?.uri.scheme, 'corepy-explain', 'a virtual (read-only) document');
    assert.equal(shown?.languageId, 'markdown');
    for (const h of ['## What was measured', '## The estimate', '## Measured on the corpus', '## Before (your code)', '## After', '## Evidence']) {
      assert.ok(shown!.getText().includes(h), `explanation has "${h}"`);
    }
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  for (const f of FORMATS) {
    it(`exports ${f.label}`, async () => {
      const target = path.join(process.env.COREPY_E2E_OUT ?? ws(), `basic.profile.${f.extensions[0]}`);
      const written = await vscode.commands.executeCommand<string | undefined>('corepy.exportReport', f.id, target);
      assert.equal(written, target);
      assert.ok(existsSync(target) && statSync(target).size > 0, `${target} is written`);
      const text = readFileSync(target, 'utf8');
      if (f.extensions[0]!.endsWith('json')) assert.doesNotThrow(() => JSON.parse(text));
      if (f.id === 'html') assert.match(text, /<html/i);
      if (f.id === 'csv') assert.match(text, /^add,/m);
      if (f.id === 'folded') assert.match(text, /add \d+/);
    });
  }

  after(async () => {
    // Leave basic.ts open with its lenses for the UI test that runs next.
    await vscode.window.showTextDocument(doc);
  });
});
