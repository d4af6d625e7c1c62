/**
 * ProfileStore: the per file:line model every view reads (CodeLens, heat, hovers, Hot Operations,
 * diagnostics). Fed by the debug adapter's events; no 'vscode' import so it is unit-testable and
 * serializable (persistence.ts writes {@link RunSnapshot} to the workspace storage).
 *
 * Units: ms; lines 1-based. Site stats are cumulative, so each batch REPLACES the sites. Every
 * time and share here is op time (the sum of op durations; see the contract's site-stats.ts)
 * except {@link RunSnapshot.wallTimeMs}.
 *
 * Segments: a run whose script called clearProfile() or paused the profiler has several; the run
 * keeps them all and the per-line views (lines, hot ops) and the recommendations' views
 * (diagnostics, quick fixes, Explain: {@link ProfileStore.shownRecommendations}) show the one picked
 * with {@link ProfileStore.selectSegment}, all of them by default. A script that calls clearProfile()
 * after its last op has one ended segment and empty top-level sites: the views show the segment.
 */
import { fileURLToPath } from 'node:url';
import { shareOf, type BatchSegment, type CallLineStats, type FlameProfile, type ProfileReport, type ReportSegment, type SiteStats, type SourceLocation } from 'corepy/contract';
import type { CorepyReportEventBody, ProfileBatchMessage } from './debug/protocol.js';
import { batchFromReport, keepsSegments } from './debug/report-sites.js';
import { runOutcomeOf } from './debug/run-outcome.js';
import { parseRecommendations, type Recommendation } from './recommendation.js';

export type RunStatus = 'running' | 'finished' | 'partial';

/** Everything known about one run; plain JSON. */
export interface RunSnapshot {
  /** 2: op and wall time apart (1 had one `totalMs`; persistence.ts upgrades it). */
  readonly version: 2;
  /** Absolute path of the profiled script. */
  readonly program: string;
  /** Start, ms since the epoch. */
  readonly startedAt: number;
  readonly status: RunStatus;
  readonly exitCode: number | null;
  /** Op time: the sum of op durations so far, ms (= the sum of `sites[].totalMs`). */
  readonly opTimeMs: number;
  /** Wall time profiled so far, ms, without {@link RunSnapshot.pausedMs}. */
  readonly wallTimeMs: number;
  /**
   * Time the script sat paused in the debugger (Debug and Profile: breakpoints, steps), ms; taken
   * out of `wallTimeMs` and of the report's `wallTimeMs`, never part of op time. Absent: 0.
   */
  readonly pausedMs?: number;
  /**
   * True for a run under the debugger (Debug and Profile): V8 then runs WebAssembly in unoptimised
   * debug code, so wasm op times are several times Run and Profile's. Absent: false.
   */
  readonly underDebugger?: boolean;
  /** True when the user stopped the run (its non-zero exit status is that, not a failure). Absent: false. */
  readonly stopped?: boolean;
  readonly sites: readonly SiteStats[];
  readonly recommendations: readonly Recommendation[];
  readonly flame: FlameProfile | null;
  /** The runtime's JSON report (`profileReport({ format: 'json' })`), null until/unless it arrives. */
  readonly report: ProfileReport | null;
  readonly droppedEvents: number;
  /**
   * The calling lines of the latest live batch (the runtime's sampled call stacks so far), while
   * the run has no report; the report's `callLines` supersede them. Absent: none yet.
   */
  readonly callLines?: readonly CallLineStats[];
  /**
   * Every segment of the run, oldest first, when it has more than one or its only one has ended
   * (see report-sites.ts `keepsSegments`); `sites` is then the last clearProfile's onwards (empty
   * when nothing ran after it).
   */
  readonly segments?: readonly BatchSegment[];
}

/** Which segment the per-line views show: every one, or the one with this index. */
export type SegmentChoice = 'all' | number;

/** One op at one line. */
export interface LineOp {
  readonly op: string;
  readonly backend: string;
  readonly count: number;
  readonly totalMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly bytes: number;
  /**
   * Set when this is a member op of a fused kernel (`cp.jit`) that ran from this line: the
   * kernel's op name (`fused(mul+sub)`). `totalMs` is then the member's share of the kernel's op
   * time (split equally among its ops), `count` the kernel's calls, `minMs`/`maxMs` its shares of the
   * kernel's fastest and slowest call, `bytes` 0 (the kernel's bytes stay on its own row).
   */
  readonly fusedIn?: string;
  /** Of `totalMs`, the machine's stalls, ms (SiteStats.stallMs; a fused member its share); absent: none known. */
  readonly stallMs?: number;
}

/** All ops that ran from one source line. */
export interface LineStats {
  readonly file: string;
  readonly line: number;
  readonly totalMs: number;
  readonly count: number;
  /** This line's share of the run's op time ("% of op time"), 0..1. */
  readonly share: number;
  /**
   * Of `totalMs`, what the machine took rather than the ops, ms: the stalled calls' excess over the calls around
   * them (the final report's SiteStats.stallMs; 0 before it, and when none stalled). Inside `totalMs` and `share`.
   */
  readonly stallMs: number;
  /** Ops sorted by total time, largest first. */
  readonly ops: readonly LineOp[];
}

/**
 * A line that called a function, with the op time of the ops issued inside its calls (the report's
 * `callLines`: inclusive time from the runtime's sampled call stacks). Never part of the run's op
 * time sums: those ops are on the lines that issued them too.
 */
export interface CallLine {
  readonly file: string;
  readonly line: number;
  /** Op time of the ops issued inside the calls made from this line, ms. */
  readonly opMs: number;
  readonly ops: number;
  /** Share of the run's op time (the report's `totalTimeMs`), 0..1. */
  readonly share: number;
}

/** Totals of one op name across the run (the Hot Operations view). */
export interface OpTotals {
  readonly op: string;
  readonly count: number;
  readonly totalMs: number;
  /** Share of the run's op time, 0..1. */
  readonly share: number;
  /** Lines it ran from, hottest first. */
  readonly lines: readonly LineStats[];
}

/**
 * Op and wall time of a batch. Op time is summed from the sites (what every per-line share
 * divides by), so it is right even from a runtime whose batches predate `opTimeMs`.
 * `pausedMs` (time paused in the debugger) is taken out of the wall time.
 */
function timesOf(batch: ProfileBatchMessage, pausedMs = 0): { opTimeMs: number; wallTimeMs: number } {
  const opTimeMs = batch.sites.reduce((a, s) => a + s.totalMs, 0);
  return { opTimeMs, wallTimeMs: Number.isFinite(batch.wallTimeMs) ? withoutPause(batch.wallTimeMs, pausedMs, opTimeMs) : 0 };
}

/** Wall time less the time paused in the debugger, ms; never below the op time inside it. */
export function withoutPause(wallTimeMs: number, pausedMs: number, opTimeMs: number): number {
  return Math.max(opTimeMs, wallTimeMs - pausedMs);
}

/** Call-site files may arrive as file:// URLs or paths; views key by path. */
export function normalizeFile(file: string): string {
  return file.startsWith('file://') ? fileURLToPath(file) : file;
}

/** The model. Listeners run synchronously on every change; views throttle themselves. */
export class ProfileStore {
  private snapshot: RunSnapshot | undefined;
  private byFile = new Map<string, Map<number, LineStats>>();
  private callsByFile = new Map<string, CallLine[]>();
  private listeners = new Set<() => void>();
  private shown: readonly SiteStats[] = [];
  private shownRecs: readonly Recommendation[] = [];
  private choice: SegmentChoice = 'all';

  /** The current (or last) run. */
  get run(): RunSnapshot | undefined {
    return this.snapshot;
  }

  /** Subscribes to changes; returns the unsubscribe function wrapped as a disposable. */
  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** The run's segments (empty when it has only one, still recording). */
  get segments(): readonly BatchSegment[] {
    return this.snapshot?.segments ?? [];
  }

  /** The segment the per-line views show. */
  get segment(): SegmentChoice {
    return this.choice;
  }

  /** Shows one segment (by its index) or all of them in the per-line views; an unknown index shows all. */
  selectSegment(choice: SegmentChoice): void {
    this.choice = choice === 'all' || this.segments.some((s) => s.index === choice) ? choice : 'all';
    this.set(this.snapshot);
  }

  /**
   * The sites the per-line views show: the picked segment's, every segment's together ('all'), or,
   * for a run with one segment still recording, the run's.
   */
  get shownSites(): readonly SiteStats[] {
    return this.shown;
  }

  /**
   * The recommendations the diagnostics, quick fixes and Explain show: the picked segment's own
   * (see {@link recommendationsOf}), or every one of the run ('all', and a run with one segment).
   */
  get shownRecommendations(): readonly Recommendation[] {
    return this.shownRecs;
  }

  /** A new run replaces the previous one (and shows all its segments); `underDebugger` for Debug and Profile. */
  startRun(program: string, startedAt = Date.now(), underDebugger = false): void {
    this.choice = 'all';
    this.set({
      version: 2, program, startedAt, status: 'running', exitCode: null, opTimeMs: 0, wallTimeMs: 0,
      sites: [], recommendations: [], flame: null, report: null, droppedEvents: 0, ...(underDebugger ? { underDebugger } : {}),
    });
  }

  /** A cumulative batch: replaces the sites of the running run. */
  applyBatch(batch: ProfileBatchMessage): void {
    // Batches are cumulative: one without call lines has none (yet, or since a clearProfile()).
    const { callLines: _previous, ...run } = this.snapshot ?? this.placeholder();
    this.set({ ...run, ...timesOf(batch, run.pausedMs), sites: batch.sites, droppedEvents: batch.droppedEvents, ...segmentsOf(batch, run),
      ...(batch.callLines ? { callLines: batch.callLines } : {}) });
  }

  /**
   * The running run's paused time so far (the debugger's stopped → continued spans), ms. Batches
   * and the report that arrive after it have it taken out of their wall time; the wall time shown
   * now came from a batch sent before the pause, so it stays.
   */
  setPausedMs(pausedMs: number): void {
    const run = this.snapshot;
    if (run === undefined || run.status !== 'running' || pausedMs === (run.pausedMs ?? 0)) return;
    this.set({ ...run, pausedMs });
  }

  /** The end of the run: the report (or, when partial, the last batch) becomes final. */
  finishRun(body: CorepyReportEventBody): void {
    const run = this.snapshot ?? this.placeholder();
    const batch = body.lastBatch;
    this.set({
      ...run,
      status: body.partial ? 'partial' : 'finished',
      exitCode: body.exitCode,
      ...(body.stopped ? { stopped: true } : {}),
      ...(batch ? timesOf(batch, run.pausedMs) : {}),
      sites: batch?.sites ?? run.sites,
      droppedEvents: batch?.droppedEvents ?? run.droppedEvents,
      ...(batch?.callLines ? { callLines: batch.callLines } : {}),
      ...finalSegmentsOf(batch, body.report, run),
      recommendations: locatedRecommendations(body.recommendations),
      flame: body.flame,
      report: body.report === null ? null : {
        ...body.report,
        ...(run.pausedMs ? { wallTimeMs: withoutPause(body.report.wallTimeMs, run.pausedMs, body.report.totalTimeMs) } : {}),
        // How the script ended, as `corepy profile` says it in the report (exports of this run carry it).
        run: runOutcomeOf(run.program, body),
      },
    });
  }

  /** Restores a persisted run (or clears with undefined). */
  load(snapshot: RunSnapshot | undefined): void {
    this.choice = 'all';
    this.set(snapshot);
  }

  clear(): void {
    this.set(undefined);
  }

  /** Lines of one file that ran ops, in line order. */
  linesFor(file: string): LineStats[] {
    return [...(this.byFile.get(file)?.values() ?? [])].sort((a, b) => a.line - b.line);
  }

  lineAt(file: string, line: number): LineStats | undefined {
    return this.byFile.get(file)?.get(line);
  }

  /** Lines of one file that called functions inside which ops ran (see {@link callLinesOf}), in line order. */
  callLinesFor(file: string): readonly CallLine[] {
    return this.callsByFile.get(file) ?? [];
  }

  /** Recommendations of the run (every segment's, whichever is shown) located in `file`. */
  recommendationsFor(file: string): Recommendation[] {
    return (this.snapshot?.recommendations ?? []).filter((r) => r.location.file === file);
  }

  /** Op totals across the run, hottest first. */
  hotOps(): OpTotals[] {
    const all = [...this.byFile.values()].flatMap((m) => [...m.values()]);
    const total = this.totalOpMs();
    const byOp = new Map<string, { count: number; totalMs: number; lines: LineStats[] }>();
    for (const s of this.shown) {
      const t = byOp.get(s.op) ?? { count: 0, totalMs: 0, lines: [] };
      t.count += s.count;
      t.totalMs += s.totalMs;
      byOp.set(s.op, t);
    }
    // A fused kernel's member lines are listed under the kernel (that is where their time is counted).
    for (const l of all) {
      for (const o of l.ops) {
        const lines = byOp.get(o.fusedIn ?? o.op)?.lines;
        if (lines !== undefined && !lines.includes(l)) lines.push(l);
      }
    }
    return [...byOp.entries()]
      .map(([op, t]) => ({
        op, count: t.count, totalMs: t.totalMs, share: shareOf(t.totalMs, total),
        lines: t.lines.sort((a, b) => b.totalMs - a.totalMs),
      }))
      .sort((a, b) => b.totalMs - a.totalMs);
  }

  private totalOpMs(): number {
    let t = 0;
    for (const s of this.shown) t += s.totalMs;
    return t;
  }

  private placeholder(): RunSnapshot {
    return {
      version: 2, program: '', startedAt: Date.now(), status: 'running', exitCode: null, opTimeMs: 0, wallTimeMs: 0,
      sites: [], recommendations: [], flame: null, report: null, droppedEvents: 0,
    };
  }

  private set(snapshot: RunSnapshot | undefined): void {
    this.snapshot = snapshot;
    this.shown = sitesOf(snapshot, this.choice);
    this.shownRecs = recommendationsOf(snapshot, this.choice);
    this.byFile = indexByLine(this.shown);
    this.callsByFile = callLinesOf(snapshot);
    for (const l of [...this.listeners]) l();
  }
}

/** A batch's segments: its own when it has them, else none (a batch without them has one segment, still recording). */
function segmentsOf(batch: ProfileBatchMessage, run: RunSnapshot): { segments?: readonly BatchSegment[] } {
  if (Array.isArray(batch.segments) && keepsSegments(batch.segments)) return { segments: batch.segments };
  return run.segments ? { segments: undefined } : {};
}

/**
 * The segments of a run that ended: the final batch's, else the report's (Debug and Profile may
 * end with a streamed batch sent before a last clearProfile(), which has none), else as they were.
 */
function finalSegmentsOf(batch: ProfileBatchMessage | null, report: ProfileReport | null, run: RunSnapshot): { segments?: readonly BatchSegment[] } {
  if (batch && Array.isArray(batch.segments) && keepsSegments(batch.segments)) return { segments: batch.segments };
  const fromReport = batchFromReport(report, 0)?.segments;
  if (keepsSegments(fromReport)) return { segments: fromReport };
  return batch ? segmentsOf(batch, run) : {};
}

/** Ops the run recorded: every kept segment's, else its sites' (0 for a script that ran none). Pure. */
export function opCountOf(run: RunSnapshot): number {
  const sites = keepsSegments(run.segments) ? run.segments!.flatMap((s) => s.sites) : run.sites;
  return sites.reduce((n, s) => n + s.count, 0);
}

/**
 * The sites of `choice` in `run`: one segment's, or every segment's one after another (the views
 * merge them per line and op). Without segments, the run's own. Pure.
 */
export function sitesOf(run: RunSnapshot | undefined, choice: SegmentChoice): readonly SiteStats[] {
  if (run === undefined) return [];
  const segments = run.segments ?? [];
  if (!keepsSegments(segments)) return run.sites;
  const picked = choice === 'all' ? undefined : segments.find((s) => s.index === choice);
  return picked ? picked.sites : segments.flatMap((s) => s.sites);
}

/** The well-formed, located recommendations of a payload from the runtime, their files as paths. Pure. */
function locatedRecommendations(payload: unknown): Recommendation[] {
  return parseRecommendations(payload).map((r) => ({ ...r, location: { ...r.location, file: normalizeFile(r.location.file) } }));
}

/**
 * The recommendations of `choice` in `run`, from its report (the runtime sends every segment's
 * together, `run.recommendations`, and ties each to its segment only in the report):
 * - 'all', a run with one segment, or an unknown segment: `run.recommendations`, every one;
 * - an ended segment: its own `segments[i].recommendations` (estimates relative to its op time),
 *   none when the runtime kept none for it (its events were past the rules' limit);
 * - the current (last) segment: the report's top-level `recommendations`, which the runtime
 *   computes from the recording since the last clearProfile() (so a segment that a pause ended
 *   after that clear shares them with the current one);
 * - a picked segment of a run without a report (killed): none (`run.recommendations` is empty too).
 * Each keeps its own location (file and line), as in `run.recommendations`. Pure.
 */
export function recommendationsOf(run: RunSnapshot | undefined, choice: SegmentChoice): readonly Recommendation[] {
  if (run === undefined) return [];
  const segments = run.segments ?? [];
  if (choice === 'all' || !keepsSegments(segments) || !segments.some((s) => s.index === choice)) return run.recommendations;
  const report = run.report;
  const reportSegments: unknown[] = Array.isArray(report?.segments) ? report.segments : [];
  const seg = reportSegments.find((s): s is ReportSegment => typeof s === 'object' && s !== null && (s as ReportSegment).index === choice);
  if (report === null || seg === undefined) return [];
  if (Array.isArray(seg.recommendations)) return locatedRecommendations(seg.recommendations);
  return seg.current ? locatedRecommendations(report.recommendations) : [];
}

/**
 * Per-line entries of one site: the site's op on its own line, and for a fused kernel each member
 * op on the line that called it, with its share (labelled by `fusedIn`). Shares never enter the
 * run's op time: the kernel's whole time stays on the line that called the jitted function.
 */
function lineEntriesOf(s: SiteStats): { location: SourceLocation; op: LineOp }[] {
  const out: { location: SourceLocation; op: LineOp }[] = [];
  if (s.location !== null) {
    out.push({ location: s.location, op: { op: s.op, backend: s.backend, count: s.count, totalMs: s.totalMs, minMs: s.minMs, maxMs: s.maxMs, bytes: s.bytes, ...stallOf(s.stallMs, 1) } });
  }
  for (const m of s.fusedMembers ?? []) {
    if (m.location === null) continue;
    const part = s.totalMs > 0 ? m.shareMs / s.totalMs : 0;
    out.push({ location: m.location, op: { op: m.op, backend: s.backend, count: s.count, totalMs: m.shareMs, minMs: s.minMs * part, maxMs: s.maxMs * part, bytes: 0, fusedIn: s.op, ...stallOf(s.stallMs, part) } });
  }
  return out;
}

/** `{ stallMs }` for `part` (0..1) of a site's stalls `ms`, or nothing when it had none (a crossed report may carry any value). */
function stallOf(ms: number | undefined, part: number): { stallMs?: number } {
  return typeof ms === 'number' && ms > 0 ? { stallMs: ms * part } : {};
}

/** Groups sites by file and line (columns merged: one lens per line); fused kernels' members on their own lines. Pure. */
export function indexByLine(sites: readonly SiteStats[]): Map<string, Map<number, LineStats>> {
  let total = 0;
  for (const s of sites) total += s.totalMs;
  const acc = new Map<string, Map<number, Map<string, LineOp>>>();
  for (const s of sites) {
    for (const { location, op: o } of lineEntriesOf(s)) {
      const file = normalizeFile(location.file);
      const lines = acc.get(file) ?? new Map<number, Map<string, LineOp>>();
      acc.set(file, lines);
      const ops = lines.get(location.line) ?? new Map<string, LineOp>();
      lines.set(location.line, ops);
      const key = `${o.op}\u0000${o.backend}\u0000${o.fusedIn ?? ''}`;
      const prev = ops.get(key);
      ops.set(key, prev === undefined ? o : {
        ...prev, count: prev.count + o.count, totalMs: prev.totalMs + o.totalMs,
        minMs: Math.min(prev.minMs, o.minMs), maxMs: Math.max(prev.maxMs, o.maxMs), bytes: prev.bytes + o.bytes,
        ...stallOf((prev.stallMs ?? 0) + (o.stallMs ?? 0), 1),
      });
    }
  }
  const out = new Map<string, Map<number, LineStats>>();
  for (const [file, lines] of acc) {
    const m = new Map<number, LineStats>();
    for (const [line, ops] of lines) {
      const list = [...ops.values()].sort((a, b) => b.totalMs - a.totalMs);
      const totalMs = list.reduce((a, o) => a + o.totalMs, 0);
      m.set(line, {
        file, line, totalMs, count: list.reduce((a, o) => a + o.count, 0),
        share: shareOf(totalMs, total), stallMs: list.reduce((a, o) => a + (o.stallMs ?? 0), 0), ops: list,
      });
    }
    out.set(file, m);
  }
  return out;
}

/**
 * The run's calling lines by file, in line order: from its final report, or while it runs (or when
 * it ended with no report) from its latest batch. None for a run with kept segments: `callLines`
 * cover the recording since the last clearProfile(), not what the per-line views show (a segment,
 * or every segment). Pure.
 */
export function callLinesOf(run: RunSnapshot | undefined): Map<string, CallLine[]> {
  const out = new Map<string, CallLine[]>();
  const rows = run?.report?.callLines ?? run?.callLines;
  if (!Array.isArray(rows) || keepsSegments(run!.segments)) return out;
  for (const r of rows) {
    const file = normalizeFile(r.location.file);
    const list = out.get(file) ?? [];
    out.set(file, list);
    list.push({ file, line: r.location.line, opMs: r.opMs, ops: r.ops, share: r.percent / 100 });
  }
  for (const list of out.values()) list.sort((a, b) => a.line - b.line);
  return out;
}
