/**
 * The notifications a run ends with (failed, ended early, ran no ops) and the untrusted-workspace
 * refusal: shown through VS Code and remembered (the last few), so the extension's API can say
 * what the user was told and with which buttons (the extension-host tests read it).
 */
import * as vscode from 'vscode';

export type NoticeKind = 'info' | 'warning' | 'error';

/** One notification as shown: its severity, text and buttons. */
export interface Notice {
  readonly kind: NoticeKind;
  readonly message: string;
  readonly buttons: readonly string[];
}

/** How many notices are remembered. */
const KEEP = 20;
const shown: Notice[] = [];

/** Shows a notification; resolves to the button clicked (undefined when dismissed). */
export function notify(kind: NoticeKind, message: string, ...buttons: string[]): Thenable<string | undefined> {
  shown.push({ kind, message, buttons });
  if (shown.length > KEEP) shown.splice(0, shown.length - KEEP);
  const show = kind === 'error' ? vscode.window.showErrorMessage : kind === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  return show(message, ...buttons);
}

/** The notices shown so far in this window, oldest first (at most the last 20). */
export function recentNotices(): readonly Notice[] {
  return [...shown];
}
