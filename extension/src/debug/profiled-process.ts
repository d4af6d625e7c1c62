/**
 * One profiled script: spawns Node with the corepy autostart preload, forwards its output and
 * IPC messages, and stops it (SIGTERM first so the script can send its report, SIGKILL after a
 * grace period). No DAP and no 'vscode' here: the session translates.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { ProfileBatchMessage, ProfileReportMessage } from './protocol.js';

/** What to run. */
export interface ProcessSpec {
  readonly node: string;
  /** Node options before the program (the --import preloads). */
  readonly execArgs: readonly string[];
  readonly program: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/** Callbacks; all optional so tests can listen to what they need. */
export interface ProcessListener {
  output(category: 'stdout' | 'stderr', text: string): void;
  batch(msg: ProfileBatchMessage): void;
  report(msg: ProfileReportMessage): void;
  /** After the process exited AND its stdout/stderr closed (so no output is lost). */
  exit(code: number | null, signal: NodeJS.Signals | null): void;
  error(err: Error): void;
}

/** How long a script may take to write its report after SIGTERM before it is killed, ms. */
export const TERMINATE_GRACE_MS = 3000;

function isBatch(m: unknown): m is ProfileBatchMessage {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'corepyProfile'
    && Array.isArray((m as { sites?: unknown }).sites);
}

function isReport(m: unknown): m is ProfileReportMessage {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'corepyReport';
}

/** A running (or finished) profiled script. */
export class ProfiledProcess {
  private readonly child: ChildProcess;
  private exited = false;
  private killTimer: NodeJS.Timeout | undefined;
  private detached = false;

  constructor(spec: ProcessSpec, attached: ProcessListener) {
    // After detach() nothing reaches the listener; output is still read (and dropped) so the
    // script never blocks on a full pipe.
    const listener: ProcessListener = {
      output: (c, t) => { if (!this.detached) attached.output(c, t); },
      batch: (m) => { if (!this.detached) attached.batch(m); },
      report: (m) => { if (!this.detached) attached.report(m); },
      error: (e) => { if (!this.detached) attached.error(e); },
      exit: (c, s) => { if (!this.detached) attached.exit(c, s); },
    };
    this.child = spawn(spec.node, [...spec.execArgs, spec.program, ...spec.args], {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['pipe', 'pipe', 'pipe', 'ipc'],
    });
    const child = this.child;
    child.stdout?.setEncoding('utf8').on('data', (t: string) => listener.output('stdout', t));
    child.stderr?.setEncoding('utf8').on('data', (t: string) => listener.output('stderr', t));
    child.on('message', (m: unknown) => {
      if (isBatch(m)) listener.batch(m);
      else if (isReport(m)) listener.report(m);
    });
    child.on('error', (err) => {
      // spawn failures (ENOENT for the node executable) never emit 'exit'.
      if (child.pid === undefined && !this.exited) {
        this.exited = true;
        listener.error(err);
        listener.exit(null, null);
      } else {
        listener.error(err);
      }
    });
    // 'close' fires after the stdio streams end, so the last output precedes the exit event.
    child.on('close', (code, signal) => {
      if (this.exited) return;
      this.exited = true;
      clearTimeout(this.killTimer);
      listener.exit(code, signal);
    });
    child.stdin?.end();
  }

  /** The OS process id (undefined when spawning failed). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exited;
  }

  /**
   * Asks the script to stop: SIGTERM (the autostart module sends its report on it), then SIGKILL
   * after `graceMs`. Idempotent.
   */
  stop(graceMs = TERMINATE_GRACE_MS): void {
    if (this.exited || this.killTimer !== undefined) return;
    this.child.kill('SIGTERM');
    this.killTimer = setTimeout(() => {
      if (!this.exited) this.child.kill('SIGKILL');
    }, graceMs);
    this.killTimer.unref();
  }

  /**
   * Leaves the script running on its own (DAP disconnect with terminateDebuggee: false): no more
   * events, the IPC channel is closed (the runtime then stops sending), and the child no longer
   * keeps this process alive. Its output is read and dropped while this process lives.
   */
  detach(): void {
    if (this.exited || this.detached) return;
    this.detached = true;
    if (this.child.connected) this.child.disconnect();
    this.child.unref();
  }

  /** Kills at once (used when the client goes away). */
  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}
