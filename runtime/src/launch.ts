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
 * An environment as `process.env` holds it. Declared here rather than as `NodeJS.ProcessEnv` so that
 * `corepy/launch`'s declarations type-check in a project without `@types/node`.
 */
export type Environment = Record<string, string | undefined>;

/** Options of {@link profiledNodeArgs}. */
export interface ProfiledNodeOptions {
  /** profiler/autostart module, as a URL (`file:///…/autostart.js`) that `node --import` accepts. */
  readonly autostart: string;
  /**
   * tsx's loader (a specifier, path or URL) to preload before autostart, or null/undefined for none.
   * TypeScript always runs through it, even on a Node that strips types itself (22.6+): Node's
   * stripping takes a `.ts` file's module system from the nearest package.json, and `npm init -y`
   * writes `"type": "commonjs"`, so a script with `import` statements in such a folder fails to load
   * (Node 22.23: "Cannot use import statement outside a module"), as does any `enum` or `namespace`
   * (ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX). tsx (esbuild) runs both on every Node corepy supports, with
   * source maps that call sites and the debugger follow back to the source's lines.
   */
  readonly tsx?: string | null;
  /** Node flags placed before the preloads. */
  readonly nodeFlags?: readonly string[];
  /** Environment to start from (usually `process.env`); copied, never modified. */
  readonly baseEnv: Readonly<Environment>;
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
  readonly env: Environment;
}

/** Builds the preload arguments and environment of a profiled Node child. */
export function profiledNodeArgs(o: ProfiledNodeOptions): ProfiledNodeArgs {
  const execArgs = [...(o.nodeFlags ?? []), ...(o.tsx ? ['--import', o.tsx] : []), '--import', o.autostart];
  const env: Environment = { ...o.baseEnv };
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

export { killAfterGrace, ACK_POLL_MS, type KillAfterGraceOptions, type PendingKill } from './stop-kill.js';
