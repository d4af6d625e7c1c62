/**
 * Stop under Debug and Profile, keeping the report. js-debug ends a launched script with
 * `killBehavior`: forceful (SIGKILL, its default) leaves no report; polite (SIGTERM) lets the
 * runtime write its full report — from its signal handler, or, inside a synchronous loop of ops,
 * where no handler can run, from the op path once it sees the stop file (COREPY_PROFILE_STOP_FILE)
 * — but js-debug then waits for the process to exit, and a script in a loop without ops never
 * would: Stop would hang. So a run gets the polite kill only when its runtime announces its process
 * id (ProfileHelloMessage), and Stop arms a watchdog here that SIGKILLs it if it has not exited in
 * time. The extension sends that SIGTERM itself when Stop is asked for, as the other launchers do
 * (js-debug's own comes after it and is ignored): js-debug sends its signal from the extension
 * host's event loop, the loop the watchdog's timer runs on, so on a busy host its signal could come
 * after the grace had run out, and a script that had not seen the stop yet was killed without its
 * report. (A script paused at a breakpoint is resumed by js-debug as it disconnects, and writes its
 * report like a running one: the e2e test "Stop while paused" sees exit 143 with the report.)
 * The runtime's final report goes to a file (COREPY_PROFILE_REPORT_FILE: written synchronously,
 * which a socket cannot be). No 'vscode' import.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPORT_FILE_ENV, STOP_FILE_ENV } from 'corepy/contract';
import { killAfterGrace, type PendingKill } from 'corepy/launch';
import type { ProfileReportMessage } from './protocol.js';

/** How long a stopped script gets to write its report before it is killed, ms (the rules' timing budget alone is ~2 s). */
export const STOP_GRACE_MS = 5000;

/** Whether the runtime in `runtimeDir` sends its process id first over the socket (a runtime from before it does not). */
export function runtimeAnnouncesPid(runtimeDir: string): boolean {
  try {
    return readFileSync(path.join(runtimeDir, 'dist', 'profiler', 'ipc.js'), 'utf8').includes('corepyHello');
  } catch {
    return false;
  }
}

/** One Debug and Profile run's stop and report files, and the watchdog Stop arms. */
export class DebugStop {
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'corepy-debug-'));
  readonly reportFile = path.join(this.dir, 'report.json');
  readonly stopFile = path.join(this.dir, 'stop');
  /** The script's process id, once it said (ProfileHelloMessage). */
  pid: number | null = null;
  private ended = false;
  private watchdog: PendingKill | undefined;

  /** `polite`: js-debug is asked for SIGTERM on Stop (the runtime announces its pid, so the watchdog can end it). */
  constructor(readonly polite: boolean) {}

  /** The variables the launch adds to the script's environment. */
  env(): Record<string, string> {
    return { [REPORT_FILE_ENV]: this.reportFile, [STOP_FILE_ENV]: this.stopFile };
  }

  /**
   * The user asked to stop (a `disconnect`, `terminate` or `restart` request): the stop file for the op
   * path, and — with the polite kill — SIGTERM now and the watchdog that kills the script if it has not
   * ended after the grace. The grace counts from this signal, not from js-debug's: the extension host
   * may run js-debug's handling of the request only after the grace (a loaded machine).
   */
  requested(graceMs = STOP_GRACE_MS): void {
    if (this.ended) return;
    try { writeFileSync(this.stopFile, 'SIGTERM'); } catch { /* the signal still goes */ }
    if (!this.polite || this.watchdog !== undefined) return;
    if (this.pid !== null) try { process.kill(this.pid, 'SIGTERM'); } catch { /* already gone */ }
    this.watchdog = killAfterGrace({
      graceMs,
      stopFile: this.stopFile,
      exists: existsSync,
      ended: () => this.ended || this.pid === null,
      kill: () => { try { process.kill(this.pid as number, 'SIGKILL'); } catch { /* already gone */ } },
    });
  }

  /** The script's connection closed: its final report, if it wrote one; the files go. */
  end(): ProfileReportMessage | null {
    this.ended = true;
    this.watchdog?.cancel();
    let report: ProfileReportMessage | null = null;
    try {
      if (existsSync(this.reportFile)) {
        const msg = JSON.parse(readFileSync(this.reportFile, 'utf8')) as ProfileReportMessage;
        if (msg && msg.type === 'corepyReport') report = msg;
      }
    } catch { /* unreadable: the last batch stands */ }
    rmSync(this.dir, { recursive: true, force: true });
    return report;
  }
}
