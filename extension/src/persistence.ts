/**
 * Keeps the last run (and the baseline) per workspace as JSON files in the extension's
 * workspace storage, so reopening the folder shows the last run; a new run replaces it.
 * Files rather than workspaceState because flame profiles can be megabytes.
 */
import * as vscode from 'vscode';
import type { RunSnapshot } from './profile-store.js';

export type SlotName = 'lastRun' | 'baseline';

function storageDir(ext: vscode.ExtensionContext): vscode.Uri {
  return ext.storageUri ?? ext.globalStorageUri;
}

function slotUri(ext: vscode.ExtensionContext, slot: SlotName): vscode.Uri {
  return vscode.Uri.joinPath(storageDir(ext), `${slot}.json`);
}

function isSnapshot(v: unknown): v is RunSnapshot {
  return typeof v === 'object' && v !== null && (v as { version?: unknown }).version === 1
    && Array.isArray((v as { sites?: unknown }).sites) && typeof (v as { program?: unknown }).program === 'string';
}

export async function saveRun(ext: vscode.ExtensionContext, slot: SlotName, run: RunSnapshot | undefined): Promise<void> {
  const uri = slotUri(ext, slot);
  if (run === undefined) {
    await vscode.workspace.fs.delete(uri).then(undefined, () => undefined);
    return;
  }
  await vscode.workspace.fs.createDirectory(storageDir(ext));
  await vscode.workspace.fs.writeFile(uri, Buffer.from(JSON.stringify(run)));
}

/** The stored run, or undefined when there is none or it is unreadable (an old format). */
export async function loadRun(ext: vscode.ExtensionContext, slot: SlotName): Promise<RunSnapshot | undefined> {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(slotUri(ext, slot))).toString('utf8'));
    return isSnapshot(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
