/**
 * The Debug Console line a run ends with, the same in Run and Profile (session.ts, from the
 * process's exit) and Debug and Profile (debug-and-profile.ts, from the runtime's report: js-debug
 * reports no exit status and ends its console with Node's "Waiting for the debugger to
 * disconnect..."). No 'vscode' import.
 */
import * as path from 'node:path';

/** How a run ended, as its launcher knows it. */
export interface RunEnd {
  /** The exit status; null when not known (Debug and Profile without the runtime's report) or killed by a signal. */
  readonly exitCode: number | null;
  /** The signal that killed the process, when one did and the launcher saw it (Run and Profile only). */
  readonly signal: string | null;
  /** The user stopped the run. */
  readonly stopped: boolean;
  /** No final report came: the editor shows the last batch (`recorded`) or nothing. */
  readonly partial: boolean;
  /** A batch was recorded before the end (matters only when `partial`). */
  readonly recorded: boolean;
}

/**
 * "corepy: main.ts exited with code 0", "corepy: long.ts stopped: it was killed by SIGKILL (no
 * report: showing the last recorded batch)"; `program` is a path or undefined when not known.
 * Ends with a newline. Pure.
 */
export function exitLine(program: string | undefined, end: RunEnd): string {
  const how = end.signal !== null ? `was killed by ${end.signal}` : end.exitCode !== null ? `exited with code ${end.exitCode}` : 'ended';
  const kept = end.partial ? (end.recorded ? ' (no report: showing the last recorded batch)' : ' (nothing was recorded)') : '';
  return `corepy: ${program ? path.basename(program) : 'program'} ${end.stopped ? 'stopped: it ' : ''}${how}${kept}\n`;
}

/**
 * "corepy: long.ts stopped: asked to write its report and exit", written to the Debug Console as
 * Debug and Profile's Stop is asked for. VS Code ends js-debug's session at most 2 s after Stop (its
 * disconnect timeout), and a script's report can take longer (the rules' timing budget alone is ~2 s):
 * {@link exitLine} then has no session to write to. Ends with a newline. Pure.
 */
export function stopLine(program: string | undefined): string {
  return `corepy: ${program ? path.basename(program) : 'program'} stopped: asked to write its report and exit\n`;
}

/**
 * The notice that says an {@link exitLine} the Debug Console could not show: the script ended after
 * VS Code had closed its debug session (2 s after Stop when js-debug has not answered, while the
 * script still wrote its report). "Corepy: long.ts stopped: it exited with code 143 (after VS Code
 * had closed the debug session)". Pure.
 */
export function untoldEndNotice(line: string): string {
  return `C${line.trimEnd().slice(1)} (after VS Code had closed the debug session).`;
}
