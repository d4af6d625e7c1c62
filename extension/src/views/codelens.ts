/**
 * CodeLens above each line that ran tensor ops: "⏱ 1.24 ms · 35 % of op time · std ×1 · wasm".
 * Edits since the run move the lenses with their code (line-tracker.ts).
 */
import * as vscode from 'vscode';
import { throttle, type Ctx } from '../ctx.js';
import { lensTitle } from './labels.js';
import type { LineTracker } from './line-tracker.js';

export function registerCodeLens(ctx: Ctx, selector: vscode.DocumentSelector, lines: LineTracker): void {
  const changed = new vscode.EventEmitter<void>();
  const fire = throttle(() => changed.fire());
  ctx.push(changed);
  ctx.push(fire);
  ctx.push(ctx.store.onDidChange(fire));
  ctx.push(lines.onDidChange(fire));
  ctx.onConfigChange(fire);
  ctx.push(vscode.languages.registerCodeLensProvider(selector, {
    onDidChangeCodeLenses: changed.event,
    provideCodeLenses(doc) {
      if (!ctx.config.inlineTimings) return [];
      return lines.linesFor(doc.uri.fsPath)
        .filter((l) => l.line <= doc.lineCount)
        .map((l) => new vscode.CodeLens(doc.lineAt(l.line - 1).range, {
          title: lensTitle(l.stats),
          tooltip: 'Corepy: op time on this line (time inside tensor ops) and its share of the run\'s op time. Click for the flame graph.',
          command: 'corepy.showFlameGraph',
        }));
    },
  }));
}
