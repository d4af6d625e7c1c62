/**
 * The JSON report (`profileReport({ format: 'json' })`, documented by
 * runtime/schemas/profile-report.schema.json) and the statistics rows it is made of. The report
 * crosses to the extension whole (IPC → debug adapter → persisted run), so its type lives here.
 *
 * Units: times in milliseconds (ms), bytes in bytes, percentages 0–100, line/column 1-based.
 */
import type { SourceLocation } from './flame.js';
import type { ReportedCallSiteMode } from './names.js';
import type { Recommendation } from './recommendation.js';

/** Statistics of one op (optionally at one call site). Times in ms, bytes in bytes. */
export interface OpStats {
  readonly op: string;
  /** Backends the op ran on, in first-use order. */
  readonly backends: string[];
  readonly count: number;
  readonly totalMs: number;
  readonly meanMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly stddevMs: number;
  /** Share of the total op time ("% of op time"), 0–100. */
  readonly percent: number;
  readonly bytesRead: number;
  readonly bytesWritten: number;
  /** Input elements over all calls. */
  readonly elements: number;
  /** GPU execution time reported by timed backends, ms. */
  readonly gpuMs: number;
  readonly uploadBytes: number;
  readonly downloadBytes: number;
  /**
   * Mean of the steady-state calls, ms: every call except each op × input-shape's first. null when
   * every call was a first call (then `meanMs` is the only figure; one-time costs are already out of it).
   */
  readonly steadyMeanMs: number | null;
  /**
   * Population standard deviation of those steady-state calls, ms; null with `steadyMeanMs`, and in
   * reports that do not tell first calls apart. What a baseline comparison judges noise by.
   */
  readonly steadyStddevMs?: number | null;
  /**
   * Median of those steady-state calls' times and their median absolute deviation, ms: present when
   * every call of the op is among the retained events (none overwritten, whole report). Robust to a
   * few delayed calls, so what a baseline comparison prefers.
   */
  readonly steadyMedianMs?: number;
  readonly steadyMadMs?: number;
  /** Calls that were first calls of their op × input shapes, and their summed time, ms. */
  readonly firstCallCount: number;
  readonly firstCallMs: number;
  /** True when most of `totalMs` is the first calls' excess over steady state (a warm-up cost, not the op's speed). */
  readonly mostlyFirstCall: boolean;
}

/**
 * One member op of a fused kernel (`cp.jit`), at the user's line that called it inside the jitted
 * function. A fused kernel runs its members together, so they cannot be timed apart: `shareMs` is
 * the kernel row's op time split EQUALLY among its member ops (each member visits the group's
 * elements once). The shares sum to the kernel row's `totalMs`; they are a view of that row, never
 * added to any total.
 */
export interface FusedMemberShare {
  /** The member op (e.g. `mul`), as it would be recorded eagerly. */
  readonly op: string;
  /** The line that called it when the function was traced; null when unknown. */
  readonly location: SourceLocation | null;
  /** Its share of the kernel row's op time, ms. */
  readonly shareMs: number;
}

/** An op at one call site (`location` null when call sites were off or unsampled). */
export interface SiteOpStats extends OpStats {
  readonly site: number;
  readonly location: SourceLocation | null;
  /**
   * For a fused kernel's row (`op` is `fused(a+b+…)`, run by `cp.jit`): its member ops, their lines
   * and shares, in execution order. Absent for every other op, and when the kernel's members are
   * not known in this process.
   */
  readonly fusedMembers?: readonly FusedMemberShare[];
  /**
   * Of `totalMs`, what the machine took rather than the op, ms: the summed excess of this site's stalled calls
   * over the calls around them (profiler/rules/stalls.ts: the process descheduled mid-call; GC pauses are not
   * stalls). Counted among the retained events only, so a lower bound when the ring dropped some. Present (> 0)
   * only when there were stalls; absent in a context's report. The recommendations leave it out of their figures.
   */
  readonly stallMs?: number;
}

/** Statistics of a named context (all nodes with this name merged). Wall times in ms. */
export interface ContextStats {
  readonly name: string;
  readonly kind: 'context' | 'function';
  /** Times the context was entered. */
  readonly count: number;
  /** Wall time inside the context (spans), ms. */
  readonly totalTimeMs: number;
  /** Wall time minus nested contexts/functions, ms. */
  readonly selfTimeMs: number;
  readonly meanMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly stddevMs: number;
  /**
   * Median and median absolute deviation of the entries' wall times (as `meanMs`: the profiler's own
   * captures left out), ms: present when the context was entered twice or more and every entry's span
   * was retained (none overwritten in the span ring, none on a worker thread); in a context's report,
   * over the entries it counts. Baselines judge contexts on these: one entry the scheduler stalled
   * moves `meanMs` and `stddevMs`, not the median.
   */
  readonly medianMs?: number;
  readonly madMs?: number;
  /** Share of the profiled wall time ("% of wall time"), 0–100. */
  readonly percent: number;
  /** Ops issued inside (nested contexts included) and their time, ms. */
  readonly opCount: number;
  readonly opTimeMs: number;
  /** Op time issued directly in this context (not in a nested one), ms. */
  readonly selfOpTimeMs: number;
}

/**
 * Inclusive op time of one CALLING line: a line where a user function called another user function
 * (`model.forward(x)` in main.ts, `main()` at a module's top level), as line profilers show time on
 * the lines that call. Built from the user call stacks (stacks.ts), which are sampled per op line
 * (names.ts STACK_FIRST): each recorded op that carries a stack counts once for every distinct line
 * its stack passes through (recursion counts once), every op of the report's segments (the recorder
 * keeps per-stack totals: ops the event ring no longer holds count too), the sampled ops' stacks as
 * recorded.
 * A line's own ops (it issues `x.add(y)` itself) are its `callSites` rows, never counted here: a line
 * that both issues ops and calls a function has both, and they do not overlap.
 */
export interface CallLineStats {
  /** The calling line (source-mapped; column of the first call seen on it). */
  readonly location: SourceLocation;
  /** Op time of the ops issued inside the calls made from this line, ms. */
  readonly opMs: number;
  /** Those ops. */
  readonly ops: number;
  /** `opMs` as a share of the report's op time (`totalTimeMs`), 0–100. */
  readonly percent: number;
}

/** Version of the report's JSON shape; baselines and consumers check it. */
export const REPORT_SCHEMA_VERSION = 1;

/** The profiler's own cost during this recording. */
export interface OverheadInfo {
  /** Measured recorder cost per op (no call site), ns. */
  readonly perOpNs: number;
  /** Measured extra cost per call-site capture, ns. */
  readonly perCaptureNs: number;
  /** perOpNs × ops + perCaptureNs × captures + the call stacks' capture time, ms. */
  readonly estimatedMs: number;
  /** estimatedMs as a share of the recorded op time, 0–100. */
  readonly percentOfOpTime: number;
}

/**
 * User call stacks (names.ts STACK_FIRST): exact for the first STACK_FIRST ops at each line,
 * sampled after that; none when call sites are off.
 */
export interface CallStacksInfo {
  /** V8 stack captures made. */
  readonly captures: number;
  /** Time they took, ms, timed as they happened (part of {@link OverheadInfo.estimatedMs}). */
  readonly captureMs: number;
  /**
   * Of that, what the pacing counted against its budget, ms: captures after each line's first
   * STACK_FIRST, source-map reads left out, a stalled capture counted as at most a few typical ones.
   * Absent before any capture and in reports from before it.
   */
  readonly pacedMs?: number;
  /**
   * The budget at the report, ms: STACK_BUDGET of the recording's time plus the one-time allowance.
   * Past 4× it (pacedMs), holds between captures widen: up to a line's ops so far, and at most a
   * time that keeps one forced capture per line within the budget's share.
   */
  readonly budgetMs?: number;
  /** Captures that ended a hold for its length in run time (a line with one caller at a time). */
  readonly timedOut?: number;
  /**
   * That length at the report, ms: a line with one caller at a time is captured at least this often
   * while it runs, so a caller that takes over is seen within it (lines × the least typical capture
   * cost seen ÷ STACK_BUDGET, at least 10 ms; the longest of the threads').
   */
  readonly holdMs?: number;
}

/** What kind of one-time work: kernel compilation, linear-memory growth, GPU pipeline creation. */
export type OneTimeCostKind = 'compile' | 'memory' | 'pipeline';

/** GC pauses while profiling: count, total and the part inside recorded ops, ms. */
export interface GcPauseSummary {
  readonly count: number;
  readonly totalMs: number;
  /** Pause time inside the retained op events of this thread, ms (part of their op times). */
  readonly inOpsMs: number;
}

/** One-time costs with the same name, merged. Times in ms, bytes in bytes. */
export interface OneTimeCostRow {
  /** "compile wasm kernels (simd, eager)", "grow wasm memory +4 MB", … */
  readonly name: string;
  readonly kind: OneTimeCostKind;
  readonly count: number;
  readonly totalMs: number;
  readonly bytes: number;
  /** Ops that were running when it happened (their times exclude it); empty when it ran at load or between ops. */
  readonly duringOps: string[];
  /**
   * Of `totalMs`, what the machine took rather than the work, ms: the process descheduled in the middle of it
   * (measured for the first touch of new wasm memory, timed in pieces). Absent when none was found or measured.
   * The undisposed-tensors and loop-invariant rules leave it out of their savings.
   */
  readonly stallMs?: number;
}

/**
 * Results one call site created and did not release: how many at most at once, and how many when
 * the report was made. Counts are exact for a site's first HELD_EXACT results, then sampled (one
 * result marked for each hold of about HELD_PERIOD, counted for its whole hold where the site's
 * previous mark is still held, else as one until it outlives the next hold): a pile-up reads within
 * about a hold (< 2·HELD_PERIOD) of the truth, and a site whose results are each disposed before the
 * next hold ends counts them one at a time. Each
 * site's peak is its own high-water mark, not a share of `MemorySummary.peakBytes` (sites peak at
 * different moments). Bytes in bytes.
 */
export interface HeldSite {
  /** Where they were created (null for a site without a location). */
  readonly location: SourceLocation | null;
  /** The ops recorded at that site. */
  readonly ops: string[];
  /**
   * The most of its results held at once (disposed neither by the script nor a `tidy` scope, and not yet
   * collected), and their bytes. A loop that never releases its results piles them up here even when the
   * garbage collector frees them before the report.
   */
  readonly peakTensors: number;
  readonly peakBytes: number;
  /** Results not freed when the report was made, and their bytes. */
  readonly tensors: number;
  readonly bytes: number;
  /** Calls recorded at the site since the last clearProfile (how many results it made). */
  readonly calls: number;
}

/** Tensor memory when the report was made. Bytes in bytes. */
export interface MemorySummary {
  /** Live tensors and their storages' bytes, whoever created them (memory() at the report). */
  readonly liveTensors: number;
  readonly liveBytes: number;
  /** Most bytes live at once since profiling began or the last clearProfile. */
  readonly peakBytes: number;
  /** Sites that held results, most bytes at once first (at most 10; none when call sites are off). */
  readonly heldBySite: HeldSite[];
}

/**
 * What began a segment: the first enableProfiling of the process ('start'), a clearProfile()
 * ('clear'), or enableProfiling() after disableProfiling() ('enable').
 */
export type SegmentCause = 'start' | 'clear' | 'enable';

/**
 * One segment of a run: the ops recorded between two boundaries (clearProfile, or a
 * disableProfiling … enableProfiling pause). A script that profiles a "before" and an "after"
 * loop has both here even though clearProfile() forgot the first for the top-level figures.
 * Times in ms.
 */
export interface ReportSegment {
  /** 0-based position in the process's run (segments with no op are not counted). */
  readonly index: number;
  readonly cause: SegmentCause;
  /** True for the segment being recorded now (the last one). */
  readonly current: boolean;
  /** Start and end on the process's performance.now() clock, ms; the current segment ends at the report. */
  readonly startMs: number;
  readonly endMs: number;
  /** Op time: the sum of this segment's op durations, ms. */
  readonly totalTimeMs: number;
  readonly opCount: number;
  /**
   * This segment's raw events that the event ring (`maxEvents`, default 100 000) no longer held when
   * it ended — or now, for the current segment; the whole segment's, in a context's report too. Its
   * per-op and per-line figures stay exact (kept as statistics), but its recommendations saw only
   * the events after these (in a whole-recording report, its last `opCount − droppedEvents`).
   * Events of earlier segments overwritten during this one are not counted. Absent in a report
   * rebuilt from a streamed batch, which does not carry it.
   */
  readonly droppedEvents?: number;
  /** Per op and per op × call site, as the top-level `operations` / `callSites` (percentages of this segment's op time). */
  readonly operations: OpStats[];
  readonly callSites: SiteOpStats[];
  /**
   * The contexts and profiled functions entered in this segment, by name (as the report's `contexts`);
   * absent when none was, or when the segment shares its recorder with an earlier one (profiling
   * paused and resumed: their context figures are not told apart). A context open at the clear that
   * ended the segment is counted up to the clear here, and whole in the segment it ends in.
   */
  readonly contexts?: Record<string, ContextStats>;
  /**
   * An ended segment's own recommendations (estimates relative to this segment's op time), when its
   * retained events were kept; absent on the current segment, whose are the report's
   * `recommendations`, and in reports restricted to a context.
   */
  readonly recommendations?: Recommendation[];
}

/**
 * The report's recommendations, then those of its ended segments (oldest first) that it does not
 * already have (by id): everything a run found, for views that show every segment. Pure.
 */
export function everyRecommendation(report: Pick<ProfileReport, 'recommendations' | 'segments'>): Recommendation[] {
  const seen = new Set(report.recommendations.map((r) => r.id));
  const out = [...report.recommendations];
  for (const s of report.segments ?? []) {
    for (const r of s.recommendations ?? []) if (!seen.has(r.id)) { seen.add(r.id); out.push(r); }
  }
  return out;
}

/** `profileReport({ format: 'json' })`. Times in ms, bytes in bytes. */
export interface ProfileReport {
  readonly schemaVersion: typeof REPORT_SCHEMA_VERSION;
  /** `corepy <version>`. */
  readonly exporter: string;
  /** ISO time the report was made. */
  readonly generatedAt: string;
  /** The context the report is restricted to, or null. */
  readonly context: string | null;
  /** Op time: the sum of op durations, ms. */
  readonly totalTimeMs: number;
  /** Wall time: from enableProfiling to the report, ms. */
  readonly wallTimeMs: number;
  readonly opCount: number;
  /** Raw events overwritten in the ring (statistics stay exact). */
  readonly droppedEvents: number;
  /**
   * How the per-line figures were obtained: `exact` when every op's line was numbered at load (static call
   * sites, `staticSiteOps` = `opCount`; the "Call sites: exact" line), else the capture option the ops not
   * numbered at load were recorded with (`all`, `sampled`, `off`). A context's report says the option (its
   * ops are not counted apart). Reports before `exact` said the option there too.
   */
  readonly callSiteMode: ReportedCallSiteMode;
  /**
   * Ops whose line is exact because the profiled launch numbered their call at load (static call
   * sites; no stack capture, whatever `callSiteMode` says of the others). Absent in older reports.
   */
  readonly staticSiteOps?: number;
  /** How the user call stacks behind the flame graph's function frames were captured; absent in older reports. */
  readonly callStacks?: CallStacksInfo;
  readonly sampleEvery: number;
  readonly threads: number[];
  /**
   * The profiler's own measured cost in this recording: per op and per call-site capture (ns), the
   * estimated total (ms) and its share of op time (%). All zeros in a report rebuilt from a
   * streamed batch, which does not carry it.
   */
  readonly overhead: OverheadInfo;
  /** Per op, in first-use order; `slowest` marks the op with the largest total, or GPU time where that is larger (format-gpu.ts `costMs`). */
  readonly operations: (OpStats & { readonly slowest: boolean })[];
  /** Per op × call site. */
  readonly callSites: SiteOpStats[];
  /**
   * Per calling line, most op time first (see {@link CallLineStats}): absent in a context's report, in
   * reports built without raw events (a CSV export's) and in reports of runtimes before call lines;
   * empty when no stack was captured (call sites off).
   */
  readonly callLines?: CallLineStats[];
  /**
   * Per context name (Example 4: `report.contexts[name].totalTimeMs`). In a context's report
   * (`context` set), that context and the contexts and functions nested in it only.
   */
  readonly contexts: Record<string, ContextStats>;
  readonly recommendations: Recommendation[];
  /**
   * One-time work (kernel compilation, memory growth, GPU pipelines) since the last clearProfile,
   * load included: never part of any op's time above. Merged by name. Empty in a context's report
   * (see `oneTimeOmittedMs`).
   */
  readonly oneTimeCosts: OneTimeCostRow[];
  /** Sum of the one-time costs, ms. */
  readonly oneTimeTotalMs: number;
  /**
   * In a context's report only: the whole recording's one-time costs, ms, which it does not list.
   * They belong to no op, and the report's snapshot holds no context spans to tell which ran while
   * the context was open (the timeline exports hold the spans and keep those). Absent otherwise.
   */
  readonly oneTimeOmittedMs?: number;
  /**
   * The JS engine's garbage-collection pauses on the reporting thread since the last clearProfile
   * (absent where they cannot be observed — browsers — and from reports built without raw events,
   * such as a CSV export's). Op times include a pause that landed inside an op (the user waited
   * there); `inOpsMs` says how much of the op time that was.
   */
  readonly gcPauses?: GcPauseSummary;
  /** Tensor memory: live at the report, the peak, and which lines held their results (absent in older reports). */
  readonly memory?: MemorySummary;
  /**
   * Every segment of the run, oldest first, the current one last (absent in reports of runtimes
   * before segments). The top-level figures above cover the recording since the last
   * clearProfile() — the segments after it — and the segments before it stay here.
   */
  readonly segments?: ReportSegment[];
  /** Oldest segments left out of `segments` (at most MAX_SEGMENTS are kept per process). */
  readonly droppedSegments?: number;
  /**
   * The report is PARTIAL for these worker threads: asked for their recording when the script
   * ended or was stopped, they did not answer (blocked outside JavaScript — a system call, native
   * code — or ended without their exit share), so their ops after their last share are not in it.
   * Absent when every worker answered, and in reports a script asks for itself (profileReport()).
   */
  readonly unansweredWorkers?: readonly UnansweredWorker[];
  /**
   * How the profiled script ended, set by the launcher that saw it end (`corepy profile`): whether the
   * figures cover a whole run or only what ran before it failed or was stopped. Absent in reports a script
   * asks for itself (profileReport()), which are made while it runs.
   */
  readonly run?: RunOutcome;
}

/** How a profiled script ended (see `ProfileReport.run`). */
export interface RunOutcome {
  /**
   * 'completed': exit status 0; 'stopped': the launcher stopped it (Ctrl-C, forwarded as SIGINT/SIGTERM) —
   * the report covers what ran until then; 'failed': any other non-zero status or signal (an uncaught
   * error, `process.exit(n)`, killed) — the report covers what ran before.
   */
  readonly outcome: 'completed' | 'failed' | 'stopped';
  /** The script's exit status: 0, 1 for an uncaught error, n for `process.exit(n)`, 128 + n for signal n. */
  readonly exitCode: number;
  /** The signal that ended or stopped it, if one did (`SIGINT`, `SIGKILL`, …). */
  readonly signal?: string;
  /**
   * True when the script ended without its final report (killed, out of memory) and the report was rebuilt
   * from its last streamed batch: counts and times stop there (the CLI prints PARTIAL). Absent: false.
   */
  readonly partial?: true;
  /** The uncaught error it ended by, if any. */
  readonly error?: RunError;
}

/**
 * {@link RunOutcome.outcome} of a run: 'stopped' when its launcher stopped it (whatever status that left),
 * 'failed' for any other non-zero exit status or a signal, else 'completed'. The one rule of `corepy profile`
 * (cli-outcome.ts) and the extension's launches (extension/src/debug/run-outcome.ts).
 */
export function outcomeOf(stopped: boolean, exitCode: number, signal: string | null | undefined): RunOutcome['outcome'] {
  return stopped ? 'stopped' : exitCode !== 0 || signal ? 'failed' : 'completed';
}

/** An uncaught error a profiled script ended by. */
export interface RunError {
  /** Its message line as Node prints it (`Error: boom`, `SyntaxError: …`). */
  readonly message: string;
  /** Where it was thrown in the script's code (uncaught.ts `readUncaught`: a syntax error's place, else the first stack frame outside corepy and node_modules); absent when not known. */
  readonly location?: SourceLocation;
}

/** A worker thread whose latest ops a final report lacks (see `ProfileReport.unansweredWorkers`). */
export interface UnansweredWorker {
  /** The worker's threadId (as in `threads`). */
  readonly thread: number;
  /** Time from the worker's last share of its statistics to the report, ms. */
  readonly lastShareAgoMs: number;
}
