/**
 * Whether a chain the jit-chain rule found is already inside a `cp.jit` function (audit 21 N12): a
 * jitted signature that reads tensor data while traced (or meets another untraced op) runs eagerly
 * from then on, and its ops reach the profiler exactly like code that was never jitted. Telling
 * that chain to "fuse with cp.jit" is telling the user to do what they did.
 *
 * On the syntax tree: the functions a file passes to `jit(…)` (a function written in the call, or
 * one it names and declares in the file) and where those calls are. The jit records each eager
 * signature with the line of its `cp.jit(…)` call (jit.ts `eagerSignatures`), so a chain inside a
 * jitted function learns why that function runs eagerly. Parsed once per file per report; the
 * registry is read once per chain that passed the rule's thresholds.
 */
import type * as TS from 'typescript';
import type { SourceLocation } from '../../contract/flame.js';
import { eagerSignatures, type EagerSignature } from '../../jit/jit.js';
import { calleeName, parseLines, type Parsed } from './ast.js';
import { memoFact } from './site-events.js';
import type { RuleInput } from './types.js';

/** A function the file passes to `jit(…)`: its lines and those of the call (1-based, inclusive). */
interface Jitted {
  readonly fnStart: number;
  readonly fnEnd: number;
  readonly callStart: number;
  readonly callEnd: number;
}

/** Where a chain sits in jitted code: the function's first line, and its eager signatures (none: every signature seen traces). */
export interface InJit {
  /** 1-based line where the jitted function starts. */
  readonly line: number;
  readonly eager: readonly EagerSignature[];
}

const lineOf = (p: Parsed, pos: number): number => p.sf.getLineAndCharacterOfPosition(pos).line + 1;

/** Every function the file hands to `jit(…)` / `X.jit(…)`. */
function jittedFunctions(p: Parsed): Jitted[] {
  const { ts, sf } = p;
  const out: Jitted[] = [];
  // Functions declared by name (`function f`, `const f = (…) => …`), for `cp.jit(f)`.
  const named = new Map<string, TS.Node>();
  const calls: TS.CallExpression[] = [];
  const visit = (n: TS.Node): void => {
    if (ts.isFunctionDeclaration(n) && n.name) named.set(n.name.text, n);
    else if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && (ts.isArrowFunction(n.initializer) || ts.isFunctionExpression(n.initializer))) {
      named.set(n.name.text, n.initializer);
    } else if (ts.isCallExpression(n) && calleeName(p, n) === 'jit' && n.arguments.length >= 1) calls.push(n);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  for (const c of calls) {
    const a = c.arguments[0]!;
    const fn = ts.isArrowFunction(a) || ts.isFunctionExpression(a) ? a : ts.isIdentifier(a) ? named.get(a.text) : undefined;
    if (fn === undefined) continue;
    out.push({ fnStart: lineOf(p, fn.getStart(sf)), fnEnd: lineOf(p, fn.end), callStart: lineOf(p, c.getStart(sf)), callEnd: lineOf(p, c.end) });
  }
  return out;
}

/**
 * The jitted function holding every one of `lines` of `file` (the innermost, when jitted functions
 * nest), with the eager signatures compiled by its `jit(…)` call; null when the lines are in no
 * jitted function or the source cannot be read.
 */
export function inJittedFunction(input: RuleInput, file: string, lines: readonly number[]): InJit | null {
  const src = input.source(file);
  if (src === null || lines.length === 0) return null;
  const p = parseLines(file, src);
  if (p === null) return null;
  const fns = memoFact(p, 'jitted-functions', jittedFunctions);
  let best: Jitted | null = null;
  for (const f of fns) {
    if (!lines.every((l) => f.fnStart <= l && l <= f.fnEnd)) continue;
    if (best === null || f.fnEnd - f.fnStart < best.fnEnd - best.fnStart) best = f;
  }
  if (best === null) return null;
  const b = best;
  const here = (at: SourceLocation | null): boolean => at !== null && samePath(at.file, file) && b.callStart <= at.line && at.line <= b.callEnd;
  return { line: b.fnStart, eager: eagerSignatures().filter((e) => here(e.compiledAt)) };
}

/** Paths as the profiler and the jit name them (both source-mapped; Windows drive letters in either case). */
const samePath = (a: string, b: string): boolean => a === b || a.replace(/\\/g, '/').toLowerCase() === b.replace(/\\/g, '/').toLowerCase();
