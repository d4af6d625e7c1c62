/**
 * Messages a profiled script sends to whoever launched it (the VS Code debug adapter), over
 * Node's IPC channel (`process.send`), when the environment variable `COREPY_PROFILE_IPC=1` is
 * set. Batches carry CUMULATIVE statistics per (op, call site), so a lost or late batch is
 * harmless: the newest batch replaces everything before it.
 *
 * Units: times in milliseconds (ms), bytes in bytes, line/column 1-based.
 */
import type { FlameProfile, SourceLocation } from './flame-model.js';

/** Name of the environment variable that turns the IPC stream on. */
export const IPC_ENV = 'COREPY_PROFILE_IPC';

/**
 * Name of the environment variable naming a local socket (a Unix socket path, or a Windows named
 * pipe `\\.\pipe\…`) to stream to instead of the IPC channel, one JSON message per line. For
 * a script run by a debugger that owns the process (VS Code's JavaScript debugger), which gives
 * it no IPC channel. Needs COREPY_PROFILE_IPC=1 as well.
 */
export const SOCKET_ENV = 'COREPY_PROFILE_SOCKET';

/** Cumulative statistics of one op at one call site. */
export interface SiteStats {
  readonly op: string;
  readonly backend: string;
  /** Call site (first frame outside the runtime), or null when call sites are off/unsampled. */
  readonly location: SourceLocation | null;
  readonly count: number;
  /** Sum of op durations, ms. */
  readonly totalMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** Bytes read + written by the op's kernels. */
  readonly bytes: number;
}

/** A periodic snapshot (at most 4 per second). */
export interface ProfileBatchMessage {
  readonly type: 'corepyProfile';
  /** Increasing sequence number, starting at 0. */
  readonly seq: number;
  /** Wall time profiled so far, ms. */
  readonly totalMs: number;
  readonly sites: readonly SiteStats[];
  /** Raw events dropped so far. */
  readonly droppedEvents: number;
}

/** Sent once when the script ends (normally, by exception, or on SIGTERM/SIGINT). */
export interface ProfileReportMessage {
  readonly type: 'corepyReport';
  /** The JSON report (`profileReport({ format: 'json' })`), typed loosely here to keep this file standalone. */
  readonly report: unknown;
  /** `getRecommendations()`. */
  readonly recommendations: unknown;
  /** The flame-graph model. */
  readonly flame: FlameProfile;
}

/** Every message on the channel. */
export type ProfileIpcMessage = ProfileBatchMessage | ProfileReportMessage;
