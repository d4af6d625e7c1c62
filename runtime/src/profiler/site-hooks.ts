/**
 * Module load hooks behind static-sites-install.ts: give the corepy calls of every user module a
 * static call-site id (site-transform.ts) as it loads — after the loaders before it (tsx) have
 * turned it into JavaScript. Two ways in, by Node version:
 * - `module.registerHooks` (Node ≥ 22.15, in-thread, synchronous): {@link instrumentLoaded} on ES
 *   and CommonJS modules alike — on Node 24, with tsx's own hooks registered the same way, a
 *   TypeScript entry's CommonJS output reaches Node without passing Module#_compile.
 * - `module.register` (older Nodes; this module runs on Node's hooks thread): {@link load}, ES
 *   modules only; CommonJS modules are instrumented on the main thread (Module#_compile), where
 *   their source passes.
 */
import { fileURLToPath } from 'node:url';
import { instrumentSource } from './site-transform.js';

let names: ReadonlySet<string> = new Set();
let runtimeRoot = '';

/** Receives the names to instrument and the runtime's root URL from `register(…, { data })`. */
export function initialize(data: { names: string[]; runtimeRoot: string }): void {
  names = new Set(data.names);
  runtimeRoot = data.runtimeRoot;
}

interface LoadResult { format?: string | null; source?: string | ArrayBuffer | ArrayBufferView | null; shortCircuit?: boolean }
type NextLoad = (url: string, context: unknown) => Promise<LoadResult>;

/**
 * True for modules whose corepy calls are the user's: file URLs outside node_modules and outside
 * the runtime at `root` — except the runtime's benchmarks and demo, which use corepy as a user
 * would (as callsite.ts treats their frames).
 */
export function isUserModule(url: string, root: string): boolean {
  if (!url.startsWith('file:') || url.includes('/node_modules/')) return false;
  if (root === '' || !url.startsWith(root)) return true;
  const rel = url.slice(root.length);
  return rel.startsWith('bench/') || /^demo\.[cm]?[jt]s$/.test(rel);
}

/**
 * A loader's result `r` for `url` with a user module's corepy calls instrumented (ES modules, and
 * CommonJS ones when `commonJs`; any other format, or no source, passes as it is). A CommonJS
 * module is named by its path, as V8 names it; a module already instrumented (Module#_compile sees
 * this output again) is left alone by instrumentSource.
 */
export function instrumentLoaded(url: string, r: LoadResult, callNames: ReadonlySet<string>, root: string, commonJs: boolean): LoadResult {
  const module = r.format === 'module';
  if ((!module && !(commonJs && r.format === 'commonjs')) || r.source === null || r.source === undefined || !isUserModule(url, root)) return r;
  const text = typeof r.source === 'string' ? r.source : new TextDecoder().decode(r.source as ArrayBuffer);
  const out = instrumentSource(text, module ? url : fileURLToPath(url), callNames, module);
  return out === null ? r : { ...r, source: out.code };
}

/** The hooks thread's load hook (`module.register`): the next loaders' result, a user ES module's corepy calls instrumented. */
export async function load(url: string, context: unknown, next: NextLoad): Promise<LoadResult> {
  return instrumentLoaded(url, await next(url, context), names, runtimeRoot, false);
}
