/**
 * The batch-loop quick fix, on the syntax tree: a loop whose whole body is one elementwise op of a
 * fixed tensor and the loop counter becomes one broadcast op over `arange` of the counter's values.
 *
 * Accepted (anything else gets no fix and a reason):
 * - loops: `for (let i = S; i < N; i++)` with `i <= M`, `N > i`, `++i`, `i += 1`, `i = i + 1`;
 *   `for (const i of Array(N).keys())`, `[...Array(N).keys()]`, `Array.from({ length: N }, (_, i) => i)`;
 * - the body (braces optional, comments anywhere): exactly one statement, `const|let|var t = CALL;`
 *   or `CALL;` — never an assignment to a variable outside the loop (its value after the loop would change);
 * - CALL: `x.add(i)` (method form) or `ns.add(x, i)` / `ns.add(i, x)` (function form), where `x`
 *   reads without side effects and does not involve `i`.
 * The result keeps the user's names; row r of the batched tensor is what iteration r computed: the
 * offsets get one axis per axis of the tensor (`offsets.unsqueeze(1)` against a 1-D tensor,
 * `offsets.reshape([-1, 1, 1])` against a 2-D one), so they broadcast along the new leading axis only.
 */
import type * as TS from 'typescript';
import {
  callsAt, calleeName, commentsIn, corepyNamespace, fixReplacing, freshName, identifiers, indentAt, isPlainRef, mentions,
  parse, type Parsed, type Rewrite,
} from './ast.js';

/** A loop counting by 1: its counter, and the source text of its first value and bound. */
export interface Loop {
  readonly node: TS.ForStatement | TS.ForOfStatement;
  readonly counter: string;
  /** Source text of the first value (null = 0) and of the exclusive bound. */
  readonly start: string | null;
  readonly stop: string;
}

const text = (p: Parsed, n: TS.Node): string => n.getText(p.sf);

/** `N` when `e` is a side-effect-free bound expression (plain refs, numbers, + − * of those). */
function boundText(p: Parsed, e: TS.Expression, counter: string): string | null {
  const { ts } = p;
  const ok = (x: TS.Expression): boolean => isPlainRef(p, x) ||
    (ts.isBinaryExpression(x) && [ts.SyntaxKind.PlusToken, ts.SyntaxKind.MinusToken, ts.SyntaxKind.AsteriskToken].includes(x.operatorToken.kind) && ok(x.left) && ok(x.right));
  return ok(e) && !mentions(p, e, counter) ? text(p, e) : null;
}

/** The counter, start and bound of a counting `for` loop, or why it is not one. */
function countingFor(p: Parsed, f: TS.ForStatement): Loop | string {
  const { ts } = p;
  const init = f.initializer;
  if (!init || !ts.isVariableDeclarationList(init) || init.declarations.length !== 1) return 'the loop does not declare one counter';
  const d = init.declarations[0]!;
  if (!ts.isIdentifier(d.name) || !d.initializer) return 'the loop counter has no start value';
  const i = d.name.text;
  const startExpr = d.initializer;
  const zero = ts.isNumericLiteral(startExpr) && Number(startExpr.text) === 0;
  const start = zero ? null : boundText(p, startExpr, i);
  if (!zero && start === null) return 'the start value has side effects';
  const c = f.condition;
  if (!c || !ts.isBinaryExpression(c)) return 'the loop condition is not a comparison';
  const isI = (x: TS.Expression): boolean => ts.isIdentifier(x) && x.text === i;
  let stop: string | null = null;
  const k = c.operatorToken.kind;
  if (isI(c.left) && k === ts.SyntaxKind.LessThanToken) stop = boundText(p, c.right, i);
  else if (isI(c.right) && k === ts.SyntaxKind.GreaterThanToken) stop = boundText(p, c.left, i);
  else if (isI(c.left) && k === ts.SyntaxKind.LessThanEqualsToken) stop = wrapPlusOne(boundText(p, c.right, i));
  else if (isI(c.right) && k === ts.SyntaxKind.GreaterThanEqualsToken) stop = wrapPlusOne(boundText(p, c.left, i));
  if (stop === null) return `the loop condition is not '${i} < N' with a side-effect-free N`;
  const inc = f.incrementor;
  const one = (x: TS.Expression): boolean => ts.isNumericLiteral(x) && Number(x.text) === 1;
  const steps = !!inc && (
    ((ts.isPostfixUnaryExpression(inc) || ts.isPrefixUnaryExpression(inc)) && inc.operator === ts.SyntaxKind.PlusPlusToken && isI(inc.operand)) ||
    (ts.isBinaryExpression(inc) && isI(inc.left) && inc.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken && one(inc.right)) ||
    (ts.isBinaryExpression(inc) && isI(inc.left) && inc.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isBinaryExpression(inc.right) &&
      inc.right.operatorToken.kind === ts.SyntaxKind.PlusToken && ((isI(inc.right.left) && one(inc.right.right)) || (one(inc.right.left) && isI(inc.right.right)))));
  if (!steps) return `the counter '${i}' does not step by 1`;
  return { node: f, counter: i, start, stop };
}

const wrapPlusOne = (s: string | null): string | null => (s === null ? null : /^\d+$/.test(s) ? String(Number(s) + 1) : `${s} + 1`);

/** The bound N of `Array(N).keys()`, `[...Array(N).keys()]`, `Array.from({ length: N }, (_, i) => i)`, or null. */
function rangeBound(p: Parsed, e: TS.Expression, counter: string): string | null {
  const { ts } = p;
  if (ts.isArrayLiteralExpression(e) && e.elements.length === 1 && ts.isSpreadElement(e.elements[0]!)) return rangeBound(p, e.elements[0].expression, counter);
  if (!ts.isCallExpression(e) || !ts.isPropertyAccessExpression(e.expression)) return null;
  const callee = e.expression;
  if (callee.name.text === 'keys' && e.arguments.length === 0) {
    const arr = callee.expression;
    if ((ts.isCallExpression(arr) || ts.isNewExpression(arr)) && ts.isIdentifier(arr.expression) && arr.expression.text === 'Array' && arr.arguments?.length === 1) {
      return boundText(p, arr.arguments[0]!, counter);
    }
    return null;
  }
  if (callee.name.text === 'from' && ts.isIdentifier(callee.expression) && callee.expression.text === 'Array' && e.arguments.length === 2) {
    const [obj, fn] = e.arguments as unknown as [TS.Expression, TS.Expression];
    if (!ts.isObjectLiteralExpression(obj) || obj.properties.length !== 1) return null;
    const prop = obj.properties[0]!;
    if (!ts.isPropertyAssignment(prop) || prop.name.getText(p.sf) !== 'length') return null;
    // The mapper must return its index: (_, k) => k.
    if (!ts.isArrowFunction(fn) || fn.parameters.length !== 2 || !ts.isIdentifier(fn.parameters[1]!.name)) return null;
    const idx = fn.parameters[1]!.name.text;
    if (!ts.isIdentifier(fn.body) || fn.body.text !== idx) return null;
    return boundText(p, prop.initializer, counter);
  }
  if (callee.name.text === 'from' && ts.isIdentifier(callee.expression) && callee.expression.text === 'Array' && e.arguments.length === 1) {
    return rangeBound(p, e.arguments[0]!, counter);
  }
  return null;
}

/** The loop a statement is the whole body of, or why not. */
function loopOf(p: Parsed, st: TS.Statement): Loop | string {
  const { ts } = p;
  let parent: TS.Node = st.parent;
  if (ts.isBlock(parent)) {
    if (parent.statements.length !== 1) return 'the loop body does more than this one operation';
    parent = parent.parent;
  }
  return countingLoop(p, parent) ?? 'the operation is not the body of a for or for…of loop';
}

/**
 * The counter of `node` when it is a loop counting by 1 (`for (let i = S; i < N; i++)`, `for (const i
 * of Array(N).keys())`, …), why not when it is another for or for…of loop, null for any other node.
 */
export function countingLoop(p: Parsed, node: TS.Node): Loop | string | null {
  const { ts } = p;
  if (ts.isForStatement(node)) return countingFor(p, node);
  if (ts.isForOfStatement(node)) {
    const init = node.initializer;
    if (node.awaitModifier || !ts.isVariableDeclarationList(init) || init.declarations.length !== 1 || !ts.isIdentifier(init.declarations[0]!.name)) {
      return 'the for…of loop does not declare one counter';
    }
    const i = init.declarations[0]!.name.text;
    const stop = rangeBound(p, node.expression, i);
    return stop === null ? 'the for…of loop is not over a range of integers (Array(N).keys(), Array.from({ length: N }, (_, i) => i))' :
      { node, counter: i, start: null, stop };
  }
  return null;
}

/**
 * The offsets shaped to broadcast against `x.unsqueeze(0)` for a tensor of `rank` axes: one value
 * per row of the new leading axis, size 1 along every axis of the tensor. (`unsqueeze(1)` alone is
 * right for 1-D only: against [100, 8] it lines the offsets up with the 100 rows, and the result is
 * [1, 100, 8], not the loop's [k, 100, 8].) `ns`: the function form's namespace, else method form.
 */
function offsetsFor(offsets: string, rank: number, ns: string | null): string {
  if (rank <= 0) return offsets;
  if (rank === 1) return ns ? `${ns}.unsqueeze(${offsets}, 1)` : `${offsets}.unsqueeze(1)`;
  const shape = `[-1${', 1'.repeat(rank)}]`;
  return ns ? `${ns}.reshape(${offsets}, ${shape})` : `${offsets}.reshape(${shape})`;
}

/** The batched form of `call` on a tensor of `rank` axes, or why it cannot be batched. */
function batchedCall(p: Parsed, call: TS.CallExpression, op: string, counter: string, offsets: string, ns: string | null, rank: number): string | string[] {
  const { ts } = p;
  const isCounter = (x: TS.Expression): boolean => ts.isIdentifier(x) && x.text === counter;
  const fixed = (x: TS.Expression): boolean => isPlainRef(p, x) && !mentions(p, x, counter);
  const callee = call.expression;
  if (ts.isPropertyAccessExpression(callee) && call.arguments.length === 1 && fixed(callee.expression) && isCounter(call.arguments[0]!)) {
    const x = text(p, callee.expression);
    return [`${x}.unsqueeze(0).${op}(${offsetsFor(offsets, rank, null)})`, `${x}.${op}(${counter})`];
  }
  if (call.arguments.length === 2 && (ts.isPropertyAccessExpression(callee) || ts.isIdentifier(callee))) {
    if (ts.isPropertyAccessExpression(callee) && !ts.isIdentifier(callee.expression)) return 'the function is not called through a namespace';
    const [a, b] = call.arguments as unknown as [TS.Expression, TS.Expression];
    const unsq = (x: string): string => (ns ? `${ns}.unsqueeze(${x}, 0)` : `${x}.unsqueeze(0)`);
    const fn = text(p, callee);
    if (fixed(a) && isCounter(b)) return [`${fn}(${unsq(text(p, a))}, ${offsetsFor(offsets, rank, ns)})`, `${fn}(${text(p, a)}, ${counter})`];
    if (isCounter(a) && fixed(b)) return [`${fn}(${offsetsFor(offsets, rank, ns)}, ${unsq(text(p, b))})`, `${fn}(${counter}, ${text(p, b)})`];
  }
  return `the call is not '${op}' of a fixed tensor and the counter '${counter}' alone`;
}

/**
 * The quick fix for the batch-loop recommendation at 1-based `line`/`column` of `file`, or the
 * reason none is offered. `rank`: the number of axes of the loop's fixed tensor (as profiled).
 */
export function batchRewrite(file: string, source: string, line: number, column: number, op: string, rank = 1): Rewrite {
  const p = parse(file, source);
  if (!p) return { reason: 'the TypeScript compiler (package typescript) could not be loaded to read the source' };
  const { ts } = p;
  const calls = callsAt(p, line, column, op);
  if (!calls.length) return { reason: `no call of '${op}' found on line ${line}` };
  let why = '';
  for (const call of calls) {
    if (calleeName(p, call) !== op) continue;
    // The statement holding the call, with the call as its whole value.
    const st = call.parent;
    let decl: { kw: string; name: string; type: string } | null = null;
    let statement: TS.Statement;
    if (ts.isExpressionStatement(st) && st.expression === call) {
      statement = st;
    } else if (ts.isVariableDeclaration(st) && st.initializer === call && ts.isIdentifier(st.name) &&
      ts.isVariableDeclarationList(st.parent) && st.parent.declarations.length === 1 && ts.isVariableStatement(st.parent.parent)) {
      statement = st.parent.parent;
      const flags = st.parent.flags;
      decl = { kw: flags & ts.NodeFlags.Const ? 'const' : flags & ts.NodeFlags.Let ? 'let' : 'var', name: st.name.text, type: st.type ? `: ${text(p, st.type)}` : '' };
    } else if (ts.isBinaryExpression(st) && st.right === call && st.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      why = `the result is assigned to '${text(p, st.left)}', declared outside the loop: after a batched op it would hold every row, not the last one`;
      continue;
    } else {
      why = 'the result is used inside a larger expression in the loop';
      continue;
    }
    const loop = loopOf(p, statement);
    if (typeof loop === 'string') { why = loop; continue; }
    if (decl?.kw === 'var' && outsideMentions(p, loop.node, decl.name)) {
      why = `'var ${decl.name}' is read after the loop, where it would hold every row instead of the last one`;
      continue;
    }
    const ns = corepyNamespace(p);
    if (!ns) { why = "the file has no corepy namespace import (import * as cp from 'corepy') to call arange through"; continue; }
    const offsets = freshName(identifiers(p), 'offsets');
    const batched = batchedCall(p, call, op, loop.counter, offsets, ts.isPropertyAccessExpression(call.expression) && call.arguments.length === 2 ? text(p, call.expression.expression) : null, rank);
    if (typeof batched === 'string') { why = batched; continue; }
    const [expr, per] = batched;
    const indent = indentAt(p, loop.node.getStart(p.sf));
    const comments = commentsIn(p, loop.node.getStart(p.sf), loop.node.end).map((c) => `${indent}${c}\n`).join('');
    const arange = loop.start === null ? `${ns}.arange(${loop.stop})` : `${ns}.arange(${loop.start}, ${loop.stop})`;
    const target = decl ? `${decl.kw} ${decl.name}${decl.type} = ` : '';
    const after = `${comments}${indent}const ${offsets} = ${arange};\n${indent}${target}${expr}; // row ${loop.counter} = ${per}`;
    return { after, fix: fixReplacing(p, loop.node, after) };
  }
  return { reason: why || `no call of '${op}' found on line ${line}` };
}

/** True when `name` is mentioned in the file outside `node`. */
function outsideMentions(p: Parsed, node: TS.Node, name: string): boolean {
  let hit = false;
  const visit = (n: TS.Node): void => {
    if (hit || n === node) return;
    if (p.ts.isIdentifier(n) && n.text === name) hit = true;
    else p.ts.forEachChild(n, visit);
  };
  visit(p.sf);
  return hit;
}
