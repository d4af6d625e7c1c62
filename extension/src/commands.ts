/**
 * Every command, as a table of factories: `(ctx) => handler`. extension.ts registers them all;
 * package.json `contributes.commands` lists the same ids.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from './ctx.js';
import { DEBUG_TYPE, showUntrusted, UNTRUSTED_MESSAGE, whenRunEnds } from './debug/vscode-debug.js';
import { exportReport } from './export/export-command.js';
import { RUNNING_MESSAGE, type ExportFormat } from './export/formats.js';
import { FlamePanel } from './flame-panel.js';
import { baselineOf, compareBaseline } from 'corepy/baseline';
import type { ProfileReport } from 'corepy/contract';
import { loadRun, saveRun } from './persistence.js';
import type { RunSnapshot } from './profile-store.js';
import { explainRecommendation } from './recs/explain.js';
import { pickSegment } from './pick-segment.js';
import type { SegmentChoice } from './profile-store.js';
import { openTutorials } from './tutorials.js';
import { addCorepyToWorkspace } from './workspace-install.js';

type Handler = (...args: never[]) => unknown;
type CommandFactory = (ctx: Ctx) => Handler;

/** What Run and Profile returns (for tests and scripted use). */
export interface RunResult {
  readonly started: boolean;
  /** Why it did not start (untrusted workspace, no script open, launch error). */
  readonly reason?: string;
  /** The finished run, when started. */
  readonly run?: RunSnapshot;
}

/**
 * The file a run command profiles: the one asked for, else the active editor's, else — when the
 * focus is elsewhere, the flame graph's panel say, where the palette still offers the command — the
 * last run's script.
 */
function runTarget(ctx: Ctx, uri?: vscode.Uri): vscode.Uri | undefined {
  const last = ctx.store.run?.program;
  return uri ?? vscode.window.activeTextEditor?.document.uri ?? (last ? vscode.Uri.file(last) : undefined);
}

/**
 * Runs and profiles a file (`uri`, else see {@link runTarget}): Run and Profile, or with `debug`
 * Debug and Profile (js-debug: breakpoints). Resolves when the run has ended, so callers can await
 * the profile; the UI does not wait on it.
 */
async function runAndProfile(ctx: Ctx, uri?: vscode.Uri, debug = false): Promise<RunResult> {
  if (!vscode.workspace.isTrusted) {
    showUntrusted();
    return { started: false, reason: UNTRUSTED_MESSAGE };
  }
  const target = runTarget(ctx, uri);
  if (!target || target.scheme !== 'file') {
    // An Untitled buffer has no file for Node to run: saving it is the step missing.
    const reason = target?.scheme === 'untitled'
      ? 'Corepy: save this file first (as .ts, .mts, .js or .mjs): the script runs from disk.'
      : 'Corepy: open a TypeScript or JavaScript file to profile.';
    void vscode.window.showInformationMessage(reason);
    return { started: false, reason };
  }
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
  if (doc?.isDirty) await doc.save();
  const folder = vscode.workspace.getWorkspaceFolder(target);
  const ended = whenRunEnds();
  ctx.debugStarted = undefined;
  const ok = await vscode.debug.startDebugging(folder, {
    type: DEBUG_TYPE, request: 'launch', name: `Corepy: ${path.basename(target.fsPath)}`,
    program: target.fsPath, cwd: folder?.uri.fsPath ?? path.dirname(target.fsPath),
  }, { noDebug: !debug });
  // Debug and Profile hands the corepy configuration over to js-debug (vscode-debug.ts), so VS Code reports the corepy
  // session itself as not started: the run has begun when js-debug's session has.
  const started = debug && !ok ? await (ctx.debugStarted ?? Promise.resolve(false)) : ok;
  if (!started) return { started: false, reason: 'the debug session did not start (see the Debug Console)' };
  return { started: true, run: await ended };
}

async function showFlameGraph(ctx: Ctx, compare?: RunSnapshot): Promise<void> {
  const run = ctx.store.run;
  if (!run?.flame) {
    void vscode.window.showInformationMessage(run?.status === 'running' ? `Corepy: no flame graph yet: ${RUNNING_MESSAGE}.`
      : run ? 'Corepy: this run has no flame profile (it ended before its report).'
      : 'Corepy: no profile yet. Run "Corepy: Run and Profile Current File" first.');
    return;
  }
  FlamePanel.show(ctx.extCtx, run.flame, compare?.flame ?? undefined).setSettings({ rowHeightPx: ctx.config.flameRowHeight });
}

/**
 * Where Toggle Inline Timings writes: the most specific scope that already sets the value (a
 * User-level write would be shadowed by a workspace setting and change nothing), else User.
 */
function inlineTimingsTarget(): vscode.ConfigurationTarget {
  const i = vscode.workspace.getConfiguration('corepy').inspect<boolean>('inlineTimings.enabled');
  if (i?.workspaceFolderValue !== undefined) return vscode.ConfigurationTarget.WorkspaceFolder;
  if (i?.workspaceValue !== undefined) return vscode.ConfigurationTarget.Workspace;
  return vscode.ConfigurationTarget.Global;
}

export const COMMANDS: Record<string, CommandFactory> = {
  'corepy.runAndProfile': (ctx) => (uri?: vscode.Uri) => runAndProfile(ctx, uri),
  'corepy.debugAndProfile': (ctx) => (uri?: vscode.Uri) => runAndProfile(ctx, uri, true),
  'corepy.stop': (ctx) => async () => {
    if (ctx.activeSession) await vscode.debug.stopDebugging(ctx.activeSession);
  },
  'corepy.showFlameGraph': (ctx) => () => showFlameGraph(ctx),
  'corepy.exportReport': (ctx) => (format?: ExportFormat, targetPath?: string) => exportReport(ctx, format, targetPath),
  'corepy.clearProfile': (ctx) => async () => {
    ctx.store.clear();
    await saveRun(ctx.extCtx, 'lastRun', undefined);
  },
  'corepy.toggleInlineTimings': (ctx) => async () => {
    const enabled = !ctx.config.inlineTimings;
    await vscode.workspace.getConfiguration('corepy').update('inlineTimings.enabled', enabled, inlineTimingsTarget());
    return enabled;
  },
  'corepy.saveBaseline': (ctx) => async () => {
    const run = ctx.store.run;
    if (!run || run.status === 'running') {
      void vscode.window.showInformationMessage('Corepy: finish a run first; its profile becomes the baseline.');
      return false;
    }
    await saveRun(ctx.extCtx, 'baseline', run);
    void vscode.window.showInformationMessage(`Corepy: saved ${path.basename(run.program)} (${run.opTimeMs.toFixed(1)} ms op time) as the baseline.`);
    return true;
  },
  'corepy.compareWithBaseline': (ctx) => async () => {
    const base = await loadRun(ctx.extCtx, 'baseline');
    const run = ctx.store.run;
    if (!base || !run) {
      void vscode.window.showInformationMessage(base ? 'Corepy: no current run to compare.' : 'Corepy: no baseline saved yet ("Corepy: Save Baseline").');
      return undefined;
    }
    const opMs = (r: RunSnapshot): number => r.opTimeMs;
    const ratio = opMs(base) > 0 ? opMs(run) / opMs(base) : 1;
    if (!isReport(base.report) || !isReport(run.report)) {
      void vscode.window.showWarningMessage('Corepy: comparing with a baseline needs two complete runs (one of them ended before its report).');
      return undefined;
    }
    // The runtime's noise-aware comparison: a difference counts only past max(tolerance, 3 standard errors).
    const comparison = compareBaseline(baselineOf(base.report), run.report, 0.1);
    const top = [...comparison.regressions, ...comparison.improvements].slice(0, 3)
      .map((f) => `${f.kind} ${f.name} ${f.ratio >= 1 ? `${f.ratio.toFixed(2)}× slower` : `${(1 / f.ratio).toFixed(2)}× faster`}`);
    const summary = comparison.regressions.length === 0 && comparison.improvements.length === 0
      ? `no significant change (${comparison.unchanged} ops/contexts within noise)`
      : `${comparison.regressions.length} regressed, ${comparison.improvements.length} improved: ${top.join('; ')}`;
    ctx.log.info(`baseline comparison: ${[...comparison.regressions, ...comparison.improvements].map((f) => f.evidence).join(' | ') || summary}`);
    const show = comparison.ok ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    void show(`Corepy vs baseline: ${summary}. Op time ${opMs(run).toFixed(2)} ms vs ${opMs(base).toFixed(2)} ms.`);
    await showFlameGraph(ctx, base);
    return { ratio, comparison };
  },
  'corepy.explainRecommendation': (ctx) => (id: string) => explainRecommendation(ctx, id),
  'corepy.addToWorkspace': (ctx) => (folder?: vscode.Uri, tarball?: string) => addCorepyToWorkspace(ctx, folder, tarball),
  'corepy.openTutorials': (ctx) => (folder?: vscode.Uri, copy?: boolean) => openTutorials(ctx, folder, copy),
  'corepy.showSegment': (ctx) => (choice?: SegmentChoice) => pickSegment(ctx, choice),
};

/** A stored run's report is the runtime's JSON report when the run completed (null otherwise). */
function isReport(r: unknown): r is ProfileReport {
  return r !== null && typeof r === 'object' && 'schemaVersion' in r && 'operations' in r;
}
