/**
 * Inside a real VS Code (trusted workspace, real runtime): the jit-chain quick fix rewrites one
 * span from the end of the corepy import to the chain — two lines inserted near the top, the code
 * between kept, the chain replaced. The lenses of the lines between move down with their code, the
 * applied recommendation's diagnostic is gone, the other one on the chain's line moves with it.
 * Ctrl+. with the cursor in the chain line's indentation offers Explain for every corepy diagnostic
 * on the line and the fix (preferred). A statement typed at the start of the chain's line, then
 * Enter (the editor's own typing), leaves the chain's lens and diagnostics on the chain (audit 20).
 * The fake runtime (COREPY_TEST_RUNTIME=fake) has no jit-chain rule: the tests are skipped there.
 */
import * as assert from 'node:assert/strict';
import { lstatSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunResult } from '../../../extension/src/commands.js';
import type { CorepyApi } from '../../../extension/src/extension.js';
import { diagnosticCode } from '../../../extension/src/recs/diagnostic-range.js';
import { until } from './poll.js';
import { CHAIN_LINE, JIT_CHAIN_TWO_INPUTS_SCRIPT, RANDN_LINE } from '../../fixtures/editor/jit-chain-script.js';

const SCRIPT = JIT_CHAIN_TWO_INPUTS_SCRIPT;

describe('the jit-chain quick fix in VS Code', function () {
  let api: CorepyApi;
  let doc: vscode.TextDocument;
  const ws = (): string => vscode.workspace.workspaceFolders![0]!.uri.fsPath;
  const file = (): string => path.join(ws(), 'chain.ts');
  const lenses = async (): Promise<{ line: number; title: string }[]> =>
    (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri))
      .filter((l) => l.command?.title.startsWith('⏱')).map((l) => ({ line: l.range.start.line, title: l.command!.title }));
  const corepyDiagnostics = (): { line: number; code: string }[] => vscode.languages.getDiagnostics(doc.uri)
    .filter((d) => d.source === 'corepy').map((d) => ({ line: d.range.start.line, code: String(d.code) }));

  before(async function () {
    if (!lstatSync(path.join(ws(), 'node_modules', 'corepy')).isSymbolicLink()) this.skip(); // the fake runtime
    api = await vscode.extensions.getExtension<CorepyApi>('corepy.corepy-profiler')!.activate();
    writeFileSync(file(), SCRIPT);
    doc = await vscode.workspace.openTextDocument(file());
    await vscode.window.showTextDocument(doc);
  });

  it('moves the lenses below the insertion, drops the applied diagnostic, moves the others', async () => {
    const res = await vscode.commands.executeCommand<RunResult>('corepy.runAndProfile', doc.uri);
    assert.equal(res.started, true, res.reason);
    assert.equal(res.run?.status, 'finished');
    const before = await until('lenses on randn and the chain', lenses, (l) => [RANDN_LINE, CHAIN_LINE].every((n) => l.some((x) => x.line === n)));
    const randnTitle = before.find((l) => l.line === RANDN_LINE)!.title;
    assert.match(randnTitle, /randn/);
    const jit = corepyDiagnostics().find((d) => d.code.startsWith('jit-chain'));
    assert.ok(jit, `a jit-chain diagnostic, got ${JSON.stringify(corepyDiagnostics())}`);
    assert.equal(jit.line, CHAIN_LINE);
    const others = corepyDiagnostics().filter((d) => d.code !== jit.code);
    const diag = vscode.languages.getDiagnostics(doc.uri).find((d) => d.code === jit.code)!;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, diag.range);
    const fix = actions.find((a) => a.title === 'Corepy: Fuse this chain with cp.jit' && a.edit !== undefined);
    assert.ok(fix?.edit, `the jit quick fix, got ${actions.map((a) => a.title).join(' | ')}`);
    assert.equal(fix.isPreferred, true, 'the one fix for its diagnostic is the preferred one');
    // Column 1, in the indentation (outside every diagnostic's range): the same actions, an Explain per diagnostic on the line.
    const atStart = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, new vscode.Range(CHAIN_LINE, 0, CHAIN_LINE, 0));
    // (The actions come back without their diagnostics: matched by title, from the recommendations shown on the line.)
    const onLine = corepyDiagnostics().filter((d) => d.line === CHAIN_LINE).map((d) => d.code);
    const recs = api.store.run!.recommendations.filter((r) => r.location.file === doc.uri.fsPath && onLine.includes(diagnosticCode(r)));
    assert.equal(recs.length, onLine.length, `a recommendation per diagnostic on the line: ${onLine.join(', ')}`);
    const explained = atStart.filter((a) => a.title.startsWith('Explain: ')).map((a) => a.title).sort();
    assert.deepEqual(explained, recs.map((r) => `Explain: ${r.title}`).sort(), `Explain for each diagnostic on the line, got ${atStart.map((a) => a.title).join(' | ')}`);
    assert.ok(atStart.some((a) => a.title === fix.title), 'the fix at column 1 too');

    // What VS Code does with a picked code action: the edit, then the action's command.
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    if (fix.command) await vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments ?? []));
    assert.match(doc.lineAt(CHAIN_LINE + 2).text, /fused\(x\)/, 'the chain is now a call of the fused kernel');
    assert.equal(doc.lineAt(RANDN_LINE + 2).text, SCRIPT.split('\n')[RANDN_LINE]);
    try {
      const after = await until('the randn lens two lines down', lenses, (l) => l.some((x) => x.line === RANDN_LINE + 2 && x.title === randnTitle));
      assert.ok(!after.some((x) => x.line === RANDN_LINE && x.title === randnTitle), `no randn lens left on the inserted line: ${JSON.stringify(after)}`);
      assert.ok(after.every((x) => x.line !== 1 && x.line !== 2), `no lens on the two inserted lines: ${JSON.stringify(after)}`);
      // The applied recommendation is gone from the Problems view; the others follow their code.
      const diags = await until('the jit diagnostic gone', corepyDiagnostics, (d) => !d.some((x) => x.code === jit.code));
      for (const o of others) {
        const now = diags.find((d) => d.code === o.code);
        assert.ok(now, `${o.code} is still shown`);
        assert.equal(now.line, o.line > 0 ? o.line + 2 : o.line, `${o.code} moved with its line`);
      }
    } finally {
      // Undo: the document holds the text that ran, the applied recommendation is back.
      await vscode.commands.executeCommand('workbench.action.files.revert');
      await until('the jit diagnostic back after the revert', corepyDiagnostics, (d) => d.some((x) => x.code === jit.code && x.line === CHAIN_LINE));
      await until('lenses back after the revert', lenses, (l) => l.some((x) => x.line === RANDN_LINE && x.title === randnTitle));
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      rmSync(file(), { force: true });
    }
  });
  it('a statement typed at the start of the chain\'s line, then Enter: the lens and diagnostics stay on the chain', async () => {
    writeFileSync(file(), SCRIPT);
    doc = await vscode.workspace.openTextDocument(file());
    const editor = await vscode.window.showTextDocument(doc);
    const res = await vscode.commands.executeCommand<RunResult>('corepy.runAndProfile', doc.uri);
    assert.equal(res.started, true, res.reason);
    const before = await until('a lens on the chain', lenses, (l) => l.some((x) => x.line === CHAIN_LINE));
    const chainTitle = before.find((l) => l.line === CHAIN_LINE)!.title;
    const onChain = await until('diagnostics on the chain', corepyDiagnostics, (d) => d.some((x) => x.line === CHAIN_LINE));
    try {
      // As the user types: the statement at column 1, then Enter (two change events; the first rewrites the line in place).
      editor.selection = new vscode.Selection(CHAIN_LINE, 0, CHAIN_LINE, 0);
      await vscode.commands.executeCommand('type', { text: 'const b1 = 1;' });
      await vscode.commands.executeCommand('type', { text: '\n' });
      assert.equal(doc.lineAt(CHAIN_LINE).text, 'const b1 = 1;');
      assert.equal(doc.lineAt(CHAIN_LINE + 1).text.trim(), SCRIPT.split('\n')[CHAIN_LINE]!.trim());
      const after = await until('the chain\'s lens one line down', lenses, (l) => l.some((x) => x.line === CHAIN_LINE + 1 && x.title === chainTitle));
      assert.ok(!after.some((x) => x.line === CHAIN_LINE), `no lens on the typed line: ${JSON.stringify(after)}`);
      const diags = await until('the diagnostics one line down', corepyDiagnostics, (d) => !d.some((x) => x.line === CHAIN_LINE));
      for (const o of onChain.filter((x) => x.line === CHAIN_LINE)) {
        assert.ok(diags.some((d) => d.code === o.code && d.line === CHAIN_LINE + 1), `${o.code} on the chain: ${JSON.stringify(diags)}`);
      }
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      rmSync(file(), { force: true });
    }
  });
});
