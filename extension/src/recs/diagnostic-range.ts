/**
 * Where a recommendation's diagnostic goes. Pure (no 'vscode' import): lines and characters are
 * 0-based here, as in VS Code's ranges; the recommendation's are 1-based.
 *
 * The diagnostic marks the code the recommendation is about — its location's line — never its
 * fix's range as such: a fix is an edit, and an edit may start far from the code it rewrites (the
 * jit-chain fix starts at the end of the corepy import, where it inserts `const fused = cp.jit(…)`,
 * and ends at the chain). The fix only narrows the mark on the location's line, where it has an
 * end or a start there.
 */
import type { Recommendation } from '../recommendation.js';

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
