/**
 * VS Code side of the `corepy` debug type: the default configuration, the inline adapter, and
 * the bridge from the adapter's custom events into the ProfileStore.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from '../ctx.js';
import { opCountOf, type RunSnapshot } from '../profile-store.js';
import { hideRunNotices, notify, notifyRunEnd } from '../notices.js';
import { CALL_SITES_OFF, corepyImportFor, noOpsNotice } from '../views/labels.js';
import { saveRun } from '../persistence.js';
import { registerDebugAndProfile } from './debug-and-profile.js';
import { runErrorOf } from './run-outcome.js';
import { untoldEndNotice } from './exit-line.js';
import { nodeVersion } from './resolve-runtime.js';
import { CorepyDebugSession } from './session.js';
import { keepFlame, takeFlame } from './flame-handoff.js';
import { PROFILE_EVENT, REPORT_EVENT, type CorepyLaunchArguments, type CorepyReportEventBody, type ProfileBatchMessage } from './protocol.js';

export const DEBUG_TYPE = 'corepy';

/** Message shown wherever running is refused in an untrusted workspace. */
export const UNTRUSTED_MESSAGE =
  'Corepy: running and profiling scripts is disabled because this workspace is not trusted. ' +
  'Profiling executes the program with Node. Use "Workspaces: Manage Workspace Trust" to trust the folder first.';

/** The untrusted-workspace refusal, with a button that opens VS Code's workspace trust editor. */
export function showUntrusted(): void {
  void notify('error', UNTRUSTED_MESSAGE, MANAGE_TRUST).then((b) => {
    if (b === MANAGE_TRUST) void vscode.commands.executeCommand(MANAGE_TRUST_COMMAND);
  });
}
/** The refusal's button; it runs {@link MANAGE_TRUST_COMMAND}. */
export const MANAGE_TRUST = 'Manage Workspace Trust';
/** VS Code's command that opens the workspace trust editor. */
export const MANAGE_TRUST_COMMAND = 'workbench.trust.manage';

const isScript = (doc: vscode.TextDocument): boolean => ['typescript', 'javascript'].includes(doc.languageId);

/** Starts Debug and Profile for a resolved `corepy` configuration (debug-and-profile.ts); resolves with whether js-debug's session started. */
type DebugStarter = (folder: vscode.WorkspaceFolder | undefined, args: CorepyLaunchArguments) => Promise<boolean>;

class ConfigProvider implements vscode.DebugConfigurationProvider {
  constructor(private readonly ctx: Ctx, private readonly debugAndProfile: Promise<DebugStarter>) {}

  // No provideDebugConfigurations: package.json's `initialConfigurations` already gives the one
  // configuration "create a launch.json" writes (both together wrote it twice).

  resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
    if (!vscode.workspace.isTrusted) {
      showUntrusted();
      return undefined;
    }
    if (!config.type && !config.request && !config.name) {
      // F5 without a launch.json: profile the active editor's script.
      const doc = vscode.window.activeTextEditor?.document;
      if (!doc || !isScript(doc)) return undefined;
      Object.assign(config, { type: DEBUG_TYPE, request: 'launch', name: 'Corepy: Profile current file', program: doc.uri.fsPath });
    }
    const c = this.ctx.config;
    const args = config as vscode.DebugConfiguration & Partial<CorepyLaunchArguments>;
    args.backend ??= c.backend;
    args.sampleEvery ??= c.sampleEvery;
    args.callSites ??= c.callSites;
    args.runtimeExecutable ??= c.nodePath;
    args.bundledRuntime = path.join(this.ctx.extCtx.extensionPath, 'runtime');
    return config;
  }

  /**
   * F5 (not Run Without Debugging, not Run and Profile: both set `noDebug`) is Debug and Profile:
   * the script runs under VS Code's JavaScript debugger with the profiler preloaded, as a session
   * of its own; this `corepy` session is not started.
   */
  async resolveDebugConfigurationWithSubstitutedVariables(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration | undefined> {
    // undefined ends the launch quietly (null would open launch.json, the very button this check replaces).
    if (!nodeRuns(folder, config as vscode.DebugConfiguration & Partial<CorepyLaunchArguments>)) return undefined;
    if (config.noDebug === true) return config;
    const start = await this.debugAndProfile;
    // Not awaited: the js-debug session starts once this resolution has ended. Whether it did is kept for the command that asked.
    this.ctx.debugStarted = new Promise<boolean>((resolve) => {
      setTimeout(() => void start(folder, config as vscode.DebugConfiguration & CorepyLaunchArguments).then(resolve, () => resolve(false)), 0);
    });
    return undefined;
  }
}

/** The button of {@link nodeRuns}'s error that opens the setting. */
export const OPEN_NODE_PATH_SETTING = 'Open Settings (corepy.nodePath)';

/**
 * Whether the launch's Node executable runs (`node --version`, cached per path: the adapter asks
 * again). When it does not, says so with one button that opens where it was set: the
 * corepy.nodePath setting (in the Workspace tab when a workspace sets it: a machine-overridable
 * setting is not in a remote window's User tab), or launch.json when its `runtimeExecutable`
 * differs. The adapter's own error (a DAP error response) came with VS Code's "Open 'launch.json'"
 * as the focused button, which created an empty launch.json when the fix was the setting.
 */
function nodeRuns(folder: vscode.WorkspaceFolder | undefined, config: Partial<CorepyLaunchArguments>): boolean {
  const node = config.runtimeExecutable ?? 'node';
  if (nodeVersion(node) !== null) return true;
  const setting = vscode.workspace.getConfiguration('corepy', folder).inspect<string>('nodePath');
  const fromSetting = node === (setting?.workspaceFolderValue ?? setting?.workspaceValue ?? setting?.globalValue ?? setting?.defaultValue ?? 'node');
  const inWorkspace = setting?.workspaceFolderValue !== undefined || setting?.workspaceValue !== undefined;
  const where = fromSetting ? 'set "corepy.nodePath" to its path' : 'set "runtimeExecutable" in the launch configuration to its path';
  const button = fromSetting ? OPEN_NODE_PATH_SETTING : 'Open launch.json';
  void notify('error', `Corepy: cannot launch: the Node executable "${node}" could not be run. Install Node.js (≥ 20.19) or ${where}.`, button).then((b) => {
    if (b !== button) return;
    if (!fromSetting) void vscode.commands.executeCommand('workbench.action.debug.configure');
    else void vscode.commands.executeCommand(inWorkspace ? 'workbench.action.openWorkspaceSettings' : 'workbench.action.openSettings', 'corepy.nodePath');
  });
  return false;
}

/** Registers the provider, the inline adapter, and the event bridge. */
export function registerDebug(ctx: Ctx): void {
  runFailures = ctx.push(vscode.languages.createDiagnosticCollection('corepy-run'));
  const debugAndProfile = registerDebugAndProfile(ctx);
  debugAndProfile.catch((err: unknown) => ctx.log.error('Debug and Profile is unavailable: the profile socket did not open', err));
  ctx.push(vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new ConfigProvider(ctx, debugAndProfile)));
  const adapterDir = path.join(ctx.extCtx.extensionPath, 'extension', 'dist');
  ctx.push(vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, {
    // keepFlame: the flame model reaches finishRun in-process, not through the window (flame-handoff.ts).
    createDebugAdapterDescriptor: () => new vscode.DebugAdapterInlineImplementation(new CorepyDebugSession(adapterDir, keepFlame)),
  }));

  // The adapter's own messages (runtime choice, exit, launch problems) also go to the log channel.
  ctx.push(vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, {
    createDebugAdapterTracker: () => ({
      onDidSendMessage: (m: { type?: string; event?: string; body?: { category?: string; output?: string } }) => {
        if (m.type === 'event' && m.event === 'output' && (m.body?.category === 'console' || m.body?.category === 'stderr')) {
          ctx.log.info((m.body.output ?? '').trimEnd());
        }
        // The script's stderr, to find where it failed.
        if (m.type === 'event' && m.event === 'output' && m.body?.category === 'stderr') noteStderr(m.body.output ?? '');
      },
      onError: (err: Error) => ctx.log.error('debug adapter error', err),
    }),
  }));
  ctx.push(vscode.debug.onDidStartDebugSession((s) => {
    if (s.type !== DEBUG_TYPE) return;
    resetFailure();
    ctx.activeSession = s;
    ctx.store.startRun(String(s.configuration.program ?? ''));
    void vscode.commands.executeCommand('setContext', 'corepy.running', true);
  }));
  ctx.push(vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
    if (e.session.type !== DEBUG_TYPE) return;
    if (e.event === PROFILE_EVENT) ctx.store.applyBatch(e.body as ProfileBatchMessage);
    if (e.event === REPORT_EVENT) finishRun(ctx, takeFlame(e.body as CorepyReportEventBody));
  }));
  ctx.push(vscode.debug.onDidTerminateDebugSession((s) => {
    if (s.type !== DEBUG_TYPE) return;
    if (ctx.activeSession === s) ctx.activeSession = undefined;
    void vscode.commands.executeCommand('setContext', 'corepy.running', false);
    // The adapter always sends a report event; this covers an adapter that died first.
    if (ctx.store.run?.status === 'running') {
      finishRun(ctx, { partial: true, report: null, recommendations: [], flame: null, lastBatch: null, exitCode: null, signal: null });
    }
  }));
}

/** stderr of the current run (Run and Profile or Debug and Profile); the diagnostics that point at where a run failed. */
let stderr = '';
let runFailures: vscode.DiagnosticCollection | undefined;

/** A new run starts: forget the last one's stderr and its failure diagnostic, and take its notice off the screen (notices.ts). */
export function resetFailure(): void {
  stderr = '';
  runFailures?.clear();
  hideRunNotices();
}

/** Output the running script wrote to stderr, to find where it failed (kept to its first 64 KB). */
export function noteStderr(text: string): void {
  if (stderr.length < 65536) stderr += text;
}

/**
 * A diagnostic on the line where the script failed (when its error names the program); whether it placed one.
 * `uncaught`: the runtime's text for the error (the report event's), read rather than all of stderr, whose
 * earlier output may name the program too; stderr when the script died before the runtime could print it.
 */
function markFailure(program: string, uncaught: string | undefined): boolean {
  const error = runErrorOf(uncaught ?? stderr, program);
  const at = error?.location;
  if (!at || !runFailures) return false;
  const pos = new vscode.Position(at.line - 1, Math.max(0, at.column - 1));
  const d = new vscode.Diagnostic(new vscode.Range(pos, pos.translate(0, 1)), `The script failed here: ${error.message || 'see the Debug Console'}`, vscode.DiagnosticSeverity.Error);
  d.source = 'corepy';
  runFailures.set(vscode.Uri.file(program), [d]);
  return true;
}

/** Whether this window has said once that per-line figures are off (call sites off); later runs say it in the status tooltip only. */
let toldCallSitesOff = false;
const OPEN_CALL_SITES_SETTING = 'Open Settings (corepy.callSites)';

/** The "type" of the package.json nearest above `dir` (how Node loads its .js files), undefined when none says. */
function packageTypeOf(dir: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      const type = (JSON.parse(readFileSync(path.join(d, 'package.json'), 'utf8')) as { type?: unknown }).type;
      return typeof type === 'string' ? type : undefined;
    } catch {
      // No (readable) package.json here: Node looks further up too.
    }
    if (path.dirname(d) === d) return undefined;
  }
}

const runEndWaiters = new Set<(run: RunSnapshot | undefined) => void>();

/** Resolves when the current run has ended (its report or partial profile is in the store). */
export function whenRunEnds(): Promise<RunSnapshot | undefined> {
  return new Promise((resolve) => runEndWaiters.add(resolve));
}

/**
 * Ends the current run with `body` (also for Debug and Profile runs): store, saved run, waiters.
 * `untoldEnd`: the Debug Console line saying how it ended, when no debug session was left to show it
 * (debug-and-profile.ts): said in a notice unless another notice already names the exit.
 */
export function finishRun(ctx: Ctx, body: CorepyReportEventBody, untoldEnd?: string): void {
  ctx.store.finishRun(body);
  const run = ctx.store.run;
  void saveRun(ctx.extCtx, 'lastRun', run).catch((err: unknown) => ctx.log.error('could not save the run', err));
  if (run) {
    const recs = run.recommendations.length;
    ctx.log.info(`run of ${run.program} ${run.status}: exit ${String(body.exitCode)}, ${run.sites.length} sites, ${recs} recommendations`);
    const file = path.basename(run.program);
    // The script's own output and error are in the Debug Console: the button says so and opens it.
    // Clicked after a later run replaced this one's Debug Console, the error is only in the output channel (it keeps every run's stderr).
    const showOutput = (b: string | undefined): void => {
      if (!b) return;
      if (ctx.store.run?.startedAt === run.startedAt) void vscode.commands.executeCommand('workbench.panel.repl.view.focus');
      else ctx.log.show();
    };
    if (body.partial && body.stopped && run.underDebugger) {
      // Debug and Profile: a script busy outside corepy ops cannot write its report when stopped, and is ended after a
      // grace period (debug-stop.ts). Said as what it is, not as a warning about the script.
      void notifyRunEnd('info', `Corepy: ${file} was stopped before it could write its report (a script busy outside corepy ops cannot ` +
        'act on Stop), so the editor shows what was recorded up to the stop: per-line counts and times, no flame graph or exports.');
    } else if (body.partial) {
      const exit = body.exitCode ?? body.signal;
      void notifyRunEnd('warning', `Corepy: ${file} ${body.stopped ? 'was stopped before it could write its report' : 'ended without a report'}` +
        `${exit !== null && exit !== undefined ? ` (exit ${String(exit)})` : ''}; showing what was recorded.`, 'Show Debug Console').then(showOutput);
    } else if (body.exitCode !== null && body.exitCode !== 0 && body.stopped !== true) {
      if (!markFailure(run.program, body.uncaught)) {
        ctx.log.info(`no line of ${run.program} in ${body.uncaught !== undefined ? 'its uncaught error' : `the ${stderr.length} characters of its stderr`}: no failure diagnostic`);
      }
      // No run time in the text: a rerun that fails the same way shows the same text, and VS Code replaces the last one (notices.ts).
      void notifyRunEnd('error', `Corepy: ${file} failed (exit ${body.exitCode}); the error is in the Debug Console. ` +
        'The lenses show what ran before it.', 'Show Debug Console').then(showOutput);
    } else if (opCountOf(run) === 0) {
      // Ops kept only in an ended segment (a clearProfile() after the last one) count: the editor shows them.
      void notifyRunEnd('info', noOpsNotice(file, corepyImportFor(run.program, packageTypeOf(path.dirname(run.program)))));
    } else if (untoldEnd !== undefined) {
      void notifyRunEnd('info', untoldEndNotice(untoldEnd));
    }
    if (!body.partial && run.report?.callSiteMode === 'off' && opCountOf(run) > 0 && !toldCallSitesOff) {
      toldCallSitesOff = true;
      void notify('info', `Corepy: ${CALL_SITES_OFF}`, OPEN_CALL_SITES_SETTING).then((b) => {
        if (b === OPEN_CALL_SITES_SETTING) void vscode.commands.executeCommand('workbench.action.openSettings', 'corepy.callSites');
      });
    }
  }
  for (const w of [...runEndWaiters]) { runEndWaiters.delete(w); w(run); }
}
