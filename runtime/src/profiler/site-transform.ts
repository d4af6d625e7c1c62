/**
 * Gives each corepy call in a module's JavaScript a static call-site id (see static-sites.ts):
 * `a.add(b)` becomes `__cpE(a.add(__cpS(__cpB+3, b)))` and `x.sum()` becomes
 * `__cpE(__cpS(__cpB+4, x).sum())`, with one header line that registers the module's sites.
 * Parsed with acorn (the input is what Node runs: plain JavaScript, or tsx's output); only text is
 * inserted, never a line break, so no line moves, and the code ends with a source map back to the
 * original: the module's own map with its generated columns moved as the text moved them (every
 * segment kept, so it stays exactly as fine as the compiler made it), or, for a module without one,
 * a segment at each token. Pure, but for reading a module's external source map file.
 *
 * Which calls: a call of a member or a plain name that corepy exports or that Tensor has (`names`),
 * not inside an optional chain (`a?.add(b)`: wrapping would break its short-circuit) and not on
 * `super`. A name can belong to something else (`set.add(x)`): that call sets and clears a token
 * no op reads, which costs two inlined calls and changes nothing.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { mappedSourceFile } from './map-source.js';
import { decode, encode, type SourceMapMappings } from '@jridgewell/sourcemap-codec';
import { parse, type Node } from 'acorn';

/**
 * The instrumented module and its sites as flat 1-based `line, column` pairs of the INSTRUMENTED
 * code (index = id − base), which ends with an inline source map back to the original source
 * (composed with the map the module came with: tsx's, a compiler's), so V8's positions in it — a
 * site's, a stack frame's, an error's, a breakpoint's — map as they would without instrumentation.
 */
export interface Instrumented {
  readonly code: string;
  readonly positions: number[];
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
  const inputMap = sourceMapOf(source, file);
  if (inputMap === undefined) return null; // a map we cannot read: instrumenting would move what it maps
  // Without a map of its own, the module's map gets a segment at each token (flat 0-based line, column).
  const tokens: number[] = [];
  let program: AnyNode;
  try {
    program = parse(source, {
      ecmaVersion: 'latest', sourceType: module ? 'module' : 'script', locations: true,
      allowHashBang: true, allowReturnOutsideFunction: !module, allowAwaitOutsideFunction: true,
      ...(inputMap === null ? { onToken: (t: { loc?: { start: { line: number; column: number } } | null }) => { if (t.loc) tokens.push(t.loc.start.line - 1, t.loc.start.column); } } : {}),
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
  // The header lists the sites' instrumented positions, which count the header's own length when
  // they share its line: repeat until its length is stable.
  const makeHeader = (where: readonly number[]): string =>
    `var __cpR=globalThis[Symbol.for("corepy.sites")],__cpB=__cpR?__cpR.register(${JSON.stringify(file)},[${where.join(',')}]):0,` +
    '__cpS=__cpR?__cpR.s:function(i,v){return v},__cpE=__cpR?__cpR.e:function(v){return v};';
  const at = [headerAt, ...inserts.map((i) => i.at)];
  let header = '', moved = positions, added = addedText(source, at, []);
  for (let n = -1; n !== header.length;) {
    n = header.length;
    added = addedText(source, at, [n, ...texts.map((t) => t.length)]);
    moved = [];
    for (let k = 0; k + 1 < positions.length; k += 2) moved.push(positions[k]!, positions[k + 1]! + added(positions[k]! - 1, positions[k + 1]! - 1));
    header = makeHeader(moved);
  }
  let out = source.slice(0, headerAt) + header;
  let from = headerAt;
  inserts.forEach((ins, k) => {
    out += source.slice(from, ins.at) + texts[k]!;
    from = ins.at;
  });
  out += inputMap === null ? source.slice(from) : source.slice(from, inputMap.commentAt) + source.slice(inputMap.commentEnd);
  const url = file.startsWith('file:') ? file : pathToFileURL(file).href;
  const map = inputMap === null ? tokenMap(tokens, url, added) : movedMap(inputMap.map, added);
  // On the last line when it is empty (no line added), else on a new one after it.
  out += `${out.endsWith('\n') ? '' : '\n'}//# sourceMappingURL=data:application/json;base64,${Buffer.from(map).toString('base64')}`;
  return { code: out, positions: moved };
}

/** A source map JSON: `map` (the module's own) with each generated column moved right by `added`. */
function movedMap(map: string, added: Added): string {
  const raw = JSON.parse(map) as { mappings: string };
  const lines = decode(raw.mappings);
  lines.forEach((segs, line) => { for (const seg of segs) seg[0] += added(line, seg[0]); });
  return JSON.stringify({ ...raw, mappings: encode(lines) });
}

/** A source map JSON for a module without one: each token (flat 0-based line, column) mapped from where it moved to where it was. */
function tokenMap(tokens: readonly number[], url: string, added: Added): string {
  const lines: SourceMapMappings = [];
  for (let k = 0; k + 1 < tokens.length; k += 2) {
    const line = tokens[k]!, column = tokens[k + 1]!;
    while (lines.length <= line) lines.push([]);
    lines[line]!.push([column + added(line, column), 0, line, column]);
  }
  return JSON.stringify({ version: 3, sources: [url], names: [], mappings: encode(lines) });
}

/** Characters inserted at or before 0-based (`line`, `column`) on that line (text goes before the character at its offset). */
type Added = (line: number, column: number) => number;

/** {@link Added} for inserting `lengths[k]` characters at original offsets `at[k]` (ascending). */
function addedText(source: string, at: readonly number[], lengths: readonly number[]): Added {
  // Per 0-based line: [column, running total] steps, columns ascending.
  const steps = new Map<number, [number, number][]>();
  let line = 0, lineStart = 0, scanned = 0;
  at.forEach((offset, k) => {
    if (!lengths[k]) return;
    for (; scanned < offset; scanned++) if (source.charCodeAt(scanned) === 10) { line++; lineStart = scanned + 1; }
    const list = steps.get(line) ?? [];
    list.push([offset - lineStart, (list.length > 0 ? list[list.length - 1]![1] : 0) + lengths[k]!]);
    steps.set(line, list);
  });
  return (l, c) => {
    let total = 0;
    for (const [col, sum] of steps.get(l) ?? []) if (col <= c) total = sum; else break;
    return total;
  };
}

/**
 * The module's own source map: null when it has none, undefined when it names one that cannot be
 * read; with where its comment is (removed: the instrumented code carries the composed map).
 */
function sourceMapOf(source: string, file: string): { map: string; commentAt: number; commentEnd: number } | null | undefined {
  const m = /\/\/[#@] sourceMappingURL=([^\s'"]+)\s*$/.exec(source.slice(-1_000_000));
  if (m === null) return null;
  const commentAt = Math.max(0, source.length - 1_000_000) + m.index, commentEnd = commentAt + m[0].trimEnd().length;
  const ref = m[1]!;
  try {
    const base = file.startsWith('file:') ? file : pathToFileURL(file).href;
    const data = /^data:application\/json;(?:charset=utf-?8;)?base64,(.*)$/i.exec(ref);
    if (data !== null) return { map: withExistingSources(Buffer.from(data[1]!, 'base64').toString('utf8'), base), commentAt, commentEnd };
    const target = new URL(ref, base);
    if (target.protocol !== 'file:') return undefined;
    // Its sources are relative to the map file; the composed map is inline in the module: make them absolute.
    const raw = JSON.parse(readFileSync(target, 'utf8')) as { sources?: (string | null)[]; sourceRoot?: string };
    const root = new URL(raw.sourceRoot ? raw.sourceRoot.replace(/\/?$/, '/') : './', target);
    const sources = (raw.sources ?? []).map((src) => (src === null ? null : new URL(src, root).href));
    return { map: JSON.stringify({ ...raw, sourceRoot: undefined, sources }), commentAt, commentEnd };
  } catch {
    return undefined;
  }
}

/** An inline map with its sources corrected for module `moduleUrl` (map-source.ts); unchanged when none needs it. */
function withExistingSources(map: string, moduleUrl: string): string {
  const raw = JSON.parse(map) as { sources?: (string | null)[]; sourceRoot?: string };
  if (!raw.sources || raw.sourceRoot || !moduleUrl.startsWith('file:')) return map;
  const moduleFile = fileURLToPath(moduleUrl);
  let changed = false;
  const sources = raw.sources.map((src) => {
    if (src === null) return src;
    const url = new URL(src, moduleUrl);
    if (url.protocol !== 'file:') return src;
    const fixed = mappedSourceFile(fileURLToPath(url), moduleFile);
    if (fixed === fileURLToPath(url)) return src;
    changed = true;
    return pathToFileURL(fixed).href;
  });
  return changed ? JSON.stringify({ ...raw, sources }) : map;
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
