/**
 * Status bar item: while a script is profiled, its live totals (click: Stop); after the run, the
 * run's summary (click: Show Flame Graph), also for a run restored from the last session. Hidden
 * when there is no profile.
 */
import * as vscode from 'vscode';
import { throttle, type Ctx } from '../ctx.js';
import { failed, statusFor, statusTooltip, type StatusView } from './labels.js';

export type { StatusView };

export function registerStatus(ctx: Ctx): () => StatusView {
  const item = ctx.push(vscode.window.createStatusBarItem('corepy.status', vscode.StatusBarAlignment.Left, 10));
  item.name = 'Corepy Profiler';
  let shown: StatusView = { visible: false, text: '', command: undefined };
  const update = (): void => {
    const run = ctx.store.run;
    const s = statusFor(run, ctx.store.segment);
    if (s === undefined || run === undefined) {
      item.hide();
      shown = { visible: false, text: '', command: undefined };
      return;
    }
    item.text = s.text;
    item.command = s.command;
    const tooltip = statusTooltip(run, s.command);
    item.tooltip = tooltip;
    item.backgroundColor = failed(run) ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    item.show();
    shown = { ...s, tooltip };
  };
  const t = ctx.push(throttle(update));
  ctx.push(ctx.store.onDidChange(t));
  update();
  return () => shown;
}
