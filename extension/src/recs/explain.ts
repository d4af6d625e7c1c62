/** "Explain": the full recommendation (description, code example, evidence) as a Markdown preview. */
import * as vscode from 'vscode';
import type { Ctx } from '../ctx.js';
import type { Recommendation } from '../recommendation.js';

/** Markdown for one recommendation. */
export function explainMarkdown(r: Recommendation): string {
  const fence = (s: string): string => ['```ts', s, '```'].join('\n');
  return [
    `# ${r.title}`,
    '',
    `**Priority:** ${r.priority} · **Estimated speed-up:** ${r.estimatedSpeedup.toFixed(1)}× (measured)`,
    `**Where:** ${r.location.file}:${r.location.line}:${r.location.column}`,
    '',
    r.description,
    '',
    '## Before', fence(r.codeExample.before),
    '## After', fence(r.codeExample.after),
    '## Evidence', '```json', JSON.stringify(r.evidence, null, 2) ?? 'null', '```',
    ...(r.fix ? ['', '_A quick fix is available on the diagnostic (Ctrl+.)._'] : []),
  ].join('\n');
}

/** Opens the explanation of recommendation `id` (from the current run). */
export async function explainRecommendation(ctx: Ctx, id: string): Promise<vscode.TextDocument | undefined> {
  const rec = ctx.store.run?.recommendations.find((r) => r.id === id);
  if (!rec) {
    void vscode.window.showWarningMessage('Corepy: that recommendation is no longer in the current profile.');
    return undefined;
  }
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: explainMarkdown(rec) });
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  return doc;
}
