/**
 * "Corepy: Open Tutorials": the runnable tutorials the corepy package ships
 * (`node_modules/corepy/tutorials/`), copied into the workspace folder as `tutorials/` so they can be
 * edited and run, then their README opened. It asks before it writes anything; without corepy in the
 * workspace it offers "Add corepy to this workspace" first (the tutorials come with that package, and
 * their imports need it).
 */
import { cpSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from './ctx.js';
import { addCorepyToWorkspace } from './workspace-install.js';

export const TUTORIALS_COMMAND = 'corepy.openTutorials';

/** What the command returns (for tests and scripted use). */
export interface TutorialsResult {
  /** The README opened (absolute path), when one was. */
  readonly opened?: string;
  /** Whether this call copied the tutorials into the folder. */
  readonly copied: boolean;
  /** Why nothing was opened (no folder, declined, install failed). */
  readonly reason?: string;
}

/** The corepy tutorials' first chapter: a folder holding it is a copy of them. */
const FIRST_CHAPTER = '01_profiling_basics';

/** Where the copy goes: `tutorials/`, unless the folder has a `tutorials/` of its own (then `corepy-tutorials/`). */
function destination(folder: string): string {
  const plain = path.join(folder, 'tutorials');
  return !existsSync(plain) || isCopy(plain) ? plain : path.join(folder, 'corepy-tutorials');
}

/** Whether `dir` holds a copy of corepy's tutorials: their first chapter and the README that is opened (a user's own folder may have a chapter of an old copy alone). */
function isCopy(dir: string): boolean {
  return existsSync(path.join(dir, FIRST_CHAPTER)) && existsSync(path.join(dir, 'README.md'));
}

/** Opens the README as a Markdown preview (its links open the chapters), else as text. */
async function openReadme(readme: string): Promise<void> {
  const uri = vscode.Uri.file(readme);
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch {
    await vscode.window.showTextDocument(uri);
  }
}

/**
 * Opens the tutorials of `target` (a folder URI), else of the active editor's workspace folder, else
 * of the first one, copying them there first. `copy` answers the questions beforehand (true: copy,
 * installing corepy when needed; false: only open a copy already there).
 */
export async function openTutorials(ctx: Ctx, target?: vscode.Uri, copy?: boolean): Promise<TutorialsResult> {
  const stop = (reason: string): TutorialsResult => {
    void vscode.window.showInformationMessage(reason);
    return { copied: false, reason };
  };
  const active = vscode.window.activeTextEditor?.document.uri;
  const folder = target?.fsPath
    ?? (active ? vscode.workspace.getWorkspaceFolder(active)?.uri.fsPath : undefined)
    ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!folder) return stop('Corepy: open a folder first; the tutorials are copied into it.');
  const dest = destination(folder);
  const rel = path.basename(dest);
  if (isCopy(dest)) {
    const readme = path.join(dest, 'README.md');
    await openReadme(readme);
    return { opened: readme, copied: false };
  }
  if (copy === false) return { copied: false, reason: `no ${rel}/ in ${folder}` };
  const src = path.join(folder, 'node_modules', 'corepy', 'tutorials');
  const hasCorepy = existsSync(path.join(src, FIRST_CHAPTER));
  if (copy === undefined) {
    const question = hasCorepy
      ? `Copy corepy's tutorials into ${path.basename(folder)}/${rel}/, to edit and run them?`
      : `The tutorials come with the corepy package, which ${path.basename(folder)} does not have yet. Add corepy to this workspace (npm install) and copy its tutorials into ${rel}/?`;
    const answer = await vscode.window.showInformationMessage(question, { modal: true }, hasCorepy ? 'Copy' : 'Add corepy and Copy');
    if (!answer) return { copied: false, reason: 'declined' };
  }
  if (!hasCorepy) {
    const added = await addCorepyToWorkspace(ctx, vscode.Uri.file(folder));
    if (!added.installed) return { copied: false, reason: added.reason };
    // npm may have installed into a parent folder's project, whose node_modules this is not.
    if (!existsSync(path.join(src, FIRST_CHAPTER))) return stop(`Corepy: corepy was installed, but ${src} has no tutorials.`);
  }
  try {
    cpSync(src, dest, { recursive: true, errorOnExist: false, force: false });
  } catch (err) {
    return stop(`Corepy: could not copy the tutorials into ${dest}: ${err instanceof Error ? err.message : String(err)}`);
  }
  ctx.log.info(`copied ${src} to ${dest}`);
  const readme = path.join(dest, 'README.md');
  await openReadme(readme);
  // Without Node's types the editor marks every console and process in them red (they still run).
  const types = existsSync(path.join(folder, 'node_modules', '@types', 'node')) ? '' : ' They use Node\'s console and process: `npm i -D @types/node` gives the editor their types.';
  void vscode.window.showInformationMessage(`Corepy: copied the tutorials into ${rel}/. Open one and run "Corepy: Run and Profile Current File".${types}`);
  return { opened: readme, copied: true };
}
