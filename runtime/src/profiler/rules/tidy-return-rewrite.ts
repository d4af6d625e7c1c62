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
 *
 * `const y = cp.tidy(() => expr);` whose `y` is never read (audit 32: the finding said the result "is used there")
 * drops the result as surely, and gets the same fix, the binding removed with it — only where that is provably so:
 * one `const`/`let` declarator with a plain name, not exported, and no identifier spelled like it (nor `eval`)
 * anywhere else in its block. Otherwise the reason names the variable and what keeps the proof from holding.
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

/**
 * For a tidy call that initialises a variable (`const y = cp.tidy(…);`): the statement to replace and null when
 * the variable is provably never read, else that statement (or null) and why the result counts as used.
 */
function unusedBinding(p: Parsed, call: TS.CallExpression, line: number): { stmt: TS.VariableStatement | null; used: string | null } | null {
  const { ts } = p;
  const decl = call.parent;
  if (!ts.isVariableDeclaration(decl) || decl.initializer !== call) return null;
  const list = decl.parent;
  if (!ts.isVariableDeclarationList(list)) return null;
  const stmt = list.parent;
  if (!ts.isIdentifier(decl.name)) return { stmt: null, used: `the result of tidy on line ${line} is destructured into variables there: dispose what they hold once it is no longer needed` };
  const name = decl.name.text;
  const kept = (why: string) => ({ stmt: null, used: `the result of tidy on line ${line} is kept in '${name}', ${why}: dispose it once it is no longer needed` });
  const block = list.flags & ts.NodeFlags.BlockScoped;
  if (!ts.isVariableStatement(stmt) || list.declarations.length !== 1) return kept('declared with other variables or in a loop header');
  if (block !== ts.NodeFlags.Const && block !== ts.NodeFlags.Let) return kept("declared with 'var' or 'using', which this fix does not rewrite");
  if (stmt.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return kept('which the module exports');
  // Its scope: the block (or switch, or file) the statement is in; a name spelled there again may read it.
  const scope: TS.Node = ts.isCaseClause(stmt.parent) || ts.isDefaultClause(stmt.parent) ? stmt.parent.parent : stmt.parent;
  let read: TS.Identifier | null = null;
  const visit = (n: TS.Node): void => {
    if (read) return;
    if (ts.isIdentifier(n) && n !== decl.name && (n.text === name || n.text === 'eval')) read = n;
    else ts.forEachChild(n, visit);
  };
  visit(scope);
  if (read) {
    const at = p.sf.getLineAndCharacterOfPosition((read as TS.Identifier).getStart(p.sf)).line + 1;
    return kept((read as TS.Identifier).text === 'eval' ? `and its scope calls eval (line ${at}), which could read it` : `which the code reads (line ${at})`);
  }
  return { stmt, used: null };
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
  const binding = unusedBinding(p, call, line);
  const dropped = ts.isExpressionStatement(call.parent) || (ts.isVoidExpression(call.parent) && ts.isExpressionStatement(call.parent.parent)) ||
    (binding !== null && binding.used === null);
  const fn = call.arguments[call.arguments.length - 1];
  const no = (reason: string): TidyReturn => ({ call: shown, dropped, rewrite: { reason } });
  if (binding?.used) return no(binding.used);
  if (!dropped) return no(`the result of tidy on line ${line} is used there (passed on or combined): dispose it once it is no longer needed`);
  if (!fn || !ts.isArrowFunction(fn)) return no(`tidy's function on line ${line} is not an arrow function written there: make it return nothing`);
  if (ts.isBlock(fn.body)) return no(`tidy's function on line ${line} has a block body: make its return statements return nothing`);
  const why = escapes(p, fn.body);
  if (why) return no(why);
  // The statement the fix replaces: the call's own, or `const y = …;` whose unused binding goes with it.
  const stmt = binding?.stmt ?? (ts.isVoidExpression(call.parent) ? call.parent.parent : call.parent);
  const start = stmt.getStart(sf), body = fn.body;
  const from = binding?.stmt ? call.getStart(sf) : start, to = binding?.stmt ? call.end : stmt.end;
  const replacement = source.slice(from, body.getStart(sf)) + `{ ${body.getText(sf)}; }` + source.slice(body.end, to) +
    (binding?.stmt && stmt.getText(sf).endsWith(';') ? ';' : '');
  const s = sf.getLineAndCharacterOfPosition(start), e = sf.getLineAndCharacterOfPosition(stmt.end);
  const fix = { range: { startLine: s.line + 1, startColumn: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1 }, replacement };
  return { call: shown, dropped, rewrite: { fix, before: source.slice(start, stmt.end), after: replacement } };
}
