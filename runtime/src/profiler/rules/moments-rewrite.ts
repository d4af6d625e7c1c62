/**
 * The moments quick fix, on the syntax tree: in the statement holding the `std`/`var` call site,
 * `X.mean()` and `X.std()` (or `ns.mean(X)` and `ns.std(X)`, or `var`/`variance`) of the same
 * side-effect-free `X` become one `moments` call declared just before the statement:
 *
 *   const { mean: xMean, variance: xVar } = x.moments();
 *   const z = x.sub(xMean).div(xVar.sqrt());
 *
 * Calls with arguments (an axis, ddof) are left alone: moments' defaults are the whole tensor and ddof 0.
 */
import type * as TS from 'typescript';
import { callsAt, fixReplacing, freshName, identifiers, indentAt, isPlainRef, parse, type Parsed, type Rewrite } from './ast.js';

interface Stat {
  readonly call: TS.CallExpression;
  /** Source text of the tensor, and the namespace for the function form (null = method form). */
  readonly x: string;
  readonly ns: string | null;
}

/** `X.name()` or `ns.name(X)` with a plain X; null otherwise. */
function statCall(p: Parsed, n: TS.Node, names: readonly string[]): Stat | null {
  const { ts } = p;
  if (!ts.isCallExpression(n) || !ts.isPropertyAccessExpression(n.expression) || !names.includes(n.expression.name.text)) return null;
  const recv = n.expression.expression;
  if (n.arguments.length === 0 && isPlainRef(p, recv)) return { call: n, x: recv.getText(p.sf), ns: null };
  if (n.arguments.length === 1 && ts.isIdentifier(recv) && isPlainRef(p, n.arguments[0]!)) return { call: n, x: n.arguments[0]!.getText(p.sf), ns: recv.text };
  return null;
}

/** The statement (a direct child of a block or the file) that holds `n`. */
function statementOf(p: Parsed, n: TS.Node): TS.Statement | null {
  const { ts } = p;
  for (let c: TS.Node = n; c.parent; c = c.parent) {
    if (ts.isBlock(c.parent) || ts.isSourceFile(c.parent) || ts.isCaseClause(c.parent) || ts.isDefaultClause(c.parent)) return c as TS.Statement;
    if (ts.isFunctionLike(c)) return null;
  }
  return null;
}

/** The moments quick fix for the `std`/`var` call on 1-based `line` of `file`, or why none is offered. */
export function momentsRewrite(file: string, source: string, line: number, column: number, spreadOp: string): Rewrite {
  const p = parse(file, source);
  if (!p) return { reason: 'the TypeScript compiler (package typescript) could not be loaded to read the source' };
  const names = spreadOp === 'std' ? ['std'] : ['var', 'variance'];
  const spreadCall = callsAt(p, line, column, names[0]!).concat(names[1] ? callsAt(p, line, column, names[1]) : [])
    .map((c) => statCall(p, c, names)).find((s): s is Stat => s !== null);
  if (!spreadCall) return { reason: `no ${spreadOp}() of a plain tensor without arguments on line ${line}` };
  const st = statementOf(p, spreadCall.call);
  if (!st) return { reason: 'the call is not inside a statement of a block' };
  let meanCall: Stat | null = null;
  const visit = (n: TS.Node): void => {
    const m = statCall(p, n, ['mean']);
    if (m && !meanCall && m.x === spreadCall.x && m.ns === spreadCall.ns) meanCall = m;
    p.ts.forEachChild(n, visit);
  };
  visit(st);
  const mean = meanCall as Stat | null;
  if (!mean) return { reason: `mean() of ${spreadCall.x} is not computed in the same statement` };
  const used = identifiers(p);
  const base = (/(\w+)$/.exec(spreadCall.x)?.[1] ?? 'x').replace(/^this$/, 'x');
  const meanName = freshName(used, `${base}Mean`), varName = freshName(used, `${base}Var`);
  const { x, ns } = spreadCall;
  const momentsCall = ns ? `${ns}.moments(${x})` : `${x}.moments()`;
  const spreadValue = spreadOp === 'std' ? (ns ? `${ns}.sqrt(${varName})` : `${varName}.sqrt()`) : varName;
  // Rewrite the statement's text: the two calls' spans replaced, everything else (comments included) kept.
  const stStart = st.getStart(p.sf);
  const edits = [
    { s: mean.call.getStart(p.sf), e: mean.call.end, r: meanName },
    { s: spreadCall.call.getStart(p.sf), e: spreadCall.call.end, r: spreadValue },
  ].sort((a, b) => b.s - a.s);
  let body = p.text.slice(stStart, st.end);
  for (const { s, e, r } of edits) body = body.slice(0, s - stStart) + r + body.slice(e - stStart);
  const indent = indentAt(p, stStart);
  const after = `${indent}const { mean: ${meanName}, variance: ${varName} } = ${momentsCall};\n${indent}${body}`;
  return { after, fix: fixReplacing(p, st, after) };
}
