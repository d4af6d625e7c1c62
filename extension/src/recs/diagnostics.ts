/**
 * Recommendations as diagnostics (source "corepy"), severity by priority, on the code they are
 * about now: edits since the run move them (line-tracker.ts), and one whose quick fix was applied,
 * or whose line an edit removed, is no longer shown. Those of the segment Corepy: Show Segment… picked
 * (every segment's by default; profile-store.ts `recommendationsOf`).
 */
import * as vscode from 'vscode';
import { throttle, type Ctx } from '../ctx.js';
import type { LineTracker } from '../views/line-tracker.js';
import type { Priority, Recommendation } from '../recommendation.js';
import { diagnosticMessage } from './diagnostic-message.js';
import { diagnosticCode, diagnosticSpan } from './diagnostic-range.js';

const SEVERITY: Record<Priority, vscode.DiagnosticSeverity> = {
  HIGH: vscode.DiagnosticSeverity.Warning,
  MEDIUM: vscode.DiagnosticSeverity.Information,
  LOW: vscode.DiagnosticSeverity.Hint,
};

/** Diagnostic code prefix; the recommendation id follows, so code actions can find it again. */
export const DIAGNOSTIC_SOURCE = 'corepy';

/** The range of a recommendation's diagnostic: its location's line, narrowed by its fix (see {@link diagnosticSpan}). */
export function recommendationRange(r: Recommendation, doc?: vscode.TextDocument): vscode.Range {
  const s = diagnosticSpan(r, (line) => (doc && line >= 0 && line < doc.lineCount ? doc.lineAt(line).text : undefined));
  return new vscode.Range(s.startLine, s.startCharacter, s.endLine, s.endCharacter);
}

export function registerDiagnostics(ctx: Ctx, lines: LineTracker): vscode.DiagnosticCollection {
  const collection = ctx.push(vscode.languages.createDiagnosticCollection('corepy'));
  const update = (): void => {
    collection.clear();
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const rec of ctx.store.shownRecommendations) {
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === rec.location.file);
      const r = lines.placeRecommendation(rec, doc);
      if (!r) continue;
      const d = new vscode.Diagnostic(
        recommendationRange(r, doc),
        diagnosticMessage(r, r.fix !== undefined),
        SEVERITY[r.priority],
      );
      d.source = DIAGNOSTIC_SOURCE;
      d.code = diagnosticCode(r);
      const list = byFile.get(r.location.file) ?? [];
      list.push(d);
      byFile.set(r.location.file, list);
    }
    for (const [file, list] of byFile) collection.set(vscode.Uri.file(file), list);
  };
  // Recommendations change once per run (at its end) and at a Show Segment pick, so no throttling is needed for those; edits come per keystroke.
  ctx.push(ctx.store.onDidChange(update));
  const moved = ctx.push(throttle(update));
  ctx.push(lines.onDidChange(moved));
  update();
  return collection;
}
