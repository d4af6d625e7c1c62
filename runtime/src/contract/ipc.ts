/**
 * Messages a profiled script sends to whoever launched it (the VS Code debug adapter or
 * `corepy profile`), over Node's IPC channel (`process.send`), when the environment variable
 * `COREPY_PROFILE_IPC=1` is set. Batches carry CUMULATIVE statistics per (op, call site), so a
 * lost or late batch is harmless: the newest batch replaces everything before it.
 *
 * Units: times in milliseconds (ms), bytes in bytes, line/column 1-based.
 */
import type { FlameProfile, SourceLocation } from './flame.js';
import type { CallLineStats, FusedMemberShare, ProfileReport, SegmentCause } from './report.js';
import type { Recommendation } from './recommendation.js';

/** Name of the environment variable that turns the IPC stream on. */
export const IPC_ENV = 'COREPY_PROFILE_IPC';

/**
 * Name of the environment variable a launcher sets to a file path where the script writes its
 * final {@link ProfileReportMessage} as JSON, synchronously, instead of sending it over IPC.
 * A message sent while the process exits (a `process.exit()` in the script, a signal) is lost
 * once it outgrows the pipe's buffer; a synchronous file write is not.
 */
export const REPORT_FILE_ENV = 'COREPY_PROFILE_REPORT_FILE';

/**
 * Name of the environment variable a launcher sets to a file path it creates (before sending SIGTERM)
 * to ask the script to stop. A signal handler cannot run while synchronous JavaScript does, so a loop
 * of ops would only end killed, without its report: the op path looks for this file whenever it
 * sends a batch itself (the batch timer starved, every 500 ms at most) and then ends as on the
 * signal the file names (`SIGINT`, else SIGTERM), its final report written to {@link REPORT_FILE_ENV}
 * (only then: a socket cannot be written synchronously), exit status 130 or 143.
 */
export const STOP_FILE_ENV = 'COREPY_PROFILE_STOP_FILE';

/**
 * The file a stopping script creates next to the stop file once it has begun its final report (it
 * stops on the launcher's request and writes what it recorded): a launcher whose grace period runs
 * out while this file exists waits on, up to {@link STOP_REPORT_MAX_MS}, instead of killing the
 * script in the middle of its report (a full ring takes seconds to report on a busy machine).
 */
export function stopAckFile(stopFile: string): string {
  return `${stopFile}.ack`;
}

/** The longest a launcher waits for a script that has acknowledged its stop ({@link stopAckFile}), ms from the stop request. */
export const STOP_REPORT_MAX_MS = 60_000;

/**
 * Name of the environment variable naming a local socket (a Unix socket path, or a Windows named
 * pipe `\\.\pipe\…`) to stream to instead of the IPC channel, one JSON message per line. For
 * a script run by a debugger that owns the process (VS Code's JavaScript debugger), which gives
 * it no IPC channel. Needs COREPY_PROFILE_IPC=1 as well.
 */
export const SOCKET_ENV = 'COREPY_PROFILE_SOCKET';

/**
 * `Symbol.for` key of a function the streaming runtime puts on `globalThis`: it returns the
 * current {@link ProfileBatchMessage} as JSON ('' when nothing was recorded). A script paused at a
 * breakpoint runs no timers, so the debugger's host evaluates it in the paused script (a DAP
 * `evaluate`) to show what ran up to the breakpoint.
 */
export const BATCH_NOW_KEY = 'corepy.batchNow';

/**
 * Cumulative statistics of one op at one call site, as every per-line view shows them. Built by
 * {@link siteStatsOf} only (live batches and the final report alike).
 */
export interface SiteStats {
  readonly op: string;
  /** Backends the op ran on at this site, in first-use order, joined by {@link BACKEND_SEPARATOR}. */
  readonly backend: string;
  /** Call site (first frame outside the runtime), or null when call sites are off/unsampled. */
  readonly location: SourceLocation | null;
  readonly count: number;
  /** Op time: sum of this site's op durations, ms. */
  readonly totalMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** Bytes read + written by the op's kernels. */
  readonly bytes: number;
  /**
   * For a fused kernel (`cp.jit`): its member ops with their lines and shares of `totalMs`
   * (split equally; see the report's FusedMemberShare). The shares are already inside `totalMs`:
   * views show them on the member lines, labelled "fused", and never add them to op time.
   */
  readonly fusedMembers?: readonly FusedMemberShare[];
  /**
   * Of `totalMs`, the machine's stalls, ms (the report's SiteOpStats.stallMs): present from the final report only
   * (live batches do not judge stalls), and only when there were some.
   */
  readonly stallMs?: number;
}

/** One segment's per-line statistics (see the report's ReportSegment). */
export interface BatchSegment {
  /** 0-based position in the run. */
  readonly index: number;
  readonly cause: SegmentCause;
  /** True for the segment being recorded now (the last one). */
  readonly current: boolean;
  /** Op time of the segment: the sum of its `sites[].totalMs`, ms. */
  readonly opTimeMs: number;
  readonly sites: readonly SiteStats[];
}

/** A periodic snapshot (at most 4 per second), or the final report's call sites as one. */
export interface ProfileBatchMessage {
  readonly type: 'corepyProfile';
  /** Increasing sequence number, starting at 0. */
  readonly seq: number;
  /** Op time so far: the sum of every op's duration, ms (= the sum of `sites[].totalMs`). */
  readonly opTimeMs: number;
  /** Wall time profiled so far (since enableProfiling), ms. */
  readonly wallTimeMs: number;
  readonly sites: readonly SiteStats[];
  /** Raw events dropped so far. */
  readonly droppedEvents: number;
  /**
   * The recording's calling lines so far, as the final report's `callLines` (sampled call stacks
   * over the retained events; main thread): the editor's call-line lenses while the script runs or
   * sits at a breakpoint. Absent when there are none yet, and from older runtimes.
   */
  readonly callLines?: readonly CallLineStats[];
  /**
   * Every segment of the run (clearProfile and re-enable boundaries), oldest first, when there is
   * more than one; absent otherwise (then `sites` is the only segment). `sites` above stays the
   * recording since the last clearProfile().
   */
  readonly segments?: readonly BatchSegment[];
}

/** Sent once when the script ends (normally, by exception, or on SIGTERM/SIGINT). */
export interface ProfileReportMessage {
  readonly type: 'corepyReport';
  /** The JSON report (`profileReport({ format: 'json' })`). */
  readonly report: ProfileReport;
  /**
   * Every recommendation of the run: `report.recommendations` (`getRecommendations()`), then those of
   * the segments a clearProfile() ended, not repeated (report.ts `everyRecommendation`).
   */
  readonly recommendations: readonly Recommendation[];
  /** The flame-graph model. */
  readonly flame: FlameProfile;
  /**
   * The script's exit status as it ends (0, 1 for an uncaught error, n for `process.exit(n)`,
   * 128 + n for a signal), when the runtime sends the report on its way out. Read where no
   * launcher sees the process exit (the extension's Debug and Profile, over the socket); absent
   * from older runtimes and from reports sent by hand.
   */
  readonly exitCode?: number;
  /**
   * What the runtime printed to stderr for an uncaught error (Node's own format: message, stack),
   * when the script ends by one: for launchers that see its stderr late or not at all (under
   * Debug and Profile the report file is read before js-debug has relayed the script's last output).
   */
  readonly uncaught?: string;
}

/**
 * Sent first over the socket (COREPY_PROFILE_SOCKET, Debug and Profile): the streaming process's id.
 * There the debugger owns the process; when a stop the launcher asked for is not honoured in time
 * (a script paused at a breakpoint, or in a loop without ops, cannot run its SIGTERM handler nor
 * look for the stop file), the launcher ends the process itself.
 */
export interface ProfileHelloMessage {
  readonly type: 'corepyHello';
  /** The script's process id (`process.pid`). */
  readonly pid: number;
}

/** Every message on the channel. */
export type ProfileIpcMessage = ProfileBatchMessage | ProfileReportMessage | ProfileHelloMessage;
