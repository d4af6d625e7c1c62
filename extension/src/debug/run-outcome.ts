/**
 * The JSON report's `run` (the contract's {@link RunOutcome}) for a run the extension launched: Run
 * and Profile and Debug and Profile know how the script ended (exit status, signal, whether the user
 * stopped it, the runtime's uncaught-error text), and an export of that run says it as a report
 * written by `corepy profile` does, by the same rule (the contract's `outcomeOf`). No 'vscode' import.
 */
import { constants as osConstants } from 'node:os';
import { outcomeOf, type RunError, type RunOutcome } from 'corepy/contract';
import { failureLocation } from './failure-location.js';

/** How a run ended, as the launcher saw it (the fields of the `corepyReport` event body it needs). */
export interface LaunchedRunEnd {
  /** The exit status; null when killed by a signal, or not known (Debug and Profile without the runtime's report). */
  readonly exitCode: number | null;
  /** The signal that killed the process, when the launcher saw one (Run and Profile). */
  readonly signal: string | null;
  /** The user stopped the run (Stop, Restart): with SIGTERM, as both launchers stop a script. */
  readonly stopped?: boolean;
  /** What the runtime printed for the uncaught error the script ended by (Node's format), if any. */
  readonly uncaught?: string;
}

/** The exit status a shell would report: the status, else 128 + the signal's number, else 1 (unknown). */
function statusOf(end: LaunchedRunEnd): number {
  if (end.exitCode !== null) return end.exitCode;
  const n = end.signal !== null ? (osConstants.signals as Record<string, number | undefined>)[end.signal] : undefined;
  return n !== undefined ? 128 + n : 1;
}

/**
 * The uncaught error of `uncaught`: its message line (`Error: boom`, else the first non-empty line) and,
 * where the text names `program` (a stack frame or a syntax error's header), that place; null for no text.
 * failure-location.ts reads it the same way for the failure diagnostic, so the export and the editor agree.
 */
export function runErrorOf(uncaught: string | undefined, program: string): RunError | null {
  if (uncaught === undefined || uncaught.trim() === '') return null;
  const at = failureLocation(uncaught, program);
  const message = at?.message || /^(?:[A-Z]\w*(?:Error|Exception|Rejection)|Error)\b[^\n]*$/m.exec(uncaught)?.[0] ||
    uncaught.split('\n').find((l) => l.trim() !== '')!.trim();
  return at ? { message, location: { file: program, line: at.line, column: at.column } } : { message };
}

/** The report's `run` for a run of `program` that ended as `end` with its full report (a partial run has none to carry it). Pure. */
export function runOutcomeOf(program: string, end: LaunchedRunEnd): RunOutcome {
  const exitCode = statusOf(end);
  const stopped = end.stopped === true;
  const error = runErrorOf(end.uncaught, program);
  return {
    outcome: outcomeOf(stopped, exitCode, end.signal),
    exitCode,
    // Both launchers stop a script with SIGTERM (it exits 143 once its report is written), as `corepy profile` names the signal it forwarded.
    ...(end.signal !== null ? { signal: end.signal } : stopped ? { signal: 'SIGTERM' } : {}),
    ...(error ? { error } : {}),
  };
}
