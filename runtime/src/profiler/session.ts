/**
 * Profiling lifecycle (enable / disable / clear) and snapshots. One {@link Recorder} per thread;
 * worker threads share theirs with the main thread over a BroadcastChannel (see workers.ts), and
 * {@link snapshot} merges them into one {@link ProfileData}.
 *
 * Segments: clearProfile() and enableProfiling() after disableProfiling() end the current segment
 * (when it recorded any op) and start the next. A cleared segment is kept as its cells plus its
 * retained events in the rules' columns (MAX_SEGMENT_RULE_EVENTS in all), so a script's "before"
 * loop and its recommendations survive the clearProfile() that precedes its "after" loop; the
 * top-level figures still cover only the recording since the last clearProfile().
 */
import { threadId } from 'node:worker_threads';
import type { Backend } from '../backends/backend.js';
import { liveStats, peakLiveBytes, resetPeakBytes, setDispatchObserver } from '../engine.js';
import { oneTimeCostMark, oneTimeCostsSince, requestOneTimeCostsAhead, setOneTimeCostListener } from '../one-time-costs.js';
import { contextNodes, openSpans, setSpanSink, type SpanSink } from './context.js';
import { clearGcPauses, gcPauses, startGcPauses, type GcPause } from './gc-pauses.js';
import { Recorder, type OpObserver, type StarvedTimerHook } from './recorder.js';
import { warmUpOps } from './warm-up.js';
import { SLOT_BYTES } from './ring.js';
import { timeCapture } from './callsite.js';
import type { CallSiteMode, IdleWait, MemorySnapshot, ProfileData, ProfilerOptions, SegmentData, SelfCost } from './types.js';
import type { CallLineStats, SegmentCause } from '../contract/report.js';
import { callLinesOfNodes } from './call-lines.js';
import { mergeData } from './merge.js';
import { startWorkerListener, workerSnapshots, clearWorkerSnapshots, shareOnExit } from './workers.js';

/** Largest `maxEvents`: 10 M events take 2.2 GB of ring (SLOT_BYTES each); statistics stay exact beyond it anyway. */
const MAX_EVENTS = 10_000_000;
/** Events the ring keeps by default (`maxEvents`): 100,000 slots of SLOT_BYTES (232), 23 MB. */
export const DEFAULT_MAX_EVENTS = 100_000;
const DEFAULTS = { sampleEvery: 64, callSites: 'sampled' as CallSiteMode, maxEvents: DEFAULT_MAX_EVENTS };
let rec: Recorder | null = null;
let enabled = false;
let measured: { perOpNs: number; perCaptureNs: number } | null = null;
/** Where this recording's one-time costs start in their log: 0 (load included) until the first clearProfile. */
let costsFrom = 0;
/** Whether this thread ran the op warm-up (the first enableProfiling with `warmUp`). */
let warmedUp = false;
/** Ended segments kept per process (the oldest go first; a report counts them as dropped). */
export const MAX_SEGMENTS = 32;
/** Ended segments, oldest first, and how many older ones were forgotten. */
const ended: SegmentData[] = [];
let droppedSegments = 0;
/** The current segment: its index, what began it, when, and the recorder's op count at its start. */
let segmentIndex = 0;
let segmentCause: SegmentCause = 'start';
let segmentStartMs = 0;
let segmentOpsFrom = 0;
/** When profiling was last disabled, ms (a paused segment ended then, not at the next enable). */
let disabledAtMs = 0;
/** Installed on every recorder this module creates (OpenTelemetry metrics); null when off. */
let opObserver: OpObserver | null = null;

/** @internal Installs (or, with null, removes) the observer of recorded ops, now and on every later recorder. */
export function setOpObserver(o: OpObserver | null): void {
  opObserver = o;
  if (rec) rec.opObserver = o;
}

/** Installed on every recorder this module creates while a launcher streams batches (ipc.ts). */
let starvedTimer: StarvedTimerHook | null = null;

/** @internal Installs the hook that streams batches while synchronous code starves the batch timer. */
export function setStarvedTimerHook(h: StarvedTimerHook | null): void {
  starvedTimer = h;
  if (rec) rec.starvedTimer = h;
}

/**
 * A recorder for a new recording. `previous`, when given, is detached and done: its rings are reused
 * when they have `maxEvents` slots (a clear then allocates no 23 MB ring; Recorder.giveRings).
 */
function newRecorder(callSites: CallSiteMode, sampleEvery: number, maxEvents: number, previous: Recorder | null = null): Recorder {
  const rings = previous !== null && previous.ring.capacity === maxEvents ? previous.giveRings() : null;
  const r = new Recorder(callSites, sampleEvery, maxEvents, performance.now(), rings);
  // A new recording's peak starts from what is live now (tensors made before it included).
  resetPeakBytes();
  r.opObserver = opObserver;
  r.starvedTimer = starvedTimer;
  return r;
}

function validate(o: ProfilerOptions): Required<ProfilerOptions> {
  if (o === null || typeof o !== 'object') throw new TypeError('enableProfiling: options must be an object');
  const sampleEvery = o.sampleEvery ?? DEFAULTS.sampleEvery;
  const callSites = o.callSites ?? DEFAULTS.callSites;
  const maxEvents = o.maxEvents ?? DEFAULTS.maxEvents;
  if (!Number.isInteger(sampleEvery) || sampleEvery < 1) throw new RangeError(`enableProfiling: sampleEvery must be an integer ≥ 1, got ${sampleEvery}`);
  if (!['all', 'sampled', 'off'].includes(callSites)) throw new TypeError(`enableProfiling: callSites must be 'all', 'sampled' or 'off', got ${JSON.stringify(callSites)}`);
  if (!Number.isInteger(maxEvents) || maxEvents < 16 || maxEvents > MAX_EVENTS) {
    throw new RangeError(`enableProfiling: maxEvents must be an integer from 16 to ${MAX_EVENTS} (each kept event takes ${SLOT_BYTES} bytes), got ${JSON.stringify(maxEvents) ?? String(maxEvents)}`);
  }
  const warmUp = o.warmUp ?? true;
  if (typeof warmUp !== 'boolean') throw new TypeError(`enableProfiling: warmUp must be true or false, got ${JSON.stringify(warmUp) ?? String(warmUp)}`);
  return { sampleEvery, callSites, maxEvents, warmUp };
}

/**
 * Starts recording every op. Calling it again with the same options keeps what was recorded;
 * different options start a fresh recording.
 * @param options.sampleEvery base mean call-site sampling period for `callSites: 'sampled'` after
 *   the first 32 calls of each op (recorder.ts SAMPLE_FIRST; default 64); it doubles, up to 16×,
 *   while an op's captures keep finding the same line (recorder.ts MAX_PERIOD_FACTOR)
 * @param options.callSites 'sampled' (default), 'all' or 'off'
 * @param options.maxEvents raw events kept (default 100 000); statistics stay exact beyond it
 * @param options.warmUp run each common op once on tiny tensors first (default true; the first
 *   enable in a thread only), so first calls are not reported with corepy's JavaScript warming up
 */
export function enableProfiling(options: ProfilerOptions = {}): void {
  const o = validate(options);
  // Backends not created yet compile every kernel's optimised code at once, before the first op (loader.ts,
  // `optimised`): a first call over 1e6 elements in baseline code ran 7–18× its warm time and read as the op's time.
  requestOneTimeCostsAhead();
  // The recorder's own cost, timed before the warm-up creates a backend: optimising its kernels in
  // the background starves the JavaScript JIT for a while (the probe read 2–5 µs per op, not ~0.12).
  measured ??= measureSelfCost(o.maxEvents);
  // Before anything records (warm-up.ts); once per thread.
  if (o.warmUp && !warmedUp) {
    warmedUp = true;
    try {
      warmUpOps();
    } catch (e) {
      // A failing warm-up must not stop profiling: first calls then carry their warm-up, as without it.
      console.warn(`corepy: the op warm-up before profiling failed (${(e as Error).message}); first calls will include it`);
    }
  }
  if (!rec) {
    rec = newRecorder(o.callSites, o.sampleEvery, o.maxEvents);
    segmentStartMs = rec.startMs;
  } else if (rec.callSites !== o.callSites || rec.sampleEvery !== o.sampleEvery || rec.ring.capacity !== o.maxEvents) {
    endSegment('enable');
    rec.detach();
    rec = newRecorder(o.callSites, o.sampleEvery, o.maxEvents, rec);
    segmentOpsFrom = 0;
  } else if (!enabled && endSegment('enable')) {
    rec.startSegment();
    segmentOpsFrom = rec.ops;
  }
  const r = rec;
  setSpanSink(spanSinkOf(r));
  setDispatchObserver(r);
  setOneTimeCostListener(r);
  startGcPauses();
  enabled = true;
  if (threadId === 0) startWorkerListener();
  else shareOnExit((events) => snapshot(false, { events }), opsRecorded);
}

/**
 * Stops recording; what was recorded stays available to reports. GPU backends are detached too,
 * so timestamp readbacks still in flight do not write into the stopped recording; the next
 * enable re-attaches them lazily, on each backend's first profiled op.
 */
export function disableProfiling(): void {
  setDispatchObserver(null);
  setSpanSink(null);
  setOneTimeCostListener(null);
  rec?.detach();
  if (enabled) disabledAtMs = performance.now();
  enabled = false;
}

/**
 * Ends the current segment when it recorded an op (keeping its cells, with workers' shared data)
 * and begins the next with `cause`; returns whether it did. An empty segment just goes on.
 */
function endSegment(cause: SegmentCause): boolean {
  if (!rec || rec.ops === segmentOpsFrom) return false;
  const endMs = enabled ? performance.now() : disabledAtMs;
  ended.push({ index: segmentIndex++, cause: segmentCause, current: false, data: { ...segmentData(rec, true), endMs } });
  if (ended.length > MAX_SEGMENTS) { ended.shift(); droppedSegments++; }
  keepSegmentEventsWithinCap();
  segmentCause = cause;
  segmentStartMs = performance.now();
  return true;
}

/**
 * Retained events kept, in all, for the recommendations of ended segments (rule columns, about 60
 * bytes each: 30 MB at most). The newest segments keep theirs; an older one beyond the cap keeps
 * its figures and has no recommendations.
 */
export const MAX_SEGMENT_RULE_EVENTS = 500_000;

/** Drops the rule columns of the oldest ended segments beyond {@link MAX_SEGMENT_RULE_EVENTS}. */
function keepSegmentEventsWithinCap(): void {
  let kept = 0;
  for (let i = ended.length - 1; i >= 0; i--) {
    const s = ended[i]!, n = s.data.ruleColumns?.length ?? 0;
    if (n === 0) continue;
    kept += n;
    if (kept > MAX_SEGMENT_RULE_EVENTS) {
      const { ruleColumns: _dropped, ...data } = s.data;
      ended[i] = { ...s, data };
    }
  }
}

/**
 * The current segment of `r` (its cells only, no raw events) plus the workers' shared cells; with
 * `forRules`, also this thread's retained events of the segment as rule columns (an ending
 * segment keeps them so the report can still run the recommendation rules on it).
 */
function segmentData(r: Recorder, forRules = false): ProfileData {
  // The recorder's context statistics are this segment's when it began with the segment (a clear or
  // new options); one that recorded an earlier segment too (profiling paused and resumed) mixes them.
  const contextCells = r.earlierCells.length === 0 ? r.contextRows(openSpans(enabled ? performance.now() : disabledAtMs)) : [];
  const own = { ...ownData(r, false, true), contextCells, startMs: segmentStartMs, ...(forRules ? { ruleColumns: r.ruleColumns(threadId, 0, true) } : {}) };
  return workerSnapshots().map((w) => ({ ...w, events: [], spans: [] })).reduce((acc, w) => mergeData(acc, w), own);
}

/** True while ops are being recorded. */
export function isProfiling(): boolean {
  return enabled;
}

/**
 * Forgets everything recorded (this thread's and received worker data); keeps the enabled state
 * and options. The segment it ends stays in `report.segments` (see the file comment).
 * @param options.segments also forget every earlier segment: what follows is the first segment of
 *   a new run (a test, a REPL or a server that profiles one request after another)
 */
export function clearProfile(options: { segments?: boolean } = {}): void {
  if (options.segments === true) {
    ended.length = 0;
    droppedSegments = 0;
    segmentIndex = 0;
    segmentCause = 'start';
  } else endSegment('clear');
  segmentStartMs = performance.now();
  segmentOpsFrom = 0;
  if (rec) {
    rec.detach();
    // The ended segment's events were copied out above (endSegment): the rings are reused, emptied.
    rec = newRecorder(rec.callSites, rec.sampleEvery, rec.ring.capacity, rec);
    if (enabled) {
      const r = rec;
      setSpanSink(spanSinkOf(r));
      setDispatchObserver(r);
      setOneTimeCostListener(r);
    }
  }
  costsFrom = oneTimeCostMark();
  clearGcPauses();
  clearWorkerSnapshots();
}

/** Options of {@link snapshot}. */
export interface SnapshotOptions {
  /**
   * Materialise the raw events and spans (default true). With false, `events` and `spans` are
   * empty and the snapshot costs O(cells + sites + contexts), not O(maxEvents): enough for
   * aggregate() and the streamed batches, which read only the cells. With 'columns' they come as
   * typed-array columns in `columns` (no object per event: what the flame model is built from);
   * With 'rules' they come as the recommendation rules' columns in `ruleColumns` and the spans as
   * `spanColumns` (reports: no object per event either); 'all-columns' gives both (the final report message: report and flame model).
   * While worker threads have shared events the snapshot holds objects instead (merged, as with true).
   */
  readonly events?: boolean | 'columns' | 'rules' | 'all-columns';
}

/** Ops recorded on this thread since the last enable with new options or clear (O(1); no snapshot). */
export function opsRecorded(): number {
  return rec?.ops ?? 0;
}

/**
 * The span sink of recorder `r`: it records the span, then gives the span ring the profiler's own time inside it
 * (the ring keeps clock times for the flame graph; the contexts' medians leave that time out, as their statistics do).
 */
function spanSinkOf(r: Recorder): SpanSink {
  return (c, s, e, child, own) => {
    const written = r.spans.written;
    r.span(c, s, e, child, own);
    if (r.spans.written === written + 1) r.spans.setLastProfilerMs(own);
  };
}

/**
 * The calling lines of this thread's recording so far (the report's `callLines`, every recorded op
 * counted), for a live batch; `totalOpMs` (ms) is what their `percent` is a share of. Undefined when
 * nothing is recorded or no stack has a call line yet. Linear in the stack table, not in the events.
 */
export function liveCallLines(totalOpMs: number): CallLineStats[] | undefined {
  const r = rec;
  if (r === null || r.stacks.calls.length === 0) return undefined;
  const totals = r.stackTotals();
  const lines = callLinesOfNodes(r.stacks, totals.ms, totals.ops, totalOpMs, { ops: totals.ownOps, ms: totals.ownMs, call: totals.ownCall });
  return lines !== undefined && lines.length > 0 ? lines : undefined;
}

/** This thread's recording plus (on the main thread, by default) every worker's shared one. */
export function snapshot(withWorkers = true, options: SnapshotOptions = {}): ProfileData {
  const workers = withWorkers ? workerSnapshots() : [];
  // Worker events arrive as records: merge those as records (rare; mergeData remaps their indexes).
  const asColumns = options.events === 'columns' || options.events === 'rules' || options.events === 'all-columns';
  const mode = asColumns && workers.some((w) => w.events.length > 0 || w.spans.length > 0) ? true : options.events ?? true;
  const withEvents = mode === true;
  const r = rec ?? new Recorder(DEFAULTS.callSites, DEFAULTS.sampleEvery, 16);
  const own = ownData(r, withEvents, false, mode === 'columns' || mode === 'all-columns', mode === 'rules' || mode === 'all-columns');
  if (!withWorkers) return own;
  // Workers here have no events when mode is 'columns' or 'rules': the merge keeps `own.columns` / `own.ruleColumns` (a spread).
  const all = (withEvents ? workers : workers.map((w) => ({ ...w, events: [], spans: [] }))).reduce((acc, w) => mergeData(acc, w), own);
  // mergeData keeps no idle waits: the main thread's are put back (a worker's are left out).
  return { ...all, ...(own.idleWaits ? { idleWaits: own.idleWaits } : {}), segments: segments(r, all), droppedSegments };
}

/** This thread's recording: every segment since the last clear, or with `currentSegment` the current one's cells alone. */
function ownData(r: Recorder, withEvents: boolean, currentSegment: boolean, columns = false, ruleColumns = false): ProfileData {
  const cost = measured ?? { perOpNs: 0, perCaptureNs: 0 };
  // Captures are timed as they happen; the enable-time probe stands in only before the first one.
  const perCaptureNs = r.captures > 0 ? (r.captureMs * 1e6) / r.captures : cost.perCaptureNs;
  const selfCost: SelfCost = { perOpNs: cost.perOpNs, perCaptureNs, ops: r.ops, captures: r.captures, staticOps: r.staticOps,
    stackCaptures: r.stackCaptures, stackCaptureMs: r.stackMs,
    ...(r.stackCaptures > 0 ? { stackPacedMs: r.stackPacedMs, stackBudgetMs: r.stackBudget(), stackTimedOut: r.stackTimedOut, stackHoldMs: r.stackHoldMs } : {}) };
  const now = performance.now();
  // Contexts still open (a report made inside one, a script stopped inside one): each counted once,
  // up to now, or to when profiling was paused (context.ts openSpans).
  const open = currentSegment ? [] : openSpans(enabled ? now : disabledAtMs);
  return {
    sites: r.sites.sites.slice(), contexts: contextNodes().slice(),
    events: withEvents ? r.events(threadId, 0) : [], spans: withEvents ? r.spans.toSpans(threadId, 0, open) : [],
    cells: r.cellRows(currentSegment), contextCells: currentSegment ? [] : r.contextRows(open),
    droppedEvents: r.ring.dropped, droppedSpans: r.spans.dropped,
    startMs: r.startMs, endMs: now, threads: [threadId],
    callSites: r.callSites, sampleEvery: r.sampleEvery, selfCost,
    oneTimeCosts: currentSegment ? [] : oneTimeCostsSince(costsFrom),
    ...gcPausesOf(currentSegment),
    ...(currentSegment ? {} : { memory: memoryOf(r) }),
    ...(withEvents || columns ? idleWaitsOf(r, currentSegment) : {}),
    // The rules' columns carry stacks too: the report's call lines read them (call-lines.ts).
    ...(withEvents || columns || ruleColumns ? { stacks: r.stacks.snapshot(r.stackTotals(currentSegment)) } : {}),
    ...(columns ? { columns: { events: r.eventColumns(threadId, 0), spans: r.spans.toColumns(threadId, 0, open) } } : {}),
    ...(ruleColumns ? { ruleColumns: r.ruleColumns(threadId, 0) } : {}),
    // The contexts' medians read the spans; `columns` has them already.
    ...(ruleColumns && !columns ? { spanColumns: r.spans.toColumns(threadId, 0, open) } : {}),
  };
}

/** Tensor memory now: the engine's live figures and the recorder's held results per site. */
function memoryOf(r: Recorder): MemorySnapshot {
  const { tensors, bytes } = liveStats();
  return { liveTensors: tensors, liveBytes: bytes, peakBytes: peakLiveBytes(), held: r.held.rows() };
}

/** The snapshot's event-loop idle waits (idle-waits.ts), for the timeline: none for a segment's cells, absent when none was seen. */
function idleWaitsOf(r: Recorder, currentSegment: boolean): { idleWaits?: IdleWait[] } {
  const waits = currentSegment ? undefined : r.idleWaits.snapshot(threadId);
  return waits ? { idleWaits: waits } : {};
}

/** The snapshot's GC pauses: none for a segment's cells, absent where they cannot be observed. */
function gcPausesOf(currentSegment: boolean): { gcPauses?: GcPause[] } {
  const seen = currentSegment ? null : gcPauses();
  return seen ? { gcPauses: seen } : {};
}

/**
 * The ended segments and the current one (left out when it recorded nothing and an earlier one
 * exists). With no boundary yet, the current segment is the whole recording `all`.
 */
function segments(r: Recorder, all: ProfileData): SegmentData[] {
  const recorded = rec !== null && r.ops > segmentOpsFrom;
  if (!recorded && ended.length > 0) return ended.slice();
  const data = ended.length === 0 && r.earlierCells.length === 0 ? { ...all, startMs: segmentStartMs || all.startMs } : segmentData(r);
  return [...ended, { index: segmentIndex, cause: segmentCause, current: true, data }];
}

/**
 * Measures the recorder's own cost once per process: a scratch recorder observes a no-op kernel
 * N times (minus the same loop without the recorder). Medians of 5 rounds after a warm-up; this is
 * what reports state as the profiler's per-op overhead. Captures are timed as they happen
 * (Recorder.captureMs); the raw capture timed here only stands in before the first one. It is
 * timed directly (timeCapture), not through a recorder in 'all' mode: called from here every frame
 * is the runtime's, so a recorder's capture would find no user frame and retry with 64 frames (the
 * CLI's reports said 27 µs per call site where real captures cost ~6).
 */
function measureSelfCost(maxEvents: number): { perOpNs: number; perCaptureNs: number } {
  const fake = { name: 'js', device: 'cpu' } as unknown as Backend;
  const noop = (): number => 0;
  // A ring the recording's size (up to 2^17 slots: the probe's 50 000 ops touch no more): a small one
  // stays in cache while the probe runs, and the recording's writes go to slots no op has touched for
  // a while (under tsx, medians of 10: 185 ns per op with 4096 slots, 355 with 100 000;
  // scripts/bench/self-cost-ring.ts).
  const probe = new Recorder('off', 1, Math.min(maxEvents, 1 << 17));
  const time = (r: Recorder | null, n: number): number => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) r ? r.observe('probe', [], fake, noop) : noop();
    return ((performance.now() - t0) * 1e6) / n;
  };
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[xs.length >> 1]!;
  const plain: number[] = [], bare: number[] = [], sited: number[] = [];
  // Warm the JIT first so the figures describe steady state, not the first calls.
  time(probe, 30000);
  time(null, 30000);
  timeCapture(200);
  for (let round = 0; round < 5; round++) {
    plain.push(time(null, 4000));
    bare.push(time(probe, 4000));
    sited.push(timeCapture(100));
  }
  return { perOpNs: Math.max(0, median(bare) - median(plain)), perCaptureNs: median(sited) };
}
