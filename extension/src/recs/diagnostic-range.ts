/**
 * Where a recommendation's diagnostic goes, and the code it shows. Pure (no 'vscode' import): lines
 * and characters are 0-based here, as in VS Code's ranges; the recommendation's are 1-based.
 *
 * The diagnostic marks the code the recommendation is about — its location's line — never its
 * fix's range as such: a fix is an edit, and an edit may start far from the code it rewrites (the
 * jit-chain fix starts at the end of the corepy import, where it inserts `const fused = cp.jit(…)`,
 * and ends at the chain). The fix only narrows the mark on the location's line, where it has an
 * end or a start there.
 */
import type { FixRange, Recommendation } from '../recommendation.js';

/** A 0-based, end-exclusive range of a document. */
export interface DiagnosticSpan {
  readonly startLine: number;
  readonly startCharacter: number;
  readonly endLine: number;
  readonly endCharacter: number;
}

/**
 * The span of `r`'s diagnostic: its fix's range when the fix lies on the location's line; else the
 * location's line — from the fix's start or the line's first non-blank character, to the fix's end
 * or the line's end, whichever of each lies on that line. `lineText` gives the text of a 0-based
 * line when the document is open (undefined when it is not, or the line is past its end); without
 * it the span runs from the location's column to the end of the line.
 */
export function diagnosticSpan(r: Recommendation, lineText: (line: number) => string | undefined = () => undefined): DiagnosticSpan {
  const line = r.location.line - 1;
  const text = lineText(line);
  const first = text === undefined ? Math.max(0, r.location.column - 1) : text.length - text.trimStart().length;
  const last = text === undefined ? Number.MAX_SAFE_INTEGER : text.trimEnd().length;
  const f = r.fix?.range;
  // A fix that does not reach the location's line says nothing about where the code is.
  if (!f || f.startLine - 1 > line || f.endLine - 1 < line) return { startLine: line, startCharacter: first, endLine: line, endCharacter: last };
  const start = f.startLine - 1 === line ? f.startColumn - 1 : first;
  const end = f.endLine - 1 === line ? f.endColumn - 1 : last;
  return { startLine: line, startCharacter: start, endLine: line, endCharacter: Math.max(start, end) };
}

/**
 * Where fix range `f` (1-based, as the run numbered the file) is in the document now, after the
 * edits made since the run; null when the text it replaces is not there intact — a line of it
 * removed, its lines no longer together, or the text inside the range changed (a stale fix applied
 * there would rewrite other code). `current` maps a run line to its line now (null: removed),
 * `ranLine` gives a run line's text as the run read it, `nowLine` a line's text now (1-based both).
 */
export function currentFixRange(
  f: FixRange,
  current: (runLine: number) => number | null,
  ranLine: (runLine: number) => string | undefined,
  nowLine: (line: number) => string | undefined,
): FixRange | null {
  const start = current(f.startLine);
  if (start === null) return null;
  for (let l = f.startLine; l <= f.endLine; l++) {
    const at = l === f.startLine ? start : current(l);
    if (at !== start + (l - f.startLine)) return null;
    const was = ranLine(l), now = nowLine(at);
    if (was === undefined || now === undefined) return null;
    // The replaced part of the line, at the same columns (text typed before it on its line moved it: no fix).
    const from = l === f.startLine ? f.startColumn - 1 : 0;
    const to = l === f.endLine ? f.endColumn - 1 : undefined;
    if (was.slice(from, to) !== now.slice(from, to)) return null;
  }
  return { ...f, startLine: start, endLine: start + (f.endLine - f.startLine) };
}

/**
 * The code a recommendation's diagnostic shows: its id without the file ("batch-loop:8"; the Problems
 * view already groups by file, and an absolute path there crowded out the message). Unique within a file.
 */
export function diagnosticCode(r: Pick<Recommendation, 'id' | 'location'>): string {
  const file = `:${r.location.file}:`;
  const at = r.id.indexOf(file);
  return at < 0 ? r.id : r.id.slice(0, at) + ':' + r.id.slice(at + file.length);
}
