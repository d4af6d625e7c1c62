/**
 * Code actions on corepy diagnostics: the recommendation's `fix` as a QuickFix (when it has one and
 * the code it rewrites is still there, at its place after the edits since the run) and "Explain"
 * (opens the full recommendation with its evidence), for every corepy diagnostic on the lines of the
 * requested range. Applying the fix marks the recommendation as acted on: its diagnostic goes
 * (line-tracker.ts).
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
    provideCodeActions(doc, range, context) {
      // Explain has no kind VS Code can filter on (Empty): a request for some kinds only is a request for the fix at most.
      if (context.only && !context.only.intersects(vscode.CodeActionKind.QuickFix)) return [];
      const actions: vscode.CodeAction[] = [];
      for (const diag of corepyDiagnosticsOn(doc, range, context)) {
        const rec = ctx.store.shownRecommendations.find((r) => r.location.file === doc.uri.fsPath && diagnosticCode(r) === String(diag.code));
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

/**
 * The corepy diagnostics on the lines of `range`, whatever its columns: VS Code passes only those
 * the range touches (`context.diagnostics`), and a diagnostic starts at its code's first non-blank
 * character, so with the cursor in a line's indentation Ctrl+. offered nothing for it, though its
 * hover points at "Explain" (Ctrl+.). A range that ends at column 0 of a line leaves that line out.
 */
function corepyDiagnosticsOn(doc: vscode.TextDocument, range: vscode.Range, context: vscode.CodeActionContext): vscode.Diagnostic[] {
  const last = range.end.character === 0 && range.end.line > range.start.line ? range.end.line - 1 : range.end.line;
  const seen = new Set<string>();
  const out: vscode.Diagnostic[] = [];
  for (const d of [...context.diagnostics, ...vscode.languages.getDiagnostics(doc.uri)]) {
    if (d.source !== DIAGNOSTIC_SOURCE || d.range.end.line < range.start.line || d.range.start.line > last) continue;
    const code = String(d.code);
    if (seen.has(code)) continue;
    seen.add(code);
    out.push(d);
  }
  return out;
}

function fixAction(doc: vscode.TextDocument, rec: Recommendation, diag: vscode.Diagnostic): vscode.CodeAction {
  const f = rec.fix!.range;
  const action = new vscode.CodeAction(`Corepy: ${rec.title}`, vscode.CodeActionKind.QuickFix);
  action.edit = new vscode.WorkspaceEdit();
  action.edit.replace(doc.uri, new vscode.Range(f.startLine - 1, f.startColumn - 1, f.endLine - 1, f.endColumn - 1), rec.fix!.replacement);
  action.diagnostics = [diag];
  // Preferred (the fix the lightbulb's auto fix, Shift+Alt+., applies) whatever the priority: VS Code
  // marks a fix preferred when it properly addresses its diagnostic, and this is the one edit that
  // does (the rewrite the recommendation describes; applying it removes the diagnostic). The
  // priority says how much the rewrite is worth, and the diagnostic's severity shows that; it does
  // not make the fix less clear. Preference is per diagnostic: another extension's preferred fix on
  // the same line (TypeScript's "Remove unused declaration") addresses its own diagnostic, and with
  // two preferred fixes at the cursor auto fix lists both instead of picking one. Explain is no fix.
  action.isPreferred = true;
  action.command = { command: APPLIED_COMMAND, title: 'Recommendation applied', arguments: [rec.id] };
  return action;
}
