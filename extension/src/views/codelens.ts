/** CodeLens above each line that ran tensor ops: "⏱ 1.24 ms · 35 % · std ×1 · wasm". */
import * as vscode from 'vscode';
import { throttle, type Ctx } from '../ctx.js';
import { lensTitle } from '../profile-store.js';

export function registerCodeLens(ctx: Ctx, selector: vscode.DocumentSelector): void {
  const changed = new vscode.EventEmitter<void>();
  const fire = throttle(() => changed.fire());
  ctx.push(changed);
  ctx.push(fire);
  ctx.push(ctx.store.onDidChange(fire));
  ctx.onConfigChange(fire);
  ctx.push(vscode.languages.registerCodeLensProvider(selector, {
    onDidChangeCodeLenses: changed.event,
    provideCodeLenses(doc) {
      if (!ctx.config.inlineTimings) return [];
      return ctx.store.linesFor(doc.uri.fsPath)
        .filter((l) => l.line <= doc.lineCount)
        .map((l) => new vscode.CodeLens(doc.lineAt(l.line - 1).range, {
          title: lensTitle(l),
          tooltip: 'Corepy: time spent in tensor ops on this line (share of all op time). Click for the flame graph.',
          command: 'corepy.showFlameGraph',
        }));
    },
  }));
}
