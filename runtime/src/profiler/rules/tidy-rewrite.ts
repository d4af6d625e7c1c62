/**
 * The undisposed-tensors quick fix, on the syntax tree: the body of the innermost loop statement
 * (`for`, `for…of`, `for…in`, `while`, `do`) around the call becomes `cp.tidy(() => { … })`, so
 * every tensor an iteration creates is disposed when the iteration ends.
 *
 * Offered only where that cannot change what the code does: the body leaves the loop through no
 * `return`, `break`, `continue`, `await` or `yield` (a `tidy` function is synchronous and ends
 * only by returning), declares nothing with `var` (function-scoped: visible after the loop), and
 * it hands nothing it created to code outside the iteration — no
 * assignment to a variable or property declared outside the body (a tensor assigned there would
 * be disposed under it; `+=`-style updates of numbers are fine), no `push`/`unshift`/`set`/
 * `splice` of something made inside. Anything else gets no fix and a reason.
 */
import type * as TS from 'typescript';
import { corepyNamespace, indentAt, parse, type Parsed, type Rewrite } from './ast.js';

type Loop = TS.ForStatement | TS.ForOfStatement | TS.ForInStatement | TS.WhileStatement | TS.DoStatement;

/** Methods that keep their argument in a collection outside the body. */
const STORING = new Set(['push', 'unshift', 'set', 'splice']);

/** Assignment operators whose result is a number (a tensor is not a number operand: `t += 1` is not an op). */
const NUMERIC_COMPOUND = (ts: typeof TS): Set<TS.SyntaxKind> => new Set([
  ts.SyntaxKind.PlusEqualsToken, ts.SyntaxKind.MinusEqualsToken, ts.SyntaxKind.AsteriskEqualsToken, ts.SyntaxKind.SlashEqualsToken,
  ts.SyntaxKind.PercentEqualsToken, ts.SyntaxKind.AsteriskAsteriskEqualsToken,
]);

/** The innermost loop statement whose block body holds `pos`. */
function loopAround(p: Parsed, pos: number): Loop | null {
  const { ts } = p;
  let found: Loop | null = null;
  const visit = (n: TS.Node): void => {
    if (pos < n.getStart(p.sf) || pos >= n.end) return;
    if ((ts.isForStatement(n) || ts.isForOfStatement(n) || ts.isForInStatement(n) || ts.isWhileStatement(n) || ts.isDoStatement(n)) &&
      ts.isBlock(n.statement) && pos >= n.statement.getStart(p.sf)) found = n;
    ts.forEachChild(n, visit);
  };
  visit(p.sf);
  return found;
}

/** Names declared directly in `body` (not in nested functions): its own variables, functions and classes. */
function declaredIn(p: Parsed, body: TS.Block): Set<string> {
  const { ts } = p;
  const names = new Set<string>();
  const bind = (b: TS.BindingName): void => {
    if (ts.isIdentifier(b)) names.add(b.text);
    else for (const e of b.elements) if (!ts.isOmittedExpression(e)) bind(e.name);
  };
  const visit = (n: TS.Node): void => {
    if (ts.isVariableDeclaration(n)) bind(n.name);
    if ((ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n)) && n.name) names.add(n.name.text);
    if (ts.isFunctionLike(n)) return;
    ts.forEachChild(n, visit);
  };
  body.statements.forEach(visit);
  return names;
}

/** The root identifier of `a`, `a.b`, `a[i].c`; null for anything else (`this.x`, a call's result). */
function rootName(p: Parsed, e: TS.Expression): string | null {
  const { ts } = p;
  while (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e) || ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
  return ts.isIdentifier(e) ? e.text : null;
}

/** Why wrapping `body` in tidy could change the program, or null when it cannot. */
function obstacle(p: Parsed, body: TS.Block): string | null {
  const { ts } = p;
  const inner = declaredIn(p, body);
  const numeric = NUMERIC_COMPOUND(ts);
  const line = (n: TS.Node): number => p.sf.getLineAndCharacterOfPosition(n.getStart(p.sf)).line + 1;
  let why: string | null = null;
  // `breakable`: inside a nested loop or switch (a plain break stays inside); `loops`: inside a nested loop (continue too).
  const visit = (n: TS.Node, breakable: boolean, loops: boolean): void => {
    if (why !== null || ts.isFunctionLike(n) || ts.isClassLike(n)) return;
    if (ts.isReturnStatement(n)) why = `line ${line(n)} returns from inside the loop body`;
    // `var` belongs to the enclosing function: moved into tidy's function, code after the loop would not see it.
    else if (ts.isVariableDeclarationList(n) && (n.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const | ts.NodeFlags.Using)) === 0) {
      why = `line ${line(n)} declares with var, which code after the loop can read; inside cp.tidy's function it could not`;
    }
    else if (ts.isAwaitExpression(n) || ts.isYieldExpression(n) || (ts.isForOfStatement(n) && n.awaitModifier)) why = `line ${line(n)} awaits or yields inside the loop body, and cp.tidy takes a synchronous function`;
    else if (ts.isBreakStatement(n) && (n.label || !breakable)) why = `line ${line(n)} breaks out of the loop`;
    else if (ts.isContinueStatement(n) && (n.label || !loops)) why = `line ${line(n)} continues the loop`;
    else if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment &&
      !numeric.has(n.operatorToken.kind)) {
      const root = rootName(p, n.left);
      if (root === null || !inner.has(root)) why = `line ${line(n)} assigns '${n.left.getText(p.sf)}', which outlives the iteration: a tensor kept there would be disposed under it`;
    } else if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && STORING.has(n.expression.name.text)) {
      const root = rootName(p, n.expression.expression);
      if (root === null || !inner.has(root)) why = `line ${line(n)} stores values in '${n.expression.expression.getText(p.sf)}', which outlives the iteration`;
    }
    const loop = ts.isIterationStatement(n, false);
    ts.forEachChild(n, (c) => visit(c, breakable || loop || ts.isSwitchStatement(n), loops || loop));
  };
  body.statements.forEach((s) => visit(s, false, false));
  return why;
}

/** The quick fix wrapping the body of the loop around 1-based `line`/`column` of `file` in cp.tidy, or why none is offered. */
export function tidyRewrite(file: string, source: string, line: number, column: number): Rewrite {
  const p = parse(file, source);
  if (!p) return { reason: 'the TypeScript compiler (package typescript) could not be loaded to read the source' };
  const lines = source.split('\n');
  if (line < 1 || line > lines.length) return { reason: `line ${line} is outside ${file}` };
  const pos = p.sf.getPositionOfLineAndCharacter(line - 1, 0) + Math.max(0, Math.min(column - 1, lines[line - 1]!.length));
  const loop = loopAround(p, pos);
  if (!loop) return { reason: `line ${line} is not inside a loop with a block body` };
  const body = loop.statement as TS.Block;
  const why = obstacle(p, body);
  if (why) return { reason: why };
  const ns = corepyNamespace(p);
  if (!ns) return { reason: "the file has no corepy namespace import (import * as cp from 'corepy') to call tidy through" };
  const indent = indentAt(p, loop.getStart(p.sf));
  const open = body.getStart(p.sf) + 1, close = body.end - 1;
  // The statements as written, one level deeper; the line breaks after `{` and before `}` are the wrapper's.
  const inside = source.slice(open, close).replace(/^[ \t]*\r?\n/, '').replace(/\r?\n[ \t]*$/, '');
  const deeper = inside.split('\n').map((l) => (l.trim() === '' ? l : `  ${l}`)).join('\n');
  const block = `{\n${indent}  ${ns}.tidy(() => {\n${deeper}\n${indent}  });\n${indent}}`;
  // The whole loop statement, header kept as written: the fix is then the loop as it will read (what Explain shows).
  const header = source.slice(loop.getStart(p.sf), body.getStart(p.sf));
  const replacement = header + block;
  const s = p.sf.getLineAndCharacterOfPosition(loop.getStart(p.sf)), e = p.sf.getLineAndCharacterOfPosition(loop.end);
  const fix = { range: { startLine: s.line + 1, startColumn: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1 }, replacement };
  const unindent = (text: string): string => text.replace(new RegExp(`^${indent}`, 'gm'), '');
  return { fix, before: unindent(source.slice(loop.getStart(p.sf), loop.end)), after: unindent(replacement) };
}
