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

/**
 * A stored run in the current shape, upgrading version 1 (one `totalMs`: op time while live, wall
 * time once finished) to version 2 (op and wall time apart); undefined when it is neither.
 */
export function upgradeSnapshot(v: unknown): RunSnapshot | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as { version?: unknown; sites?: unknown; program?: unknown; totalMs?: unknown; status?: unknown };
  if (!Array.isArray(o.sites) || typeof o.program !== 'string') return undefined;
  if (o.version === 2) return v as RunSnapshot;
  if (o.version !== 1) return undefined;
  const { totalMs, ...rest } = o;
  const sites = o.sites as RunSnapshot['sites'];
  const opTimeMs = sites.reduce((a, s) => a + (typeof s.totalMs === 'number' ? s.totalMs : 0), 0);
  const wallTimeMs = o.status !== 'running' && typeof totalMs === 'number' ? totalMs : 0;
  return { ...(rest as Omit<RunSnapshot, 'version' | 'opTimeMs' | 'wallTimeMs'>), version: 2, opTimeMs, wallTimeMs };
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

/** The stored run, or undefined when there is none or it is unreadable (an unknown format). */
export async function loadRun(ext: vscode.ExtensionContext, slot: SlotName): Promise<RunSnapshot | undefined> {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(slotUri(ext, slot))).toString('utf8'));
    return upgradeSnapshot(parsed);
  } catch {
    return undefined;
  }
}
