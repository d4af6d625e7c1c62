/**
 * Gives each corepy call in a module's JavaScript a static call-site id (see static-sites.ts):
 * `a.add(b)` becomes `__cpE(a.add(__cpS(__cpB+3, b)))` and `x.sum()` becomes
 * `__cpE(__cpS(__cpB+4, x).sum())`, with one header line that registers the module's sites.
 * Parsed with acorn (the input is what Node runs: plain JavaScript, or tsx's output); only text is
 * inserted, never a line break, so lines — and the source map a compiler appended — stay valid.
 * Pure.
 *
 * Which calls: a call of a member or a plain name that corepy exports or that Tensor has (`names`),
 * not inside an optional chain (`a?.add(b)`: wrapping would break its short-circuit) and not on
 * `super`. A name can belong to something else (`set.add(x)`): that call sets and clears a token
 * no op reads, which costs two inlined calls and changes nothing.
 */
import { parse, type Node } from 'acorn';

/**
 * The instrumented module, and its sites as flat 1-based `line, column` pairs (index = id − base).
 * `shifts`: flat 1-based `line, column, added` triples — on `line`, from generated `column` on, the
 * code has `added` more characters than the original (what V8's positions in this module, such as
 * a stack frame's, must lose before its source map applies; see static-sites.ts `originalColumn`).
 */
export interface Instrumented {
  readonly code: string;
  readonly positions: number[];
  readonly shifts: number[];
}


interface Insert { readonly at: number; readonly text: string; readonly open: boolean; readonly span: number }

type AnyNode = Node & Record<string, unknown> & { loc?: { start: { line: number; column: number } } };

/** Identifiers the header declares (a module that already uses them is left alone). */
const HEADER_NAMES = ['__cpR', '__cpB', '__cpS', '__cpE'];

/**
 * The instrumented `source`, or null when it has no corepy call, cannot be parsed, or uses the
 * header's names. `file` is how V8 will name the module (a path for CommonJS, a file: URL for ES
 * modules); `module` says how to parse it.
 */
export function instrumentSource(source: string, file: string, names: ReadonlySet<string>, module: boolean): Instrumented | null {
  if (HEADER_NAMES.some((n) => source.includes(n))) return null;
  let program: AnyNode;
  try {
    program = parse(source, {
      ecmaVersion: 'latest', sourceType: module ? 'module' : 'script', locations: true,
      allowHashBang: true, allowReturnOutsideFunction: !module, allowAwaitOutsideFunction: true,
    }) as unknown as AnyNode;
  } catch {
    return null;
  }
  const inserts: Insert[] = [];
  const positions: number[] = [];
  const visit = (node: AnyNode, inChain: boolean): void => {
    const chain = inChain || node.type === 'ChainExpression';
    if (node.type === 'CallExpression' && !chain) {
      const named = calleeName(node['callee'] as AnyNode);
      if (named !== null && names.has(named.name)) {
        const id = positions.length / 2;
        const at = named.at.loc!.start;
        positions.push(at.line, at.column + 1);
        const token = `__cpS(__cpB+${id},`;
        const args = node['arguments'] as AnyNode[];
        const last = args[args.length - 1];
        // The token is set after every argument is evaluated: around the last one (a spread's
        // operand), or, with none, around the receiver (or the callee) evaluated just before the call.
        const wrapped = last === undefined ? named.target : last.type === 'SpreadElement' ? (last['argument'] as AnyNode) : last;
        if (wrapped.type !== 'Super') {
          inserts.push({ at: wrapped.start, text: token, open: true, span: wrapped.end - wrapped.start });
          inserts.push({ at: wrapped.end, text: ')', open: false, span: wrapped.end - wrapped.start });
          inserts.push({ at: node.start, text: '__cpE(', open: true, span: node.end - node.start });
          inserts.push({ at: node.end, text: ')', open: false, span: node.end - node.start });
        } else positions.length -= 2;
      }
    }
    for (const key of Object.keys(node)) {
      if (key === 'loc') continue;
      const v = node[key];
      if (Array.isArray(v)) { for (const c of v) if (isNode(c)) visit(c, chain); } else if (isNode(v)) visit(v, chain);
    }
  };
  visit(program, false);
  if (positions.length === 0) return null;
  // Point insertions, applied in order: at one position, closings first (inner before outer),
  // then openings (outer before inner).
  inserts.sort((a, b) => a.at - b.at || (a.open === b.open ? (a.open ? b.span - a.span : a.span - b.span) : a.open ? 1 : -1));
  const headerAt = afterPrologue(program, source);
  // Text inserted at each original offset, in order (a space keeps a keyword off a token).
  const texts: string[] = [];
  let prevChar = ';'; // the header's last character
  {
    let from = headerAt;
    for (const ins of inserts) {
      if (ins.at > from) prevChar = source[ins.at - 1]!;
      // Minified code glues a keyword to an expression (`of[…]`, `return[…]`): keep them apart.
      const glue = ins.open && /[\w$]/.test(prevChar) ? ' ' : '';
      texts.push(glue + ins.text);
      prevChar = ins.text[ins.text.length - 1]!;
      from = ins.at;
    }
  }
  // The header lists the shifts, which count the header's own length: repeat until its length is stable.
  const makeHeader = (shifts: readonly number[]): string =>
    `var __cpR=globalThis[Symbol.for("corepy.sites")],__cpB=__cpR?__cpR.register(${JSON.stringify(file)},[${positions.join(',')}],[${shifts.join(',')}]):0,` +
    '__cpS=__cpR?__cpR.s:function(i,v){return v},__cpE=__cpR?__cpR.e:function(v){return v};';
  let shifts = shiftsOf(source, [headerAt, ...inserts.map((i) => i.at)], [0, ...texts.map((t) => t.length)]);
  let header = makeHeader(shifts);
  for (let n = -1; n !== header.length;) {
    n = header.length;
    shifts = shiftsOf(source, [headerAt, ...inserts.map((i) => i.at)], [n, ...texts.map((t) => t.length)]);
    header = makeHeader(shifts);
  }
  let out = source.slice(0, headerAt) + header;
  let from = headerAt;
  inserts.forEach((ins, k) => {
    out += source.slice(from, ins.at) + texts[k]!;
    from = ins.at;
  });
  return { code: out + source.slice(from), positions, shifts };
}

/** The `shifts` of inserting `lengths[k]` characters at original offsets `at[k]` (ascending). */
function shiftsOf(source: string, at: readonly number[], lengths: readonly number[]): number[] {
  const shifts: number[] = [];
  let line = 1, lineStart = 0, scanned = 0, added = 0;
  at.forEach((offset, k) => {
    for (; scanned < offset; scanned++) if (source.charCodeAt(scanned) === 10) { line++; lineStart = scanned + 1; added = 0; }
    if (lengths[k] === 0) return;
    added += lengths[k]!;
    shifts.push(line, offset - lineStart + 1 + added, added);
  });
  return shifts;
}

function isNode(v: unknown): v is AnyNode {
  return typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';
}

/** The called name and its node, and what to wrap when the call has no argument; null for other callees. */
function calleeName(callee: AnyNode): { name: string; at: AnyNode; target: AnyNode } | null {
  if (callee.type === 'Identifier') return { name: callee['name'] as string, at: callee, target: callee };
  if (callee.type !== 'MemberExpression') return null;
  const prop = callee['property'] as AnyNode;
  const name = !callee['computed'] && prop.type === 'Identifier' ? (prop['name'] as string)
    : callee['computed'] && prop.type === 'Literal' && typeof prop['value'] === 'string' ? (prop['value'] as string) : null;
  return name === null ? null : { name, at: prop, target: callee['object'] as AnyNode };
}

/**
 * Where the header goes: after the directive prologue ('use strict' must stay first to count) and
 * after a hashbang line, on the same line, so no line moves.
 */
function afterPrologue(program: AnyNode, source: string): number {
  let at = source.startsWith('#!') ? source.indexOf('\n') + 1 || source.length : 0;
  for (const s of program['body'] as AnyNode[]) {
    if (s.type === 'ExpressionStatement' && typeof s['directive'] === 'string') at = s.end;
    else break;
  }
  return at;
}
