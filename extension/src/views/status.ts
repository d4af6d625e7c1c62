/** Status bar item shown while a script is being profiled (click: Stop). */
import * as vscode from 'vscode';
import { throttle, type Ctx } from '../ctx.js';
import { formatMs } from '../profile-store.js';
import * as path from 'node:path';

export function registerStatus(ctx: Ctx): void {
  const item = ctx.push(vscode.window.createStatusBarItem('corepy.status', vscode.StatusBarAlignment.Left, 10));
  item.name = 'Corepy Profiler';
  item.command = 'corepy.stop';
  const update = (): void => {
    const run = ctx.store.run;
    if (run?.status !== 'running') { item.hide(); return; }
    const ops = run.sites.reduce((a, s) => a + s.count, 0);
    item.text = `$(pulse) corepy: ${path.basename(run.program)} · ${formatMs(run.totalMs)} · ${ops} ops`;
    item.tooltip = 'Profiling with corepy. Click to stop.';
    item.show();
  };
  const t = ctx.push(throttle(update));
  ctx.push(ctx.store.onDidChange(t));
}
