/**
 * Installs static call sites for a profiled launch (autostart.ts): every user module loaded from
 * now on has its corepy calls numbered at load time (site-transform.ts) — ES modules through a
 * load hook (site-hooks.ts), CommonJS modules (tsx's CommonJS output included) through
 * Module#_compile, as coverage tools instrument code. Ops from those calls find their exact line
 * by reading a number; code loaded before, or some other way, keeps the recorder's stack capture.
 * COREPY_STATIC_SITES=0 turns it off (for A/B measurements).
 */
import Module, { register } from 'node:module';
import * as corepy from '../index.js';
import { Tensor } from '../tensor.js';
import { isRuntimeFrame, RUNTIME_URL_ROOT } from './callsite.js';
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
  register(new URL('./site-hooks.js', import.meta.url), { data: { names: [...names], runtimeRoot: RUNTIME_URL_ROOT } });
  return true;
}
