/**
 * The flame-graph model: what the profiler produces and the webview / HTML export draw.
 * Flat parallel arrays with index links (no object per frame) so 100k+ slices stay cheap to
 * send over postMessage and to draw. Part of the contract (no imports): the webview imports it
 * without pulling in the runtime.
 *
 * Field units: times in microseconds (µs) since the profile's start; depth 0 is the outermost
 * level; line and column are 1-based; index links are 0-based and -1 means "none".
 */

/** A source position. */
export interface SourceLocation {
  /** Absolute file path (or URI for non-file sources). */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
}

/**
 * What a slice is. A plain object (not a `const enum`) so bundlers and `isolatedModules`
 * consumers such as the webview read the same numbers instead of restating them.
 */
export const SliceKind = {
  /** A ProfileContext / profileContext block. */
  Context: 0,
  /**
   * A @profiled function or cp.profiled wrapper, or a function of the user's call stack (spanning
   * the consecutive ops that had it on their stack; its location is where the function starts).
   * Stack captures carry no call identity, so such a run may hold several calls: then the function's
   * name ends with {@link MERGED_CALLS_SUFFIX} (in all its runs) and the time between ops where a new call may have begun is a
   * child slice named by {@link gapSliceName} (no location), not the function's self time. Event-loop
   * idle time between two ops (an `await`) is a child slice named {@link IDLE_SLICE_NAME}.
   */
  Function: 1,
  /** A tensor op (one engine dispatch). */
  Op: 2,
  /** GPU execution of an op (its own track; depth counted within that track). */
  Gpu: 3,
  /**
   * One-time work (kernel compilation, memory growth, GPU pipeline creation): its own slice, never
   * inside the op that triggered it (that op's slice starts after it). A cost the machine stalled in has a
   * child slice of the stalled time ({@link stallSliceName}).
   */
  OneTime: 4,
} as const;

/**
 * Ends the name of a function slice of the user's call stack whose run of ops may hold several
 * calls (consecutive calls with no op of the caller between them look like one call that loops):
 * its count is a lower bound, not its calls.
 */
export const MERGED_CALLS_SUFFIX = ' [may be several calls]';

/** The earlier spelling of {@link MERGED_CALLS_SUFFIX}, in profiles saved before it changed (still recognised). */
export const OLD_MERGED_CALLS_SUFFIX = ' [merged calls?]';

/** Whether `name` is a function run that may hold several calls ({@link MERGED_CALLS_SUFFIX}, either spelling). */
export function isMergedCallsName(name: string): boolean {
  return name.endsWith(MERGED_CALLS_SUFFIX) || name.endsWith(OLD_MERGED_CALLS_SUFFIX);
}

/** V8's name of a function it has no name for (a callback, an arrow function assigned to nothing). */
export const ANONYMOUS_FUNCTION = '(anonymous)';

/**
 * The name a function of the user's call stack gets in the flame model (its slices, and the
 * chrome, speedscope, folded and HTML exports made from it): V8's name, except that an anonymous
 * function is named by where it starts, `(anonymous at model.ts:12)` (the file's last path segment
 * and the 1-based line), so a reader can find it and two of them are two frames, not one. `start`
 * without a line (0) leaves `(anonymous)`.
 */
export function functionFrameName(name: string, start: SourceLocation | undefined): string {
  if (name !== ANONYMOUS_FUNCTION || start === undefined || !(start.line > 0)) return name;
  const file = start.file.split(/[\\/]/).pop() || start.file;
  return `(anonymous at ${file}:${start.line})`;
}

/**
 * Name of a gap slice inside a merged run of `fn`: the time between two of its ops where a new call
 * may have begun (its caller's loop, its own entry and exit) or a loop inside it went round.
 */
export function gapSliceName(fn: string): string {
  return `(${fn}: loop or next call)`;
}

/**
 * Name of an idle slice: time the event loop spent waiting between two ops (an `await` on a timer,
 * I/O or another thread), read from Node's idle counter. It nests in the innermost function both ops
 * share (or their context), so the wait is not that function's self time. A Function slice with no
 * location; none outside Node (browsers keep no idle counter).
 */
export const IDLE_SLICE_NAME = '(awaiting: event loop idle)';

/**
 * Name of the child slice of a one-time cost that says how much of it was the machine stalling (OneTimeCost.stallMs:
 * the process descheduled mid-work, not the work): "(first touch of new wasm memory: the machine stalling)". The cost's
 * slice keeps its whole recorded time, this child (kind OneTime) the stalled part, so the widest frame says what it is,
 * as the text report's "910.3 ms of it the machine stalling" does (audit 33 #5).
 */
export function stallSliceName(cost: string): string {
  return `(${cost}: the machine stalling)`;
}

/** One of the {@link SliceKind} values. */
export type SliceKind = (typeof SliceKind)[keyof typeof SliceKind];

/** Slices, one entry per index in every array (all arrays have the same length). */
export interface FlameSlices {
  /** Index into {@link FlameProfile.strings}: the slice's label (op or context name). */
  readonly name: number[];
  /** {@link SliceKind} of each slice. */
  readonly kind: number[];
  /** Start, µs since profile start. */
  readonly start: number[];
  /** Duration, µs. */
  readonly duration: number[];
  /** Nesting depth, 0 = outermost. Slices are sorted by (start, depth). */
  readonly depth: number[];
  /** Index into {@link FlameProfile.locations}, or -1. */
  readonly location: number[];
  /** Index into {@link FlameProfile.strings} naming the backend (js, wasm, webgpu), or -1. */
  readonly backend: number[];
  /** Index of the enclosing slice, or -1 at depth 0. */
  readonly parent: number[];
  /**
   * Worker thread id of each slice (0 = main thread). Optional (added by the profiler, compatible
   * extension): absent means every slice is on the main thread.
   */
  readonly thread?: number[];
  /**
   * Track of each slice within its thread (optional, compatible extension: absent means 0). Slices
   * nest by context identity (`parent` is the span of the context a slice belongs to); a context
   * running concurrently with another (async contexts overlapping without nesting) cannot nest on
   * its thread's track 0, so it and its slices go on track 1, 2, …. Within one (thread, track)
   * slices nest properly by time; `depth` counts within the track. GPU slices: 0.
   */
  readonly track?: number[];
}

/** A complete flame-graph input. */
export interface FlameProfile {
  /** Format version of this model. */
  readonly version: 1;
  /** Human title (script name, run time). */
  readonly title: string;
  /** Interned strings referenced by index. */
  readonly strings: string[];
  /** Source locations referenced by index. */
  readonly locations: SourceLocation[];
  /** The timeline. */
  readonly slices: FlameSlices;
  /** Total profiled wall time, µs. */
  readonly totalUs: number;
  /** Raw events the recorder dropped (ring full); aggregates stay exact, slices are incomplete. */
  readonly droppedEvents: number;
  /**
   * What each fused kernel (`cp.jit`) among the slices' names is made of (optional, compatible
   * extension: absent when none ran or its members are unknown). One entry per distinct group;
   * two groups may share a kernel name.
   */
  readonly fused?: readonly FlameFusedKernel[];
}

/** A fused kernel's member ops, in execution order, each at the line inside the jitted function that called it. */
export interface FlameFusedKernel {
  /** The kernel's slice name, e.g. `fused(mul+sub+sum)`. */
  readonly name: string;
  readonly members: readonly { readonly op: string; readonly location: SourceLocation | null }[];
}
