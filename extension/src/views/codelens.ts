/** CodeLens above each line that ran tensor ops: "⏱ 1.24 ms · 35 % of op time · std ×1 · wasm". */
import * as vscode from 'vscode';
import { throttle, type Ctx } from '../ctx.js';
import { lensTitle } from './labels.js';

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
          tooltip: 'Corepy: op time on this line (time inside tensor ops) and its share of the run\'s op time. Click for the flame graph.',
          command: 'corepy.showFlameGraph',
        }));
    },
  }));
}
