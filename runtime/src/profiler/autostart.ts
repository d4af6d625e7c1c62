/**
 * Preloaded by launchers: `node --import corepy/dist/profiler/autostart.js script.js` (for .ts
 * add `--import tsx` first). Reads the environment, picks the backend, enables profiling and
 * starts the IPC stream when COREPY_PROFILE_IPC=1. Environment:
 * - COREPY_BACKEND: js | wasm | webgpu (default: the runtime's default)
 * - COREPY_SAMPLE_EVERY: call-site sampling period (integer ≥ 1)
 * - COREPY_CALL_SITES: all | sampled | off
 * - COREPY_MAX_EVENTS: ring size
 * - COREPY_WARM_UP: 0 turns off the op warm-up before the script (warm-up.ts)
 * A script whose folder cannot resolve `corepy` gets this runtime (resolve-fallback.ts).
 */
import { setBackend } from '../engine.js';
import '../index.js';
import { BACKENDS, type BackendName } from '../types.js';
import { startIpc, whenConnected } from './ipc.js';
import { installCorepyFallback, scriptHasCorepy } from './resolve-fallback.js';
import { enableProfiling } from './session.js';
import { SOCKET_ENV } from '../contract/ipc.js';
import type { CallSiteMode, ProfilerOptions } from './types.js';

// Source-mapped call sites for TypeScript and bundled scripts.
process.setSourceMapsEnabled(true);

// A script with no corepy of its own (e.g. run from VS Code with the extension's bundled runtime)
// gets this runtime when it imports 'corepy'.
const program = process.argv[1];
if (program && !scriptHasCorepy(program)) installCorepyFallback();
// Exact per-line attribution without stack captures for the user's modules, loaded from here on.
// Not under a debugger (Debug and Profile streams over COREPY_PROFILE_SOCKET): the inserted text
// would shift the columns its stepping and breakpoints map through the compiler's source map.
// Loaded on demand: without its parser (acorn) the launch goes on with stack capture alone.
if (!process.env[SOCKET_ENV]) {
  try {
    (await import('./static-sites-install.js')).installStaticSites();
  } catch (e) {
    process.stderr.write(`corepy autostart: static call sites unavailable (${(e as Error).message}); per-line figures come from stack captures\n`);
  }
}

const env = process.env;
const backend = env['COREPY_BACKEND'];
if (backend) {
  if (!BACKENDS.includes(backend as BackendName)) {
    process.stderr.write(`corepy autostart: unknown COREPY_BACKEND ${JSON.stringify(backend)}; allowed: ${BACKENDS.join(', ')}\n`);
    process.exit(2);
  }
  try {
    await setBackend(backend as BackendName);
  } catch (e) {
    process.stderr.write(`corepy autostart: backend '${backend}' failed to start: ${(e as Error).message}\n`);
    process.exit(2);
  }
}
const options: { -readonly [K in keyof ProfilerOptions]: ProfilerOptions[K] } = {};
if (env['COREPY_SAMPLE_EVERY']) options.sampleEvery = Number(env['COREPY_SAMPLE_EVERY']);
if (env['COREPY_CALL_SITES']) options.callSites = env['COREPY_CALL_SITES'] as CallSiteMode;
if (env['COREPY_MAX_EVENTS']) options.maxEvents = Number(env['COREPY_MAX_EVENTS']);
if (env['COREPY_WARM_UP'] === '0') options.warmUp = false;
try {
  enableProfiling(options);
} catch (e) {
  process.stderr.write(`corepy autostart: ${(e as Error).message}\n`);
  process.exit(2);
}
startIpc();
// Streaming over a socket: connected before the script runs, so a script that starts with a
// synchronous loop streams its batches from the loop (ipc.ts, whenConnected).
await whenConnected();
