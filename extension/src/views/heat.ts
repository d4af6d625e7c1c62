/**
 * Line heat: a background whose strength follows the line's share of op time (four buckets, in
 * theme colours contributed under `contributes.colors`), plus a hover with the per-op breakdown;
 * both follow their code through edits made since the run (line-tracker.ts).
 */
import * as vscode from 'vscode';
import { throttle, type Ctx } from '../ctx.js';
import type { LineStats } from '../profile-store.js';
import { hoverText, segmentScope } from './labels.js';
import type { LineTracker } from './line-tracker.js';

/** Bucket lower bounds (share of op time) and their contributed colour ids. */
const LEVELS: readonly { min: number; color: string }[] = [
  { min: 0.4, color: 'corepy.heat4' },
  { min: 0.15, color: 'corepy.heat3' },
  { min: 0.05, color: 'corepy.heat2' },
  { min: 0, color: 'corepy.heat1' },
];

/** Hover markdown: one row per op that ran on the line; `segments` says which op time its share is of (labels.ts segmentScope). */
export function hoverMarkdown(l: LineStats, segments = ''): vscode.MarkdownString {
  return new vscode.MarkdownString(hoverText(l, segments));
}

export function registerHeat(ctx: Ctx, selector: vscode.DocumentSelector, lines: LineTracker): void {
  const types = LEVELS.map((lv) => ctx.push(vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor(lv.color),
    overviewRulerColor: new vscode.ThemeColor(lv.color),
    overviewRulerLane: vscode.OverviewRulerLane.Right,
  })));

  const paint = (editor: vscode.TextEditor): void => {
    const buckets: vscode.Range[][] = LEVELS.map(() => []);
    if (ctx.config.inlineTimings) {
      for (const l of lines.linesFor(editor.document.uri.fsPath)) {
        if (l.line > editor.document.lineCount) continue;
        const i = LEVELS.findIndex((lv) => l.stats.share >= lv.min);
        buckets[i]!.push(editor.document.lineAt(l.line - 1).range);
      }
    }
    types.forEach((t, i) => editor.setDecorations(t, buckets[i]!));
  };
  // Only the script languages (`selector`); other editors (JSON, Markdown) never get heat.
  const paintAll = throttle(() => vscode.window.visibleTextEditors
    .filter((e) => vscode.languages.match(selector, e.document) > 0).forEach(paint));
  ctx.push(paintAll);
  ctx.push(ctx.store.onDidChange(paintAll));
  ctx.push(lines.onDidChange(paintAll));
  ctx.onConfigChange(paintAll);
  ctx.push(vscode.window.onDidChangeVisibleTextEditors(paintAll));
  paintAll();

  ctx.push(vscode.languages.registerHoverProvider(selector, {
    provideHover(doc, pos) {
      if (!ctx.config.inlineTimings) return undefined;
      const l = lines.lineAt(doc.uri.fsPath, pos.line + 1);
      return l ? new vscode.Hover(hoverMarkdown(l, segmentScope(ctx.store.run, ctx.store.segment)), doc.lineAt(pos.line).range) : undefined;
    },
  }));
}
