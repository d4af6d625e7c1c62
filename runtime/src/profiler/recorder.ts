/**
 * The hot path: a {@link DispatchObserver} that times the OUTERMOST dispatch (ops dispatching
 * internally are part of the outer op), writes the event into preallocated typed arrays, and
 * updates the exact per-cell statistics. Nothing on this path allocates except the sampled
 * call-site capture and the first sighting of a new op name / cell.
 */
import type { Backend, GpuTimingSink, TimedBackend } from '../backends/backend.js';
import { isTimedBackend } from '../backends/backend.js';
import type { DispatchObserver } from '../engine.js';
import type { OneTimeCostListener } from '../one-time-costs.js';
import { Tensor } from '../tensor.js';
import { BYTES_PER_ELEMENT } from '../types.js';
import { CellTable } from './cells.js';
import { HeldTable } from './held.js';
import { SiteTable } from './callsite.js';
import { ContextStacks } from './context-stacks.js';
import { callOnLine, StackTable, type StackTotals } from './stacks.js';
import * as idle from './idle-waits.js';
import { IdleWaits } from './idle-waits.js';
import { chargeProfilerTime, currentFrame, type Frame, type OpenSpan } from './context.js';
import { staticSiteRegistry, type StaticSiteRegistry } from './static-sites.js';
import * as layout from './ring.js';
import { EventRing, SpanRing } from './ring.js';
import * as names from '../contract/names.js';
import { addSample, emptyStats } from './stats.js';
import type { EventColumns } from './event-columns.js';
import type { RuleColumns } from './rule-columns.js';
import type { CallSiteMode, CellRow, ContextCellRow, ProfileEvent, Stats } from './types.js';

/**
 * The constants the op path reads, copied into this module's own bindings once, at load. Run
 * under tsx from a CommonJS script (`npx tsx script.ts`, no "type": "module"), this module is
 * transformed to CommonJS, and every read of an imported binding becomes a call of the exporting
 * module's getter (esbuild's `__export`): record() read ~25 of them per op, which cost ~1–2 µs an
 * op on x.mul(1.5) of 256×256 (+14–19 % of its time, runtime/BENCHMARKS.md "Imported constants
 * on the op path"), none of which the self-cost probe saw. Read once here, they are plain
 * constants in every module system. test/unit/recorder-op-path-imports.test.ts checks that the op path reads no other
 * imported value.
 */
const { F_BYTES_READ, F_BYTES_WRITTEN, F_DOWNLOAD, F_ELEMENTS, F_END, F_GPU_END, F_GPU_START, F_START, F_STRIDE, F_UPLOAD,
  I_BACKEND, I_CELL, I_CONTEXT, I_DTYPE, I_IN0, I_IN1, I_OP, I_SHAPES, I_SITE, I_STACK, I_STRIDE, MAX_DIMS, SHAPE_STRIDE } = layout;
const { MAX_PERIOD_FACTOR, SAMPLE_FIRST, STACK_ALLOWANCE_MS, STACK_ALLOWANCE_RATE, STACK_BUDGET, STACK_FIRST, STACK_HOLD_SLACK } = names;
const { IDLE_GAP_MS } = idle;

/** Bytes per element without a keyed lookup (the hot path asks per input); checked against BYTES_PER_ELEMENT below. */
const bpe = (dtype: string): number => (dtype === 'bool' ? 1 : 4);
for (const [d, n] of Object.entries(BYTES_PER_ELEMENT)) if (bpe(d) !== n) throw new Error(`recorder: bytes per ${d} element out of date`);

const ALL = 0, SAMPLED = 1, OFF = 2;
const MODES: Record<CallSiteMode, number> = { all: ALL, sampled: SAMPLED, off: OFF };

/**
 * `callSites: 'sampled'`: the first SAMPLE_FIRST calls of each op name capture their call site
 * (short scripts and one-off ops are exact); later calls capture after a random number of calls
 * (uniform in 1…2·period−1, mean `period`, so loop periods cannot alias with it) and every call
 * in between is attributed to the op's most recently captured site. `period` starts at
 * `sampleEvery` and doubles (up to MAX_PERIOD_FACTOR·sampleEvery) while successive captures keep
 * finding the same site, falling back to `sampleEvery` when one differs; the period of a hold is
 * fixed BEFORE its capture is seen, so how long a line is credited never depends on which line
 * the capture found. See README.md ("Sampled call sites") for why that estimate is unbiased and
 * where it is not exact.
 */
export { MAX_PERIOD_FACTOR, SAMPLE_FIRST };

/**
 * Sampled mode, an op found at more than one line: a call between captures takes the site its op's
 * last capture found after the same previous op's site (OpState.after), not the op's last capture
 * whatever came before. Three `sum` lines in one loop, 40 turns, read 50/47/23 credited to the op's
 * last capture (issue 14); in a loop each line's op follows its own previous line, so a held call is
 * credited to its own line. A previous site not seen before for the op is captured once (at most one
 * capture per pair of sites: entries are overwritten, never forgotten). The holds between captures
 * are drawn as before (the period grows only while captures find the op's last line), so a loop that
 * moves to other lines is seen as soon, and a line taken at random after the same previous line is
 * the sampled estimate it was, per previous site. A sampled capture that finds another site than the
 * table said is not kept: its previous site was itself taken from the table, which the code just left
 * (two loops of `sum` lines taking turns), and keyed by it the entry sent one loop's line to the
 * other's for the rest of the run; the op's next call captures instead (its previous site is then a
 * capture's, when the previous op is this one) and is kept. A previous site id at or past
 * SITE_AFTER_MAX takes the op's last capture.
 */
const SITE_AFTER_MAX = 1 << 16;

/**
 * User call stacks (stacks.ts) are sampled per call site: the first STACK_FIRST ops at each site
 * capture theirs (short scripts are exact), later ones after a random hold (uniform in
 * 1…2·period−1, at most STACK_HOLD_SHARE of the site's ops so far), and every op in between takes
 * the stack its site was last captured with in its context, or with callers in turn each of its
 * recent captures in turn (context-stacks.ts). One `period` for
 * all sites is paced so that capture time stays within the budget (stackBudgetMs: STACK_BUDGET of
 * the recording's time plus a one-time allowance) at the captures' typical cost (pacedPeriod).
 *
 * A held stack is carried only by ops issued in the context node it was captured in. The op's
 * context is exact; a stack captured in another context is known to be wrong for it (in 'sampled'
 * mode an op's site, and so its stack, is its op name's last capture, which may be in another
 * function: `add` in `normalize` carried `augment`'s stack, and the flame showed
 * `normalize;augment;add`). Such an op captures its own stack while captures are within
 * STACK_BUDGET, and carries none (-1: it nests directly in its context) beyond it.
 */
export { STACK_BUDGET, STACK_FIRST };
/** Recording time (ms) of the first review of the stack period, and the factor it grows by between reviews. */
const STACK_REVIEW_FIRST_MS = 10, STACK_REVIEW_GROWTH = 1.5;
/** Longest hold between two stack captures at one line, as a share of the ops the line has run (see stackHold). */
const STACK_HOLD_SHARE = 1 / 8;
/**
 * The same for a line whose callers take turns (context-stacks.ts): each capture is one draw of the
 * caller, so a split between callers is only as good as the captures' count (±0.5/√n): at 1/16, a
 * helper called from two lines in turn 800 times read 0.43–0.66 for one of them over runs.
 */
const STACK_HOLD_SHARE_IN_TURN = 1 / 64;
/**
 * Capture time, as a multiple of the budget (with STACK_HOLD_EARLY_MS of its allowance at once),
 * beyond which the caps on holds widen (see stackHold); less for a line whose callers take turns,
 * whose cap is four times as tight (at 4, a 300-turn script spent 15 % of its wall time capturing).
 */
const STACK_HOLD_SLACK_IN_TURN = STACK_HOLD_SLACK / 2;
/**
 * Of the one-time allowance, what the cap on holds may spend from the start, ms (the rest accrues as
 * the pace's does). The whole 5 ms from the start let a 50 ms script whose helper two lines call in
 * turn spend a quarter of its time capturing (every op captured).
 */
const STACK_HOLD_EARLY_MS = 1;
/** The caps past that: a line with one caller at a time (holds of at most its ops so far), a line whose callers take turns. */
const STACK_HOLD_SHARE_OVER = 1, STACK_HOLD_SHARE_IN_TURN_OVER = 1 / 16;
/**
 * The longest a hold at a line with one caller at a time lasts in run time: the time in which one
 * capture per line costs STACK_HOLD_TIME_SHARE of it (lines past their first captures × the least
 * typical capture cost seen ÷ the share), at least STACK_HOLD_MIN_MS. Over budget a hold may be as
 * long as the line's ops so far, and a caller that takes over in it was seen only when it ended: a
 * function called 30 000 times from one line and then 15 000 from another (under tsx, a loaded
 * machine, captures over budget) left the second line 24 763 of its 45 000 ops (audit 31). Bounded
 * in time, a later caller is seen within it at every such line, and forced captures cost about the
 * budget's own share at most (they count against it: the pace slows for them). The least typical
 * cost, not the current one: a loaded machine's stalls kept the estimate at 70–100 µs where the
 * median capture took 12–24 µs (tsx, load 7), the bound was then 85–384 ms in 2 s runs and a later
 * caller still lost up to 15 % of its ops; from the least, 17 ms. Lines whose callers take turns are
 * left out: which caller's op comes first after a deadline depends on the time between their
 * calls, not on how many each makes (their holds are short anyway, see STACK_HOLD_SHARE_IN_TURN).
 */
const STACK_HOLD_TIME_SHARE = STACK_BUDGET, STACK_HOLD_MIN_MS = 10;
/** A paced capture counts at most this many times the typical one (see captureStack). */
const STACK_OUTLIER_FACTOR = 4;
/** Longest mean hold between two stack captures at one site. */
export const MAX_STACK_PERIOD = 1 << 14;

/** Span ring slots for an event ring of `maxEvents`. */
const spanCapacity = (maxEvents: number): number => Math.max(1024, maxEvents >> 2);

/** Distinct input-shape signatures remembered per op for first-call detection (memory stays bounded). */
export const MAX_SHAPES_PER_OP = 4096;

/** Per op name: interned id, call-site sampling state, and a one-entry cell cache. */
interface OpState {
  readonly name: string;
  readonly id: number;
  /** Calls so far without a static call site (outermost dispatches; what call-site sampling counts). */
  seen: number;
  /** Calls left until the next sampled capture (sampled mode, after SAMPLE_FIRST). */
  countdown: number;
  /** Mean length of the hold after the next capture (sampled mode; see SAMPLE_FIRST). */
  period: number;
  /** Site of the most recent capture of this op, -1 when none found. */
  site: number;
  /**
   * Sampled mode, once captures found this op at two lines: per site of the op before it (index site + 1,
   * -1 none), the site its last capture after that one found (-2: none yet; see SITE_AFTER_MAX). Null until then.
   */
  after: Int32Array | null;
  /** Whether the op's next call captures: its last sampled capture found another site than `after` said (see SITE_AFTER_MAX). */
  recheck: boolean;
  cellBackend: number;
  cellSite: number;
  cellContext: number;
  cell: number;
  /** The op that followed this one last time: pipelines repeat, so this predicts the next op without a Map lookup. */
  next: OpState;
  /** Hashes of the input-shape signatures seen (a call with a new one is the op × shape's first call). */
  readonly shapes: Set<number>;
  /** The last call's shape hash: loops repeat one shape, so most calls stop at this compare. */
  lastShape: number;
}

/**
 * Told about every recorded op and every GPU time that resolves (the OpenTelemetry metrics in
 * ../otel/ install one through session.setOpObserver). Ids index the recorder's `strings`.
 */
export interface OpObserver {
  /** One recorded op: wall time `ms`, `bytes` read plus written, `context` the context node id (0 = none). */
  op(strings: readonly string[], opId: number, backendId: number, dtypeId: number, ms: number, bytes: number, context: number): void;
  /** GPU time of an op, `ms`, when its timestamp queries resolve (after the op itself was recorded); never an estimate. */
  gpu(strings: readonly string[], opId: number, backendId: number, dtypeId: number, ms: number): void;
}

/**
 * Runs from inside the op path once `dueMs` (performance.now() ms) has passed: the launcher's
 * batch timer pushes `dueMs` ahead on every tick, so this fires only while synchronous code starves
 * the timers (a long loop of ops), and streams a batch from there (ipc.ts).
 */
export interface StarvedTimerHook {
  dueMs: number;
  run(nowMs: number): void;
  /**
   * Runs before an op that starts once `dueMs` has passed (the script was busy, or paused in a debugger, since the
   * last batch): a stop the launcher asked for meanwhile ends the script here, before the op runs, so the report
   * does not hold an op that ran after Stop (audit 23: the op after Stop while paused at a breakpoint became the
   * run's hottest line, its time the debugger's teardown). Returns normally when there is nothing to do.
   */
  beforeOp?(nowMs: number): void;
}

/** One thread's recorder. */
export class Recorder implements DispatchObserver, GpuTimingSink, OneTimeCostListener {
  readonly strings: string[] = [];
  private stringIds = new Map<string, number>();
  /** Raw events and closed spans; replaced only by {@link giveRings}, when this recorder is done. */
  ring: EventRing;
  spans: SpanRing;
  /** Statistics of the current segment (see {@link startSegment}). */
  cells = new CellTable();
  /** Earlier segments' tables with the id of their first event, oldest first: events and late GPU times resolve through them. */
  readonly earlierCells: { readonly fromId: number; readonly cells: CellTable }[] = [];
  /** Id of the current segment's first event. */
  segmentFromId = 0;
  readonly sites = new SiteTable();
  /** Wall-time statistics per context node id, plus child time. */
  readonly contextStats: (Stats & { childMs: number })[] = [];
  private readonly mode: number;
  /** Ops recorded and call sites captured. */
  ops = 0;
  captures = 0;
  /**
   * Time spent in call-site captures, ms (timed as they happen: what reports state as their cost),
   * with the bookkeeping around them and a static site's first sight; with {@link stackMs}, what
   * context wall times leave out.
   */
  captureMs = 0;
  /**
   * The profiler's own time for the op being set up, ms, when it did not capture its call site (see
   * observe): a stack capture with its bookkeeping, timed from the caller's side of the call, a new
   * site's tables, a static site's first sight; charged to its context frame, left out of the
   * frame's wall time (context.ts).
   */
  private opCaptureMs = 0;
  /** GPU measurements that arrived after their event left the ring. */
  lateGpu = 0;
  /** Receives every recorded op while OpenTelemetry is on; null otherwise (one test per op). */
  opObserver: OpObserver | null = null;
  /** Streams batches while timers are starved; null without a launcher (one test per op). */
  starvedTimer: StarvedTimerHook | null = null;
  /** Event id of the op running now (-1 between ops); its transfers arrive before it is recorded. */
  private activeId = -1;
  private pendingUpload = 0;
  private pendingDownload = 0;
  private depth = 0;
  /** The op running now (valid while depth is 1) and the end of the last one-time cost reported during it (ms, 0: none). */
  private activeOp: OpState | null = null;
  private excludedUntil = 0;
  /** One-time costs reported during ops, ms (their own events; the ops start after them). */
  excludedTotalMs = 0;
  private lastBackend: Backend | null = null;
  private lastBackendId = 0;
  private lastTimed: TimedBackend | null = null;
  private readonly timed = new Set<TimedBackend>();
  private readonly opStates = new Map<string, OpState>();
  private lastOp: OpState;
  /** Site of the last op observed (outermost), -1 when none: what a sampled op's site is predicted after (SITE_AFTER_MAX). */
  private lastSite = -1;
  private lastDtype = '';
  private lastDtypeId = 0;
  /** xorshift32 state for the sampling periods (fixed seed: runs are reproducible). */
  private rand = 0x9e3779b9 | 0;
  // Imported bindings copied once: the hot path then reads fields, not module bindings.
  private readonly TensorClass = Tensor;
  private readonly frameNow = currentFrame;
  // globalThis.performance is an accessor in Node (a getter call per read); read it once per recorder.
  private readonly perf = performance;
  /** Static call sites (static-sites.ts): the token of the instrumented call running now, and static id → site id (-1: not yet interned). */
  private readonly staticReg: StaticSiteRegistry = staticSiteRegistry();
  private staticIds = new Int32Array(0);
  /** Ops whose site came from a static call-site id (no stack capture). */
  staticOps = 0;
  /** The user's call stacks (none recorded when call sites are off). */
  readonly stacks = new StackTable();
  /** Results of recorded ops not freed yet, per call site (held.ts). */
  readonly held = new HeldTable();
  /**
   * Per site id: ops so far (counted a hold at a time), ops left until the next capture, the last stack captured
   * (as its {@link stackKey}; -1: none) and the context node it was captured in.
   */
  private stackSeen = new Int32Array(0);
  private stackCountdown = new Int32Array(0);
  private stackOfSite = new Int32Array(0);
  private stackContext = new Int32Array(0);
  /** Per site id: clock time of its last stack capture, ms (see STACK_HOLD_TIME_SHARE). */
  private stackAtMs = new Float64Array(0);
  /** Per stack node: the call its own ops were issued on the line of (stacks.ts StackTableData.nodeOwnCall; -1: none yet; see stackKey). */
  private nodeOwnCall = new Int32Array(0);
  /** Sites past their first STACK_FIRST ops. */
  private stackLines = 0;
  /** The longest hold in run time at a line with one caller at a time, ms (see STACK_HOLD_TIME_SHARE). */
  stackHoldMs = STACK_HOLD_MIN_MS;
  /** Stack captures that ended a hold for its time (see STACK_HOLD_TIME_SHARE). */
  stackTimedOut = 0;
  /** Set by stackAt when the op's stack is its line's held one (observe then checks the hold's time bound). */
  private stackHeld = false;
  /** Per site id: results left until the next is sampled for held memory (held.ts). */
  private heldCountdown = new Int32Array(0);
  /** Mean hold between two stack captures at one site (see STACK_FIRST). */
  stackPeriod = 1;
  stackCaptures = 0;
  /** Time spent capturing stacks, ms (all of it: the report's figure), and op time recorded, ms. */
  stackMs = 0;
  opMs = 0;
  /**
   * Capture time that steers stackPeriod, ms: stackMs less the captures that source-mapped a
   * position first seen (one-time, like compiling a kernel: counted, they pushed the period to its
   * longest within a short script's first 8 captures per line, so no later capture saw its callers change).
   */
  stackPacedMs = 0;
  private stackPacedCaptures = 0;
  /** A capture's typical cost, ms (0: none timed yet; see captureStack), and the least it has been (what stackHoldMs is set from). */
  private stackTypicalMs = 0;
  private stackCheapestMs = Infinity;
  /** Clock time of the first stack capture, ms (-1: none yet): the capture budget accrues from there, not from a load before any op. */
  private stackStartMs = -1;
  /** One-time costs (excludedTotalMs) before the first stack capture, ms. */
  private stackStartExcludedMs = 0;
  /** Clock time (ms) at which the stack period is next reviewed (reviewStackPeriod). */
  private stackReviewMs: number;
  /** Per site, the last stack captured in each context, for the ops between captures (context-stacks.ts). */
  private readonly contextStacks = new ContextStacks();
  /** End of the last op recorded, ms (the recording's start before the first): a longer gap to the next reads the idle counter. */
  private lastEndMs: number;
  /** Event-loop idle time before ops that follow a gap of IDLE_GAP_MS or more (idle-waits.ts). */
  readonly idleWaits = new IdleWaits();

  /**
   * @param maxEvents raw events kept (the event ring's slots)
   * @param rings emptied rings of a finished recorder to record into (its {@link giveRings}, for
   *   `maxEvents` slots), instead of allocating new ones
   */
  constructor(readonly callSites: CallSiteMode, readonly sampleEvery: number, maxEvents: number, readonly startMs = performance.now(),
    rings: { readonly events: EventRing; readonly spans: SpanRing } | null = null) {
    this.mode = MODES[callSites];
    if (rings !== null && rings.events.capacity !== maxEvents) throw new Error(`recorder: given a ring of ${rings.events.capacity} events, not ${maxEvents}`);
    this.ring = rings?.events ?? new EventRing(maxEvents);
    this.spans = rings?.spans ?? new SpanRing(spanCapacity(maxEvents));
    this.lastEndMs = startMs;
    this.stackReviewMs = startMs + STACK_REVIEW_FIRST_MS;
    this.intern('');
    this.lastOp = this.opState('');
    if (this.mode !== OFF && !warmedModes.has(this.mode)) {
      warmedModes.add(this.mode);
      warmCapturePath(callSites, sampleEvery);
    }
  }

  /**
   * Hands this recorder's rings, emptied, to the next recording (session.ts clearProfile): a clear
   * then allocates no ring. The default one is 23 MB, and allocating it per clear cost 5–17 ms and
   * tripled the RSS of a loop clearing 300 times (audit 21 N5). Call it once this recorder is
   * detached and done: it keeps 16-slot empty rings, so a GPU time or transfer for one of its events
   * that still arrives finds no slot (lateGpu) rather than the next recording's event of the same id.
   * Webgpu already drops those (a timestamp goes only to the sink attached at its submit and still
   * attached); this makes it hold for any caller. What was copied out of the rings (segments'
   * rule columns, snapshots) is unaffected: nothing read from a ring is a view of it.
   */
  giveRings(): { readonly events: EventRing; readonly spans: SpanRing } {
    const given = { events: this.ring, spans: this.spans };
    this.ring = new EventRing(16);
    this.spans = new SpanRing(16);
    given.events.reset();
    given.spans.reset();
    return given;
  }

  /**
   * Starts a new segment (enableProfiling after disableProfiling): later ops go to a fresh cell
   * table, so each segment's statistics stay exact, while the ring, call sites, contexts and the
   * first-call shapes carry on (a kernel warmed in one segment is not "first" in the next).
   */
  startSegment(): void {
    this.earlierCells.push({ fromId: this.segmentFromId, cells: this.cells });
    this.cells = new CellTable();
    this.segmentFromId = this.ring.written;
    // Each op's one-entry cell cache points into the old table.
    for (const st of this.opStates.values()) st.cellBackend = -1;
  }

  /** The cell table event `id` was recorded in. */
  private cellsOf(id: number): CellTable {
    if (id >= this.segmentFromId) return this.cells;
    for (let k = this.earlierCells.length - 1; k > 0; k--) if (id >= this.earlierCells[k]!.fromId) return this.earlierCells[k]!.cells;
    return this.earlierCells[0]!.cells;
  }

  /** Every segment's cells as rows (the current segment's alone with `currentOnly`). */
  cellRows(currentOnly = false): CellRow[] {
    const own = this.cells.toRows(this.strings);
    return currentOnly || this.earlierCells.length === 0 ? own : [...this.earlierCells.flatMap((t) => t.cells.toRows(this.strings)), ...own];
  }

  /**
   * Ops and op time (ms) per user stack node over every segment (the current one alone with
   * `currentOnly`), every recorded op counted: what the call lines are made of.
   */
  stackTotals(currentOnly = false): Required<StackTotals> {
    const nodes = this.stacks.parent.length;
    const t = { ops: new Float64Array(nodes), ms: new Float64Array(nodes), ownOps: new Float64Array(nodes), ownMs: new Float64Array(nodes), ownCall: new Int32Array(nodes).fill(-1) };
    if (!currentOnly) for (const e of this.earlierCells) e.cells.addStackTotals(t);
    this.cells.addStackTotals(t);
    t.ownCall.set(this.nodeOwnCall.subarray(0, Math.min(nodes, this.nodeOwnCall.length)));
    return t;
  }

  /**
   * The key an op at site `site` with stack node `node` (≥ 0) carries through the op path: 2·node, plus 1 when the
   * op is issued on a line that stack calls from (stacks.ts callOnLine; a callback written on the line that passes
   * it), so the per-node totals count such ops apart (cells.ts addStackOp) and no op judges anything. Judged here,
   * at each capture: every stack an op at a site carries is one captured at that site (held ones, context-stacks.ts's
   * picks), so the judgement is made for every (site, node) pair an op meets, before its first op. A node counts
   * such ops for one line, the first found; the key of a (site, node) pair never changes once made.
   */
  private stackKey(site: number, node: number): number {
    const at = this.sites.sites[site];
    const call = at === undefined ? -1 : callOnLine(this.stacks, node, at);
    if (call < 0) return 2 * node;
    if (node >= this.nodeOwnCall.length) {
      const b = new Int32Array(Math.max(64, 2 * node + 2)).fill(-1);
      b.set(this.nodeOwnCall);
      this.nodeOwnCall = b;
    }
    if (this.nodeOwnCall[node] === -1) this.nodeOwnCall[node] = call;
    return this.nodeOwnCall[node] === call ? 2 * node + 1 : 2 * node;
  }

  /** Interned id of a string (op, backend, dtype names). */
  intern(s: string): number {
    let id = this.stringIds.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.stringIds.set(s, id);
    }
    return id;
  }

  private opState(op: string): OpState {
    let st = this.opStates.get(op);
    if (st === undefined) {
      const fresh = { name: op, id: this.intern(op), seen: 0, countdown: this.holdLength(this.sampleEvery), period: this.sampleEvery, site: -1, after: null, recheck: false,
        cellBackend: -1, cellSite: -2, cellContext: -1, cell: -1, shapes: new Set<number>(), lastShape: NaN } as OpState;
      fresh.next = fresh;
      this.opStates.set(op, (st = fresh));
    }
    return st;
  }

  /** A hold length: uniform integer in [1, 2·mean − 1] (mean `mean`). */
  private holdLength(mean: number): number {
    let x = this.rand;
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    this.rand = x;
    return 1 + ((x >>> 0) % (2 * mean - 1));
  }

  /**
   * A sampled capture after SAMPLE_FIRST. The hold that follows uses the period chosen from
   * earlier captures; this capture only decides the period of the NEXT hold (doubled when it found
   * the same site as the previous capture, else back to sampleEvery). Kept in the op's table of sites
   * by previous site unless it found another site than the table said (see SITE_AFTER_MAX).
   */
  private sampledCapture(st: OpState): number {
    const previous = st.site, after = st.after, k = this.lastSite + 1;
    const predicted = after === null ? previous : k < after.length ? after[k]! : -2;
    st.countdown = this.holdLength(st.period);
    const site = this.capture(st);
    st.recheck = after !== null && predicted !== -2 && site !== predicted;
    if (!st.recheck) this.keepSite(st, site, previous);
    st.period = site === previous ? Math.min(st.period * 2, this.sampleEvery * MAX_PERIOD_FACTOR) : this.sampleEvery;
    return site;
  }

  /**
   * Sampled mode: captures `st`'s site (called from observe only, as capture) and keeps it as the site
   * after the previous op's (see SITE_AFTER_MAX); starts the op's table when this capture found a
   * line other than its last.
   */
  private learnSite(st: OpState): number {
    const last = st.site, first = st.seen === 0;
    const site = this.capture(st);
    this.keepSite(st, site, first ? site : last);
    return site;
  }

  /** Keeps `site`, just captured for `st`, as its site after the previous op's; `last` is the op's capture before it. */
  private keepSite(st: OpState, site: number, last: number): void {
    let after = st.after;
    if (after === null) {
      if (site === last) return;
      after = st.after = new Int32Array(64).fill(-2);
    }
    const k = this.lastSite + 1;
    if (k >= after.length) {
      if (k >= SITE_AFTER_MAX) return;
      const grown = new Int32Array(Math.min(SITE_AFTER_MAX, Math.max(2 * after.length, k + 1))).fill(-2);
      grown.set(after);
      st.after = after = grown;
    }
    after[k] = site;
  }

  /**
   * Captures the caller's site for `st` (called from observe only: observe's frames are skipped).
   * Timed by observe, from before the call to after the op's stack (see there).
   */
  private capture(st: OpState): number {
    this.captures++;
    return (st.site = this.sites.capture(Recorder.prototype.observe));
  }

  observe<T>(op: string, inputs: readonly Tensor[], backend: Backend, run: (backend: Backend) => T): T {
    if (this.depth !== 0) return run(backend);
    const prev = this.lastOp;
    let st = prev.next;
    if (st.name !== op) prev.next = st = this.opState(op);
    this.lastOp = st;
    let site = -1;
    // Clock at the start of this op's call-site capture (0: none).
    let tc = 0;
    const mode = this.mode;
    const token = this.staticReg.token;
    // An instrumented call names its exact site: no capture, in either mode.
    if (token >= 0 && mode !== OFF) site = this.staticSite(token);
    else {
      if (mode === ALL) {
        tc = this.perf.now();
        site = this.capture(st);
      } else if (mode === SAMPLED) {
        if (st.seen < SAMPLE_FIRST) {
          tc = this.perf.now();
          site = this.learnSite(st);
        } else if (--st.countdown <= 0) {
          tc = this.perf.now();
          site = this.sampledCapture(st);
        } else {
          // An op found at one line (most): its last capture. Else its site after the previous op's (SITE_AFTER_MAX).
          const after = st.after, k = this.lastSite + 1;
          site = after === null ? st.site : k < after.length ? after[k]! : k < SITE_AFTER_MAX ? -2 : st.site;
          if (site === -2 || st.recheck) {
            tc = this.perf.now();
            st.recheck = false;
            site = this.learnSite(st);
          }
        }
      }
      // Counts the calls sampling sees: an op mostly called from instrumented code still has its
      // first SAMPLE_FIRST uninstrumented calls (a library's) captured exactly.
      st.seen++;
    }
    this.lastSite = site;
    const frame = this.frameNow();
    const ctx = frame === null ? 0 : frame.id;
    let stack = -1, held = false;
    if (site >= 0) {
      this.stackHeld = false;
      stack = this.stackAt(site, ctx);
      held = this.stackHeld;
    }
    // The profiler's time is not the context's (0 for most ops: one compare). An op that captured its
    // site is charged from the start of that capture to here, its stack included: everything the
    // capture path ran, as it ran — V8 compiling a function on its first call, or tiering one up
    // at whatever call its budget runs out. Its stack capture is stackMs's; the rest is the call
    // site's (captureMs), so the two add up to what contexts leave out. Otherwise what stackAt and
    // staticSite timed.
    let captured = this.opCaptureMs;
    if (tc !== 0) {
      const ms = this.perf.now() - tc;
      this.captureMs += ms - captured;
      captured = ms;
    }
    if (captured !== 0) {
      this.opCaptureMs = 0;
      if (frame !== null) chargeProfilerTime(frame, captured);
    }
    const id = this.ring.written;
    if (backend !== this.lastBackend) this.switchBackend(backend);
    const timed = this.lastTimed;
    if (timed !== null) timed.markOp(id);
    this.depth = 1;
    this.activeId = id;
    this.activeOp = st;
    this.excludedUntil = 0;
    let t0 = this.perf.now();
    // One compare per op: only a long gap can hold event-loop idle time (an await), read then.
    if (t0 - this.lastEndMs >= IDLE_GAP_MS) {
      this.idleWaits.read(t0);
      t0 = this.perf.now();
    }
    // A held stack's time bound is checked against this op's own start: against the last op's end (no
    // clock read of its own), the first op after a pause past the bound kept the old caller's stack,
    // and each caller that took over after a pause lost its first op to the one before (audit 32).
    if (held && t0 - this.stackAtMs[site]! >= this.stackHoldMs) {
      stack = this.stackPastHold(site, ctx, t0);
      const ms = this.opCaptureMs;
      this.opCaptureMs = 0;
      if (frame !== null) chargeProfilerTime(frame, ms);
      t0 = this.perf.now();
    }
    const starved = this.starvedTimer;
    if (starved !== null && t0 >= starved.dueMs && starved.beforeOp !== undefined) {
      starved.beforeOp(t0);
      t0 = this.perf.now();
    }
    let result: T;
    try {
      result = run(backend);
    } catch (e) {
      // An op that throws is not recorded; its transfers must not be charged to the next op.
      this.pendingUpload = this.pendingDownload = 0;
      this.endOp(timed);
      throw e;
    }
    const t1 = this.perf.now();
    this.lastEndMs = t1;
    this.endOp(timed);
    // One-time work during the op (memory growth, a pipeline) is its own event: the op starts after
    // it. What ran before it inside the op (validation, the allocator's search) is microseconds.
    this.record(id, st, inputs, result, this.excludedUntil === 0 ? t0 : Math.min(t1, Math.max(t0, this.excludedUntil)), t1, site, ctx, stack);
    return result;
  }

  /**
   * The user's call stack for an op at site `site` (≥ 0) in context node `ctx`, as its {@link stackKey}
   * (-1: none): captured, or the site's last when that was captured in `ctx` (see STACK_FIRST).
   */
  private stackAt(site: number, ctx: number): number {
    if (site >= this.stackSeen.length) {
      // A new site's first op (rare): the profiler's time, as its captures are.
      const t0 = this.perf.now();
      this.growStackState(site);
      const ms = this.perf.now() - t0;
      this.opCaptureMs += ms;
      this.captureMs += ms;
    }
    const seen = this.stackSeen[site]!;
    if (seen < STACK_FIRST) {
      this.stackSeen[site] = seen + 1;
      const t0 = this.perf.now();
      if (seen + 1 === STACK_FIRST) {
        this.stackLines++;
        this.stackCountdown[site] = this.stackHold(site, t0);
      }
      return this.captureStack(site, ctx, t0, false);
    }
    const left = this.stackCountdown[site]! - 1;
    if (left > 0) {
      // One context and one caller at a time (most lines): the last capture, for at most stackHoldMs
      // of run time, checked by observe at the op's start (stackPastHold). Else context-stacks.ts decides.
      if (this.stackContext[site] === ctx && !this.contextStacks.inTurnAt(site)) {
        this.stackCountdown[site] = left;
        this.stackHeld = true;
        return this.stackOfSite[site]!;
      }
      this.stackCountdown[site] = left;
      const held = this.contextStacks.pick(site, ctx);
      if (held !== -2) return held;
      // Captured in another context: wrong for this op. Its own if the budget allows, else none.
      const t0 = this.perf.now();
      return this.stackPacedMs <= this.stackBudgetMs(t0) ? this.captureStack(site, ctx, t0) : -1;
    }
    const t0 = this.perf.now();
    this.stackCountdown[site] = this.stackHold(site, t0);
    return this.captureStack(site, ctx, t0);
  }

  /**
   * A held op at `site` in context `ctx` that starts (at clock time `now`, ms) past its hold's bound in
   * run time (stackHoldMs): the hold ends, and the op captures its own stack (the new caller's, if one
   * took over). Returns the stack's {@link stackKey}.
   */
  private stackPastHold(site: number, ctx: number, now: number): number {
    // The hold's ops not run yet are not the line's.
    this.stackSeen[site] = this.stackSeen[site]! - this.stackCountdown[site]!;
    this.stackTimedOut++;
    this.stackCountdown[site] = this.stackHold(site, now);
    return this.captureStack(site, ctx, now);
  }

  /**
   * The hold before `site`'s next stack capture, at clock time `now`: random with mean the stack
   * period, but at most STACK_HOLD_SHARE of the ops the line has run so far. A hold that began under
   * one caller runs on into the next caller's calls, and paced by the budget alone, holds grew longer
   * than a later caller's whole phase (3 000 then 1 500 calls of one function: the first line got
   * 75 % of their ops, not 66.7 %); capped, each line keeps being captured (about ln(n) /
   * STACK_HOLD_SHARE captures in its first n ops) and a late caller is seen (endHoldsUnder then
   * re-captures the function's other lines). The cap spends the budget, never more: the first
   * STACK_HOLD_EARLY_MS of the one-time allowance is there from the start (the pace spreads it; the
   * cap may use it early, where a short script's phases are); past STACK_HOLD_SLACK times that, the
   * caps widen (STACK_HOLD_SHARE_OVER), and a bound in run time (stackAt, STACK_HOLD_TIME_SHARE)
   * is what keeps a later caller seen. With
   * the cap at 1/16, a 1.5 s loop of the seed's Example 1 made 544–621 captures (397 so; 200 lines
   * each run 2 000 times about the same, 3 734–3 854: bench/stack-pacing.ts, load 1.3–2.1).
   */
  private stackHold(site: number, now: number): number {
    const seen = this.stackSeen[site]!, inTurn = this.contextStacks.inTurnAt(site);
    // Over budget the caps widen, never go: one hold as long as the paced period (thousands of ops) put the
    // rest of a run on one caller, or on one split of a line whose callers take turns (a helper called in
    // turn by two functions 2 000 times read 0.74 for one of them).
    const over = this.stackPacedMs > (inTurn ? STACK_HOLD_SLACK_IN_TURN : STACK_HOLD_SLACK) * this.stackBudgetMs(now, true);
    const share = over ? (inTurn ? STACK_HOLD_SHARE_IN_TURN_OVER : STACK_HOLD_SHARE_OVER) : inTurn ? STACK_HOLD_SHARE_IN_TURN : STACK_HOLD_SHARE;
    const cap = Math.max(1, Math.floor(seen * share));
    const hold = this.holdLength(Math.min(this.stackPeriod, cap));
    this.stackSeen[site] = Math.min(seen + hold, 0x7fffffff);
    return hold;
  }

  /**
   * Captures the user's stack for an op at `site` in `ctx`, with its bookkeeping; returns its {@link stackKey}
   * (-1: no user frame). `t0` is the caller's clock before the call: the call itself (compiled on its first use)
   * is the profiler's time too.
   */
  private captureStack(site: number, ctx: number, t0: number, paced = true): number {
    if (this.stackStartMs < 0) { this.stackStartMs = t0; this.stackStartExcludedMs = this.excludedTotalMs; }
    const mapped = this.stacks.mapped, before = this.stackOfSite[site]!;
    const node = this.stacks.capture(Recorder.prototype.observe);
    const stack = node < 0 ? -1 : this.stackKey(site, node);
    this.stackCaptures++;
    const changed = before >= 0 && stack !== before && this.stackContext[site] === ctx;
    this.stackOfSite[site] = stack;
    this.stackContext[site] = ctx;
    this.contextStacks.add(site, stack, ctx);
    this.stackAtMs[site] = t0;
    if (changed && !this.contextStacks.inTurnAt(site)) this.endHoldsUnder(before >> 1, node, ctx);
    const t1 = this.perf.now(), ms = t1 - t0;
    this.stackMs += ms;
    this.opCaptureMs += ms;
    if (this.stacks.mapped === mapped && this.stackCaptures > 1) {
      // A capture that a garbage collection or a tier-up landed in (4–11 ms where 13 µs is usual, seen
      // here) counts as a few typical ones: counted whole, one doubled the period ten times in a row. The
      // typical cost learns from every capture that mapped nothing new, the first 8 per line too, but not
      // the recorder's first (the capture code's compilation): a paced capture is then never the first
      // timed, which, stalled by a loaded machine, set the pace of a whole short script. It falls fast
      // (halfway to a cheaper capture) and rises slowly (an eighth of the way, at most to 4×).
      const typical = this.stackTypicalMs, counted = typical === 0 ? ms : Math.min(ms, STACK_OUTLIER_FACTOR * typical);
      this.stackTypicalMs = typical === 0 ? ms : typical + (counted - typical) / (counted < typical ? 2 : 8);
      if (paced) {
        this.stackPacedMs += counted;
        this.stackPacedCaptures++;
      }
    }
    this.stackPeriod = this.pacedPeriod(t1);
    if (this.stackTypicalMs > 0 && this.stackTypicalMs < this.stackCheapestMs) this.stackCheapestMs = this.stackTypicalMs;
    this.stackHoldMs = Math.max(STACK_HOLD_MIN_MS, (this.stackLines * (this.stackCheapestMs === Infinity ? 0 : this.stackCheapestMs)) / STACK_HOLD_TIME_SHARE);
    return stack;
  }

  /**
   * A capture at one line found its caller changed from stack node `before` to `after` (in context
   * `ctx`): ends the holds of the lines whose last capture went through the part of `before` that
   * `after` left (the old caller's call of the function, and everything under it), so their next ops
   * capture their own stacks instead of carrying the old caller through the rest of their holds. A
   * caller that comes after another (a training loop's phases) is then seen at every line under it as
   * soon as one of them sees it: `forward` called 3 000 times from one line and then 1 500 from
   * another, its two lines in two functions: the first line's share 0.667–0.690 over five processes
   * (true 0.667), 0.679–0.727 before (bench/stack-pacing.ts).
   */
  private endHoldsUnder(before: number, after: number, ctx: number): void {
    const parent = this.stacks.parent;
    let left = -1;
    // The outermost node of `before` that is not on `after`'s path: where the two stacks part.
    for (let k = before; k >= 0 && !isOnPath(parent, after, k); k = parent[k]!) left = k;
    if (left < 0) return;
    const of = this.stackOfSite, context = this.stackContext, countdown = this.stackCountdown;
    for (let s = 0; s < of.length; s++) {
      // Not a line whose callers take turns: its next op is the next caller's, a capture there is not a random draw.
      if (countdown[s]! <= 1 || context[s] !== ctx || of[s]! < 0 || this.contextStacks.inTurnAt(s)) continue;
      if (isOnPath(parent, of[s]! >> 1, left)) countdown[s] = 1;
    }
  }

  /** The capture budget at the end of the last op, ms (0 before any capture): what the report compares {@link stackPacedMs} with. */
  stackBudget(): number {
    return this.stackStartMs < 0 ? 0 : this.stackBudgetMs(this.lastEndMs);
  }

  /**
   * Capture time allowed so far, ms: STACK_BUDGET of the recording's time at `now` (one-time costs
   * left out), or of op time where that is more, plus the one-time allowance accrued so far (see
   * STACK_ALLOWANCE_MS). At STACK_BUDGET of op time alone, a script of small ops (a few µs each,
   * most of its time in its own JavaScript) afforded one capture per thousands of ops: a line called
   * by one function and then by another was all the first's.
   */
  private stackBudgetMs(now: number, early = false): number {
    const elapsed = now - this.stackStartMs - (this.excludedTotalMs - this.stackStartExcludedMs);
    const accrued = STACK_ALLOWANCE_RATE * elapsed;
    return STACK_BUDGET * Math.max(this.opMs, elapsed) + Math.min(STACK_ALLOWANCE_MS, early ? Math.max(STACK_HOLD_EARLY_MS, accrued) : accrued);
  }

  private growStackState(site: number): void {
    const n = Math.max(64, 2 * site + 2);
    const grow = (a: Int32Array, fill: number): Int32Array<ArrayBuffer> => { const b = new Int32Array(n).fill(fill); b.set(a); return b; };
    this.stackSeen = grow(this.stackSeen, 0);
    this.stackCountdown = grow(this.stackCountdown, 0);
    this.stackOfSite = grow(this.stackOfSite, -1);
    this.stackContext = grow(this.stackContext, -1);
    const at = new Float64Array(n);
    at.set(this.stackAtMs);
    this.stackAtMs = at;
    this.heldCountdown = grow(this.heldCountdown, 1);
    this.contextStacks.grow(n);
  }

  /**
   * The stack period that spends the capture budget as it accrues: the ops over which the budget
   * accrues one typical capture, at the rate it has accrued per op so far (each op counts down one
   * line, so captures per op ≈ 1 / period), or the ops to accrue what captures overspent plus one.
   * Never shorter for budget left unspent: captures spread evenly over the run, where a burst
   * spending the slack (or doubling the period at each capture over budget) left a short script's
   * later ops in holds of hundreds of ops, and its later callers unseen.
   */
  private pacedPeriod(now: number): number {
    if (this.ops === 0) return 1;
    const budget = this.stackBudgetMs(now), typical = this.stackTypicalMs;
    if (budget <= 0) return this.stackPeriod;
    const need = Math.max(typical, typical - (budget - this.stackPacedMs));
    return Math.max(1, Math.min(MAX_STACK_PERIOD, Math.ceil((need * this.ops) / budget)));
  }

  /**
   * Re-paces the stack period as the recording's time grows (captures alone re-pace only when a
   * hold ends): holds longer than the new period allows are cut short, so a period set while
   * captures were over budget does not outlast it.
   */
  private reviewStackPeriod(now: number): void {
    this.stackReviewMs = now + Math.max(STACK_REVIEW_FIRST_MS, (now - (this.stackStartMs < 0 ? now : this.stackStartMs)) * (STACK_REVIEW_GROWTH - 1));
    if (this.stackPacedCaptures === 0) return;
    const period = this.pacedPeriod(now);
    if (period >= this.stackPeriod) return;
    this.stackPeriod = period;
    const longest = 2 * period - 1, c = this.stackCountdown;
    for (let i = 0; i < c.length; i++) if (c[i]! > longest) c[i] = this.holdLength(period);
  }

  /** Site id of static call site `token` (interned, and source-mapped, on first sight). */
  private staticSite(token: number): number {
    this.staticOps++;
    const ids = this.staticIds;
    if (token < ids.length) {
      const id = ids[token]!;
      if (id >= 0) return id;
    } else {
      const grown = new Int32Array(Math.max(64, 2 * token + 2)).fill(-1);
      grown.set(ids);
      this.staticIds = grown;
    }
    const r = this.staticReg;
    if (token >= r.files.length) return -1;
    // First sight (source-mapping the site): the profiler's time, charged like a capture's.
    const t0 = this.perf.now();
    const id = (this.staticIds[token] = this.sites.intern(r.files[token]!, r.lines[token]!, r.columns[token]!));
    const ms = this.perf.now() - t0;
    this.opCaptureMs += ms;
    this.captureMs += ms;
    return id;
  }

  /** A one-time cost happened (one-time-costs.ts): taken out of the running op's duration; returns that op's name. */
  oneTimeCost(startMs: number, endMs: number): string | null {
    if (this.depth === 0 || this.activeOp === null) return null;
    this.excludedUntil = endMs;
    this.excludedTotalMs += endMs - startMs;
    return this.activeOp.name;
  }

  /** Leaves the op (either way it ended): nested dispatches are outermost again. */
  private endOp(timed: TimedBackend | null): void {
    this.depth = 0;
    this.activeId = -1;
    this.activeOp = null;
    if (timed !== null) timed.markOp(-1);
  }

  private switchBackend(b: Backend): void {
    this.lastBackend = b;
    this.lastBackendId = this.intern(b.name);
    this.lastTimed = isTimedBackend(b) ? b : null;
    if (this.lastTimed !== null && !this.timed.has(this.lastTimed)) {
      this.lastTimed.setTimingSink(this);
      this.timed.add(this.lastTimed);
    }
  }

  private dtypeId(dtype: string): number {
    if (dtype !== this.lastDtype) { this.lastDtype = dtype; this.lastDtypeId = this.intern(dtype); }
    return this.lastDtypeId;
  }

  /** Records an op; `stack` is its stack's {@link stackKey} (-1: none): the ring keeps the node, the per-node totals the key. */
  private record(id: number, st: OpState, inputs: readonly Tensor[], result: unknown, t0: number, t1: number, site: number, ctx: number, stack: number): void {
    const r = this.ring;
    const slot = r.claim(id);
    // One contiguous record per slot (ring.ts): f64 fields at fb, i32 fields at ib.
    const f = r.f, a = r.i, fb = slot * F_STRIDE, ib = slot * I_STRIDE;
    f[fb + F_START] = t0;
    f[fb + F_END] = t1;
    // op, backend, site and context are filled in from the cell at snapshot time (events()).
    const backendId = this.lastBackendId;
    let elements = 0, bytesRead = 0, bytesWritten = 0, dtype = 0;
    // Hash of the input shapes (rank and dims of every input), for first-call-per-shape detection.
    let shapeHash = 0;
    const n = inputs.length;
    // Shapes are written here rather than through ring.setShape: V8 did not inline the call, and
    // the call cost about as much as the stores (~20 ns per op in a perf profile).
    const shapes = ib + I_SHAPES;
    for (let i = 0; i < n; i++) {
      const t = inputs[i]!;
      const size = t.size;
      elements += size;
      bytesRead += size * bpe(t.dtype);
      const shape = t.shape, rank = shape.length;
      shapeHash = Math.imul(shapeHash ^ (rank + 0x9e37), 0x01000193);
      if (i < 2) {
        const at = shapes + i * SHAPE_STRIDE;
        a[at] = rank;
        for (let k = 0; k < rank && k < MAX_DIMS; k++) { const d = shape[k]!; a[at + 1 + k] = d; shapeHash = Math.imul(shapeHash ^ d, 0x01000193); }
        a[ib + I_IN0 + i] = t.id;
      } else for (let k = 0; k < rank; k++) shapeHash = Math.imul(shapeHash ^ shape[k]!, 0x01000193);
    }
    if (n > 0) dtype = this.dtypeId(inputs[0]!.dtype);
    if (n < 2) {
      a[shapes + SHAPE_STRIDE] = -1; a[ib + I_IN1] = -1;
      if (n === 0) { a[shapes] = -1; a[ib + I_IN0] = -1; }
    }
    if (result instanceof this.TensorClass) {
      const shape = result.shape, rank = shape.length, at = shapes + 2 * SHAPE_STRIDE;
      a[at] = rank;
      for (let k = 0; k < rank && k < MAX_DIMS; k++) a[at + 1 + k] = shape[k]!;
      a[at + SHAPE_STRIDE] = -1;
      bytesWritten = result.size * bpe(result.dtype);
      // Held memory per site, sampled (held.ts): stackAt has sized the per-site arrays for this site.
      if (site >= 0 && --this.heldCountdown[site]! <= 0) this.heldCountdown[site] = this.held.sample(result, site);
      if (n === 0) {
        dtype = this.dtypeId(result.dtype);
        // A creation op has no inputs: its output shape is its signature.
        for (let k = 0; k < rank; k++) shapeHash = Math.imul(shapeHash ^ shape[k]!, 0x01000193);
      }
    } else bytesWritten = this.recordOther(slot, result);
    a[ib + I_DTYPE] = dtype;
    a[ib + I_STACK] = stack >> 1;
    if (stack >= 0) this.cells.addStackOp(stack, t1 - t0);
    f[fb + F_ELEMENTS] = elements;
    f[fb + F_BYTES_READ] = bytesRead;
    f[fb + F_BYTES_WRITTEN] = bytesWritten;
    f[fb + F_GPU_START] = NaN;
    f[fb + F_GPU_END] = NaN;
    f[fb + F_UPLOAD] = this.pendingUpload;
    f[fb + F_DOWNLOAD] = this.pendingDownload;
    let cell = st.cell;
    if (st.cellBackend !== backendId || st.cellSite !== site || st.cellContext !== ctx) {
      cell = st.cell = this.cells.cellOf(st.id, backendId, site, ctx);
      st.cellBackend = backendId; st.cellSite = site; st.cellContext = ctx;
    }
    a[ib + I_CELL] = cell;
    let first = false;
    if (shapeHash !== st.lastShape) {
      st.lastShape = shapeHash;
      // Bounded: an op fed ever-new shapes stops counting first calls after MAX_SHAPES_PER_OP of them.
      if (st.shapes.size < MAX_SHAPES_PER_OP && !st.shapes.has(shapeHash)) { st.shapes.add(shapeHash); first = true; }
    }
    this.opMs += t1 - t0;
    if (t1 >= this.stackReviewMs) this.reviewStackPeriod(t1);
    this.cells.add(cell, t1 - t0, bytesRead, bytesWritten, elements, first);
    if (this.pendingUpload !== 0 || this.pendingDownload !== 0) {
      if (this.pendingUpload !== 0) this.cells.addTransfer(cell, 'upload', this.pendingUpload);
      if (this.pendingDownload !== 0) this.cells.addTransfer(cell, 'download', this.pendingDownload);
      this.pendingUpload = this.pendingDownload = 0;
    }
    this.ops++;
    if (this.opObserver !== null) this.opObserver.op(this.strings, st.id, backendId, dtype, t1 - t0, bytesRead + bytesWritten, ctx);
    if (this.starvedTimer !== null && t1 >= this.starvedTimer.dueMs) this.runStarvedTimer(this.starvedTimer, t1);
  }

  /** Streams a batch from the op path (at most 4×/s); its time is the profiler's, not the op's context's. */
  private runStarvedTimer(hook: StarvedTimerHook, t1: number): void {
    const frame = this.frameNow();
    const t0 = this.perf.now();
    hook.run(t1);
    if (frame !== null) chargeProfilerTime(frame, this.perf.now() - t0);
  }

  /** Retained events as records (fills each slot's op/backend/site/context from its cell first). */
  events(thread: number, shiftMs: number): ProfileEvent[] {
    this.resolveCellKeys();
    return this.ring.toEvents(this.strings, thread, shiftMs);
  }

  /** Retained events as columns, no object per event (see event-columns.ts); names are {@link strings}. */
  eventColumns(thread: number, shiftMs: number): EventColumns {
    this.resolveCellKeys();
    return this.ring.toColumns(this.strings, thread, shiftMs);
  }

  /**
   * Retained events as the recommendation rules read them, no object per event (see rule-columns.ts);
   * with `currentSegment` only those since {@link startSegment}.
   */
  ruleColumns(thread: number, shiftMs: number, currentSegment = false): RuleColumns {
    this.resolveCellKeys();
    return this.ring.toRuleColumns(this.strings, thread, shiftMs, currentSegment ? this.segmentFromId : 0);
  }

  /** Fills each retained slot's op/backend/site/context from its cell (the hot path writes only the cell). */
  private resolveCellKeys(): void {
    const r = this.ring, a = r.i;
    for (let id = Math.max(0, r.written - r.capacity); id < r.written; id++) {
      // keyTable, not keyOf: no array per event (exports read 1e6 of them).
      const ib = (id % r.capacity) * I_STRIDE, keys = this.cellsOf(id).keyTable, k = 4 * a[ib + I_CELL]!;
      a[ib + I_OP] = keys[k]!; a[ib + I_BACKEND] = keys[k + 1]!; a[ib + I_SITE] = keys[k + 2]!; a[ib + I_CONTEXT] = keys[k + 3]!;
    }
  }

  /** Output shapes of a non-tensor result (moments' pair, a typed array, nothing); returns its bytes. */
  private recordOther(slot: number, result: unknown): number {
    const r = this.ring;
    r.noShape(slot, 3);
    if (result !== null && typeof result === 'object' && (result as { mean?: unknown }).mean instanceof this.TensorClass) {
      const m = result as { mean: Tensor; variance: Tensor };
      r.setShape(slot, 2, m.mean.shape);
      r.setShape(slot, 3, m.variance.shape);
      return m.mean.size * bpe(m.mean.dtype) + m.variance.size * bpe(m.variance.dtype);
    }
    r.noShape(slot, 2);
    return ArrayBuffer.isView(result) ? result.byteLength : 0;
  }

  gpuTime(eventId: number, startMs: number, endMs: number, estimated = false): void {
    const slot = this.ring.slotOf(eventId);
    if (slot < 0) { this.lateGpu++; return; }
    const f = this.ring.f, fb = slot * F_STRIDE;
    f[fb + F_GPU_START] = startMs;
    f[fb + F_GPU_END] = endMs;
    const cell = this.ring.i[slot * I_STRIDE + I_CELL]!, cells = this.cellsOf(eventId);
    cells.addGpu(cell, endMs - startMs);
    // Only measured intervals go to OpenTelemetry; an estimate (no timestamp queries) would pass for a measurement there.
    if (this.opObserver !== null && !estimated) {
      const k = cells.keyOf(cell);
      this.opObserver.gpu(this.strings, k[0]!, k[1]!, this.ring.i[slot * I_STRIDE + I_DTYPE]!, endMs - startMs);
    }
  }

  transfer(eventId: number, direction: 'upload' | 'download', bytes: number): void {
    // Transfers are reported while the op runs, before record() has a slot and cell for it.
    if (eventId === this.activeId) {
      if (direction === 'upload') this.pendingUpload += bytes;
      else this.pendingDownload += bytes;
      return;
    }
    const slot = this.ring.slotOf(eventId);
    if (slot < 0) { this.lateGpu++; return; }
    this.ring.f[slot * F_STRIDE + (direction === 'upload' ? F_UPLOAD : F_DOWNLOAD)]! += bytes;
    this.cellsOf(eventId).addTransfer(this.ring.i[slot * I_STRIDE + I_CELL]!, direction, bytes);
  }

  /**
   * Records a closed context/function span (called through context.ts's span sink). The span keeps
   * its clock times (the flame places it there); its statistics take its wall time less
   * `profilerMs`, the profiler's own time inside it, ms.
   */
  span(context: number, startMs: number, endMs: number, childMs: number, profilerMs = 0): void {
    this.spans.push(context, startMs, endMs);
    const s = (this.contextStats[context] ??= { ...emptyStats(), childMs: 0 });
    addSample(s, Math.max(0, endMs - startMs - profilerMs));
    s.childMs += childMs;
  }

  /**
   * Context statistics as rows; with `open`, the frames open now (context.ts openSpans) each
   * counted once more, as {@link span} would count them if they closed now (the recorder's own
   * statistics are not changed: they wait for the real close).
   */
  contextRows(open: readonly OpenSpan[] = []): ContextCellRow[] {
    const rows = new Map<number, ContextCellRow>();
    this.contextStats.forEach((s, context) => { if (s) rows.set(context, { context, ...s }); });
    for (const o of open) {
      let row = rows.get(o.context);
      if (row === undefined) rows.set(o.context, (row = { context: o.context, ...emptyStats(), childMs: 0 }));
      addSample(row, Math.max(0, o.endMs - o.startMs - o.profilerMs));
      row.childMs += o.childMs;
    }
    return [...rows.values()];
  }

  /** Detaches from GPU backends; the next op re-attaches to its backend (switchBackend runs again). */
  detach(): void {
    for (const t of this.timed) t.setTimingSink(null);
    this.timed.clear();
    this.lastBackend = null;
    this.lastTimed = null;
  }
}

/** Call-site modes whose capture path {@link warmCapturePath} has run in this thread. */
const warmedModes = new Set<number>();
/**
 * Ops the scratch recorder of {@link warmCapturePath} observes: past SAMPLE_FIRST and STACK_FIRST (the
 * sampled countdown and a held stack are served too), and enough calls for V8 to tier the path up
 * there rather than in the first ops recorded (16 left a ~0.1 ms baseline compile in one of them).
 */
const WARM_OPS = 2 * SAMPLE_FIRST;

/**
 * Runs the capture path once per thread and mode ('sampled', 'all') before a recording in that mode
 * starts (from the constructor: enableProfiling, clearProfile, new options), on a scratch recorder.
 * A context's wall time leaves out the profiler's time (observe charges it, context.ts
 * chargeProfilerTime), timed around each op's captures; but the first ops recorded also ran the
 * rest of the path for the first time — V8 compiling each function on its first call, at the
 * held-stack and held-memory steps too, which ops that do not capture reach — and their captures
 * read the user's source maps. Five entries of a context around 4 warmed ops read 3.3 ms with
 * sampled call sites against 1.8 ms with them off, the excess in the first entry (audit 21 N10).
 * The captures here start from a frame outside the runtime (a launcher enables profiling before the
 * user's script exists, so there may be no user frame above); the user's frames above it, if any,
 * get their source maps read now rather than at the first op. Nothing reaches the real recording:
 * the scratch recorder has its own tables (enabled inside a context, its captures are charged to it).
 */
function warmCapturePath(callSites: CallSiteMode, sampleEvery: number): void {
  try {
    const probe = new Recorder(callSites, sampleEvery, 16);
    const fake = { name: 'js', device: 'cpu' } as unknown as Backend;
    const noop = (): number => 0;
    const op = (): number => probe.observe('warm-up', [], fake, noop);
    const from = outsideRuntime();
    for (let i = 0; i < WARM_OPS; i++) from(op);
    // Charging a frame (a scratch one, shaped as context.ts makes them) and sampling a held result
    // (record's first at a site; a result with no storage, which it counts nowhere): compiled once.
    const scratch: Frame = { id: 0, parent: null, startMs: 0, childMs: 0, profilerMs: 0, closed: true };
    chargeProfilerTime(scratch, 0);
    probe.held.sample({ refOrNull: null } as unknown as Tensor, 0);
  } catch {
    // A warm-up that fails leaves the first captures as they were: nothing to report.
  }
}

type Caller = (f: () => unknown) => unknown;
let outsideRuntimeFn: Caller | null = null;
/**
 * Calls `f` from a frame whose file is not the runtime's (a script of its own, node:vm), where
 * captures find a "user" frame; without node:vm (a bundle for another host), directly.
 */
function outsideRuntime(): Caller {
  if (outsideRuntimeFn === null) {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const vm = proc?.getBuiltinModule?.('node:vm') as { runInThisContext?: (code: string, o: { filename: string }) => unknown } | undefined;
    outsideRuntimeFn = vm?.runInThisContext
      ? (vm.runInThisContext('(function corepyWarmUp(f) { return f(); })', { filename: 'corepy-profiler-warm-up.js' }) as Caller)
      : (f) => f();
  }
  return outsideRuntimeFn;
}

/** Whether node `node` is `stack` or one of its callers (`parent`: the stack table's parent links). */
function isOnPath(parent: readonly number[], stack: number, node: number): boolean {
  for (let k = stack; k >= 0; k = parent[k]!) if (k === node) return true;
  return false;
}
