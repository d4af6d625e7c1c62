/**
 * Time a Debug and Profile run spends paused in the debugger, from what js-debug's sessions say
 * and are asked (DAP). A pause starts with a session's `stopped` event and ends when every stopped
 * session has been asked to run again (`continue`, a step) or has ended, or when the whole run
 * resumes (Stop, the script's end).
 *
 * js-debug's `continued` events do not end a pause: it sends one whenever V8 resumes a thread,
 * also after the pauses it makes and ends by itself without a `stopped` (a script's pause for its
 * source map, a worker thread's first pause as js-debug attaches to it), and each session speaks for
 * its own thread only. Under load js-debug attaches to the wasm backend's matmul workers seconds
 * after they start, while the script is already stopped at a breakpoint, and their `continued`
 * ended the pause: 0.9 s of a 3.6 s pause and 1.7 s of a 25 s one were counted, the rest left in the
 * wall time (audit 33 #1). Only a request resumes a thread the user sees stopped.
 */
import type { FlamePause } from './flame-pauses.js';

/** DAP requests that let a stopped thread run again. */
export const RESUME_REQUESTS: readonly string[] = ['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'restartFrame', 'goto'];

/** A DAP message a js-debug session sent (an event) or is sent (a request), as a debug adapter tracker sees it. */
export interface DapMessage {
  readonly type?: string;
  readonly event?: string;
  readonly command?: string;
}

/** Paused-time bookkeeping of one run, ms; and where each pause fell on the profile's timeline. */
export class PauseClock {
  private since: number | null = null;
  /** Sessions (their ids) stopped now. */
  private readonly held = new Set<string>();
  /** The current pause's start on the profile's timeline (ms since its start), once the paused script said where it was. */
  private startFlameMs: number | null = null;
  /** Time paused so far, ms (the current pause not included until it ends). */
  pausedMs = 0;
  /** Pauses placed on the profile's timeline (a pause the script could not be asked about is not among them). */
  readonly placed: FlamePause[] = [];

  /** @param now the clock, ms (a parameter for the tests). */
  constructor(private readonly now: () => number = Date.now) {}

  /** Whether the script is paused in the debugger now. */
  get paused(): boolean { return this.since !== null; }

  /**
   * One message of session `session` (any of the run's js-debug sessions: the script's, a worker's):
   * a `stopped` event starts a pause, a resume request or the session's `terminated` event lets it run.
   * Returns whether a pause ended with it.
   */
  observe(session: string, m: DapMessage): boolean {
    if (m.type === 'event' && m.event === 'stopped') this.stopped(session);
    else if ((m.type === 'event' && m.event === 'terminated') || (m.type === 'request' && RESUME_REQUESTS.includes(m.command ?? ''))) return this.resumed(session);
    return false;
  }

  /** Session `session` said `stopped`: the pause starts, unless one is already running. */
  stopped(session: string): void {
    this.held.add(session);
    this.since ??= this.now();
  }

  /**
   * Session `session` was asked to run again, or ended: the pause ends once no session is stopped.
   * Returns whether it ended now.
   */
  resumed(session: string): boolean {
    if (!this.held.delete(session) || this.held.size > 0) return false;
    return this.end();
  }

  /** The whole run resumes (Stop: js-debug resumes the script as it disconnects; or the script ended): any pause ends. Returns whether one did. */
  resumedAll(): boolean {
    this.held.clear();
    return this.end();
  }

  /**
   * The paused script's profile was `flameMs` in (its batch's wall time) when it answered, just now:
   * the pause began that long after the profile's start, less the time since the stop.
   */
  located(flameMs: number): void {
    if (this.since !== null && this.startFlameMs === null) this.startFlameMs = Math.max(0, flameMs - (this.now() - this.since));
  }

  private end(): boolean {
    const since = this.since;
    this.since = null;
    if (since !== null) {
      const ms = this.now() - since;
      this.pausedMs += ms;
      if (this.startFlameMs !== null) this.placed.push({ startUs: this.startFlameMs * 1000, durationUs: ms * 1000 });
    }
    this.startFlameMs = null;
    return since !== null;
  }
}
