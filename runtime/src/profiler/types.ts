/**
 * The profiler's data model: plain records that every pure step (aggregate, report, rules,
 * flame, exports, baseline) consumes. A {@link ProfileData} is a snapshot of one or more
 * recorders (the main thread plus any worker threads that shared theirs).
 *
 * Units: times in milliseconds (ms) on the `performance.now()` clock of the process (workers
 * are shifted onto the main thread's origin); bytes in bytes; line/column 1-based; indexes
 * 0-based with -1 meaning "none".
 */
import type { SourceLocation } from '../contract/flame.js';
import type { CallSiteMode } from '../contract/names.js';
import type { SegmentCause } from '../contract/report.js';
import type { OneTimeCost } from '../one-time-costs.js';
import type { GcPause } from './gc-pauses.js';
import type { HeldRow } from './held.js';
import type { SpanColumns, TimelineColumns } from './event-columns.js';
import type { RuleColumns } from './rule-columns.js';
import type { StackTableData } from './stacks.js';

export type { CallSiteMode };

/** Options of `enableProfiling`. */
export interface ProfilerOptions {
  /** Base mean call-site sampling period for `callSites: 'sampled'` after each op's first 32 calls (grows to 16× on a stable line). Default 64. */
  readonly sampleEvery?: number;
  /** Call-site capture: every op, sampled (default; see {@link CallSiteMode}), or never. */
  readonly callSites?: CallSiteMode;
  /** Raw events kept in the ring (older ones are overwritten and counted as dropped). Default 100 000. */
  readonly maxEvents?: number;
  /**
   * Run each common op once on tiny tensors before recording starts, the first time profiling is
   * enabled in this thread (~10 ms, shown as the one-time cost "warm up corepy ops"), so that an
   * op's first call is not reported with the cost of corepy's own JavaScript warming up. Default true.
   */
  readonly warmUp?: boolean;
}

/** One outermost dispatch. */
export interface ProfileEvent {
  /** Recorder sequence number (unique per thread); also the GPU timing key. */
  readonly id: number;
  readonly op: string;
  /** Backend name (js, wasm, webgpu). */
  readonly backend: string;
  /** dtype of the first tensor input or of the output (creation ops); '' when unknown. */
  readonly dtype: string;
  /** Shapes of the first two tensor inputs (dimensions beyond the 6th are cut). */
  readonly inputShapes: number[][];
  /** Shapes of the outputs (a tensor, or moments' two). */
  readonly outputShapes: number[][];
  /** Ids of the first two tensor inputs (Tensor.id), -1 when absent. */
  readonly inputIds: number[];
  /** Elements of all inputs. */
  readonly elements: number;
  readonly bytesRead: number;
  readonly bytesWritten: number;
  /** Start and end, ms (performance.now()). */
  readonly startMs: number;
  readonly endMs: number;
  /** Index into {@link ProfileData.contexts}; 0 is the root (no context). */
  readonly context: number;
  /** Index into {@link ProfileData.sites}, or -1 (call sites off or no user frame); in `sampled` mode an unsampled op carries its op's most recently captured site. */
  readonly site: number;
  /**
   * The user's call stack: node id in {@link ProfileData.stacks}, or -1 / absent (none captured).
   * Sampled per call site (recorder.ts): an op between two captures at its line carries that line's last stack when
   * it was captured in the op's own context node (else its own capture, or none).
   */
  readonly stack?: number;
  /** Worker thread id (0 = main thread). */
  readonly thread: number;
  /** GPU execution interval, ms, when the backend reported one. */
  readonly gpuStartMs?: number;
  readonly gpuEndMs?: number;
  /** Bytes moved to/from the GPU on behalf of this op. */
  readonly uploadBytes: number;
  readonly downloadBytes: number;
}

/** A context (ProfileContext / profileContext) or function (@profiled) node in the context tree. */
export interface ContextInfo {
  readonly name: string;
  /** 'root' only for index 0. */
  readonly kind: 'root' | 'context' | 'function';
  /** Index of the parent node, -1 for the root. */
  readonly parent: number;
}

/** One closed context/function span. */
export interface ContextSpan {
  readonly context: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly thread: number;
  /** The profiler's own time inside it (captures), ms, which its statistics leave out; absent: 0. */
  readonly profilerMs?: number;
}

/** Running statistics (Welford) of a set of durations, ms. */
export interface Stats {
  count: number;
  totalMs: number;
  /** Running mean and sum of squared deviations, for a numerically stable stddev. */
  meanMs: number;
  m2: number;
  minMs: number;
  maxMs: number;
}

/** Exact statistics of one (op, backend, call site, context) cell; kept even when events drop. */
export interface CellRow extends Stats {
  readonly op: string;
  readonly backend: string;
  readonly site: number;
  readonly context: number;
  bytesRead: number;
  bytesWritten: number;
  elements: number;
  gpuMs: number;
  uploadBytes: number;
  downloadBytes: number;
  /** Calls that were their op's first with those input shapes, and their time, ms (the rest is steady state). */
  firstCount?: number;
  firstMs?: number;
  /** Sum of the squares of those first calls' times, ms² (with the cell's mean and m2, the steady calls' spread). */
  firstSqMs?: number;
}

/** Exact statistics of one context node's spans (wall time) and of its child spans. */
export interface ContextCellRow extends Stats {
  readonly context: number;
  /** Sum of the wall time of directly nested context/function spans, ms. */
  childMs: number;
}

/** The profiler's own measured cost, used to state its overhead in reports. */
export interface SelfCost {
  /** Recorder cost per op without a call-site capture, ns (measured at enable time). */
  readonly perOpNs: number;
  /** Cost of one call-site capture, ns: the mean of this recording's captures, timed as they happened (before any, a raw capture timed at enable). */
  readonly perCaptureNs: number;
  /** Ops recorded and call sites captured so far. */
  readonly ops: number;
  readonly captures: number;
  /** Ops whose line came from a static call site numbered at load (exact, no capture); 0 when none. */
  readonly staticOps?: number;
  /** User call stacks captured (stacks.ts) and the time they took, ms, timed as they happened. */
  readonly stackCaptures?: number;
  readonly stackCaptureMs?: number;
  /**
   * The capture time the pacing counted against its budget, ms (captures after each line's first,
   * source-map reads left out, a stalled capture as a few typical ones), the budget at the snapshot,
   * ms, the captures that ended a hold for its length in time and that length at the snapshot, ms
   * (recorder.ts STACK_HOLD_TIME_SHARE).
   */
  readonly stackPacedMs?: number;
  readonly stackBudgetMs?: number;
  readonly stackTimedOut?: number;
  readonly stackHoldMs?: number;
}

/** A snapshot of everything recorded. */
export interface ProfileData {
  readonly sites: SourceLocation[];
  /** The user's call stacks the events' `stack` ids index (absent: none captured). */
  readonly stacks?: StackTableData;
  readonly contexts: ContextInfo[];
  /** Retained raw events, oldest first (empty when the snapshot was taken as {@link columns} or {@link ruleColumns}). */
  readonly events: ProfileEvent[];
  readonly spans: ContextSpan[];
  readonly cells: CellRow[];
  readonly contextCells: ContextCellRow[];
  /** Raw events/spans overwritten in the ring (aggregates still count them). */
  readonly droppedEvents: number;
  readonly droppedSpans: number;
  /** When profiling started and when this snapshot was taken, ms. */
  readonly startMs: number;
  readonly endMs: number;
  readonly threads: number[];
  readonly callSites: CallSiteMode;
  readonly sampleEvery: number;
  readonly selfCost: SelfCost;
  /**
   * One-time work (kernel compilation, memory growth, GPU pipelines) since the last clearProfile,
   * including what ran at load before profiling started; never part of an op's duration.
   */
  readonly oneTimeCosts?: OneTimeCost[];
  /** The JS engine's GC pauses on this thread since the last clearProfile, oldest first (gc-pauses.ts; none outside Node). */
  readonly gcPauses?: GcPause[];
  /** Tensor memory when the snapshot was taken (absent in a segment's data and in older snapshots). */
  readonly memory?: MemorySnapshot;
  /**
   * Event-loop idle time before ops that followed a gap of 0.5 ms or more (idle-waits.ts), oldest
   * first: what an `await` waited for, which the flame model keeps out of the function's self time.
   * Main thread only (a worker's are not merged); absent where none was seen, the runtime keeps no
   * idle counter (browsers), or the snapshot has no events (`events: false` or 'rules').
   */
  readonly idleWaits?: IdleWait[];
  /**
   * The retained events and spans as columns (no object per event), when the snapshot was taken
   * with `events: 'columns'` (timeline exports); `events` and `spans` are then empty.
   */
  readonly columns?: TimelineColumns;
  /**
   * The retained events as the recommendation rules read them (no object per event), when the
   * snapshot was taken with `events: 'rules'` (reports); `events` and `spans` are then empty. An
   * ended segment's data keeps its own here, for its recommendations (session.ts MAX_SEGMENT_RULE_EVENTS).
   */
  readonly ruleColumns?: RuleColumns;
  /**
   * The retained context spans as columns, with {@link ruleColumns} (reports: each context's median
   * and MAD of its entries, steady-medians.ts contextMedians); absent otherwise (see `spans`, `columns`).
   */
  readonly spanColumns?: SpanColumns;
  /** Every segment of the run so far, oldest first (session.ts); each has cells but no raw events (see `ruleColumns`). */
  readonly segments?: SegmentData[];
  /** Segments forgotten because more than MAX_SEGMENTS were kept. */
  readonly droppedSegments?: number;
}

/**
 * The event loop's idle time read before one op (see {@link ProfileData.idleWaits}): `idleMs` ms of
 * waiting happened since the previous reading, in the gap that ends at `atMs` (ms, the clock read
 * just before the op that followed, which starts at or after it); `thread` as events'.
 */
export interface IdleWait {
  readonly thread: number;
  readonly atMs: number;
  readonly idleMs: number;
}

/** Tensor memory at a snapshot: the engine's live figures and what recorded ops' results still hold. Bytes in bytes. */
export interface MemorySnapshot {
  /** Live (undisposed, uncollected) tensor objects and the bytes of their storages, whoever made them. */
  readonly liveTensors: number;
  readonly liveBytes: number;
  /** Most bytes live at once since profiling began (or the last clearProfile). */
  readonly peakBytes: number;
  /** Results of recorded ops not freed yet, per site (held.ts); none when call sites are off. */
  readonly held: HeldRow[];
}

/** One segment's recording (see the contract's ReportSegment). */
export interface SegmentData {
  readonly index: number;
  readonly cause: SegmentCause;
  readonly current: boolean;
  /** Cells, sites and contexts of this segment only; no raw events or spans. */
  readonly data: ProfileData;
}
