/**
 * Installs static call sites for a profiled launch (autostart.ts): every user module loaded from
 * now on has its corepy calls numbered at load time (site-transform.ts) — through a load hook
 * (site-hooks.ts: in-thread `registerHooks` where Node has it, for ES and CommonJS modules; else
 * `register` for ES modules) and through Module#_compile for CommonJS source that passes there, as
 * coverage tools instrument code. Ops from those calls find their exact line by reading a number;
 * code loaded before, or some other way, keeps the recorder's stack capture.
 * COREPY_STATIC_SITES=0 turns it off (for A/B measurements).
 */
import * as nodeModule from 'node:module';
import Module, { register } from 'node:module';
import * as corepy from '../index.js';
import { Tensor } from '../tensor.js';
import { isRuntimeFrame, RUNTIME_URL_ROOT } from './callsite.js';
import { instrumentLoaded } from './site-hooks.js';
import { instrumentSource } from './site-transform.js';
import { staticSiteRegistry } from './static-sites.js';

/** Names whose calls are numbered: corepy's exported functions and Tensor's methods. */
export function corepyCallNames(): Set<string> {
  const names = new Set<string>();
  for (const [k, v] of Object.entries(corepy)) if (typeof v === 'function') names.add(k);
  for (let p: object | null = Tensor.prototype; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const k of Object.getOwnPropertyNames(p)) {
      const d = Object.getOwnPropertyDescriptor(p, k);
      if (k !== 'constructor' && d && typeof d.value === 'function') names.add(k);
    }
  }
  return names;
}

let installed = false;

/** Installs both hooks once; returns false when COREPY_STATIC_SITES=0 asked not to. */
export function installStaticSites(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  if (env['COREPY_STATIC_SITES'] === '0') return false;
  if (installed) return true;
  installed = true;
  // Instrumented modules carry a source map back to their original code: positions in them map only through it.
  process.setSourceMapsEnabled(true);
  staticSiteRegistry();
  const names = corepyCallNames();
  const proto = Module.prototype as unknown as { _compile(code: string, filename: string): unknown };
  const compile = proto._compile;
  proto._compile = function (this: unknown, code: string, filename: string): unknown {
    if (typeof code === 'string' && typeof filename === 'string' && !filename.includes('/node_modules/') && !isRuntimeFrame(filename)) {
      const out = instrumentSource(code, filename, names, false);
      if (out !== null) code = out.code;
    }
    return compile.call(this, code, filename);
  };
  hideFramesOf(import.meta.url);
  const registerHooks = (nodeModule as { registerHooks?: RegisterHooks }).registerHooks;
  if (typeof registerHooks === 'function') {
    // In-thread: no hooks thread to start, and it sees CommonJS source that skips Module#_compile.
    registerHooks({ load: (url, context, next) => instrumentLoaded(url, next(url, context), names, RUNTIME_URL_ROOT, true) });
  } else {
    register(new URL('./site-hooks.js', import.meta.url), { data: { names: [...names], runtimeRoot: RUNTIME_URL_ROOT } });
  }
  return true;
}

/**
 * Leaves the frames of `file` (as V8 names it: a `file://` URL for an ES module) out of every
 * stack trace Node formats from now on. The Module#_compile patch above stays on the stack while a CommonJS module's body runs, so an error the user's code
 * throws at load would show a corepy frame among its own, as if corepy had caused it. Filtering in
 * Error.prepareStackTrace and handing the rest to the one it replaces keeps the error's own frames,
 * and keeps Node's source mapping (its default prepareStackTrace maps when source maps are on).
 * Only this file's frames go: errors corepy itself throws keep their corepy frames.
 */
export function hideFramesOf(file: string): void {
  const previous = Error.prepareStackTrace;
  const hide = (frame: NodeJS.CallSite): boolean => frame.getFileName() === file;
  Error.prepareStackTrace = function (error: Error, frames: NodeJS.CallSite[]): unknown {
    const kept = frames.some(hide) ? frames.filter((f) => !hide(f)) : frames;
    if (previous) return previous.call(this, error, kept);
    // Node before the default was exposed: V8's own format.
    return `${Error.prototype.toString.call(error)}${kept.map((f) => `\n    at ${String(f)}`).join('')}`;
  };
}

type LoadResult = Parameters<typeof instrumentLoaded>[1];
/** node:module `registerHooks` (Node ≥ 22.15), typed for the load hook alone (@types/node here predates it). */
type RegisterHooks = (hooks: { load: (url: string, context: unknown, next: (url: string, context: unknown) => LoadResult) => LoadResult }) => unknown;
