/**
 * "Corepy: Export Report…": quick pick a format → save dialog → write → "Open" / "Reveal".
 * Tests (and scripts) pass `(format, targetPath)` to skip both dialogs.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as vscode from 'vscode';
import type { Ctx } from '../ctx.js';
import type { ExportInput } from '../../../runtime/src/export/types.js';
import type { RunSnapshot } from '../profile-store.js';
import { FORMATS, PARTIAL_RUN_MESSAGE, type ExportFormat } from './formats.js';

// A real dynamic import: esbuild would turn `import()` into `require()` in a CJS bundle, and the
// runtime is ESM.
const importEsm = new Function('u', 'return import(u)') as (url: string) => Promise<unknown>;

/**
 * runtime/src/export/html.ts from the runtime shipped inside the extension — never the
 * workspace's node_modules/corepy, which would run workspace code in the extension host (and
 * exports are allowed in untrusted workspaces).
 */
async function renderHtml(ctx: Ctx, input: ExportInput): Promise<string> {
  const file = path.join(ctx.extCtx.extensionPath, 'runtime', 'dist', 'export', 'html.js');
  const mod = (await importEsm(pathToFileURL(file).href)) as { renderHtmlReport?: (flame: ExportInput['flame'], o: { title?: string }) => string };
  if (typeof mod.renderHtmlReport !== 'function') throw new Error(`${file} has no renderHtmlReport`);
  return mod.renderHtmlReport(input.flame, { title: input.flame.title });
}

/** Renders `run` as `format` with the runtime's exporters (formats.ts). */
async function render(ctx: Ctx, run: RunSnapshot, format: ExportFormat): Promise<string> {
  const info = FORMATS.find((f) => f.id === format);
  if (!info) throw new Error(`unknown export format "${format}"`);
  return info.render(run, stamp(ctx), (input) => renderHtml(ctx, input));
}

function stamp(ctx: Ctx): string {
  return `corepy-profiler ${String((ctx.extCtx.extension.packageJSON as { version?: unknown }).version ?? '?')}`;
}

/** Writes `run` as `format` to `target`; returns the file written. */
export async function writeExport(ctx: Ctx, run: RunSnapshot, format: ExportFormat, target: vscode.Uri): Promise<vscode.Uri> {
  const text = await render(ctx, run, format);
  await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
  ctx.log.info(`exported ${format} to ${target.fsPath}`);
  return target;
}

/** The command. With arguments it runs without any dialog and returns the written file's path. */
export async function exportReport(ctx: Ctx, format?: ExportFormat, targetPath?: string): Promise<string | undefined> {
  const run = ctx.store.run;
  if (!run) {
    void vscode.window.showInformationMessage('Corepy: nothing to export yet. Run "Corepy: Run and Profile Current File" first.');
    return undefined;
  }
  const info = format ? FORMATS.find((f) => f.id === format)
    : (await vscode.window.showQuickPick(FORMATS.map((f) => ({ label: f.label, description: `.${f.extension}`, f })),
      { title: 'Corepy: Export Report', placeHolder: 'Format' }))?.f;
  if (!info) return undefined;
  if (info.needsReport && (run.report === null || run.flame === null)) {
    void vscode.window.showWarningMessage(`Corepy: cannot export ${info.label}: ${PARTIAL_RUN_MESSAGE}.`);
    return undefined;
  }
  const base = path.join(path.dirname(run.program), `${path.basename(run.program).replace(/\.[^.]+$/, '')}.profile.${info.extension}`);
  const target = targetPath ? vscode.Uri.file(targetPath)
    : await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(base), filters: { [info.label]: [info.extension.split('.').pop()!] } });
  if (!target) return undefined;
  try {
    await writeExport(ctx, run, info.id, target);
  } catch (err) {
    ctx.log.error(`export ${info.id} failed`, err);
    void vscode.window.showErrorMessage(`Corepy: export failed: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
  if (!targetPath) {
    void vscode.window.showInformationMessage(`Corepy: wrote ${path.basename(target.fsPath)}`, 'Open', 'Reveal').then((pick) => {
      if (pick === 'Open') void vscode.commands.executeCommand('vscode.open', target);
      if (pick === 'Reveal') void vscode.commands.executeCommand('revealFileInOS', target);
    });
  }
  return target.fsPath;
}
