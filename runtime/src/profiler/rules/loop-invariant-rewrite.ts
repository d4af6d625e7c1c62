/**
 * The loop-invariant quick fix, on the syntax tree: the invariant expression (invariant-chain.ts:
 * `a.mul(2).add(1).relu().sum()`) moves to a `const` just before the innermost loop around it, inside
 * `cp.tidy` so its intermediates are released at once, and the loop reads the const. The expression
 * reads only names the loop neither declares nor assigns and runs deterministic ops, so it computes
 * the same value before the loop as in every iteration; `cp.tidy` keeps the value it returns, and a
 * `cp.tidy` in the loop body cannot release a tensor created outside it.
 *
 * No fix (a reason) where moving it could change the program: the loop is not a statement of a block
 * (`if (c) for (…)` would lose its body), or the loop disposes the value it would now share; nor where the
 * loop never reads the value (the call is a statement of its own: the line can go, not move).
 */
import type * as TS from 'typescript';
import { applyFixes, corepyNamespace, freshName, identifiers, indentAt, mentions, type Parsed, type Rewrite } from './ast.js';
import type { ChainLink } from './invariant-chain.js';
import { bindsOrAssigns, loopAround } from './loop-args.js';

/** True when some `dispose` call under `node` mentions `name` (`s.dispose()`, `cp.dispose(s)`, `cp.dispose([s, t])`). */
function disposes(p: Parsed, node: TS.Node, name: string): boolean {
  const { ts } = p;
  let hit = false;
  const visit = (n: TS.Node): void => {
    if (hit) return;
    if (ts.isCallExpression(n)) {
      const callee = n.expression;
      const named = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
      if (named === 'dispose' && mentions(p, n, name)) { hit = true; return; }
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return hit;
}

/** The identifiers `node` reads (not the property names after a dot), in order. */
function namesRead(p: Parsed, node: TS.Node): string[] {
  const { ts } = p;
  const out: string[] = [];
  const visit = (n: TS.Node): void => {
    if (ts.isIdentifier(n) && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)) out.push(n.text);
    ts.forEachChild(n, visit);
  };
  visit(node);
  return out;
}

/** The quick fix hoisting `chain` (head first) out of its innermost loop, or why none is offered. */
export function hoistRewrite(p: Parsed, chain: readonly ChainLink[]): Rewrite {
  const { ts, sf, text } = p;
  const head = chain[0]!.call, top = chain[chain.length - 1]!.call;
  const loop = loopAround(p, head);
  if (!loop) return { reason: 'the loop that repeats this line is in a caller: where to compute the value once is a choice the code does not show' };
  // A labelled loop moves with its label; the statement must sit in a list of statements for one to go before it.
  const anchor = ts.isLabeledStatement(loop.parent) ? loop.parent : loop;
  const holder = anchor.parent;
  if (!(ts.isBlock(holder) || ts.isSourceFile(holder) || ts.isModuleBlock(holder) || ts.isCaseClause(holder) || ts.isDefaultClause(holder))) {
    return { reason: 'the loop is the body of another statement (no braces around it), so no statement can go before it' };
  }
  // Every name the expression reads must exist before the loop as it is inside: the events can show the same tensor
  // each call through a name the loop declares (`const t = a; t.mul(2)`), which a const before the loop cannot read.
  const inLoop = namesRead(p, top).find((n) => bindsOrAssigns(p, loop, n));
  if (inLoop !== undefined) return { reason: `the expression reads '${inLoop}', which the loop declares or assigns: it would have to move too` };
  // A value the loop never reads (`x.mul(2);` on its own): the line can simply go, which is not a rewrite to guess at.
  if (ts.isExpressionStatement(top.parent)) return { reason: 'the loop does not use the value (the call is a statement of its own): the line can go' };
  // `const s = <chain>` with `s.dispose()` in the loop: the shared value would be gone after the first iteration.
  const decl = top.parent;
  const declared = ts.isVariableDeclaration(decl) && decl.initializer === top && ts.isIdentifier(decl.name) ? decl.name.text : null;
  if (declared !== null && disposes(p, loop, declared)) {
    return { reason: `the loop disposes '${declared}', the value it would share once computed before the loop` };
  }
  const ns = corepyNamespace(p);
  const name = freshName(identifiers(p), declared !== null ? `${declared}Once` : 'once');
  const expr = text.slice(top.getStart(sf), top.end);
  const value = ns ? `${ns}.tidy(() => ${expr})` : expr;
  const indent = indentAt(p, anchor.getStart(sf));
  const lineStart = sf.getPositionOfLineAndCharacter(sf.getLineAndCharacterOfPosition(anchor.getStart(sf)).line, 0);
  const onlyIndent = /^[ \t]*$/.test(text.slice(lineStart, anchor.getStart(sf)));
  const from = onlyIndent ? lineStart : anchor.getStart(sf);
  const hoisted = `const ${name} = ${value}; // the same every iteration: computed once`;
  // One edit from the loop's start to the end of the expression: the const goes first, the text between is kept.
  const replacement = (onlyIndent ? `${indent}${hoisted}\n` : `${hoisted}\n${indent}`) + text.slice(from, top.getStart(sf)) + name;
  const s = sf.getLineAndCharacterOfPosition(from), e = sf.getLineAndCharacterOfPosition(top.end);
  const fix = { range: { startLine: s.line + 1, startColumn: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1 }, replacement };
  // The code example: the rewritten lines from the const to the loop's end.
  const endLine = sf.getLineAndCharacterOfPosition(anchor.end).line + 1 + 1;
  const after = applyFixes(text, [fix]).split('\n').slice(s.line, endLine).join('\n');
  const before = text.split('\n').slice(s.line, endLine - 1).join('\n');
  return { fix, after, before };
}
