/**
 * Debug and Profile: a `corepy` launch turned into a launch of VS Code's built-in JavaScript
 * debugger (vscode-js-debug, type `pwa-node`) with the same preloads as Run and Profile (tsx or
 * Node's type stripping, then corepy's profiler/autostart), so the user gets breakpoints,
 * stepping, variables and the Debug Console from js-debug, and the profile stream from
 * COREPY_PROFILE_SOCKET (js-debug owns the process: there is no IPC channel). No 'vscode' import.
 *
 * js-debug launch attributes used (its docs, OPTIONS.md): `runtimeExecutable`, `runtimeArgs`
 * (placed before `program`), `env` (merged over the host's; null removes a variable), `skipFiles`,
 * `console`, `outputCapture`, `cwd`, `args`, `killBehavior` (how Stop ends the script: debug-stop.ts).
 */
import type { LaunchPlan } from './launch-spec.js';

/** The js-debug configuration type that launches Node. */
export const JS_DEBUG_TYPE = 'pwa-node';

/** Marker in the js-debug configuration: the program this Debug and Profile session profiles. */
export const PROFILED_PROGRAM = 'corepyProgram';

/** A `pwa-node` launch configuration (the subset we fill). */
export interface JsDebugLaunch {
  type: typeof JS_DEBUG_TYPE;
  request: 'launch';
  name: string;
  program: string;
  args: string[];
  cwd: string;
  runtimeExecutable: string;
  runtimeArgs: string[];
  env: Record<string, string | null>;
  skipFiles: string[];
  console: 'internalConsole';
  outputCapture: 'std';
  /** 'polite': SIGTERM on Stop (the runtime writes its report); 'forceful' (js-debug's default): SIGKILL. */
  killBehavior: 'polite' | 'forceful';
  [PROFILED_PROGRAM]: string;
}

/**
 * The js-debug launch for `plan` (from buildProcessSpec), streaming to `socketPath`.
 * `userEnv` is the configuration's own `env`; only it and the COREPY_* variables are passed: js-debug
 * merges them over the extension host's environment, and adds its own NODE_OPTIONS bootloader.
 */
export function jsDebugLaunch(name: string, plan: LaunchPlan, userEnv: Record<string, string | null> | undefined, socketPath: string,
  stop: { env(): Record<string, string>; readonly polite: boolean } = { env: () => ({}), polite: false }): JsDebugLaunch {
  const { spec, runtime } = plan;
  const env: Record<string, string | null> = { ...(userEnv ?? {}) };
  for (const [k, v] of Object.entries(spec.env)) if (k.startsWith('COREPY_') && v !== undefined) env[k] = v;
  env['COREPY_PROFILE_SOCKET'] = socketPath;
  Object.assign(env, stop.env());
  // Set for VS Code's own helpers; the script would start as Electron with it.
  env['ELECTRON_RUN_AS_NODE'] = null;
  return {
    type: JS_DEBUG_TYPE,
    request: 'launch',
    name,
    program: spec.program,
    args: [...spec.args],
    cwd: spec.cwd,
    runtimeExecutable: spec.node,
    runtimeArgs: [...spec.execArgs],
    env,
    // Stepping stays in the user's code: never into Node internals or corepy itself, whose ops are
    // timed (a pause inside one would be counted as its time).
    skipFiles: ['<node_internals>/**', `${runtime.dir}/**`],
    console: 'internalConsole',
    // The script's stdout/stderr as the Debug Console output (js-debug's default, 'console', shows
    // only console.* calls): the runtime prints an uncaught error with process.stderr.write, and
    // the failure diagnostic is found in that stderr.
    outputCapture: 'std',
    killBehavior: stop.polite ? 'polite' : 'forceful',
    [PROFILED_PROGRAM]: spec.program,
  };
}
