/**
 * The notifications a run ends with (failed, ended early, ran no ops) and the untrusted-workspace
 * refusal: shown through VS Code and remembered (the last few), so the extension's API can say
 * what the user was told, with which buttons, and whether it is still open (the extension-host
 * tests read it).
 *
 * An extension cannot close a notification it showed, but VS Code closes one itself when another
 * with the same text and buttons from the same extension is shown: a run's notice therefore says
 * only what depends on the script and how it ended, so a rerun that ends the same way replaces the
 * last run's notice instead of stacking a second one.
 */
import * as vscode from 'vscode';

export type NoticeKind = 'info' | 'warning' | 'error';

/** One notification as shown: its severity, text and buttons. */
export interface Notice {
  readonly kind: NoticeKind;
  readonly message: string;
  readonly buttons: readonly string[];
  /** False once VS Code closed it: a button clicked, dismissed, or replaced by an identical one. */
  readonly open: boolean;
}

/** How many notices are remembered. */
const KEEP = 20;
const shown: { kind: NoticeKind; message: string; buttons: readonly string[]; open: boolean }[] = [];

/** Shows a notification; resolves to the button clicked (undefined when dismissed or replaced). */
export function notify(kind: NoticeKind, message: string, ...buttons: string[]): Thenable<string | undefined> {
  const notice = { kind, message, buttons, open: true };
  shown.push(notice);
  if (shown.length > KEEP) shown.splice(0, shown.length - KEEP);
  const show = kind === 'error' ? vscode.window.showErrorMessage : kind === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  return show(message, ...buttons).then((button) => {
    notice.open = false;
    return button;
  });
}

/** The notices shown so far in this window, oldest first (at most the last 20), as they are now. */
export function recentNotices(): readonly Notice[] {
  return shown.map((n) => ({ ...n }));
}
