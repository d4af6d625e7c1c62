/**
 * "Corepy: Add corepy to this workspace": `npm install` of the corepy tarball the .vsix ships
 * (runtime-package/corepy-<version>.tgz) into a workspace folder, so `import * as cp from 'corepy'`
 * resolves in the editor (types, completions, hovers) and the script runs the same runtime as the
 * profiler. Offered in the palette and as a quick fix on the unresolved import (TS2307).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from './ctx.js';

export const ADD_COMMAND = 'corepy.addToWorkspace';

/** TypeScript's codes for a module it cannot resolve / resolves without types. */
const UNRESOLVED_CODES = new Set([2307, 7016]);

/** The shipped tarball: `runtime-package/` in the installed extension, else (a development checkout) the repository root, where `npm run package` writes it. */
export function findRuntimeTarball(extensionPath: string): string | null {
  for (const dir of [path.join(extensionPath, 'runtime-package'), extensionPath]) {
    if (!existsSync(dir)) continue;
    const tgz = readdirSync(dir).filter((f) => /^corepy-\d+\.\d+\.\d+.*\.tgz$/.test(f)).sort().pop();
    if (tgz) return path.join(dir, tgz);
  }
  return null;
}

/** What the command returns (for tests and scripted use). */
export interface AddResult {
  readonly installed: boolean;
  readonly folder?: string;
  readonly reason?: string;
}

/** Installs the tarball into `target` (a folder URI), else the active editor's workspace folder, else the first one. */
export async function addCorepyToWorkspace(ctx: Ctx, target?: vscode.Uri): Promise<AddResult> {
  const fail = (reason: string, showOutput = false): AddResult => {
    void (showOutput
      ? vscode.window.showErrorMessage(reason, 'Show Output').then((b) => { if (b) ctx.log.show(); })
      : vscode.window.showErrorMessage(reason));
    return { installed: false, reason };
  };
  if (!vscode.workspace.isTrusted) return fail('Corepy: installing packages runs npm; trust this workspace first.');
  const active = vscode.window.activeTextEditor?.document.uri;
  const folder = target?.fsPath
    ?? (active ? vscode.workspace.getWorkspaceFolder(active)?.uri.fsPath : undefined)
    ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!folder) return fail('Corepy: open a folder first; corepy is installed into its node_modules.');
  const tgz = findRuntimeTarball(ctx.extCtx.extensionPath);
  if (!tgz) return fail('Corepy: the corepy package is missing from this installation of the extension (runtime-package/corepy-*.tgz).');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const args = ['install', '--no-audit', '--no-fund', tgz];
  ctx.log.info(`in ${folder}: ${npm} ${args.join(' ')}`);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Corepy: installing corepy into ${path.basename(folder)}`, cancellable: true },
    (progress, token) => new Promise<{ code: number | null; error?: NodeJS.ErrnoException }>((resolve) => {
      const child = spawn(npm, args, { cwd: folder, shell: process.platform === 'win32', env: { ...process.env, ELECTRON_RUN_AS_NODE: undefined } });
      token.onCancellationRequested(() => child.kill());
      const onData = (b: Buffer): void => {
        const text = b.toString('utf8').trim();
        if (!text) return;
        ctx.log.info(text);
        // npm's last line so far, as the notification's detail.
        progress.report({ message: text.split('\n').pop()!.slice(0, 120) });
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('error', (error: NodeJS.ErrnoException) => resolve({ code: null, error }));
      child.on('close', (code) => resolve({ code }));
    }),
  );
  if (result.error?.code === 'ENOENT') {
    return fail(`Corepy: npm was not found on PATH. Install Node.js with npm (https://nodejs.org), or run \`npm install ${tgz}\` in ${folder} yourself.`);
  }
  if (result.error) return fail(`Corepy: could not run npm: ${result.error.message}`, true);
  if (result.code !== 0) return fail(`Corepy: npm install failed (exit ${String(result.code)}) in ${folder}; its output is in the log.`, true);
  ctx.log.info(`installed corepy into ${folder}`);
  // The TypeScript server may have cached the failed resolution: restart it (a no-op when absent).
  await vscode.commands.executeCommand('typescript.restartTsServer').then(undefined, () => undefined);
  void vscode.window.showInformationMessage(`Corepy: corepy is installed in ${path.basename(folder)}: types and completions for \`import * as cp from 'corepy'\` now work.`);
  return { installed: true, folder };
}

/** Quick fix on an unresolved `corepy` import: run the command for the file's workspace folder. */
export function registerAddCorepyQuickFix(ctx: Ctx, selector: vscode.DocumentSelector): void {
  ctx.push(vscode.languages.registerCodeActionsProvider(selector, {
    provideCodeActions(doc, _range, context) {
      const diag = context.diagnostics.find((d) => {
        const code = typeof d.code === 'object' ? d.code.value : d.code;
        return UNRESOLVED_CODES.has(Number(code)) && /['"]corepy['"]/.test(d.message);
      });
      if (!diag) return [];
      const folder = vscode.workspace.getWorkspaceFolder(doc.uri)?.uri ?? vscode.Uri.file(path.dirname(doc.uri.fsPath));
      const action = new vscode.CodeAction('Corepy: Add corepy to this workspace (npm install of the bundled package)', vscode.CodeActionKind.QuickFix);
      action.diagnostics = [diag];
      action.isPreferred = true;
      action.command = { command: ADD_COMMAND, title: 'Add corepy to this workspace', arguments: [folder] };
      return [action];
    },
  }, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }));
}
