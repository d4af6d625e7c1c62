/**
 * Call-site capture: the first stack frame outside the corepy runtime, mapped through source
 * maps (tsx, `--enable-source-maps`, `process.setSourceMapsEnabled(true)`) so TypeScript users see
 * their .ts line. A V8 stack capture costs microseconds (measured in bench/overhead.ts), so the
 * recorder samples it; sites are interned by (file, line·2^16+column) without building strings
 * once a file is known, and each distinct site is source-mapped only once.
 */
import { findSourceMap, type SourceMap } from 'node:module';
import { dirname, isAbsolute, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SourceLocation } from '../contract/flame.js';
import { mappedSourceFile } from './map-source.js';

/** runtime/src or runtime/dist: frames under it belong to corepy, not to the user. */
const RUNTIME_ROOT = dirname(dirname(fileURLToPath(import.meta.url))) + sep;
/** The same root as a file: URL (ES module frames and URLs are named this way). */
export const RUNTIME_URL_ROOT = new URL('../', import.meta.url).href;

/**
 * True for frames of the runtime's own code. The runtime also ships programs that USE it (the
 * benchmarks and `npm run demo`); their frames are the caller's, as any user script's would be.
 */
export function isRuntimeFrame(file: string): boolean {
  const rel = file.startsWith(RUNTIME_ROOT) ? file.slice(RUNTIME_ROOT.length)
    : file.startsWith(RUNTIME_URL_ROOT) ? file.slice(RUNTIME_URL_ROOT.length) : null;
  if (rel === null) return false;
  return !(rel.startsWith('bench/') || rel.startsWith('bench' + sep) || /^demo\.[cm]?[jt]s$/.test(rel));
}

/**
 * The part of a V8 structured stack frame (Node's `NodeJS.CallSite`) the profiler reads; declared
 * here so that corepy's published types do not need @types/node in the user's project.
 */
export interface V8Frame {
  getFileName(): string | null | undefined;
  getFunctionName(): string | null;
  getTypeName(): string | null;
  /** 1-based, null when unknown. */
  getLineNumber(): number | null;
  /** 1-based, null when unknown. */
  getColumnNumber(): number | null;
  /** 1-based position of the function the frame runs in. */
  getEnclosingLineNumber(): number | null;
  getEnclosingColumnNumber(): number | null;
  isConstructor(): boolean;
  isToplevel(): boolean;
}

// prepareStackTrace replacement that hands back V8's structured frames instead of a string.
const structured = (_e: Error, frames: V8Frame[]): V8Frame[] => frames;

/** Frames asked for first, and on a retry when all of those were inside the runtime. */
const FIRST_LIMIT = 8, RETRY_LIMIT = 64;
const NOT_FOUND = -2;

/** Interned call sites of one recorder. */
export class SiteTable {
  /** Locations by site id. */
  readonly sites: SourceLocation[] = [];
  private byFile = new Map<string, Map<number, number>>();

  /**
   * Site id of the first frame outside the runtime on the current stack, or -1 when every frame
   * is inside the runtime (or unnamed). `skip` is the function whose frames are left out.
   * V8's cost grows with the frames it materialises (per-capture figures: `npm run bench:overhead`,
   * recorded in runtime/BENCHMARKS.md "Profiler overhead"), and the user's frame is usually 4–6
   * above the recorder (dispatch → op implementation → public function → Tensor method → user),
   * so it first asks for
   * {@link FIRST_LIMIT} frames and retries with {@link RETRY_LIMIT} only when those were all ours.
   */
  capture(skip: Function): number {
    const first = this.captureWith(skip, FIRST_LIMIT);
    if (first !== NOT_FOUND) return first;
    const retry = this.captureWith(skip, RETRY_LIMIT);
    return retry === NOT_FOUND ? -1 : retry;
  }

  /** The site id, -1 when no frame was usable, or NOT_FOUND when all `limit` frames were ours. */
  private captureWith(skip: Function, limit: number): number {
    const frames = framesAbove(skip, limit);
    if (!Array.isArray(frames)) return -1;
    for (const f of frames) {
      const file = f.getFileName();
      if (!file || file.startsWith('node:') || isRuntimeFrame(file)) continue;
      return this.intern(file, f.getLineNumber() ?? 0, f.getColumnNumber() ?? 0);
    }
    return frames.length >= limit ? NOT_FOUND : -1;
  }

  /** Id of a raw (generated-code) position, mapping and storing it on first sight. */
  intern(file: string, line: number, column: number): number {
    let lines = this.byFile.get(file);
    if (!lines) this.byFile.set(file, (lines = new Map()));
    const key = line * 65536 + column;
    const known = lines.get(key);
    if (known !== undefined) return known;
    const id = this.sites.length;
    this.sites.push(mapLocation(file, line, column));
    lines.set(key, id);
    return id;
  }

  /** Forgets every site. */
  clear(): void {
    this.sites.length = 0;
    this.byFile.clear();
  }
}

/** V8's structured frames above `skip` (at most `limit`), or undefined when V8 gave none. */
export function framesAbove(skip: Function, limit: number): V8Frame[] | undefined {
  const prevPrepare = Error.prepareStackTrace, prevLimit = Error.stackTraceLimit;
  Error.prepareStackTrace = structured;
  Error.stackTraceLimit = limit;
  const holder: { stack?: V8Frame[] } = {};
  Error.captureStackTrace(holder, skip);
  const frames = holder.stack;
  Error.prepareStackTrace = prevPrepare;
  Error.stackTraceLimit = prevLimit;
  return frames;
}

/**
 * ns per capture as a recorder makes one when the caller's frame is among the first FIRST_LIMIT:
 * V8's structured frames plus a file name read per frame (the report's per-capture overhead).
 */
export function timeCapture(n: number): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const frames = framesAbove(timeCapture, FIRST_LIMIT);
    if (frames) for (const f of frames) namesRead += f.getFileName() ? 1 : 0;
  }
  return ((performance.now() - t0) * 1e6) / n;
}
/** Written by timeCapture so that its file-name reads are not optimised away. */
let namesRead = 0;

/** Maps a 1-based generated position to the original source when a source map is loaded. */
export function mapLocation(file: string, line: number, column: number): SourceLocation {
  return mapPosition(file, line, column).location;
}

/**
 * How a module file, as V8 names it in frames (a path, a file: URL, or a name such as a vm script's),
 * is looked up in Node's source-map cache: computed once per file, because `findSourceMap(path)`
 * turns the path into a file: URL on every call (10–60 µs each under tsx, which names CommonJS
 * modules by path; a lookup by URL is about 0.3 µs). A relative name (a vm script's) is not kept: Node
 * resolves it against the working directory of the moment. Figures: runtime/src/bench/source-map-cost.ts.
 */
interface ModuleKeys {
  /** The file as a path (the location reported when nothing maps it). */
  readonly path: string;
  /**
   * Node's cache keys, tried in order: what `findSourceMap(path)` looks up (the path's file: URL),
   * then the frame's own file: URL when it differs (a URL that does not round-trip through a path).
   */
  readonly urls: readonly string[];
}
const moduleKeys = new Map<string, ModuleKeys>();

function keysOf(file: string): ModuleKeys {
  let k = moduleKeys.get(file);
  if (k === undefined) {
    const isUrl = file.startsWith('file:');
    const path = isUrl ? fileURLToPath(file) : file;
    const urls: string[] = [];
    try {
      // As findSourceMap keys a name: as it is when it already has a scheme (`webpack://…`), else as a path.
      urls.push(/^\w+:\/\//.test(path) ? path : pathToFileURL(path).href);
    } catch {
      // A name that is no path (Node's own lookup by path fails the same way): only its URL, if any.
    }
    if (isUrl && urls[0] !== file) urls.push(file);
    k = { path, urls };
    if (isAbsolute(path)) moduleKeys.set(file, k);
  }
  return k;
}

/**
 * {@link mapLocation}, saying whether the module has a source map and whether it maps this
 * position: a position a module's map leaves out is code its compiler wrote (tsx's CommonJS
 * wrapper around a script's body), not the user's. Node's cache is asked on every call, by URL (see
 * {@link ModuleKeys}), not remembered here: a module evaluated again under the same name (a watcher
 * that re-requires it) has its new map. Node parses a module's map on its first lookup (0.6–1.2 ms for a
 * 40-line script's in source-map-cost.ts, its parser's first compile included): that stays a first sight's cost.
 */
export function mapPosition(file: string, line: number, column: number): { location: SourceLocation; hasMap: boolean; mapped: boolean } {
  const { path, urls } = keysOf(file);
  try {
    let map: SourceMap | undefined;
    for (let i = 0; map === undefined && i < urls.length; i++) map = findSourceMap(urls[i]!);
    if (map) {
      const e = map.findEntry(line - 1, column - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
      if (e && typeof e.originalLine === 'number' && e.originalSource) {
        const src = mappedSourceFile(e.originalSource.startsWith('file:') ? fileURLToPath(e.originalSource) : e.originalSource, path);
        return { location: { file: src, line: e.originalLine + 1, column: (e.originalColumn ?? 0) + 1 }, hasMap: true, mapped: true };
      }
      return { location: { file: path, line, column }, hasMap: true, mapped: false };
    }
  } catch {
    // A broken or unreadable map: report the generated position rather than nothing.
  }
  return { location: { file: path, line, column }, hasMap: false, mapped: false };
}
