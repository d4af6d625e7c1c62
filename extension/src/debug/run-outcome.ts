/**
 * The JSON report's `run` (the contract's {@link RunOutcome}) for a run the extension launched: Run
 * and Profile and Debug and Profile know how the script ended (exit status, signal, whether the user
 * stopped it, the runtime's uncaught-error text), and an export of that run says it as a report
 * written by `corepy profile` does, by the same rule (the contract's `outcomeOf`). No 'vscode' import.
 */
import { constants as osConstants } from 'node:os';
import { outcomeOf, readUncaught, type RunError, type RunOutcome } from 'corepy/contract';

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
 * The uncaught error of `uncaught` (the runtime's text, or the script's stderr): its message line and,
 * where the text places it in `program` (a stack frame, Node's header above the thrown line, a syntax
 * error's `file:line:col`), that place; null for no text. The contract's {@link readUncaught}, as
 * `corepy profile` reads it, limited to `program`: the extension cannot tell which corepy copy the
 * script loaded (the one bundled in the extension is in no node_modules). vscode-debug.ts's failure
 * diagnostic is this place, so the export and the editor agree.
 */
export function runErrorOf(uncaught: string | undefined, program: string): RunError | null {
  return uncaught === undefined ? null : readUncaught(uncaught, { program });
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
