/**
 * The syntax tree of user source for quick fixes, from the TypeScript compiler API
 * (`ts.createSourceFile`), as the refactorings of typescript-language-features do: rewrites are
 * computed on nodes, never on lines of text.
 *
 * The compiler (about 9 MB of JavaScript) is loaded on first use only, so profiling a script that
 * never needs a rewrite does not pay for it (typescript-load.ts: how); when it cannot be loaded, rules
 * offer no fix and say why.
 */
import type * as TS from 'typescript';
import { loadTypescript, saveCodeCache } from './typescript-load.js';
import type { Fix } from './types.js';

let compiler: typeof TS | null | undefined;

/** The TypeScript compiler API, or null when the `typescript` package cannot be loaded. */
export function typescript(): typeof TS | null {
  if (compiler === undefined) {
    try {
      compiler = loadTypescript(import.meta.url);
    } catch {
      compiler = null;
    }
  }
  return compiler;
}

/** A rewrite the rules can offer (`before`: the code it replaces, when the rule shows more than the line), or the reason none is offered. */
export type Rewrite = { readonly fix: Fix; readonly after: string; readonly before?: string } | { readonly reason: string };

/** A parsed file and the position helpers rewrites need. */
export interface Parsed {
  readonly ts: typeof TS;
  readonly sf: TS.SourceFile;
  readonly text: string;
}

/** Parses `text` (TSX for .tsx/.jsx files); null when the compiler is unavailable. */
export function parse(file: string, text: string): Parsed | null {
  const ts = typescript();
  if (!ts) return null;
  const kind = /\.[jt]sx$/.test(file) ? ts.ScriptKind.TSX : /\.[cm]?js$/.test(file) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  // After the first parse, so the code cache holds the parser's functions too.
  saveCodeCache();
  return { ts, sf, text };
}

/** One parse per source read by the rules (their reader caches one lines array per file). */
const parsedLines = new WeakMap<readonly string[], Parsed | null>();

/** {@link parse} of a file's lines, once per lines array; null when the compiler is unavailable. */
export function parseLines(file: string, lines: readonly string[]): Parsed | null {
  let p = parsedLines.get(lines);
  if (p === undefined) { p = parse(file, lines.join('\n')); parsedLines.set(lines, p); }
  return p;
}

/** The innermost call expressions on 1-based `line` whose callee's last name is `name`, the one spanning `column` first. */
export function callsAt(p: Parsed, line: number, column: number, name: string): TS.CallExpression[] {
  const { ts, sf } = p;
  const found: TS.CallExpression[] = [];
  const visit = (n: TS.Node): void => {
    const start = sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
    const end = sf.getLineAndCharacterOfPosition(n.end).line + 1;
    if (start > line || end < line) return;
    if (ts.isCallExpression(n) && calleeName(p, n) === name && start <= line && line <= end) found.push(n);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  const lineStart = sf.getPositionOfLineAndCharacter(line - 1, 0);
  const pos = lineStart + Math.max(0, column - 1);
  // Innermost first (later in the walk = deeper), and a call whose span holds the reported column before the others.
  return found.reverse().sort((a, b) => Number(spans(b, pos, sf)) - Number(spans(a, pos, sf)));
}

const spans = (n: TS.Node, pos: number, sf: TS.SourceFile): boolean => n.getStart(sf) <= pos && pos < n.end;

/** `add` for `x.add(…)`, `cp.add(…)` and `add(…)`; null for other callees. */
export function calleeName(p: Parsed, call: TS.CallExpression): string | null {
  const e = call.expression;
  if (p.ts.isPropertyAccessExpression(e)) return e.name.text;
  if (p.ts.isIdentifier(e)) return e.text;
  return null;
}

/** True for an expression that reads without side effects: `x`, `this.x`, `a.b.c`, a number. */
export function isPlainRef(p: Parsed, e: TS.Expression): boolean {
  const { ts } = p;
  if (ts.isParenthesizedExpression(e)) return isPlainRef(p, e.expression);
  if (ts.isIdentifier(e) || ts.isNumericLiteral(e) || e.kind === ts.SyntaxKind.ThisKeyword) return true;
  return ts.isPropertyAccessExpression(e) && !e.questionDotToken && isPlainRef(p, e.expression);
}

/** True when identifier `name` occurs anywhere under `node`. */
export function mentions(p: Parsed, node: TS.Node, name: string): boolean {
  let hit = false;
  const visit = (n: TS.Node): void => {
    if (hit) return;
    if (p.ts.isIdentifier(n) && n.text === name) hit = true;
    else p.ts.forEachChild(n, visit);
  };
  visit(node);
  return hit;
}

/** Every identifier spelled in the file (to pick names that collide with none). */
export function identifiers(p: Parsed): Set<string> {
  const names = new Set<string>();
  const visit = (n: TS.Node): void => {
    if (p.ts.isIdentifier(n)) names.add(n.text);
    p.ts.forEachChild(n, visit);
  };
  visit(p.sf);
  return names;
}

/** `base`, else `base2`, `base3`, … — the first name not already used in the file. */
export function freshName(used: ReadonlySet<string>, base: string): string {
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base}${i}`)) return `${base}${i}`;
}

/**
 * The name the file gives the corepy namespace: `import * as NS from 'corepy'` (or a path to the
 * runtime's index), or `const NS = require('corepy')`; null when there is none.
 */
export function corepyNamespace(p: Parsed): string | null {
  const { ts, sf } = p;
  const isCorepy = (spec: string): boolean => spec === 'corepy' || /(^|\/)runtime\/(src|dist)\/index\.[cm]?[jt]s$/.test(spec);
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier) && isCorepy(st.moduleSpecifier.text)) {
      const b = st.importClause?.namedBindings;
      if (b && ts.isNamespaceImport(b)) return b.name.text;
    }
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        const init = d.initializer;
        if (ts.isIdentifier(d.name) && init && ts.isCallExpression(init) && ts.isIdentifier(init.expression) &&
          init.expression.text === 'require' && init.arguments.length === 1) {
          const a = init.arguments[0]!;
          if (ts.isStringLiteral(a) && isCorepy(a.text)) return d.name.text;
        }
      }
    }
  }
  return null;
}

/** The comments written anywhere between `start` and `end` (source offsets), in order, as written. */
export function commentsIn(p: Parsed, start: number, end: number): string[] {
  const { ts } = p;
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, p.sf.languageVariant, p.text.slice(start, end));
  const out: string[] = [];
  for (let k = scanner.scan(); k !== ts.SyntaxKind.EndOfFileToken; k = scanner.scan()) {
    if (k === ts.SyntaxKind.SingleLineCommentTrivia || k === ts.SyntaxKind.MultiLineCommentTrivia) out.push(scanner.getTokenText());
  }
  return out;
}

/** The whitespace before the first character of the line holding `pos`. */
export function indentAt(p: Parsed, pos: number): string {
  const { line } = p.sf.getLineAndCharacterOfPosition(pos);
  const lineStart = p.sf.getPositionOfLineAndCharacter(line, 0);
  return /^[ \t]*/.exec(p.text.slice(lineStart, pos))![0];
}

/**
 * A fix replacing node `n` (from the start of its line when only indentation precedes it, so
 * the replacement carries its own indentation) up to its end. Ranges are 1-based, end-exclusive.
 */
export function fixReplacing(p: Parsed, n: TS.Node, replacement: string): Fix {
  const { sf } = p;
  const s = sf.getLineAndCharacterOfPosition(n.getStart(sf));
  const e = sf.getLineAndCharacterOfPosition(n.end);
  const lineStart = sf.getPositionOfLineAndCharacter(s.line, 0);
  const onlyIndent = /^[ \t]*$/.test(p.text.slice(lineStart, n.getStart(sf)));
  return {
    range: { startLine: s.line + 1, startColumn: onlyIndent ? 1 : s.character + 1, endLine: e.line + 1, endColumn: e.character + 1 },
    replacement,
  };
}

/** Applies fixes to source text (1-based, end-exclusive ranges; later ranges first so earlier offsets hold). */
export function applyFixes(text: string, fixes: readonly Fix[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = (line: number, col: number): number => {
    const base = lineStarts[line - 1];
    if (base === undefined) throw new RangeError(`fix range: line ${line} is outside the file (${lineStarts.length} lines)`);
    return base + col - 1;
  };
  const spans = fixes.map((f) => ({ s: offset(f.range.startLine, f.range.startColumn), e: offset(f.range.endLine, f.range.endColumn), r: f.replacement }));
  spans.sort((a, b) => b.s - a.s);
  let out = text;
  for (const { s, e, r } of spans) out = out.slice(0, s) + r + out.slice(e);
  return out;
}
