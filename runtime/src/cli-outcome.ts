/**
 * How a script run by `corepy profile` ended, as the report's `run` field says it (contract/report.ts
 * {@link RunOutcome}): the CLI's text already says "the script failed" or "PARTIAL"; an export read by
 * a tool said nothing of it. Pure functions, for cli.ts.
 */
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourceLocation } from './contract/flame.js';
import { outcomeOf, type RunError, type RunOutcome } from './contract/report.js';

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

/** A stack frame: `at name (file:line:col)` or `at file:line:col`. */
const FRAME = /^\s*at (?:.*? \()?((?:file:\/\/)?[^()\s][^()]*?):(\d+):(\d+)\)?\s*$/;
/** An esbuild/Node syntax error's first line: `file:line:col` or `file:line`. */
const WHERE = /^((?:file:\/\/)?\/[^:]+|[A-Za-z]:\\[^:]+):(\d+)(?::(\d+))?$/;

/** A frame's file as a path (file URLs converted); null for Node's own (`node:`) and other non-file frames. */
function framePath(file: string): string | null {
  if (file.startsWith('file://')) {
    try { return fileURLToPath(file); } catch { return null; }
  }
  return isAbsolute(file) ? file : null;
}

/** corepy's own folder (this file is in its src/ or dist/), with a trailing separator. */
const COREPY_DIR = fileURLToPath(new URL('..', import.meta.url));
/** Frames of corepy itself and of packages: the error's place in the user's code is the first frame outside them. */
const notUserCode = (path: string): boolean => path.startsWith(COREPY_DIR) || /[\\/]node_modules[\\/]/.test(path);

/**
 * The error of an uncaught-error text: its message line (`Error: boom`, `SyntaxError: …`, or the text of a
 * non-Error value) and where it was thrown in the user's code — the first stack frame outside corepy and
 * node_modules, or the `file:line:col` a syntax error starts with. Null for empty text.
 */
export function runError(uncaught: string): RunError | null {
  const lines = uncaught.split('\n').map((l) => l.trimEnd());
  const firstFrame = lines.findIndex((l) => /^\s+at /.test(l));
  const head = (firstFrame < 0 ? lines : lines.slice(0, firstFrame)).filter((l) => l.trim() !== '');
  if (head.length === 0) return null;
  // A syntax error's report starts with where and the source line; its message is the line naming the error.
  const named = head.find((l) => /^([A-Z]\w*(Error|Exception)|Uncaught exception|Unhandled rejection)\b.*:/.test(l));
  const message = (named ?? head[0]!).trim();
  let location: SourceLocation | undefined;
  const where = WHERE.exec(head[0]!.trim());
  if (where) {
    const file = framePath(where[1]!);
    if (file) location = { file, line: Number(where[2]), column: Number(where[3] ?? 1) };
  }
  for (const l of firstFrame < 0 || location ? [] : lines.slice(firstFrame)) {
    const m = FRAME.exec(l);
    const file = m ? framePath(m[1]!) : null;
    if (m && file && !notUserCode(file)) { location = { file, line: Number(m[2]), column: Number(m[3]) }; break; }
  }
  return location ? { message, location } : { message };
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
