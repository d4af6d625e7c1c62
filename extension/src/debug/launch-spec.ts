/**
 * Turns `launch` attributes into a process to spawn: validates the program, picks the runtime
 * (workspace's own corepy, else the bundled one), adds the preloads and the profiler's env vars.
 */
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ProcessSpec } from './profiled-process.js';
import type { CorepyLaunchArguments } from './protocol.js';
import { isTypeScript, resolveRuntime, resolveTsx, type ResolvedRuntime } from './resolve-runtime.js';

/** A launch problem worth showing to the user as is. */
export class LaunchError extends Error {}

/** Validates `args` and builds the spawn spec. Throws {@link LaunchError}. */
export function buildProcessSpec(args: CorepyLaunchArguments, adapterDir: string): { spec: ProcessSpec; runtime: ResolvedRuntime } {
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
  const execArgs: string[] = [];
  if (isTypeScript(program)) {
    const tsx = resolveTsx(programDir, adapterDir);
    if (tsx === null) throw new LaunchError(`Cannot launch ${path.basename(program)}: TypeScript needs tsx, which was not found.`);
    execArgs.push('--import', tsx);
  }
  execArgs.push('--import', pathToFileURL(runtime.autostart).href);

  const env: NodeJS.ProcessEnv = { ...process.env };
  // The extension host's own Electron/Node flags must not leak into the script.
  delete env.ELECTRON_RUN_AS_NODE;
  delete env.NODE_OPTIONS;
  for (const [k, v] of Object.entries(args.env ?? {})) {
    if (v === null) delete env[k];
    else env[k] = v;
  }
  env.COREPY_PROFILE_IPC = '1';
  if (args.backend) env.COREPY_BACKEND = args.backend;
  if (args.sampleEvery !== undefined) env.COREPY_SAMPLE_EVERY = String(args.sampleEvery);
  const sites = args.callSites;
  // true/undefined: the runtime's default mode ('sampled'); false: off; names pass through.
  const mode = sites === false ? 'off' : sites === true || sites === undefined ? undefined : sites;
  if (mode !== undefined) env.COREPY_CALL_SITES = mode;
  else delete env.COREPY_CALL_SITES;

  return {
    spec: { node: args.runtimeExecutable ?? 'node', execArgs, program, args: args.args ?? [], cwd, env },
    runtime,
  };
}
