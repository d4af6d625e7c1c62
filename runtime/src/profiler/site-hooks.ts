/**
 * Module load hook (node:module `register`, run on Node's hooks thread) behind
 * static-sites-install.ts: gives the corepy calls of every user ES module a static call-site id
 * (site-transform.ts) as it loads — after the loaders before it (tsx) have turned it into
 * JavaScript. CommonJS modules are instrumented on the main thread instead (Module#_compile),
 * where their source passes.
 */
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

/** The next loaders' result, with a user ES module's corepy calls instrumented. */
export async function load(url: string, context: unknown, next: NextLoad): Promise<LoadResult> {
  const r = await next(url, context);
  if (r.format !== 'module' || r.source === null || r.source === undefined || !isUserModule(url, runtimeRoot)) return r;
  const text = typeof r.source === 'string' ? r.source : new TextDecoder().decode(r.source as ArrayBuffer);
  const out = instrumentSource(text, url, names, true);
  return out === null ? r : { ...r, source: out.code };
}
