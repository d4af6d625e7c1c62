/**
 * Debug and Profile in VS Code: F5 on a `corepy` configuration (anything but Run Without
 * Debugging / Run and Profile, which set `noDebug`) starts VS Code's JavaScript debugger on the
 * script with the profiler preloaded (js-debug-config.ts), and feeds the script's profile stream
 * (profile-socket.ts) into the ProfileStore as Run and Profile does. Time paused in the debugger
 * is summed per run from js-debug's `stopped` events and the requests that resume the script
 * (pause-clock.ts), and taken out of the run's wall time (the store's and the report's; the status
 * bar tooltip names it): ops are synchronous runtime calls that stepping never enters (skipFiles),
 * so a pause at a breakpoint falls between ops and never into op time. A failed run (the runtime's
 * report carries its exit status) is marked as after Run and Profile, from the stderr js-debug
 * relays. At a breakpoint the script's batch timer cannot run, so what ran up to it is fetched from
 * the paused script (a DAP `evaluate` of the runtime's BATCH_NOW_KEY function) and shown at once;
 * its wall time also places the pause on the profile's timeline, which the flame graph then leaves
 * out (flame-pauses.ts).
 */
import * as path from 'node:path';
import { BATCH_NOW_KEY, REPORT_FILE_ENV } from 'corepy/contract';
import * as vscode from 'vscode';
import type { Ctx } from '../ctx.js';
import { buildProcessSpec, LaunchError } from './launch-spec.js';
import { JS_DEBUG_TYPE, jsDebugLaunch, PROFILED_PROGRAM } from './js-debug-config.js';
import { DebugStop, runtimeAnnouncesPid } from './debug-stop.js';
import { ProfileSocketServer } from './profile-socket.js';
import type { CorepyLaunchArguments, ProfileBatchMessage, ProfileReportMessage } from './protocol.js';
import { withoutPauses } from './flame-pauses.js';
import { PauseClock } from './pause-clock.js';
import { batchFromReport } from './report-sites.js';
import { exitLine, stopLine } from './exit-line.js';
import { finishRun, noteStderr, resetFailure } from './vscode-debug.js';
import { notify } from '../notices.js';
import { debugHazard, hasRegisterHooks, inspectorDropsNonAsciiToWorkers, nonAsciiBreakpoints, type BreakpointText } from './worker-inspector.js';

/** Longest wait, after the script's stream closed, for js-debug's session to end (its last output relayed), ms. */
const SESSION_END_WAIT_MS = 3000;

/** A line Debug and Profile wrote for the Debug Console (the stop line, the exit line), and whether a session was up to take it. */
export interface ConsoleLine {
  readonly text: string;
  /** When it was written, ms since the epoch. */
  readonly at: number;
  /** False when js-debug's session had already ended: VS Code drops what is appended then, and the user was told by a notice. */
  readonly shown: boolean;
}
const consoleLines: ConsoleLine[] = [];
/** Debug and Profile's own Debug Console lines so far (the last 20), oldest first; the extension-host tests read them. */
export function debugConsoleLines(): readonly ConsoleLine[] {
  return [...consoleLines];
}

/** Buttons of the warning shown when a launch would hang (worker-inspector.ts). */
export const RUN_INSTEAD = 'Run and Profile Instead';
export const DEBUG_ANYWAY = 'Debug Anyway';

/** VS Code's breakpoints as worker-inspector.ts reads them. */
function breakpointTexts(): BreakpointText[] {
  return vscode.debug.breakpoints.map((b) => ({
    enabled: b.enabled,
    path: b instanceof vscode.SourceBreakpoint ? b.location.uri.fsPath : undefined,
    functionName: b instanceof vscode.FunctionBreakpoint ? b.functionName : undefined,
    condition: b.condition,
    hitCondition: b.hitCondition,
    logMessage: b.logMessage,
  }));
}

/**
 * The profile batch of the script paused in `session` (thread `threadId`), evaluated in its top
 * frame; null when it has none yet or the evaluation fails. Context 'clipboard': js-debug returns
 * the whole string, untruncated (vscode-js-debug#689).
 */
async function pausedBatch(session: vscode.DebugSession, threadId: number): Promise<ProfileBatchMessage | null> {
  try {
    const trace = await session.customRequest('stackTrace', { threadId, startFrame: 0, levels: 1 }) as { stackFrames: { id: number }[] };
    const frameId = trace.stackFrames[0]?.id;
    if (frameId === undefined) return null;
    const expression = `(globalThis[Symbol.for(${JSON.stringify(BATCH_NOW_KEY)})] ?? (() => ''))()`;
    const r = await session.customRequest('evaluate', { expression, frameId, context: 'clipboard' }) as { result?: string };
    let text = r.result ?? '';
    // A string result may come back quoted, as a JavaScript string literal.
    if (text.startsWith('"') || text.startsWith("'")) text = text.startsWith('"') ? JSON.parse(text) as string : text.slice(1, -1);
    if (text === '') return null;
    const batch = JSON.parse(text) as ProfileBatchMessage;
    return batch.type === 'corepyProfile' ? batch : null;
  } catch {
    return null; // the script resumed or ended meanwhile, or the runtime has no such function: the next batch says it
  }
}

/** Wires Debug and Profile; returns the function the corepy config provider calls to start one. */
export async function registerDebugAndProfile(ctx: Ctx): Promise<(folder: vscode.WorkspaceFolder | undefined, args: CorepyLaunchArguments) => Promise<boolean>> {
  const adapterDir = path.join(ctx.extCtx.extensionPath, 'extension', 'dist');
  let lastBatch: ProfileBatchMessage | null = null;
  let report: ProfileReportMessage | null = null;
  let pauses = new PauseClock();
  /** The user stopped the session (a `disconnect`, `terminate` or `restart` request before the script ended). */
  let stopRequested = false;
  /**
   * The current run's script ended: its profile stream closed, or js-debug's session of the run (the parent) said
   * `exited`/`terminated`. A `disconnect` after that is VS Code closing the session, not Stop. A child session's end
   * does not count: js-debug gives worker threads and child processes sessions of their own.
   */
  let scriptEnded = false;
  /** The current run's stop and report files and Stop's watchdog (debug-stop.ts). */
  let stop: DebugStop | null = null;
  /** Resolves when the current run's js-debug session has ended. */
  let sessionEnded: Promise<void> = Promise.resolve();
  let endSession = (): void => {};
  /** The current run's script. */
  let program = '';
  /**
   * js-debug's session of the current run has ended, or is ending (VS Code stops it 2 s after Stop's `disconnect` when
   * js-debug has not answered, which it does once the script has exited: a script writing a long report outlives it).
   * The Debug Console writes to the focused session, so nothing appended after that is shown.
   */
  let sessionOver = false;
  /** Writes `text` to the Debug Console while the run's session is up; returns whether it did. */
  const toConsole = (text: string): boolean => {
    const shown = !sessionOver;
    if (shown) vscode.debug.activeDebugConsole.append(text);
    consoleLines.push({ text, at: Date.now(), shown });
    if (consoleLines.length > 20) consoleLines.shift();
    return shown;
  };

  const server = await ProfileSocketServer.listen(() => {
    lastBatch = null;
    report = null;
    const run = stop;
    const script = program;
    return {
      hello: (m) => { if (run) run.pid = m.pid; },
      batch: (m) => { lastBatch = m; ctx.store.applyBatch(m); },
      report: (m) => { report = m; },
      closed: () => {
        if (run === stop) scriptEnded = true;
        // The final report is in the run's report file (written synchronously; the socket carries only batches then).
        const fromFile = run?.end() ?? null;
        report ??= fromFile;
        // Where a failed run failed: the runtime's own text, as js-debug may relay the script's stderr after this.
        if (report?.uncaught) noteStderr(report.uncaught);
        // Stopped while paused: that last pause ends here (it was not counted before).
        pauses.resumedAll();
        ctx.store.setPausedMs(pauses.pausedMs);
        // js-debug reports no exit status: the runtime sends the one it ends with in its report.
        const exitCode = report?.exitCode ?? null;
        const fromReport = report ? batchFromReport(report.report, (lastBatch?.seq ?? -1) + 1) : null;
        if (fromReport !== null && fromReport.sites.length > 0) {
          lastBatch = fromReport;
          // The report's figures now, op lines and calling lines together: the run ends once js-debug's session has (up to
          // SESSION_END_WAIT_MS later), and until then the calling lines were the last live batch's, which the runtime
          // reuses for up to a second (audit 30: 3-8 s behind the op lines at the end of a run).
          if (ctx.store.run?.status === 'running') ctx.store.applyBatch(fromReport);
        }
        const body = report
          ? { partial: false, report: report.report, recommendations: report.recommendations, flame: withoutPauses(report.flame, pauses.placed), lastBatch, exitCode, signal: null,
            ...(stopRequested ? { stopped: true } : {}), ...(report.uncaught ? { uncaught: report.uncaught } : {}) }
          : { partial: true, report: null, recommendations: [], flame: null, lastBatch, exitCode: null, signal: null, ...(stopRequested ? { stopped: true } : {}) };
        // The line Run and Profile ends its Debug Console with (js-debug's own last line is Node's "Waiting for the debugger to
        // disconnect..."). Now, while js-debug's session is still up: the console writes to the focused session. After Stop,
        // VS Code may have ended it already (it waits 2 s for js-debug's answer, and the report can take longer): the run's
        // end then says it in a notice (finishRun), so the user sees how it ended either way.
        const end = exitLine(script, { exitCode, signal: null, stopped: stopRequested, partial: report === null, recorded: lastBatch !== null });
        const untold = toConsole(end) ? undefined : end;
        // The script's last stderr (where a failed run failed) reaches us through js-debug after the socket closes: the run
        // ends once js-debug's session has (its output relayed), or after SESSION_END_WAIT_MS.
        void Promise.race([sessionEnded, new Promise((r) => setTimeout(r, SESSION_END_WAIT_MS))]).then(() => finishRun(ctx, body, untold));
        if (pauses.pausedMs > 0) ctx.log.info(`debug session paused ${(pauses.pausedMs / 1000).toFixed(1)} s in all; not counted in op time or wall time`);
      },
    };
  }, (e) => ctx.log.error('profile stream', e));
  ctx.push({ dispose: () => server.dispose() });

  /** The script runs again (Stop): the pause so far leaves the run's wall time. */
  const resumedAll = (): void => {
    if (pauses.resumedAll()) ctx.store.setPausedMs(pauses.pausedMs);
  };

  const isOurs = (s: vscode.DebugSession): boolean => s.type === JS_DEBUG_TYPE && typeof (s.configuration as Record<string, unknown>)[PROFILED_PROGRAM] === 'string';
  ctx.push(vscode.debug.onDidStartDebugSession((s) => {
    // js-debug starts a parent session and a child per Node process; the parent carries our marker.
    if (!isOurs(s) || s.parentSession !== undefined) return;
    // The run itself began before the launch (see the starter below): a short script can end before this event.
    ctx.activeSession = s;
    void vscode.commands.executeCommand('setContext', 'corepy.running', true);
  }));
  /** Whether `s` (a root session of ours) is the current run's: an earlier run's session can end after the next run has started. */
  const ofCurrentRun = (s: vscode.DebugSession): boolean => stop !== null && (s.configuration.env as Record<string, unknown> | undefined)?.[REPORT_FILE_ENV] === stop.reportFile;
  ctx.push(vscode.debug.onDidTerminateDebugSession((s) => {
    if (!isOurs(s) || s.parentSession !== undefined) return;
    if (ctx.activeSession === s) ctx.activeSession = undefined;
    if (!ofCurrentRun(s)) return;
    sessionOver = true;
    endSession();
    void vscode.commands.executeCommand('setContext', 'corepy.running', false);
  }));
  ctx.push(vscode.debug.registerDebugAdapterTrackerFactory(JS_DEBUG_TYPE, {
    createDebugAdapterTracker: (s) => {
      let root: vscode.DebugSession | undefined = s;
      while (root?.parentSession) root = root.parentSession;
      if (!root || !isOurs(root)) return undefined;
      // Only the run's own parent session says its script ended: js-debug gives each worker thread (and child process) a
      // child session, and a worker's end used to mark the script as ended, so a Stop after it wrote no stop file and sent
      // no SIGTERM: a synchronous loop of ops ran on until killed by hand, an asynchronous one until js-debug's own signal.
      // For the same reason an earlier run's sessions (their children end up to seconds after its Stop) are ignored: `mine`
      // is the run this session belongs to (sessions start after their run's DebugStop is made).
      const mine = stop;
      const current = (): boolean => mine === stop;
      const isRoot = s === root;
      return {
        // VS Code is about to end the run's session (before its terminate event reaches this host): the console goes with it.
        onWillStopSession: () => { if (isRoot && current()) sessionOver = true; },
        onDidSendMessage: (m: { type?: string; event?: string; body?: { category?: string; output?: string; threadId?: number } }) => {
          if (m.type !== 'event') return;
          if (!current()) {
            if ((m.event === 'exited' || m.event === 'terminated') && ctx.store.run?.status === 'running') ctx.log.info(`ignored js-debug's ${m.event} from an earlier run's session (${s.name})`);
            return;
          }
          if (isRoot && (m.event === 'exited' || m.event === 'terminated')) scriptEnded = true;
          // A stop starts a pause; a session's end ends its part in one (pause-clock.ts).
          if (pauses.observe(s.id, m)) ctx.store.setPausedMs(pauses.pausedMs);
          if (m.event === 'stopped') {
            const threadId = m.body?.threadId;
            if (threadId !== undefined) {
              void pausedBatch(s, threadId).then((b) => {
                // Only while that run is still going: a late answer must not overwrite its final report.
                if (b !== null && ctx.store.run?.status === 'running') { pauses.located(b.wallTimeMs); lastBatch = b; ctx.store.applyBatch(b); }
              });
            }
          }
          // The script's stderr (outputCapture 'std'), to find where a failed run failed.
          else if (m.event === 'output' && m.body?.category === 'stderr') noteStderr(m.body.output ?? '');
        },
        // A step or continue request resumes the session (not js-debug's `continued` events: see pause-clock.ts).
        onWillReceiveMessage: (m: { type?: string; command?: string }) => {
          if (!current()) return;
          if (pauses.observe(s.id, m)) ctx.store.setPausedMs(pauses.pausedMs);
          // Stop (or Restart): the run is marked stopped, not failed; the script is asked for its report (debug-stop.ts).
          // VS Code sends Stop to the run's parent session (a child's lifecycle is its parent's); a child session gets its
          // `disconnect` when it ended by itself (the script threw, a worker finished), which is not Stop.
          if (isRoot && m.type === 'request' && ['disconnect', 'terminate', 'restart'].includes(m.command ?? '') && !scriptEnded && ctx.store.run?.status === 'running') {
            // Now, while the session is up (once: each of js-debug's sessions gets a disconnect): VS Code may end it before the
            // script has written its report, and the exit line then goes nowhere (see stopLine; audit 30).
            const first = !stopRequested;
            if (first) toConsole(stopLine(program));
            stopRequested = true;
            stop?.requested();
            if (first) ctx.log.info(`stop of ${program} requested (${m.command}): ${stop?.polite && stop.pid !== null ? `SIGTERM to pid ${stop.pid}` : 'the stop file only (no pid announced)'}`);
            // A paused script is resumed by js-debug as it goes: its pause ends now, not when its stream closes after
            // the report (counting the report's writing as paused took the run's wall time below its op time; audit 23).
            resumedAll();
          }
        },
      };
    },
  }));

  return async (folder, args) => {
    try {
      const plan = buildProcessSpec(args, adapterDir);
      const ts = plan.typeScript === 'tsx' ? ', TypeScript: tsx' : '';
      ctx.log.info(`debug and profile ${plan.spec.program} with Node ${plan.nodeVersion} (${plan.spec.node}${ts}; runtime: ${plan.runtime.source}, ${plan.runtime.dir})`);
      // A breakpoint with non-ASCII characters on a Node whose inspector drops them on the way to a
      // worker thread would hang the script before its first line (worker-inspector.ts).
      const bps = nonAsciiBreakpoints(breakpointTexts());
      const hazard = bps.length === 0 ? { kind: 'none' as const } : debugHazard({
        inspectorDropsNonAscii: inspectorDropsNonAsciiToWorkers(plan.spec.node, plan.nodeVersion),
        nodeVersion: plan.nodeVersion,
        nonAsciiBreakpoints: bps,
        typeScript: plan.typeScript,
        runtimeSource: plan.runtime.source,
        hasRegisterHooks: hasRegisterHooks(plan.nodeVersion),
      });
      if (hazard.kind === 'hang') {
        ctx.log.info(hazard.message);
        const choice = await notify('warning', hazard.message, RUN_INSTEAD, DEBUG_ANYWAY);
        if (choice === RUN_INSTEAD) {
          return await vscode.debug.startDebugging(folder, { ...(args as unknown as vscode.DebugConfiguration), noDebug: true }, { noDebug: true });
        }
        if (choice !== DEBUG_ANYWAY) return false;
      }
      const given = (args as { name?: unknown }).name;
      const name = typeof given === 'string' ? given : `Corepy: ${path.basename(plan.spec.program)}`;
      stop = new DebugStop(runtimeAnnouncesPid(plan.runtime.dir));
      // The run starts now, before the launch, not at js-debug's session start event: a script that ends fast could close
      // its stream before that event, and the event's reset would then wipe what its end had recorded.
      const previous = ctx.store.run;
      pauses = new PauseClock();
      stopRequested = false;
      scriptEnded = false;
      sessionOver = false;
      sessionEnded = new Promise((r) => { endSession = r; });
      resetFailure();
      program = plan.spec.program;
      ctx.store.startRun(plan.spec.program, Date.now(), true);
      const started = await vscode.debug.startDebugging(folder, jsDebugLaunch(`${name} (debug)`, plan, args.env, server.path, stop));
      if (!started) {
        ctx.store.load(previous);
        void vscode.window.showErrorMessage('Corepy: VS Code\'s JavaScript debugger did not start (is the built-in "JavaScript Debugger" extension disabled?).');
      }
      return started;
    } catch (err) {
      void vscode.window.showErrorMessage(err instanceof LaunchError ? err.message : `Corepy: cannot debug: ${String(err)}`);
      return false;
    }
  };
}
