/**
 * Finds what to preload when launching a script: the corepy runtime's autostart module and, for
 * TypeScript programs, tsx. The workspace's own `corepy` wins (so the profiler matches the
 * runtime the script imports); the extension's bundled copy is the fallback.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Where a runtime came from, for the log and the user. */
export interface ResolvedRuntime {
  /** Folder holding the runtime's package.json. */
  readonly dir: string;
  /** Absolute path of dist/profiler/autostart.js. */
  readonly autostart: string;
  readonly source: 'workspace' | 'bundled';
}

/** Resolves `pkg/package.json` from `fromDir` the way Node would for a script there. */
function packageDir(pkg: string, fromDir: string): string | null {
  try {
    const req = createRequire(path.join(fromDir, 'noop.js'));
    return path.dirname(req.resolve(`${pkg}/package.json`));
  } catch {
    return null;
  }
}

/**
 * Picks the runtime for a program: `corepy` resolvable from the program's folder, else
 * `bundledDir`. Returns null when neither has a built autostart module.
 */
export function resolveRuntime(programDir: string, bundledDir: string | undefined): ResolvedRuntime | null {
  const own = packageDir('corepy', programDir);
  if (own !== null) {
    const autostart = path.join(own, 'dist', 'profiler', 'autostart.js');
    if (existsSync(autostart)) return { dir: own, autostart, source: 'workspace' };
  }
  if (bundledDir !== undefined) {
    const autostart = path.join(bundledDir, 'dist', 'profiler', 'autostart.js');
    if (existsSync(autostart)) return { dir: bundledDir, autostart, source: 'bundled' };
  }
  return null;
}

/** True for programs that need the tsx loader. */
export function isTypeScript(program: string): boolean {
  return /\.(c|m)?tsx?$/i.test(program);
}

/**
 * URL of tsx's ESM loader: the program's own tsx, else the one next to the adapter (the
 * extension ships it). Null when none is found.
 */
export function resolveTsx(programDir: string, adapterDir: string): string | null {
  for (const from of [programDir, adapterDir]) {
    const dir = packageDir('tsx', from);
    if (dir !== null) {
      const loader = path.join(dir, 'dist', 'loader.mjs');
      if (existsSync(loader)) return pathToFileURL(loader).href;
    }
  }
  return null;
}
