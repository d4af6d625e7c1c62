/**
 * The `corepy` debug adapter: a DAP session that runs one script under the profiler and turns
 * the script's IPC messages into custom DAP events (`corepyProfile`, `corepyReport`). It has no
 * breakpoints or stepping; VS Code uses it for Run/Stop/Restart, the Debug Console and the
 * profile stream. No 'vscode' import: the same class runs inline in the extension host and as a
 * standalone stdio adapter (adapter-main.ts).
 */
import { DebugSession, Event, ExitedEvent, InitializedEvent, OutputEvent, TerminatedEvent, Thread } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPORT_FILE_ENV, STOP_FILE_ENV } from 'corepy/contract';
import { ProfiledProcess, type DetachedOutput } from './profiled-process.js';
import {
  PROFILE_EVENT, REPORT_EVENT,
  type CorepyLaunchArguments, type CorepyReportEventBody, type ProfileBatchMessage, type ProfileReportMessage,
} from './protocol.js';
import { exitLine } from './exit-line.js';
import { buildProcessSpec, LaunchError } from './launch-spec.js';
import { batchFromReport } from './report-sites.js';

/** Error ids in DAP error responses (stable, so tests and the UI can tell them apart). */
export const enum ErrorId {
  Launch = 4001,
  Restart = 4002,
}

/**
 * The `corepyReport` event's body. With `keepFlame` (the inline adapter: flame-handoff.ts) the
 * flame model stays in-process and the body carries its key instead.
 */
export function reportEventBody(
  finalReport: ProfileReportMessage | null, lastBatch: ProfileBatchMessage | null, code: number | null, signal: NodeJS.Signals | null,
  stopped: boolean, keepFlame?: (flame: NonNullable<ProfileReportMessage['flame']>) => string,
): CorepyReportEventBody {
  const end = { lastBatch, exitCode: code, signal, ...(stopped ? { stopped: true } : {}), ...(finalReport?.uncaught ? { uncaught: finalReport.uncaught } : {}) };
  if (!finalReport) return { partial: true, report: null, recommendations: [], flame: null, ...end };
  const { flame } = finalReport;
  const flameOut = flame && keepFlame ? { flame: null, flameKey: keepFlame(flame) } : { flame };
  return { partial: false, report: finalReport.report, recommendations: finalReport.recommendations, ...flameOut, ...end };
}

/**
 * The adapter session; `adapterDir` is where tsx is looked for when the workspace has none.
 * `keepFlame`: where the inline adapter keeps the flame model (see {@link reportEventBody}).
 */
export class CorepyDebugSession extends DebugSession {
  private proc: ProfiledProcess | undefined;
  private launchArgs: CorepyLaunchArguments | undefined;
  private lastBatch: ProfileBatchMessage | null = null;
  private finalReport: ProfileReportMessage | null = null;
  /** Set while restarting: the old process's exit must not end the session. */
  private restarting: (() => void) | undefined;
  /**
   * A disconnect answered once the script has ended and its report event went out: a client stops listening once
   * disconnect is answered, and VS Code sends one for a second Stop click while the script writes its report after
   * the first (the run was lost: "(partial) · 0 ops"; audit 25).
   */
  private disconnectAfterExit: DebugProtocol.DisconnectResponse | null = null;
  /**
   * Where this run's script writes its final report (COREPY_PROFILE_REPORT_FILE): synchronously,
   * so a `process.exit()` in the script cannot lose it the way an IPC message sent while exiting
   * is lost. A runtime that predates the variable still reports over IPC.
   */
  private reportFile: string | null = null;
  /** The client asked this run to stop (terminate, or disconnect without keeping the script): its exit is not a failure. */
  private stopRequested = false;

  constructor(private readonly adapterDir: string, private readonly keepFlame?: (flame: NonNullable<ProfileReportMessage['flame']>) => string) {
    super();
    // The adapter talks 1-based lines like the IPC protocol; say so explicitly.
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      ...response.body,
      supportsConfigurationDoneRequest: true,
      supportsTerminateRequest: true,
      supportsRestartRequest: true,
      supportTerminateDebuggee: true,
    };
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
  }

  protected override launchRequest(response: DebugProtocol.LaunchResponse, args: CorepyLaunchArguments): void {
    try {
      this.spawnScript(args);
      this.sendResponse(response);
    } catch (err) {
      const msg = err instanceof LaunchError ? err.message : `Cannot launch: ${String(err)}`;
      this.sendErrorResponse(response, { id: ErrorId.Launch, format: msg, showUser: true });
    }
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    // One pseudo-thread so VS Code's call stack view has something to show.
    response.body = { threads: [new Thread(1, this.launchArgs ? path.basename(this.launchArgs.program) : 'corepy')] };
    this.sendResponse(response);
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    if (this.proc && !this.proc.hasExited) this.stopRequested = true;
    this.proc?.stop();
    if (!this.proc || this.proc.hasExited) this.sendEvent(new TerminatedEvent());
    this.sendResponse(response);
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse, args: DebugProtocol.DisconnectArguments | undefined): void {
    // DAP makes the arguments optional (DebugClient.stop() sends none): absent means terminate.
    if (this.proc && !this.proc.hasExited) {
      // terminateDebuggee: false (DAP) → the script runs on, detached; otherwise stop it.
      if (args?.terminateDebuggee === false) {
        const out = this.proc.detach();
        // Said before the response: a client may stop listening once disconnect is answered.
        if (out !== null) this.console(detachMessage(this.launchArgs?.program, this.proc.pid, out));
        // The script is no longer ours: a later terminate/disconnect must not stop it.
        this.proc = undefined;
      } else {
        this.stopRequested = true;
        this.proc.stop(1000);
        this.disconnectAfterExit = response;
        return;
      }
    }
    this.sendResponse(response);
  }

  protected override restartRequest(response: DebugProtocol.RestartResponse, args: DebugProtocol.RestartArguments): void {
    const next = (args.arguments as CorepyLaunchArguments | undefined) ?? this.launchArgs;
    if (next === undefined) {
      this.sendErrorResponse(response, { id: ErrorId.Restart, format: 'Nothing to restart: no script was launched.', showUser: true });
      return;
    }
    const relaunch = (): void => {
      this.restarting = undefined;
      try {
        this.spawnScript(next);
        this.sendResponse(response);
      } catch (err) {
        this.sendErrorResponse(response, { id: ErrorId.Restart, format: err instanceof Error ? err.message : String(err), showUser: true });
      }
    };
    if (this.proc && !this.proc.hasExited) {
      this.restarting = relaunch;
      // The old run ends because the user restarted it: its exit status is not a failure.
      this.stopRequested = true;
      this.proc.stop();
    } else {
      relaunch();
    }
  }

  /** Spawns the script; throws LaunchError with a user-facing message. */
  private spawnScript(args: CorepyLaunchArguments): void {
    const built = buildProcessSpec(args, this.adapterDir);
    const { runtime, nodeVersion, typeScript } = built;
    const runDir = mkdtempSync(path.join(tmpdir(), 'corepy-run-'));
    const reportFile = path.join(runDir, 'report.json');
    // The stop file: how Stop reaches a script inside a synchronous loop of ops (profiled-process.ts stop()).
    const spec = { ...built.spec, env: { ...built.spec.env, [REPORT_FILE_ENV]: reportFile, [STOP_FILE_ENV]: path.join(runDir, 'stop') } };
    this.reportFile = reportFile;
    this.stopRequested = false;
    this.launchArgs = args;
    this.lastBatch = null;
    this.finalReport = null;
    const ts = typeScript === 'tsx' ? ', TypeScript: tsx' : '';
    this.console(`corepy: profiling ${spec.program} with Node ${nodeVersion} (${spec.node}${ts}; runtime: ${runtime.source}, ${runtime.dir})\n`);
    // Events of a previous process (still exiting after a restart) must not touch this run's state.
    const proc: ProfiledProcess = new ProfiledProcess(spec, {
      output: (category, text) => this.sendEvent(new OutputEvent(text, category)),
      batch: (msg) => {
        if (proc !== this.proc) return;
        this.lastBatch = msg;
        this.sendEvent(new Event(PROFILE_EVENT, msg));
      },
      report: (msg) => {
        if (proc === this.proc) this.finalReport = msg;
      },
      error: (err) => this.console(`corepy: ${err.message}\n`, 'stderr'),
      exit: (code, signal) => {
        if (proc === this.proc && this.reportFile === reportFile) this.takeReportFile();
        rmSync(path.dirname(reportFile), { recursive: true, force: true });
        if (proc === this.proc) this.onExit(code, signal);
        const answer = this.disconnectAfterExit;
        this.disconnectAfterExit = null;
        if (answer !== null) this.sendResponse(answer);
      },
    });
    this.proc = proc;
  }

  /** Reads the final report the script wrote to this run's report file, if it wrote one. */
  private takeReportFile(): void {
    const file = this.reportFile;
    if (this.finalReport || file === null || !existsSync(file)) return;
    try {
      const msg = JSON.parse(readFileSync(file, 'utf8')) as ProfileReportMessage;
      if (msg && msg.type === 'corepyReport') this.finalReport = msg;
    } catch (e) {
      this.console(`corepy: unreadable report file ${file}: ${(e as Error).message}\n`, 'stderr');
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    // The report's call sites are final and complete; batches may lag by up to 250 ms or be absent. A report whose top
    // level is empty still has the run's ops when a clearProfile() after the last one kept them in an ended segment.
    const fromReport = this.finalReport ? batchFromReport(this.finalReport.report, (this.lastBatch?.seq ?? -1) + 1) : null;
    if (fromReport !== null && (fromReport.sites.length > 0 || fromReport.segments !== undefined)) this.lastBatch = fromReport;
    const body = reportEventBody(this.finalReport, this.lastBatch, code, signal, this.stopRequested, this.keepFlame);
    this.sendEvent(new Event(REPORT_EVENT, body));
    const exitCode = code ?? (signal !== null ? 128 + (osConstants.signals[signal] ?? 0) : 1);
    this.console(exitLine(this.launchArgs?.program, { exitCode, signal, stopped: this.stopRequested, partial: body.partial, recorded: this.lastBatch !== null }));
    if (this.restarting) {
      this.restarting();
      return;
    }
    this.sendEvent(new ExitedEvent(exitCode));
    this.sendEvent(new TerminatedEvent());
  }

  private console(text: string, category: 'console' | 'stderr' = 'console'): void {
    this.sendEvent(new OutputEvent(text, category));
  }
}

/** The Debug Console line that says where a detached script's output goes from now on. */
function detachMessage(program: string | undefined, pid: number | undefined, out: DetachedOutput): string {
  const who = `${program ? path.basename(program) : 'the script'} (pid ${pid ?? '?'})`;
  if (out.logPath === null) return `corepy: detached from ${who}, which runs on; its further output is dropped (no log file: ${out.reason}).\n`;
  const head = `corepy: detached from ${who}, which runs on; its further output goes to ${out.logPath}`;
  return out.by === 'relay'
    ? `${head}\n`
    : `${head} while this adapter runs (${out.reason ?? 'no output relay'}); after that it is lost.\n`;
}
