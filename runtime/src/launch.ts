/**
 * How to start a Node process with the profiler preloaded: the `--import` list (tsx first for
 * TypeScript, then profiler/autostart) and the COREPY_* environment autostart reads. The one
 * place both `corepy profile` (cli.ts) and the VS Code debug adapter
 * (extension/src/debug/launch-spec.ts, which bundles this file) build a profiled child.
 *
 * Pure: no file system, no `import.meta`, so it bundles into the extension's CommonJS build.
 */
import type { CallSiteMode } from './contract/names.js';

/**
 * How a Node version runs TypeScript on its own (type stripping: types are erased to whitespace,
 * so lines and columns stay those of the source and no source map is needed):
 * - 'default': on without a flag (Node ≥ 22.18 and ≥ 23.6);
 * - 'flag': behind `--experimental-strip-types` (Node 22.6–22.17 and 23.0–23.5);
 * - 'none': not available (older Node): a loader such as tsx is needed.
 * `version` is what `node --version` prints (`v22.6.0`) or `process.versions.node` (`22.6.0`).
 */
export function nodeTypeStripping(version: string): 'default' | 'flag' | 'none' {
  const m = /^v?(\d+)\.(\d+)/.exec(version.trim());
  if (!m) return 'none';
  const major = Number(m[1]), minor = Number(m[2]);
  if (major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18)) return 'default';
  if (major === 23 || (major === 22 && minor >= 6)) return 'flag';
  return 'none';
}

/**
 * Node flags that make `version` run the TypeScript file `program`, or null when Node cannot
 * (too old, or a `.tsx` file: Node never strips JSX) and a loader is needed.
 */
export function nodeTypeScriptArgs(version: string, program: string): string[] | null {
  if (/\.tsx$/i.test(program)) return null;
  const mode = nodeTypeStripping(version);
  return mode === 'default' ? [] : mode === 'flag' ? ['--experimental-strip-types'] : null;
}

/** Options of {@link profiledNodeArgs}. */
export interface ProfiledNodeOptions {
  /** profiler/autostart module, as a URL (`file:///…/autostart.js`) that `node --import` accepts. */
  readonly autostart: string;
  /** tsx's loader (a specifier, path or URL) to preload before autostart, or null/undefined for none. */
  readonly tsx?: string | null;
  /** Node flags placed before the preloads (e.g. `--experimental-strip-types` from {@link nodeTypeScriptArgs}). */
  readonly nodeFlags?: readonly string[];
  /** Environment to start from (usually `process.env`); copied, never modified. */
  readonly baseEnv: NodeJS.ProcessEnv;
  /**
   * Keep the base environment's NODE_OPTIONS. The CLI keeps it (the user's shell set it); the
   * extension host drops it (its value belongs to VS Code's own Node, not the script).
   */
  readonly keepNodeOptions?: boolean;
  /** Variables to set on top of the base (null removes one), e.g. a launch configuration's `env`. */
  readonly env?: Readonly<Record<string, string | null>>;
  /** COREPY_BACKEND: backend for new tensors. */
  readonly backend?: string;
  /** COREPY_CALL_SITES; undefined leaves whatever the environment says (else the runtime default, 'sampled'). */
  readonly callSites?: CallSiteMode;
  /** COREPY_SAMPLE_EVERY: mean call-site sampling period in ops (integer ≥ 1; autostart validates it). */
  readonly sampleEvery?: number;
}

/** `node <execArgs> <script>` with `env` runs the script profiled, reporting over IPC (COREPY_PROFILE_IPC). */
export interface ProfiledNodeArgs {
  readonly execArgs: string[];
  readonly env: NodeJS.ProcessEnv;
}

/** Builds the preload arguments and environment of a profiled Node child. */
export function profiledNodeArgs(o: ProfiledNodeOptions): ProfiledNodeArgs {
  const execArgs = [...(o.nodeFlags ?? []), ...(o.tsx ? ['--import', o.tsx] : []), '--import', o.autostart];
  const env: NodeJS.ProcessEnv = { ...o.baseEnv };
  // Set by VS Code for its own helper processes; a script run with it would start as Electron.
  delete env['ELECTRON_RUN_AS_NODE'];
  if (!o.keepNodeOptions) delete env['NODE_OPTIONS'];
  for (const [k, v] of Object.entries(o.env ?? {})) {
    if (v === null) delete env[k];
    else env[k] = v;
  }
  env['COREPY_PROFILE_IPC'] = '1';
  // A profiled run's first calls should be the ops' real speed: compile and optimise every wasm
  // kernel at load (backends/wasm/loader.ts), unless the user chose a mode.
  if (!env['COREPY_WASM_COMPILE']) env['COREPY_WASM_COMPILE'] = 'eager';
  if (o.backend) env['COREPY_BACKEND'] = o.backend;
  if (o.callSites !== undefined) env['COREPY_CALL_SITES'] = o.callSites;
  if (o.sampleEvery !== undefined) env['COREPY_SAMPLE_EVERY'] = String(o.sampleEvery);
  return { execArgs, env };
}
