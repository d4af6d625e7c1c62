/**
 * Entry point: builds the Ctx, registers commands, the debug type and the views, restores the
 * last run. Activation failures are shown to the user and rethrown (so VS Code marks the
 * extension as failed instead of half-working silently).
 */
import * as vscode from 'vscode';
import { COMMANDS } from './commands.js';
import { Ctx } from './ctx.js';
import { registerDebug, whenRunEnds } from './debug/vscode-debug.js';
import { debugConsoleLines, type ConsoleLine } from './debug/debug-and-profile.js';
import { FlamePanel } from './flame-panel.js';
import { recentNotices, type Notice } from './notices.js';
import { loadRun } from './persistence.js';
import type { FlameProfile } from 'corepy/contract';
import type { ProfileStore, RunSnapshot } from './profile-store.js';
import { registerCodeActions } from './recs/code-actions.js';
import { registerDiagnostics } from './recs/diagnostics.js';
import { registerExplain } from './recs/explain.js';
import { registerCodeLens } from './views/codelens.js';
import { registerHeat } from './views/heat.js';
import { LineTracker } from './views/line-tracker.js';
import { registerHotOps, type HotOpsNode } from './views/hot-ops.js';
import { registerStatus, type StatusView } from './views/status.js';
import { registerAddCorepyQuickFix } from './workspace-install.js';

/** What `activate` returns (tests read it through `extension.exports`). */
export interface CorepyApi {
  readonly store: ProfileStore;
  whenRunEnds(): Promise<RunSnapshot | undefined>;
  /** The Hot Operations tree's data. */
  readonly hotOperations: vscode.TreeDataProvider<HotOpsNode>;
  /** What the status bar item shows now. */
  status(): StatusView;
  /** The notifications shown so far (run outcomes, the untrusted refusal), oldest first. */
  notices(): readonly Notice[];
  /** What the open flame graph panel shows (title and profile), or undefined when none is open. */
  flamePanel(): { readonly title: string; readonly profile: FlameProfile } | undefined;
  /** Debug and Profile's own Debug Console lines (stop, exit), oldest first, with whether a session was up to show each. */
  debugConsoleLines(): readonly ConsoleLine[];
}

/** Files whose lines can carry timings: the scripts corepy runs. */
const SCRIPTS: vscode.DocumentSelector = [
  { language: 'typescript', scheme: 'file' }, { language: 'javascript', scheme: 'file' },
];

let ctx: Ctx | undefined;

export async function activate(extCtx: vscode.ExtensionContext): Promise<CorepyApi> {
  try {
    ctx = new Ctx(extCtx);
    extCtx.subscriptions.push(ctx);
    for (const [id, factory] of Object.entries(COMMANDS)) {
      ctx.push(vscode.commands.registerCommand(id, factory(ctx)));
    }
    registerDebug(ctx);
    const lines = ctx.push(new LineTracker(ctx));
    registerCodeLens(ctx, SCRIPTS, lines);
    registerHeat(ctx, SCRIPTS, lines);
    const hotOperations = registerHotOps(ctx);
    const status = registerStatus(ctx);
    registerDiagnostics(ctx, lines);
    registerExplain(ctx);
    registerCodeActions(ctx, SCRIPTS, lines);
    registerAddCorepyQuickFix(ctx, SCRIPTS);
    const last = await loadRun(extCtx, 'lastRun');
    if (last && ctx.store.run === undefined) ctx.store.load({ ...last, status: last.status === 'running' ? 'partial' : last.status });
    // After the restore, so a flame tab VS Code brings back after a reload finds the run it showed.
    const c = ctx;
    ctx.push(vscode.window.registerWebviewPanelSerializer(FlamePanel.viewType, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel): Promise<void> {
        const flame = c.store.run?.flame;
        if (flame) FlamePanel.revive(extCtx, panel, flame).setSettings({ rowHeightPx: c.config.flameRowHeight });
        else panel.dispose();
      },
    }));
    ctx.onConfigChange(() => FlamePanel.active?.setSettings({ rowHeightPx: c.config.flameRowHeight }));
    // An open flame graph follows the latest run (a new run redraws it when its report arrives).
    ctx.push(ctx.store.onDidChange(() => {
      const run = c.store.run;
      if (run) FlamePanel.active?.follow(run.flame, { program: run.program, running: run.status === 'running' });
    }));
    ctx.log.info(`activated${last ? `; restored the last run of ${last.program}` : ''}`);
    return { store: ctx.store, whenRunEnds, hotOperations, status, notices: recentNotices, flamePanel: () => FlamePanel.active?.shown, debugConsoleLines };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    void vscode.window.showErrorMessage(`Corepy Profiler failed to activate: ${message}`);
    ctx?.log.error('activation failed', err);
    throw err;
  }
}

export function deactivate(): void {
  ctx?.dispose();
  ctx = undefined;
}
