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

/** runtime/src/export/index.ts, the runtime's exporters (formats: json csv chrome speedscope folded html). */
interface RuntimeExportModule {
  renderExport(input: { report: unknown; flame: FlameProfile }, format: string): string;
}

/** Our format ids → the runtime's. Markdown is ours only. */
const RUNTIME_FORMAT: Partial<Record<ExportFormat, string>> = {
  json: 'json', csv: 'csv', 'chrome-trace': 'chrome', speedscope: 'speedscope', folded: 'folded', html: 'html',
};

// A real dynamic import: esbuild would turn `import()` into `require()` in a CJS bundle, and the
// runtime is ESM.
const importEsm = new Function('u', 'return import(u)') as (url: string) => Promise<unknown>;

/** The runtime's exporters: the run's own runtime, else the bundled one; null when neither has them. */
async function runtimeExporters(ctx: Ctx, run: RunSnapshot): Promise<RuntimeExportModule | null> {
  const bundled = path.join(ctx.extCtx.extensionPath, 'runtime');
  for (const dir of [resolveRuntime(path.dirname(run.program), undefined)?.dir, bundled]) {
    const file = dir && path.join(dir, 'dist', 'export', 'index.js');
    if (!file || !existsSync(file)) continue;
    const mod = (await importEsm(pathToFileURL(file).href)) as Partial<RuntimeExportModule>;
    if (typeof mod.renderExport === 'function') return mod as RuntimeExportModule;
  }
  return null;
}

/**
 * Renders with the runtime's exporter when the run has a full report and the runtime offers the
 * format (so files match `corepy profile`); otherwise with formats.ts (partial runs, Markdown).
 */
async function render(ctx: Ctx, run: RunSnapshot, format: ExportFormat): Promise<string> {
  const info = FORMATS.find((f) => f.id === format);
  if (!info) throw new Error(`unknown export format "${format}"`);
  const runtimeFormat = RUNTIME_FORMAT[format];
  const mod = run.report !== null && run.flame !== null && runtimeFormat ? await runtimeExporters(ctx, run) : null;
  if (mod && runtimeFormat && run.flame) {
    try {
      return mod.renderExport({ report: run.report, flame: run.flame }, runtimeFormat);
    } catch (err) {
      // A report from another runtime version may not fit this exporter; fall back rather than fail.
      ctx.log.warn(`runtime exporter for ${format} failed (${err instanceof Error ? err.message : String(err)}); using the built-in one`);
    }
  }
  return info.render(run, stamp(ctx), async () => {
    throw new Error('HTML needs the corepy runtime\'s exporter and a complete report (this run has none)');
  });
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
