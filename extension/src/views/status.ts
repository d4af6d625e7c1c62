/**
 * Status bar item: while a script is profiled, its live totals (click: Stop); after the run, the
 * run's summary (click: Show Flame Graph), also for a run restored from the last session. Hidden
 * when there is no profile.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { throttle, type Ctx } from '../ctx.js';
import { formatMs, type RunSnapshot } from '../profile-store.js';

/** What the item currently shows (read by tests through the extension's API). */
export interface StatusView {
  readonly visible: boolean;
  readonly text: string;
  readonly command: string | undefined;
}

/** True when the script ended with a non-zero exit code (a thrown error, a syntax error, process.exit(n)). */
export function failed(run: RunSnapshot): boolean {
  return run.status !== 'running' && run.exitCode !== null && run.exitCode !== 0;
}

/** Text and command for `run`; undefined hides the item. */
export function statusFor(run: RunSnapshot | undefined): StatusView | undefined {
  if (run === undefined) return undefined;
  const ops = run.sites.reduce((a, s) => a + s.count, 0);
  const file = path.basename(run.program);
  if (run.status === 'running') {
    return { visible: true, text: `$(pulse) corepy: ${file} · ${formatMs(run.totalMs)} · ${ops} ops`, command: 'corepy.stop' };
  }
  if (failed(run)) {
    // A distinct state: the run's error is in the Debug Console, which the click opens.
    return { visible: true, text: `$(error) corepy: ${file} failed (exit ${String(run.exitCode)}) · ${formatMs(run.totalMs)} · ${ops} ops`, command: 'workbench.panel.repl.view.focus' };
  }
  const ended = run.status === 'partial' ? ' (partial)' : '';
  return { visible: true, text: `$(flame) corepy: ${file}${ended} · ${formatMs(run.totalMs)} · ${ops} ops`, command: 'corepy.showFlameGraph' };
}

export function registerStatus(ctx: Ctx): () => StatusView {
  const item = ctx.push(vscode.window.createStatusBarItem('corepy.status', vscode.StatusBarAlignment.Left, 10));
  item.name = 'Corepy Profiler';
  let shown: StatusView = { visible: false, text: '', command: undefined };
  const update = (): void => {
    const s = statusFor(ctx.store.run);
    if (s === undefined) {
      item.hide();
      shown = { visible: false, text: '', command: undefined };
      return;
    }
    item.text = s.text;
    item.command = s.command;
    const run = ctx.store.run;
    const bad = run !== undefined && failed(run);
    item.tooltip = s.command === 'corepy.stop' ? 'Profiling with corepy. Click to stop.'
      : bad ? 'The script failed. Click for its output in the Debug Console.' : 'Last corepy profile. Click for the flame graph.';
    item.backgroundColor = bad ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    item.show();
    shown = s;
  };
  const t = ctx.push(throttle(update));
  ctx.push(ctx.store.onDidChange(t));
  update();
  return () => shown;
}
