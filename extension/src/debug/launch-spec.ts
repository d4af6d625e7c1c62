/**
 * Turns `launch` attributes into a process to spawn: validates the program, picks the runtime
 * (workspace's own corepy, else the bundled one), adds the preloads and the profiler's env vars.
 */
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { profiledNodeArgs } from 'corepy/launch';
import type { ProcessSpec } from './profiled-process.js';
import type { CorepyLaunchArguments } from './protocol.js';
import { isTypeScript, nodeVersion, resolveRuntime, resolveTsx, type ResolvedRuntime } from './resolve-runtime.js';

/** A launch problem worth showing to the user as is. */
export class LaunchError extends Error {}

/** What to spawn, and what was chosen on the way (for the Debug Console). */
export interface LaunchPlan {
  readonly spec: ProcessSpec;
  readonly runtime: ResolvedRuntime;
  /** `node --version` of the executable that runs the script, e.g. `v20.19.0`. */
  readonly nodeVersion: string;
  /** How a TypeScript program runs: the tsx loader; null for JavaScript. */
  readonly typeScript: 'tsx' | null;
}

/** Validates `args` and builds the spawn spec. Throws {@link LaunchError}. */
export function buildProcessSpec(args: CorepyLaunchArguments, adapterDir: string): LaunchPlan {
  if (typeof args.program !== 'string' || args.program.length === 0) {
    throw new LaunchError('Cannot launch: the configuration has no "program" (the script to profile).');
  }
  const program = path.resolve(args.cwd ?? process.cwd(), args.program);
  if (!existsSync(program) || !statSync(program).isFile()) {
    throw new LaunchError(`Cannot launch: program "${program}" does not exist.`);
  }
  const programDir = path.dirname(program);
  const cwd = args.cwd ?? programDir;
  if (!existsSync(cwd)) throw new LaunchError(`Cannot launch: cwd "${cwd}" does not exist.`);
  const runtime = resolveRuntime(programDir, args.bundledRuntime);
  if (runtime === null) {
    throw new LaunchError(
      `Cannot launch: no built corepy runtime found (looked for corepy/dist/profiler/autostart.js from "${programDir}"` +
      (args.bundledRuntime ? ` and in "${args.bundledRuntime}"` : '') + '). Run the build first.',
    );
  }
  const node = args.runtimeExecutable ?? 'node';
  const version = nodeVersion(node);
  if (version === null) {
    throw new LaunchError(`Cannot launch: the Node executable "${node}" could not be run. Install Node.js (≥ 20.19) or set "corepy.nodePath" to its path.`);
  }
  // TypeScript through tsx on every Node, even one that strips types itself: see corepy/launch (ProfiledNodeOptions.tsx).
  let tsx: string | null = null;
  let typeScript: LaunchPlan['typeScript'] = null;
  if (isTypeScript(program)) {
    tsx = resolveTsx(programDir, args.bundledRuntime, adapterDir);
    if (tsx === null) {
      throw new LaunchError(
        `Cannot launch ${path.basename(program)}: no tsx loader was found to run TypeScript (looked beside the corepy runtime ` +
        'and in the workspace). Run "npm i -D tsx" in the workspace.',
      );
    }
    typeScript = 'tsx';
  }
  const sites = args.callSites;
  const { execArgs, env } = profiledNodeArgs({
    autostart: pathToFileURL(runtime.autostart).href,
    tsx,
    baseEnv: process.env,
    env: args.env,
    backend: args.backend,
    // true/undefined: the runtime's default mode ('sampled'); false: off; names pass through.
    callSites: sites === false ? 'off' : sites === true ? undefined : sites,
    sampleEvery: args.sampleEvery,
  });
  // An explicit `callSites: true` or none means the runtime default, whatever the host's env says.
  if (sites === true || sites === undefined) delete env.COREPY_CALL_SITES;

  return {
    spec: { node, execArgs, program, args: args.args ?? [], cwd, env },
    runtime,
    nodeVersion: version,
    typeScript,
  };
}
