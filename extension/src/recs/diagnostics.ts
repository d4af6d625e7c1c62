/** Recommendations as diagnostics (source "corepy"), severity by priority. */
import * as vscode from 'vscode';
import type { Ctx } from '../ctx.js';
import { impactLabel, type Priority, type Recommendation } from '../recommendation.js';
import { diagnosticSpan } from './diagnostic-range.js';

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

export function registerDiagnostics(ctx: Ctx): vscode.DiagnosticCollection {
  const collection = ctx.push(vscode.languages.createDiagnosticCollection('corepy'));
  const update = (): void => {
    collection.clear();
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const r of ctx.store.run?.recommendations ?? []) {
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === r.location.file);
      const d = new vscode.Diagnostic(
        recommendationRange(r, doc),
        `${r.title} (${r.impact === 'unknown' ? 'impact unknown' : `${impactLabel(r)} faster`}): ${r.description}`,
        SEVERITY[r.priority],
      );
      d.source = DIAGNOSTIC_SOURCE;
      d.code = r.id;
      const list = byFile.get(r.location.file) ?? [];
      list.push(d);
      byFile.set(r.location.file, list);
    }
    for (const [file, list] of byFile) collection.set(vscode.Uri.file(file), list);
  };
  // Recommendations change once per run (at its end), so no throttling is needed.
  ctx.push(ctx.store.onDidChange(update));
  update();
  return collection;
}
