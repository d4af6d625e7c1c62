/**
 * "Explain": the full recommendation as a read-only Markdown preview. The text lives in a virtual
 * document (scheme `corepy-explain`, served by a TextDocumentContentProvider from the current
 * run), so it cannot be edited or saved by mistake; the built-in Markdown preview renders it. Only
 * the recommendations of the segment Corepy: Show Segment… shows are explained (each as that
 * segment's report has it); another segment's says so.
 */
import * as vscode from 'vscode';
import type { Ctx } from '../ctx.js';
import { explainMarkdown } from './explain-markdown.js';

/** URI scheme of explanation documents. */
export const EXPLAIN_SCHEME = 'corepy-explain';

/** The explanation URI of recommendation `id` (the id travels in the query; the path names the tab). */
function explainUri(id: string, title: string): vscode.Uri {
  const name = title.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'recommendation';
  return vscode.Uri.from({ scheme: EXPLAIN_SCHEME, path: `/${name}.md`, query: encodeURIComponent(id) });
}

/** Serves explanation documents from the current run. */
export function registerExplain(ctx: Ctx): void {
  const changed = ctx.push(new vscode.EventEmitter<vscode.Uri>());
  const open = new Set<string>();
  /** Explanations being opened again (store changes come several times a second while a run streams). */
  const reopening = new Set<string>();
  ctx.push(vscode.workspace.registerTextDocumentContentProvider(EXPLAIN_SCHEME, {
    onDidChange: changed.event,
    provideTextDocumentContent(uri) {
      open.add(uri.toString());
      const id = decodeURIComponent(uri.query);
      const rec = ctx.store.shownRecommendations.find((r) => r.id === id);
      if (rec) return explainMarkdown(rec);
      return inRun(ctx, id)
        ? '# Recommendation in another segment\n\nThat recommendation is not in the segment the editor shows: pick its segment, or All segments, with Corepy: Show Segment….'
        : '# Recommendation gone\n\nThat recommendation is not in the current profile any more: run the profiler again.';
    },
  }));
  // A new run, or a segment picked with Show Segment…, replaces the recommendations: refresh open explanations.
  ctx.push(ctx.store.onDidChange(() => {
    const loaded = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
    for (const u of open) {
      const uri = vscode.Uri.parse(u);
      if (loaded.has(u)) changed.fire(uri);
      // VS Code unloads a document no editor shows 3 minutes after it was last opened (the Markdown preview holds none), and
      // a change event for an unloaded document is dropped: the preview kept the old text (audit 30). Opening it again
      // reads the new text, and the preview refreshes on that open.
      else if (previewShown(uri)) {
        if (reopening.has(u)) continue;
        reopening.add(u);
        void vscode.workspace.openTextDocument(uri).then(() => reopening.delete(u), () => reopening.delete(u));
      }
      else open.delete(u);
    }
  }));
}

/**
 * Whether a Markdown preview of explanation `uri` is open in a tab. The tab API does not tell a
 * webview's resource: its title does ("Preview <name>.md").
 */
function previewShown(uri: vscode.Uri): boolean {
  const name = uri.path.slice(uri.path.lastIndexOf('/') + 1);
  return vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputWebview && t.label.endsWith(name)));
}

/** Opens the explanation of recommendation `id` (from the current run) as a read-only preview; returns its document. */
export async function explainRecommendation(ctx: Ctx, id: string): Promise<vscode.TextDocument | undefined> {
  const rec = ctx.store.shownRecommendations.find((r) => r.id === id);
  if (!rec) {
    void vscode.window.showWarningMessage(inRun(ctx, id)
      ? 'Corepy: that recommendation is in another segment than the one shown (Corepy: Show Segment… picks it, or All segments).'
      : 'Corepy: that recommendation is no longer in the current profile.');
    return undefined;
  }
  const uri = explainUri(id, rec.title);
  const doc = await vscode.languages.setTextDocumentLanguage(await vscode.workspace.openTextDocument(uri), 'markdown');
  try {
    await vscode.commands.executeCommand('markdown.showPreviewToSide', uri);
  } catch (e) {
    // No Markdown preview (the built-in extension disabled): the virtual document is read-only anyway.
    ctx.log.info(`markdown preview unavailable (${String(e)}); showing the explanation as text`);
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  }
  return doc;
}

/** Whether recommendation `id` is in the current run, in any of its segments. */
function inRun(ctx: Ctx, id: string): boolean {
  return ctx.store.run?.recommendations.some((r) => r.id === id) ?? false;
}
