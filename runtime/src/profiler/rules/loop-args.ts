/**
 * What the syntax tree says about a loop's call that the recorded events cannot. Events hold the
 * input tensors' ids but never a scalar argument's value, and past the ring (`maxEvents`) or in an
 * ended segment that overflowed it only the last calls of a loop are kept. So:
 *
 * - batch-loop's broadcast over `arange` is right only where the scalar IS the counter of a loop
 *   counting by 1 ({@link counterArgument}); a constant (`x.add(1.5)`) or a value from elsewhere would
 *   make it compute something else (audit 21 N6);
 * - loop-invariant can trust the retained tail of a loop's calls for the dropped ones only when the
 *   receiver is a name the loop neither declares nor assigns ({@link receiverFixedInLoop}); with no
 *   loop around the line at all ({@link loopAround}: the loop is in a caller) it needs more (loop-invariant.ts).
 */
import type * as TS from 'typescript';
import type { SiteOpStats } from '../aggregate.js';
import { callsAt, calleeName, mentions, parseLines, type Parsed } from './ast.js';
import { countingLoop, type Loop } from './batch-rewrite.js';
import type { RuleInput } from './types.js';

/** The parsed source and the call of `s.op` at the site, or null (source unreadable, compiler absent, no such call). */
export function siteCall(input: RuleInput, s: SiteOpStats): { readonly p: Parsed; readonly call: TS.CallExpression } | null {
  const lines = s.location === null ? null : input.source(s.location.file);
  if (s.location === null || lines === null) return null;
  const p = parseLines(s.location.file, lines);
  if (p === null) return null;
  const call = callsAt(p, s.location.line, s.location.column, s.op).find((c) => calleeName(p, c) === s.op);
  return call ? { p, call } : null;
}

const isFunctionLike = (ts: typeof TS, n: TS.Node): n is TS.SignatureDeclaration =>
  ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n);

/**
 * The loop counting by 1 whose counter is the call's one scalar argument, as written: `x.add(i)`,
 * `cp.add(x, i)` or `cp.add(i, x)` in the body of `for (let i = S; i < N; i++)` (or a for…of over a
 * range), also through a callback inside the body (`cp.tidy(() => x.add(i))`). Null when the
 * argument is anything else (a literal, `i * 2`, a value of an array) or is shadowed on the way up.
 */
export function counterArgument(p: Parsed, call: TS.CallExpression): Loop | null {
  const { ts } = p;
  const args = call.arguments;
  let arg: TS.Expression | undefined;
  if (ts.isPropertyAccessExpression(call.expression) && args.length === 1) {
    arg = args[0];
    // `xs[i].add(i)` reads another tensor per iteration: not one tensor and an offset.
    if (arg && ts.isIdentifier(arg) && mentions(p, call.expression.expression, arg.text)) return null;
  } else if (args.length === 2) {
    const [a, b] = args as unknown as [TS.Expression, TS.Expression];
    if (ts.isIdentifier(b) && !mentions(p, a, b.text)) arg = b;
    else if (ts.isIdentifier(a) && !mentions(p, b, a.text)) arg = a;
  }
  if (!arg || !ts.isIdentifier(arg)) return null;
  const name = arg.text;
  for (let n: TS.Node = call.parent; n !== undefined && !ts.isSourceFile(n); n = n.parent) {
    if (isFunctionLike(ts, n) && n.parameters.some((q) => mentions(p, q.name, name))) return null;
    const loop = countingLoop(p, n);
    if (loop === null) continue;
    if (typeof loop !== 'string' && loop.counter === name) return loop;
    // Another loop over a variable of that name (e.g. a for…of over values): not a counter.
    if (declares(p, n, name)) return null;
  }
  return null;
}

/** True when the header of for loop `loop` declares `name`. */
function declares(p: Parsed, loop: TS.Node, name: string): boolean {
  const { ts } = p;
  const init = ts.isForStatement(loop) || ts.isForOfStatement(loop) || ts.isForInStatement(loop) ? loop.initializer : undefined;
  return init !== undefined && ts.isVariableDeclarationList(init) && init.declarations.some((d) => mentions(p, d.name, name));
}

/**
 * The receiver's name when the call is `name.op(…)` inside a loop (for, for…of, for…in, while, do)
 * that neither declares nor assigns `name`: every call of one run of that loop reads the same tensor.
 * Null otherwise (the function form, a property receiver, no loop, or an assignment found).
 */
export function receiverFixedInLoop(p: Parsed, call: TS.CallExpression): string | null {
  const { ts } = p;
  if (!ts.isPropertyAccessExpression(call.expression) || !ts.isIdentifier(call.expression.expression)) return null;
  const name = call.expression.expression.text;
  const loop = loopAround(p, call);
  return loop !== undefined && !bindsOrAssigns(p, loop, name) ? name : null;
}

/**
 * The innermost loop statement (for, for…of, for…in, while, do) around `call` in its file, through
 * callbacks (`for (…) cp.tidy(() => x.mul(2))`); undefined when none: then what repeats the call is a
 * caller's loop (or timer, or handler) that this line's syntax tree cannot show.
 */
export function loopAround(p: Parsed, call: TS.CallExpression): TS.Node | undefined {
  const { ts } = p;
  for (let n: TS.Node = call.parent; n !== undefined && !ts.isSourceFile(n); n = n.parent) {
    if (ts.isForStatement(n) || ts.isForOfStatement(n) || ts.isForInStatement(n) || ts.isWhileStatement(n) || ts.isDoStatement(n)) return n;
  }
  return undefined;
}

/** True when `name` is declared (variable, parameter, binding) or assigned anywhere under `node`. */
export function bindsOrAssigns(p: Parsed, node: TS.Node, name: string): boolean {
  const { ts } = p;
  const assigning = new Set([
    ts.SyntaxKind.EqualsToken, ts.SyntaxKind.PlusEqualsToken, ts.SyntaxKind.MinusEqualsToken, ts.SyntaxKind.AsteriskEqualsToken,
    ts.SyntaxKind.SlashEqualsToken, ts.SyntaxKind.BarBarEqualsToken, ts.SyntaxKind.AmpersandAmpersandEqualsToken, ts.SyntaxKind.QuestionQuestionEqualsToken,
  ]);
  let hit = false;
  const visit = (n: TS.Node): void => {
    if (hit) return;
    if (ts.isIdentifier(n) && n.text === name) {
      let up: TS.Node = n, parent = n.parent;
      // Through destructuring targets ([x] = …, { a: x } = …) and parentheses to what holds them.
      while (ts.isArrayLiteralExpression(parent) || ts.isObjectLiteralExpression(parent) || ts.isPropertyAssignment(parent) ||
        ts.isShorthandPropertyAssignment(parent) || ts.isSpreadElement(parent) || ts.isParenthesizedExpression(parent)) { up = parent; parent = parent.parent; }
      if ((ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isBindingElement(parent)) && parent.name === up) hit = true;
      else if (ts.isBinaryExpression(parent) && parent.left === up && assigning.has(parent.operatorToken.kind)) hit = true;
      else if ((ts.isForOfStatement(parent) || ts.isForInStatement(parent)) && parent.initializer === up) hit = true;
      else if ((ts.isFunctionDeclaration(parent) || ts.isClassDeclaration(parent)) && parent.name === n) hit = true;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return hit;
}
