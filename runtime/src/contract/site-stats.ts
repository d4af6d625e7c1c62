/**
 * Per-line figures and the names of their bases. ONE conversion ({@link siteStatsOf} /
 * {@link batchOf}) turns the aggregate's per-(op, call site) rows into what the editor views show,
 * for the live stream (runtime/src/profiler/ipc.ts) and for the final report
 * (extension/src/debug/report-sites.ts) alike, so a line's figures do not change meaning when a
 * run ends.
 *
 * Two bases exist and every UI string names the one it uses:
 * - **op time**: the sum of op durations (time inside tensor ops). CodeLens, hovers, Hot
 *   Operations, the status bar, CSV and the text report use it; their percentages are "% of op time".
 * - **wall time**: elapsed time from enableProfiling to the report, ops or not. The flame graph
 *   and the HTML export draw a timeline, so their percentages are "% of wall time".
 */
import type { SourceLocation } from './flame.js';
import type { BatchSegment, ProfileBatchMessage, SiteStats } from './ipc.js';
import { HELD_LISTED } from './names.js';
import type { FusedMemberShare, HeldSite, MemorySummary, SegmentCause } from './report.js';

/** The names of the two time bases, exactly as UI strings print them. */
export const TIME_BASE = {
  /** Sum of op durations. */
  op: 'op time',
  /** Elapsed profiled time. */
  wall: 'wall time',
} as const;

/** One of the {@link TIME_BASE} keys. */
export type TimeBase = keyof typeof TIME_BASE;

/** Joins the backends of one site in {@link SiteStats.backend}. */
export const BACKEND_SEPARATOR = '/';

/** The fields of an aggregate row (`report.callSites[i]`, SiteOpStats) that {@link siteStatsOf} reads. */
export interface SiteRow {
  readonly op: string;
  readonly backends: readonly string[];
  readonly location: SourceLocation | null;
  readonly count: number;
  readonly totalMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly bytesRead: number;
  readonly bytesWritten: number;
  /** A fused kernel's members (SiteOpStats.fusedMembers). */
  readonly fusedMembers?: readonly FusedMemberShare[];
  /** Of `totalMs`, the machine's stalls, ms (SiteOpStats.stallMs; the report's rows only). */
  readonly stallMs?: number;
}

/** The per-line statistics of aggregate rows. Pure. */
export function siteStatsOf(rows: readonly SiteRow[]): SiteStats[] {
  return rows.map((s) => ({
    op: s.op, backend: s.backends.join(BACKEND_SEPARATOR), location: s.location, count: s.count,
    totalMs: s.totalMs, minMs: s.minMs, maxMs: s.maxMs, bytes: s.bytesRead + s.bytesWritten,
    ...(s.fusedMembers !== undefined ? { fusedMembers: s.fusedMembers } : {}),
    ...(typeof s.stallMs === 'number' && s.stallMs > 0 ? { stallMs: s.stallMs } : {}),
  }));
}

/** What a batch is made of: the aggregate's totals and rows (ms). */
export interface BatchInput {
  /** Op time, ms. */
  readonly opTimeMs: number;
  /** Wall time, ms. */
  readonly wallTimeMs: number;
  readonly rows: readonly SiteRow[];
  readonly droppedEvents: number;
  /** Every segment's rows when the run has more than one (see {@link ProfileBatchMessage.segments}). */
  readonly segments?: readonly SegmentRows[];
}

/** One segment's aggregate rows (op time in ms). */
export interface SegmentRows {
  readonly index: number;
  readonly cause: SegmentCause;
  readonly current: boolean;
  readonly opTimeMs: number;
  readonly rows: readonly SiteRow[];
}

/** A segment as a batch carries it. Pure. */
export function batchSegmentOf(s: SegmentRows): BatchSegment {
  return { index: s.index, cause: s.cause, current: s.current, opTimeMs: s.opTimeMs, sites: siteStatsOf(s.rows) };
}

/** A cumulative batch message. Pure. */
export function batchOf(seq: number, input: BatchInput): ProfileBatchMessage {
  return {
    type: 'corepyProfile', seq, opTimeMs: input.opTimeMs, wallTimeMs: input.wallTimeMs,
    sites: siteStatsOf(input.rows), droppedEvents: input.droppedEvents,
    ...(input.segments && input.segments.length > 1 ? { segments: input.segments.map(batchSegmentOf) } : {}),
  };
}

/** `part` as a share of `whole`, 0..1 (0 when `whole` is not positive). */
export function shareOf(part: number, whole: number): number {
  return whole > 0 ? part / whole : 0;
}

/** A share (0..1) as UI text naming its base: "35.0 % of op time". */
export function percentLabel(share: number, base: TimeBase, digits = 1): string {
  return `${(share * 100).toFixed(digits)} % of ${TIME_BASE[base]}`;
}

/**
 * The lines the reports and the editor list under memory: those that held HELD_LISTED or more of their
 * results at once, most bytes first (the report's order). One filter for the text report and Hot Operations.
 */
export function listedHeldSites(m: MemorySummary): HeldSite[] {
  return m.heldBySite.filter((h) => h.location !== null && h.peakTensors >= HELD_LISTED);
}
