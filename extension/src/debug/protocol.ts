/**
 * What the `corepy` debug adapter adds to the Debug Adapter Protocol: its launch attributes and
 * its custom events. Both the adapter (no 'vscode' import) and the extension import this file.
 *
 * Units follow the contract (`corepy/contract`, its ipc.ts): ms, bytes, 1-based line/column.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { BackendName, CallSiteMode, ProfileBatchMessage, ProfileHelloMessage, ProfileReportMessage } from 'corepy/contract';

export type { ProfileBatchMessage, ProfileHelloMessage, ProfileReportMessage };

/** Backends the runtime offers (`COREPY_BACKEND`). */
export type BackendChoice = BackendName;

/** `launch` attributes of a `corepy` debug configuration (mirrors package.json `debuggers`). */
export interface CorepyLaunchArguments extends DebugProtocol.LaunchRequestArguments {
  /** Script to run, absolute path (.ts, .mts, .js, .mjs). */
  program: string;
  /** Arguments passed to the script. */
  args?: string[];
  /** Working directory; defaults to the program's folder. */
  cwd?: string;
  /** Extra environment variables (null removes one). */
  env?: Record<string, string | null>;
  /** Default backend for the run (`COREPY_BACKEND`). */
  backend?: BackendChoice;
  /** Base call-site sampling period for `callSites: 'sampled'` (`COREPY_SAMPLE_EVERY`); grows up to 16× while an op's line does not change. */
  sampleEvery?: number;
  /**
   * Call-site capture (`COREPY_CALL_SITES`: all | sampled | off); per-line timings need it.
   * true = the runtime's default ('sampled'), false = 'off'. Default: 'sampled'.
   */
  callSites?: boolean | CallSiteMode;
  /** Node executable; default `node` on PATH. */
  runtimeExecutable?: string;
  /**
   * Runtime folder to preload when the workspace has no `corepy` of its own (the extension fills
   * this with its bundled copy). A folder holding `dist/profiler/autostart.js`.
   */
  bundledRuntime?: string;
}

/** Body of the custom `corepyProfile` event: the newest cumulative batch, as the script sent it. */
export type CorepyProfileEventBody = ProfileBatchMessage;

/**
 * Body of the custom `corepyReport` event, sent once per run when the script has ended.
 * When the script died before it could send its report (crash, SIGKILL), `partial` is true,
 * `report`/`recommendations`/`flame` are null/empty and `lastBatch` is what was recorded.
 */
export interface CorepyReportEventBody {
  readonly partial: boolean;
  readonly report: ProfileReportMessage['report'] | null;
  readonly recommendations: ProfileReportMessage['recommendations'];
  readonly flame: ProfileReportMessage['flame'] | null;
  /** The last cumulative batch received (null if none arrived). */
  readonly lastBatch: ProfileBatchMessage | null;
  /** Process exit code, or null when it ended by a signal. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** True when the user asked the run to stop (Stop, the debug toolbar): its non-zero exit is that, not a failure. */
  readonly stopped?: boolean;
  /** What the runtime printed for the uncaught error the script ended by (its report message's `uncaught`), if any. */
  readonly uncaught?: string;
  /**
   * Set by the inline adapter instead of `flame` (then null): the key under which it kept the
   * flame model in-process (flame-handoff.ts), so the model does not travel through the window.
   */
  readonly flameKey?: string;
}

/** Names of the custom events. */
export const PROFILE_EVENT = 'corepyProfile';
export const REPORT_EVENT = 'corepyReport';
