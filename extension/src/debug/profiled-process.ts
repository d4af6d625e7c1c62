/**
 * One profiled script: spawns Node with the corepy autostart preload, forwards its output and
 * IPC messages, and stops it (SIGTERM first so the script can send its report, SIGKILL after a
 * grace period). No DAP and no 'vscode' here: the session translates.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { STOP_FILE_ENV } from 'corepy/contract';
import { killAfterGrace, type PendingKill } from 'corepy/launch';
import type { Readable } from 'node:stream';
import { handOffOutput, type HandOff } from './output-handoff.js';
import type { ProfileBatchMessage, ProfileReportMessage } from './protocol.js';
import { Utf8Text } from './utf8-text.js';

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

/** Where a detached script's output goes; see {@link ProfiledProcess.detach}. */
export type DetachedOutput =
  | { readonly logPath: string; readonly by: 'relay' | 'adapter'; readonly reason?: string }
  | { readonly logPath: null; readonly reason: string };

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
  private pendingKill: PendingKill | undefined;
  private detached = false;
  /**
   * Output routing. 'attached': decoded text to the listener. 'collect': raw bytes kept for the
   * log file while detach() hands the pipes over. 'log': the relay did not start, this process
   * appends to the log itself. 'drop': nowhere to put it (read anyway so the pipe never fills).
   */
  private route: 'attached' | 'collect' | 'log' | 'drop' = 'attached';
  private readonly collected: Buffer[] = [];
  private handOff: HandOff | undefined;
  private readonly text = { stdout: new Utf8Text(), stderr: new Utf8Text() };

  constructor(private readonly spec: ProcessSpec, attached: ProcessListener) {
    // After detach() nothing reaches the listener; output goes to a log file (see detach()).
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
    // Raw bytes, decoded here: a hand-off must be able to take an incomplete character along.
    child.stdout?.on('data', (b: Buffer) => this.onChunk('stdout', b, listener));
    child.stderr?.on('data', (b: Buffer) => this.onChunk('stderr', b, listener));
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
      this.pendingKill?.cancel();
      this.handOff?.close();
      listener.exit(code, signal);
    });
    child.stdin?.end();
  }

  private onChunk(category: 'stdout' | 'stderr', chunk: Buffer, listener: ProcessListener): void {
    switch (this.route) {
      case 'attached': {
        const text = this.text[category].push(chunk);
        if (text.length > 0) listener.output(category, text);
        break;
      }
      case 'collect': this.collected.push(chunk); break;
      case 'log': this.handOff?.write(chunk); break;
      case 'drop': break;
    }
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
   * after `graceMs`. A script inside a synchronous loop cannot act on the signal; when its spec names
   * a stop file (STOP_FILE_ENV) that file is created first, which the loop's ops look for (every
   * 500 ms at most) and the runtime's stop watcher acts on (any synchronous JavaScript) before they
   * end the script with its report; while the script says it is writing that report (stopAckFile),
   * the kill waits, up to STOP_REPORT_MAX_MS. Idempotent.
   */
  stop(graceMs = TERMINATE_GRACE_MS): void {
    if (this.exited || this.pendingKill !== undefined) return;
    const stopFile = this.spec.env[STOP_FILE_ENV];
    if (stopFile) { try { writeFileSync(stopFile, 'SIGTERM'); } catch { /* the signal still goes */ } }
    this.child.kill('SIGTERM');
    this.pendingKill = killAfterGrace({
      graceMs,
      stopFile: stopFile || undefined,
      exists: existsSync,
      ended: () => this.exited,
      kill: () => this.child.kill('SIGKILL'),
      unref: true,
    });
  }

  /**
   * Leaves the script running on its own (DAP disconnect with terminateDebuggee: false): no more
   * events, the IPC channel is closed (the runtime then stops sending), and the child no longer
   * keeps this process alive. Its further output goes to a log file through a relay process
   * that outlives this one (output-handoff.ts), so the script never writes into a pipe without
   * a reader (EPIPE) when this process exits. Returns where the output goes, or null when the
   * script had already ended or was detached before.
   */
  detach(): DetachedOutput | null {
    if (this.exited || this.detached) return null;
    this.detached = true;
    if (this.child.connected) this.child.disconnect();
    this.child.unref();
    const streams: Readable[] = [];
    // Per stream: its incomplete character, then any chunk the stream buffered but did not emit
    // yet (read() emits it as 'data', which the 'collect' route keeps).
    this.route = 'collect';
    for (const [category, s] of [['stdout', this.child.stdout], ['stderr', this.child.stderr]] as const) {
      if (s === null) continue;
      streams.push(s);
      this.collected.push(this.text[category].takePending());
      while (s.read() !== null) { /* emitted to onChunk */ }
    }
    try {
      this.handOff = handOffOutput({
        pid: this.child.pid, program: this.spec.program, node: this.spec.node, env: this.spec.env,
        streams, preamble: this.collected.splice(0),
      });
    } catch (err) {
      // No log file (temp dir not writable, disk full): keep draining so the script never blocks.
      this.route = 'drop';
      return { logPath: null, reason: err instanceof Error ? err.message : String(err) };
    }
    this.route = this.handOff.by === 'adapter' ? 'log' : 'drop';
    return { logPath: this.handOff.logPath, by: this.handOff.by, reason: this.handOff.reason };
  }

  /** Kills at once (used when the client goes away). */
  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}
