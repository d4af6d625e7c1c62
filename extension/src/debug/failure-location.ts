/**
 * Where a failed script failed, read from what it printed to stderr: the first `file:line[:col]`
 * that names the program (a stack frame `at … (/w/a.ts:4:7)` / `at file:///w/a.mjs:4:7`, or the
 * `file:line` header Node prints above a syntax error's caret), and the error line
 * (`TypeError: …`). No 'vscode' import.
 */
/** A failure's position in the program: 1-based line and column (column 1 when unknown). */
export interface FailureLocation {
  readonly line: number;
  readonly column: number;
  /** The error's first line, e.g. `Error: boom`, or '' when none was printed. */
  readonly message: string;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The failure's location in `program` (an absolute path), or null when stderr never names it. */
export function failureLocation(stderr: string, program: string): FailureLocation | null {
  const names = [escape(program)];
  try { names.push(escape(new URL(`file://${program.startsWith('/') ? '' : '/'}${program.replace(/\\/g, '/')}`).href)); } catch { /* not a path URL */ }
  const re = new RegExp(`(?:${names.join('|')}):(\\d+)(?::(\\d+))?`, 'g');
  const all = [...stderr.matchAll(re)];
  // Node's header above the caret has no column; the stack frame after it does: prefer a column.
  const m = all.find((x) => x[2] !== undefined) ?? all[0];
  if (!m) return null;
  const error = /^(?:[A-Z]\w*(?:Error|Exception|Rejection)|Error)\b[^\n]*$/m.exec(stderr);
  return { line: Number(m[1]), column: m[2] ? Number(m[2]) : 1, message: error ? error[0] : '' };
}
