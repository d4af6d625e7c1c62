/**
 * How a script run by `corepy profile` ended, as the report's `run` field says it (contract/report.ts
 * {@link RunOutcome}): the CLI's text already says "the script failed" or "PARTIAL"; an export read by
 * a tool said nothing of it. Pure functions, for cli.ts.
 */
import { fileURLToPath } from 'node:url';
import { outcomeOf, type RunError, type RunOutcome } from './contract/report.js';
import { readUncaught } from './contract/uncaught.js';

/** What cli.ts knows when the script has ended. */
export interface EndedRun {
  /** The script's exit status (128 + n for a signal). */
  readonly code: number;
  /** The signal that ended it, if one did. */
  readonly signal: NodeJS.Signals | null;
  /** The signal the CLI forwarded to stop it (Ctrl-C), if it did. */
  readonly stoppedBy: NodeJS.Signals | null;
  /** True when the report was rebuilt from the last streamed batch. */
  readonly partial: boolean;
  /** What the runtime printed for an uncaught error (ipc.ts `describeUncaught`: Node's format), if the script ended by one. */
  readonly uncaught?: string;
}

/** corepy's own folder (this file is in its src/ or dist/): frames there are not the user's code. */
const COREPY_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * The error of the runtime's uncaught-error text (describeUncaught): its message line and where it was
 * thrown in the user's code, read by the contract's {@link readUncaught} with corepy's own folder as not
 * the user's. Null for empty text.
 */
export function runError(uncaught: string): RunError | null {
  return readUncaught(uncaught, { runtimeDirs: [COREPY_DIR] });
}

/**
 * The report's `run`: 'stopped' when the CLI stopped the script (Ctrl-C) — whatever status that left —
 * 'failed' for any other non-zero status or signal, else 'completed'; with the exit status, the signal,
 * `partial` when the figures stop at the last streamed batch, and the uncaught error where there was one.
 */
export function runOutcome(run: EndedRun): RunOutcome {
  const outcome = outcomeOf(run.stoppedBy !== null, run.code, run.signal);
  const error = run.uncaught ? runError(run.uncaught) : null;
  return {
    outcome,
    exitCode: run.code,
    ...(run.signal ? { signal: run.signal } : run.stoppedBy ? { signal: run.stoppedBy } : {}),
    ...(run.partial ? { partial: true } : {}),
    ...(error ? { error } : {}),
  };
}
