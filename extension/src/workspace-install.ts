/**
 * "Corepy: Add corepy to this workspace": `npm install` of the corepy tarball the .vsix ships
 * (runtime-package/corepy-<version>.tgz) into a workspace folder, so `import * as cp from 'corepy'`
 * resolves in the editor (types, completions, hovers) and the script runs the same runtime as the
 * profiler. Offered in the palette and as a quick fix on the unresolved import (TS2307).
 *
 * The tarball is first copied into the folder (`vendor/corepy-<version>.tgz`) and installed from
 * there, so package.json and package-lock.json say `file:vendor/corepy-<version>.tgz`: a path inside
 * the project, which a clone, CI (`npm ci`) or the next version of the extension can install. A path
 * into the extensions folder (the tarball where the extension keeps it) would name this machine and
 * this extension version.
 */
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from './ctx.js';

export const ADD_COMMAND = 'corepy.addToWorkspace';

/** The folder, inside the workspace folder, that holds the installed tarball (committed with the project). */
export const VENDOR_DIR = 'vendor';

/** A corepy tarball's file name, as `npm pack` writes it. */
const TARBALL_NAME = /^corepy-\d+\.\d+\.\d+.*\.tgz$/;

/** TypeScript's codes for a module it cannot resolve / resolves without types. */
const UNRESOLVED_CODES = new Set([2307, 7016]);

/** The shipped tarball: `runtime-package/` in the installed extension, else (a development checkout) the repository root, where `npm run package` writes it. */
export function findRuntimeTarball(extensionPath: string): string | null {
  for (const dir of [path.join(extensionPath, 'runtime-package'), extensionPath]) {
    if (!existsSync(dir)) continue;
    const tgz = readdirSync(dir).filter((f) => TARBALL_NAME.test(f)).sort().pop();
    if (tgz) return path.join(dir, tgz);
  }
  return null;
}

/** What the command returns (for tests and scripted use). */
export interface AddResult {
  readonly installed: boolean;
  readonly folder?: string;
  readonly reason?: string;
  /** The installed tarball, relative to the folder with `/` separators (`vendor/corepy-0.1.0.tgz`). */
  readonly tarball?: string;
  /** Older tarballs removed from `vendor/` (relative, like `tarball`). */
  readonly replaced?: readonly string[];
  /** Whether git ignores the tarball (undefined: not a git repository, or git is missing). */
  readonly gitIgnored?: boolean;
  /** The notification shown. */
  readonly message?: string;
}

/** Whether git ignores `rel` in `folder`: `git check-ignore` exits 0 (ignored) or 1 (not); anything else (no repository, no git) is undefined. */
function gitIgnores(folder: string, rel: string): Promise<boolean | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['check-ignore', '-q', '--', rel], { cwd: folder }, (err) => {
      if (!err) resolve(true);
      else resolve(typeof err.code === 'number' && err.code === 1 ? false : undefined);
    });
  });
}

/**
 * Installs the tarball into `target` (a folder URI), else the active editor's workspace folder, else
 * the first one. `tarball` replaces the shipped one (tests install a stand-in package).
 */
export async function addCorepyToWorkspace(ctx: Ctx, target?: vscode.Uri, tarball?: string): Promise<AddResult> {
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
  const shipped = tarball ?? findRuntimeTarball(ctx.extCtx.extensionPath);
  if (!shipped) return fail('Corepy: the corepy package is missing from this installation of the extension (runtime-package/corepy-*.tgz).');
  // Into vendor/ first: npm writes the spec relative to package.json, so the project carries its own copy.
  const vendor = path.join(folder, VENDOR_DIR);
  const name = path.basename(shipped);
  const tgz = path.join(vendor, name);
  const rel = `${VENDOR_DIR}/${name}`;
  const existed = existsSync(tgz);
  try {
    mkdirSync(vendor, { recursive: true });
    if (path.resolve(shipped) !== path.resolve(tgz)) copyFileSync(shipped, tgz);
  } catch (err) {
    return fail(`Corepy: could not copy the corepy package into ${vendor}: ${err instanceof Error ? err.message : String(err)}`);
  }
  // On failure a copy made here goes again; one that was there before (package.json may name it) stays.
  const failInstall = (reason: string, showOutput = false): AddResult => {
    if (!existed) rmSync(tgz, { force: true });
    return fail(reason, showOutput);
  };
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
    // The copy stays: it is what the suggested command installs.
    return fail(`Corepy: npm was not found on PATH. Install Node.js with npm (https://nodejs.org), or run \`npm install ./${rel}\` in ${folder} yourself.`);
  }
  if (result.error) return failInstall(`Corepy: could not run npm: ${result.error.message}`, true);
  if (result.code !== 0) return failInstall(`Corepy: npm install failed (exit ${String(result.code)}) in ${folder}; its output is in the log.`, true);
  // package.json now names this tarball: older ones in vendor/ are left over from earlier versions.
  const replaced = readdirSync(vendor).filter((f) => TARBALL_NAME.test(f) && f !== name).map((f) => `${VENDOR_DIR}/${f}`);
  for (const old of replaced) rmSync(path.join(folder, old), { force: true });
  ctx.log.info(`installed corepy into ${folder} from ${rel}${replaced.length ? `; removed ${replaced.join(', ')}` : ''}`);
  // The TypeScript server may have cached the failed resolution: restart it (a no-op when absent).
  await vscode.commands.executeCommand('typescript.restartTsServer').then(undefined, () => undefined);
  const gitIgnored = await gitIgnores(folder, rel);
  const message = `Corepy: corepy is installed in ${path.basename(folder)} from ${rel}${replaced.length ? ` (replacing ${replaced.join(', ')})` : ''}. `
    + `Commit ${rel} with package.json and package-lock.json: they install corepy from there (a clone, npm ci). `
    + (gitIgnored ? `git ignores it: add \`!${VENDOR_DIR}/corepy-*.tgz\` to .gitignore. ` : '')
    + `Types and completions for \`import * as cp from 'corepy'\` now work.`;
  void (gitIgnored ? vscode.window.showWarningMessage(message) : vscode.window.showInformationMessage(message));
  return { installed: true, folder, tarball: rel, replaced, gitIgnored, message };
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
