/**
 * Inside a real VS Code (trusted workspace, real runtime): the jit-chain quick fix rewrites one
 * span from the end of the corepy import to the chain — two lines inserted near the top, the code
 * between kept, the chain replaced. The lenses of the lines between move down with their code, the
 * applied recommendation's diagnostic is gone, the other one on the chain's line moves with it.
 * The fake runtime (COREPY_TEST_RUNTIME=fake) has no jit-chain rule: the test is skipped there.
 */
import * as assert from 'node:assert/strict';
import { lstatSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunResult } from '../../../extension/src/commands.js';
import type { CorepyApi } from '../../../extension/src/extension.js';
import { until } from './poll.js';
import { CHAIN_LINE, JIT_CHAIN_SCRIPT, RANDN_LINE } from '../../fixtures/editor/jit-chain-script.js';

const SCRIPT = JIT_CHAIN_SCRIPT;

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
});
