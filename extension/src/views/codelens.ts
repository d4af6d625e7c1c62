/**
 * CodeLens above each line that ran tensor ops: "⏱ 1.24 ms · 35 % of op time · std ×1 · wasm", and
 * above each line that called a function inside which ops ran (the report's call lines): "⏱ 12.3 ms
 * in calls · 35 % of op time · 120 ops". A line that does both has both lenses: they count different
 * ops. Edits since the run move the lenses with their code (line-tracker.ts).
 */
import * as vscode from 'vscode';
import { throttle, type Ctx } from '../ctx.js';
import { callLensTitle, CALL_LENS_TOOLTIP, lensTitle, lensTooltip } from './labels.js';
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
      const ops = lines.linesFor(doc.uri.fsPath)
        .filter((l) => l.line <= doc.lineCount)
        .map((l) => new vscode.CodeLens(doc.lineAt(l.line - 1).range, {
          title: lensTitle(l.stats),
          tooltip: lensTooltip(l.stats),
          command: 'corepy.showFlameGraph',
        }));
      const calls = lines.callLinesFor(doc.uri.fsPath)
        .filter((c) => c.line <= doc.lineCount)
        .map((c) => new vscode.CodeLens(doc.lineAt(c.line - 1).range, { title: callLensTitle(c.call), tooltip: CALL_LENS_TOOLTIP, command: 'corepy.showFlameGraph' }));
      return [...ops, ...calls];
    },
  }));
}
