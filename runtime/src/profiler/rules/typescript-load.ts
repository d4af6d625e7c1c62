/**
 * Loads the TypeScript compiler (`typescript/lib/typescript.js`, about 9 MB) for the rules' syntax
 * trees for about 40 % of the CPU `require('typescript')` takes in a profiled .ts run (BENCHMARKS.md,
 * "Stop latency": 362 vs 904 ms at load 5).
 *
 * Why not `require`: a profiled .ts script runs under tsx, whose CommonJS hook scans every required
 * .js file for ESM syntax (its lexer over 9 MB) and, with source maps on, Node's loader measures every
 * line of it; both are wasted on a file that is plain CommonJS. The report of a stopped run waits for
 * this (BENCHMARKS.md, "Stop latency"). So the file is compiled here with `vm.Script` in the CommonJS
 * wrapper, the way Node's loader does it, and registered in `require.cache` so a later
 * `require('typescript')` gets the same module.
 *
 * And a V8 code cache (Node 20 has no `module.enableCompileCache`): the compiled code, taken after the
 * first parse so it holds the parser's functions too, is kept in `$COREPY_CODE_CACHE`, else
 * `$XDG_CACHE_HOME/corepy/`, else `~/.cache/corepy/` — the user's own folder, never a shared
 * temporary one, since V8 runs cached code as it finds it. The file name holds the compiler's
 * version and a key of its path, size, modification time, V8 version and architecture: V8 itself
 * checks only the source's length and its own flags (a file it rejects is written again).
 * `COREPY_CODE_CACHE=off` compiles without one. Any failure here falls back to `require`.
 */
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import type * as TS from 'typescript';

/**
 * What became of the code cache in this process (for tests and benchmarks): `found`, what the load
 * found (`not-loaded` before it); `written`, whether this process wrote one after its first parse.
 */
export interface CodeCacheState {
  readonly found: 'off' | 'absent' | 'accepted' | 'rejected' | 'not-loaded';
  readonly written: boolean;
}

let found: CodeCacheState['found'] = 'not-loaded';
let written = false;
/** Set while a cache is due: the compiled script and where to write its code after the first parse. */
let pending: { readonly script: Script; readonly path: string } | null = null;

/** What became of the code cache in this process. */
export function codeCacheState(): CodeCacheState {
  return { found, written };
}

/** The code cache folder in use, or null when `COREPY_CODE_CACHE=off`. */
export function codeCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string | null {
  const set = env['COREPY_CODE_CACHE'];
  if (set !== undefined && set !== '') return set === 'off' ? null : set;
  return join(env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'corepy');
}

/** The cache file for compiler `file` (what V8 does not check is in the name). */
function cacheFile(dir: string, file: string, version: string): string {
  const st = statSync(file);
  const key = createHash('sha256').update([file, st.size, st.mtimeMs, process.versions.v8, process.arch].join('\0')).digest('hex').slice(0, 16);
  return join(dir, `typescript-${version}-${key}.v8cache`);
}

/** The TypeScript compiler API; throws when the `typescript` package cannot be loaded. */
export function loadTypescript(from: string): typeof TS {
  const req = createRequire(from);
  const file = req.resolve('typescript');
  const loaded = req.cache[file]?.exports as typeof TS | undefined;
  if (loaded) return loaded;
  try {
    return compile(file, req);
  } catch {
    return req('typescript') as typeof TS;
  }
}

function compile(file: string, req: NodeJS.Require): typeof TS {
  // typescript.js is ASCII: decoded as Latin-1 it is the same string, for ~100 ms of CPU to read its
  // 9 MB where Node 20's UTF-8 read takes ~170 ms (fresh processes, load 9); UTF-8 for a file that is not.
  const bytes = readFileSync(file);
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const version = (JSON.parse(readFileSync(join(dirname(file), '..', 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  const dir = codeCacheDir();
  const path = dir === null ? null : cacheFile(dir, file, version);
  let cachedData: Buffer | undefined;
  if (path !== null) try { cachedData = readFileSync(path); } catch { /* none yet */ }
  // The wrapper Node's CommonJS loader puts around a file (one line, so positions in the file hold).
  const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n});`, { filename: file, cachedData });
  found = path === null ? 'off' : cachedData === undefined ? 'absent' : script.cachedDataRejected ? 'rejected' : 'accepted';
  const mod = new Module(file);
  mod.filename = file;
  const fn = script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: Module, f: string, d: string) => void;
  fn.call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
  mod.loaded = true;
  req.cache[file] = mod;
  if (path !== null && found !== 'accepted') pending = { script, path };
  return mod.exports as typeof TS;
}

/**
 * Writes the code cache when this process compiled without a usable one: called after the first
 * parse, so the parser's functions, compiled on first use, are in it (about 2.6 MB for TypeScript
 * 5.9; tens of ms, once per compiler version and machine). Failures are ignored: the next run compiles again.
 */
export function saveCodeCache(): void {
  if (pending === null) return;
  const { script, path } = pending;
  pending = null;
  try {
    mkdirSync(dirname(path), { recursive: true });
    // A temporary file renamed into place: a run reading it meanwhile sees the whole file or none.
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, path);
    written = true;
  } catch { /* read-only home, full disk: the next run compiles again */ }
}
