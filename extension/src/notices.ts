/**
 * The notifications a run ends with (failed, ended early, ran no ops) and the untrusted-workspace
 * refusal: shown through VS Code and remembered (the last few), so the extension's API can say
 * what the user was told, with which buttons, and whether it is still open (the extension-host
 * tests read it).
 *
 * An extension cannot close a notification it showed, but VS Code closes one itself when another
 * with the same text and buttons from the same extension is shown: a run's notice therefore says
 * only what depends on the script and how it ended, so a rerun that ends the same way replaces the
 * last run's notice instead of stacking a second one. A run's notice that ended otherwise (a
 * failure, then a run that succeeds) would stay on screen through the next run, an error's until
 * closed by hand (audit 29): when a new run starts, a run notice still open has its toast hidden
 * (VS Code's `notifications.hideToasts`, what Escape does); it stays in the notification centre.
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
  /** A run's end notice ({@link notifyRunEnd}): hidden when the next run starts. */
  readonly ofRun: boolean;
  /** True once a later run started while it was open: its toast was hidden (it stays in the notification centre). */
  readonly hidden: boolean;
}

/** How many notices are remembered. */
const KEEP = 20;
const shown: { kind: NoticeKind; message: string; buttons: readonly string[]; open: boolean; ofRun: boolean; hidden: boolean }[] = [];

/** Shows a notification; resolves to the button clicked (undefined when dismissed or replaced). */
export function notify(kind: NoticeKind, message: string, ...buttons: string[]): Thenable<string | undefined> {
  return show(false, kind, message, buttons);
}

/** Shows how a run ended (failed, ended early, ran no ops): as {@link notify}, and hidden when the next run starts ({@link hideRunNotices}). */
export function notifyRunEnd(kind: NoticeKind, message: string, ...buttons: string[]): Thenable<string | undefined> {
  return show(true, kind, message, buttons);
}

/**
 * A new run starts: hides the toasts when an earlier run's notice is still open, so that it does not
 * read as this run's outcome. An extension cannot close its notification; VS Code's hideToasts moves
 * every toast into the notification centre (nothing is lost there), and runs only when one of ours is open.
 */
export function hideRunNotices(): void {
  const open = shown.filter((n) => n.ofRun && n.open && !n.hidden);
  if (open.length === 0) return;
  for (const n of open) n.hidden = true;
  void vscode.commands.executeCommand('notifications.hideToasts');
}

function show(ofRun: boolean, kind: NoticeKind, message: string, buttons: readonly string[]): Thenable<string | undefined> {
  const notice = { kind, message, buttons, open: true, ofRun, hidden: false };
  shown.push(notice);
  if (shown.length > KEEP) shown.splice(0, shown.length - KEEP);
  const showMessage = kind === 'error' ? vscode.window.showErrorMessage : kind === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  return showMessage(message, ...buttons).then((button) => {
    notice.open = false;
    return button;
  });
}

/** The notices shown so far in this window, oldest first (at most the last 20), as they are now. */
export function recentNotices(): readonly Notice[] {
  return shown.map((n) => ({ ...n }));
}
