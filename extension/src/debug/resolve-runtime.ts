/**
 * Finds what to preload when launching a script: the corepy runtime's autostart module and, for
 * TypeScript programs on a Node without type stripping, tsx; and which Node version runs it. The workspace's own `corepy` wins (so the profiler matches the
 * runtime the script imports); the extension's bundled copy is the fallback.
 */
import { spawnSync } from 'node:child_process';
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
 * URL of tsx's ESM loader: the program's own tsx, else one shipped with the extension (looked up
 * from each of `shippedFrom`: the bundled runtime's folder, where the .vsix carries tsx in
 * runtime/node_modules, and the adapter's). Null when none is found.
 */
export function resolveTsx(programDir: string, ...shippedFrom: (string | undefined)[]): string | null {
  for (const from of [programDir, ...shippedFrom]) {
    if (from === undefined) continue;
    const dir = packageDir('tsx', from);
    if (dir !== null) {
      const loader = path.join(dir, 'dist', 'loader.mjs');
      if (existsSync(loader)) return pathToFileURL(loader).href;
    }
  }
  return null;
}

const versions = new Map<string, string | null>();

/**
 * What `node --version` prints for the executable `node` (`v22.6.0`), or null when it cannot be
 * run. Cached per executable: it is asked once per launch, and spawning Node costs ~40 ms.
 */
export function nodeVersion(node: string): string | null {
  if (!versions.has(node)) {
    const r = spawnSync(node, ['--version'], { encoding: 'utf8', timeout: 10000, env: { ...process.env, ELECTRON_RUN_AS_NODE: undefined, NODE_OPTIONS: undefined } });
    versions.set(node, r.status === 0 && /^v\d+\./.test(r.stdout.trim()) ? r.stdout.trim() : null);
  }
  return versions.get(node) ?? null;
}
