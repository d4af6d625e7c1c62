/**
 * Code actions on corepy diagnostics: the recommendation's `fix` as a QuickFix (when it has one and
 * the code it rewrites is still there, at its place after the edits since the run) and "Explain"
 * (opens the full recommendation with its evidence). Applying the fix marks the recommendation as
 * acted on: its diagnostic goes (line-tracker.ts).
 */
import * as vscode from 'vscode';
import type { Ctx } from '../ctx.js';
import type { Recommendation } from '../recommendation.js';
import type { LineTracker } from '../views/line-tracker.js';
import { diagnosticCode } from './diagnostic-range.js';
import { DIAGNOSTIC_SOURCE } from './diagnostics.js';

/** Command id of the Explain action. */
export const EXPLAIN_COMMAND = 'corepy.explainRecommendation';
/** Command id VS Code runs after applying a quick fix's edit (internal: not in the palette). */
export const APPLIED_COMMAND = 'corepy.recommendationApplied';

export function registerCodeActions(ctx: Ctx, selector: vscode.DocumentSelector, lines: LineTracker): void {
  ctx.push(vscode.commands.registerCommand(APPLIED_COMMAND, (id: string) => lines.markApplied(id)));
  ctx.push(vscode.languages.registerCodeActionsProvider(selector, {
    provideCodeActions(doc, _range, context) {
      const actions: vscode.CodeAction[] = [];
      for (const diag of context.diagnostics) {
        if (diag.source !== DIAGNOSTIC_SOURCE) continue;
        const rec = ctx.store.run?.recommendations.find((r) => r.location.file === doc.uri.fsPath && diagnosticCode(r) === String(diag.code));
        if (!rec) continue;
        const placed = rec.fix ? lines.placeRecommendation(rec, doc) : undefined;
        if (placed?.fix) actions.push(fixAction(doc, placed, diag));
        const explain = new vscode.CodeAction(`Explain: ${rec.title}`, vscode.CodeActionKind.Empty);
        explain.command = { command: EXPLAIN_COMMAND, title: 'Explain', arguments: [rec.id] };
        explain.diagnostics = [diag];
        actions.push(explain);
      }
      return actions;
    },
  }, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix, vscode.CodeActionKind.Empty] }));
}

function fixAction(doc: vscode.TextDocument, rec: Recommendation, diag: vscode.Diagnostic): vscode.CodeAction {
  const f = rec.fix!.range;
  const action = new vscode.CodeAction(`Corepy: ${rec.title}`, vscode.CodeActionKind.QuickFix);
  action.edit = new vscode.WorkspaceEdit();
  action.edit.replace(doc.uri, new vscode.Range(f.startLine - 1, f.startColumn - 1, f.endLine - 1, f.endColumn - 1), rec.fix!.replacement);
  action.diagnostics = [diag];
  action.isPreferred = rec.priority === 'HIGH';
  action.command = { command: APPLIED_COMMAND, title: 'Recommendation applied', arguments: [rec.id] };
  return action;
}
