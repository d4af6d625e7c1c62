/**
 * The jit-chain quick fix, on the syntax tree: a method chain `E.op1(k1).op2()….reduce()` — each
 * link an elementwise op the rule measured, its arguments number literals, `E` read without side
 * effects — becomes `fused(E)`, with `const fused = cp.jit((t) => t.op1(k1).op2()….reduce());`
 * inserted before the outermost loop holding it (or before its statement outside loops), so the
 * function is traced once and reused. The jitted function captures nothing but literals, so moving
 * it up cannot change what it computes; its results equal eager execution within cp.jit's stated
 * tolerances (PROFILING_GUIDE.md, "Fusion with cp.jit").
 *
 * Anything else (arguments that are variables, function-call forms, a chain split over
 * statements) gets no fix and a reason.
 */
import type * as TS from 'typescript';
import { callsAt, corepyNamespace, freshName, identifiers, indentAt, isPlainRef, parse, type Parsed, type Rewrite } from './ast.js';

const text = (p: Parsed, n: TS.Node): string => n.getText(p.sf);

/** A number literal, or a negated one. */
function isNumber(p: Parsed, e: TS.Expression): boolean {
  const { ts } = p;
  if (ts.isNumericLiteral(e)) return true;
  return ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(e.operand);
}

/** The top-level statement that binds the corepy namespace `ns` (its import or require). */
function namespaceStatement(p: Parsed, ns: string): TS.Statement | null {
  const { ts } = p;
  for (const st of p.sf.statements) {
    if (ts.isImportDeclaration(st)) {
      const b = st.importClause?.namedBindings;
      if (b && ts.isNamespaceImport(b) && b.name.text === ns) return st;
    }
    if (ts.isVariableStatement(st) && st.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === ns)) return st;
  }
  return null;
}

/**
 * The quick fix for the jit-chain recommendation whose reduction `reduce` is called at 1-based
 * `line`/`column` of `file`, with the measured elementwise `ops` in order; or why none is offered.
 */
export function jitRewrite(file: string, source: string, line: number, column: number, ops: readonly string[], reduce: string): Rewrite {
  const p = parse(file, source);
  if (!p) return { reason: 'the TypeScript compiler (package typescript) could not be loaded to read the source' };
  const { ts } = p;
  let why = `no method chain ending in .${reduce}() found on line ${line}`;
  for (const call of callsAt(p, line, column, reduce)) {
    const callee = call.expression;
    if (!ts.isPropertyAccessExpression(callee) || call.arguments.length !== 0) { why = `the ${reduce} is not a method call over every axis (.${reduce}())`; continue; }
    // Walk the chain down from the reduction: each receiver a method call of a measured op.
    const links: string[] = [];
    let base: TS.Expression = callee.expression;
    while (ts.isCallExpression(base) && ts.isPropertyAccessExpression(base.expression) && !base.questionDotToken) {
      const name = base.expression.name.text;
      if (links.length >= ops.length || ops[ops.length - 1 - links.length] !== name) break;
      if (!base.arguments.every((a) => isNumber(p, a))) break;
      links.unshift(`.${name}(${base.arguments.map((a) => text(p, a)).join(', ')})`);
      base = base.expression.expression;
    }
    if (links.length !== ops.length) { why = `the chain on line ${line} is not ${ops.join(' → ')} → ${reduce} as method calls with number arguments`; continue; }
    if (!isPlainRef(p, base)) { why = `the chain's input '${text(p, base)}' is not a plain variable or property`; continue; }
    const ns = corepyNamespace(p);
    if (!ns) { why = "the file has no corepy namespace import (import * as cp from 'corepy') to call jit through"; continue; }
    const at = namespaceStatement(p, ns);
    if (!at || at.end > call.getStart(p.sf)) { why = 'the corepy namespace is not bound at the top of the file before the chain'; continue; }
    const used = identifiers(p);
    const fused = freshName(used, 'fused');
    const param = freshName(used, 't');
    const typed = /\.[cm]?tsx?$/.test(file) ? `: ${ns}.Tensor` : '';
    const def = `\n// ${ops.join(' → ')} → ${reduce} as one fused kernel, traced once per input shape\n` +
      `const ${fused} = ${ns}.jit((${param}${typed}) => ${param}${links.join('')}.${reduce}());`;
    // One edit from the end of the namespace binding to the end of the chain: the definition goes at
    // module level (traced once for the whole program, not once per call of the enclosing function),
    // the text between is kept as written, and the chain becomes a call of the jitted function.
    const replacement = def + source.slice(at.end, call.getStart(p.sf)) + `${fused}(${text(p, base)})`;
    const s0 = p.sf.getLineAndCharacterOfPosition(at.end), e0 = p.sf.getLineAndCharacterOfPosition(call.end);
    const fix = { range: { startLine: s0.line + 1, startColumn: s0.character + 1, endLine: e0.line + 1, endColumn: e0.character + 1 }, replacement };
    const indent = indentAt(p, call.getStart(p.sf));
    const lineText = source.slice(p.sf.getPositionOfLineAndCharacter(p.sf.getLineAndCharacterOfPosition(call.getStart(p.sf)).line, 0), call.getStart(p.sf));
    const after = `${def.trimStart()}\n// …\n${indent}${lineText.trimStart()}${fused}(${text(p, base)})${source.slice(call.end, source.indexOf('\n', call.end) < 0 ? source.length : source.indexOf('\n', call.end))}`;
    return { after, fix };
  }
  return { reason: why };
}
