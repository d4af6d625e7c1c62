/**
 * "Corepy: Export Report…": quick pick a format → save dialog → write → "Open" / "Reveal".
 * Tests (and scripts) pass `(format, targetPath)` to skip both dialogs.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExportAssets } from 'corepy/export';
import type { Ctx } from '../ctx.js';
import type { RunSnapshot } from '../profile-store.js';
import { FORMATS, PARTIAL_RUN_MESSAGE, RUNNING_MESSAGE, exportInput, type ExportFormat } from './formats.js';

/**
 * The flame-graph renderer of the runtime shipped inside the extension — never the workspace's
 * node_modules/corepy, whose files are workspace content (and exports are allowed in untrusted
 * workspaces).
 */
function assets(ctx: Ctx): ExportAssets {
  return { flameRenderer: () => readFileSync(path.join(ctx.extCtx.extensionPath, 'runtime', 'assets', 'flame-report.js'), 'utf8') };
}

/** Renders `run` as `format` with the runtime's export registry. */
function render(ctx: Ctx, run: RunSnapshot, format: ExportFormat): string {
  const info = FORMATS.find((f) => f.id === format);
  if (!info) throw new Error(`unknown export format "${format}"; allowed: ${FORMATS.map((f) => f.id).join(', ')}`);
  return info.render(exportInput(run), assets(ctx));
}

/** Writes `run` as `format` to `target`; returns the file written. */
export async function writeExport(ctx: Ctx, run: RunSnapshot, format: ExportFormat, target: vscode.Uri): Promise<vscode.Uri> {
  const text = render(ctx, run, format);
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
  // Every format needs the complete report: say so before offering formats (a run still going has none yet, nor
  // one killed before its report).
  if (run.report === null || run.flame === null) {
    void vscode.window.showWarningMessage(run.status === 'running' ? `Corepy: cannot export yet: ${RUNNING_MESSAGE}.`
      : `Corepy: cannot export: ${PARTIAL_RUN_MESSAGE}.`);
    return undefined;
  }
  const info = format ? FORMATS.find((f) => f.id === format)
    : (await vscode.window.showQuickPick(FORMATS.map((f) => ({ label: f.label, description: f.extensions.map((e) => `.${e}`).join(' '), f })),
      { title: 'Corepy: Export Report', placeHolder: 'Format' }))?.f;
  if (!info) return undefined;
  const base = path.join(path.dirname(run.program), `${path.basename(run.program).replace(/\.[^.]+$/, '')}.profile.${info.extensions[0]}`);
  const target = targetPath ? vscode.Uri.file(targetPath)
    : await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(base), filters: { [info.label]: [...new Set(info.extensions.map((e) => e.split('.').pop()!))] } });
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
