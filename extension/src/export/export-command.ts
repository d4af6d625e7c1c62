/**
 * "Corepy: Export Report…": quick pick a format → save dialog → write → "Open" / "Reveal".
 * Tests (and scripts) pass `(format, targetPath)` to skip both dialogs.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as vscode from 'vscode';
import type { Ctx } from '../ctx.js';
import type { FlameProfile } from '../../../runtime/src/profiler/flame-model.js';
import type { RunSnapshot } from '../profile-store.js';
import { resolveRuntime } from '../debug/resolve-runtime.js';
import { FORMATS, type ExportFormat } from './formats.js';

interface HtmlExportModule {
  renderHtmlReport(profile: FlameProfile, options?: { title?: string }): string;
}

// A real dynamic import: esbuild would turn `import()` into `require()` in a CJS bundle, and the
// runtime is ESM.
const importEsm = new Function('u', 'return import(u)') as (url: string) => Promise<unknown>;

/** Renders HTML with the runtime's exporter: the run's own runtime, else the bundled one. */
async function renderHtml(ctx: Ctx, run: RunSnapshot): Promise<string> {
  if (!run.flame) throw new Error('this run has no flame profile (it ended before the report)');
  const bundled = path.join(ctx.extCtx.extensionPath, 'runtime');
  const candidates = [resolveRuntime(path.dirname(run.program), undefined)?.dir, bundled];
  for (const dir of candidates) {
    const file = dir && path.join(dir, 'dist', 'export', 'html.js');
    if (!file || !existsSync(file)) continue;
    const mod = (await importEsm(pathToFileURL(file).href)) as Partial<HtmlExportModule>;
    if (typeof mod.renderHtmlReport === 'function') return mod.renderHtmlReport(run.flame);
  }
  throw new Error('the corepy runtime\'s HTML exporter (dist/export/html.js) was not found');
}

function stamp(ctx: Ctx): string {
  return `corepy-profiler ${String((ctx.extCtx.extension.packageJSON as { version?: unknown }).version ?? '?')}`;
}

/** Writes `run` as `format` to `target`; returns the file written. */
export async function writeExport(ctx: Ctx, run: RunSnapshot, format: ExportFormat, target: vscode.Uri): Promise<vscode.Uri> {
  const info = FORMATS.find((f) => f.id === format);
  if (!info) throw new Error(`unknown export format "${format}"`);
  const text = await info.render(run, stamp(ctx), (r) => renderHtml(ctx, r));
  await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
  ctx.log.info(`exported ${info.label} to ${target.fsPath}`);
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
