/**
 * The undisposed-tensors quick fix for a `tidy` result nobody disposes, on the syntax tree: where a
 * statement `cp.tidy(() => expr);` drops what tidy returns, the callback's expression body becomes a
 * block, `cp.tidy(() => { expr; })`, so the callback returns nothing and tidy disposes everything it
 * made (tidy keeps alive exactly what its function returns, memory.ts).
 *
 * Offered only where that cannot change what the code does: the statement is the call alone (its
 * result goes nowhere), the callback is an arrow function with an expression body, and that
 * expression hands nothing to code outside it — no assignment (`+=`-style updates of numbers are
 * fine), no `push`/`unshift`/`set`/`splice`, the same test as the loop rewrite (tidy-rewrite.ts).
 * Anything else gets no fix and a reason; the rule's text then says what to dispose.
 */
import type * as TS from 'typescript';
import { callsAt, parse, type Parsed, type Rewrite } from './ast.js';

/** Methods that keep their argument in a collection outside the callback. */
const STORING = new Set(['push', 'unshift', 'set', 'splice']);

/** What the rule says about the tidy call, with the rewrite (or why there is none). */
export interface TidyReturn {
  /** The call as written, when it fits on one short line (for the text); null otherwise. */
  readonly call: string | null;
  /** True when the statement is the call alone: tidy's result is dropped. */
  readonly dropped: boolean;
  readonly rewrite: Rewrite;
}

/** Why `body` could hand a value to code outside the callback, or null when it cannot. */
function escapes(p: Parsed, body: TS.Expression): string | null {
  const { ts } = p;
  const numeric = new Set([ts.SyntaxKind.PlusEqualsToken, ts.SyntaxKind.MinusEqualsToken, ts.SyntaxKind.AsteriskEqualsToken,
    ts.SyntaxKind.SlashEqualsToken, ts.SyntaxKind.PercentEqualsToken, ts.SyntaxKind.AsteriskAsteriskEqualsToken]);
  let why: string | null = null;
  const visit = (n: TS.Node): void => {
    if (why !== null || ts.isFunctionLike(n)) return;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment &&
      !numeric.has(n.operatorToken.kind)) why = `the callback assigns '${n.left.getText(p.sf)}', which would then hold a disposed tensor`;
    else if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && STORING.has(n.expression.name.text)) {
      why = `the callback stores values in '${n.expression.expression.getText(p.sf)}', which would then hold disposed tensors`;
    }
    ts.forEachChild(n, visit);
  };
  visit(body);
  return why;
}

/**
 * The `tidy` call at 1-based `line`/`column` of `file` (where the profiler saw tidy return the
 * results), whether its result is dropped, and the quick fix making its callback return nothing; null
 * when no `tidy` call is there (then the rule cannot name it).
 */
export function tidyReturnRewrite(file: string, source: string, line: number, column: number): TidyReturn | null {
  const p = parse(file, source);
  if (!p) return { call: null, dropped: false, rewrite: { reason: 'the TypeScript compiler (package typescript) could not be loaded to read the source' } };
  const lines = source.split('\n');
  if (line < 1 || line > lines.length) return null;
  const { ts, sf } = p;
  const call = callsAt(p, line, column, 'tidy')[0];
  if (!call) return null;
  const text = call.getText(sf);
  const shown = !text.includes('\n') && text.length <= 60 ? text : null;
  const dropped = ts.isExpressionStatement(call.parent) || (ts.isVoidExpression(call.parent) && ts.isExpressionStatement(call.parent.parent));
  const fn = call.arguments[call.arguments.length - 1];
  const no = (reason: string): TidyReturn => ({ call: shown, dropped, rewrite: { reason } });
  if (!dropped) return no(`the result of tidy on line ${line} is used there (kept or passed on): dispose it once it is no longer needed`);
  if (!fn || !ts.isArrowFunction(fn)) return no(`tidy's function on line ${line} is not an arrow function written there: make it return nothing`);
  if (ts.isBlock(fn.body)) return no(`tidy's function on line ${line} has a block body: make its return statements return nothing`);
  const why = escapes(p, fn.body);
  if (why) return no(why);
  const stmt = ts.isVoidExpression(call.parent) ? call.parent.parent : call.parent;
  const start = stmt.getStart(sf), body = fn.body;
  const replacement = source.slice(start, body.getStart(sf)) + `{ ${body.getText(sf)}; }` + source.slice(body.end, stmt.end);
  const s = sf.getLineAndCharacterOfPosition(start), e = sf.getLineAndCharacterOfPosition(stmt.end);
  const fix = { range: { startLine: s.line + 1, startColumn: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1 }, replacement };
  return { call: shown, dropped, rewrite: { fix, before: source.slice(start, stmt.end), after: replacement } };
}
