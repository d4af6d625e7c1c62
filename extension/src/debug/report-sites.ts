/**
 * The final report's per-call-site statistics as a cumulative batch. The runtime sends batches at
 * most every 250 ms, so a short script may end before its first one; its report
 * (`report.callSites`) is then the only source of per-line data. Built by the contract's
 * {@link batchOf}, the same function the runtime's live stream uses, so a line's figures keep
 * their meaning (op time) when the run ends. It carries the report's `callLines` too, so a store that
 * applies it shows the final calling lines with the final op lines, not a live batch's older ones.
 * Returns null when the report has no usable call sites.
 */
import { batchOf, batchSegmentOf, type BatchSegment, type ProfileBatchMessage, type ProfileReport } from 'corepy/contract';

/**
 * True when a run's segments say more than its top-level sites: there are several, or the only one
 * has ended (the script called clearProfile() after its last op, so the top level, the recording
 * since that clear, is empty and every op is in the ended segment). Tutorial 1.1 ends that way.
 */
export function keepsSegments(segments: readonly Pick<BatchSegment, 'current'>[] | undefined): boolean {
  return segments !== undefined && (segments.length > 1 || segments.some((s) => !s.current));
}

export function batchFromReport(report: ProfileReport | null | undefined, seq: number): ProfileBatchMessage | null {
  // The report crossed a process boundary from a runtime that may be another version: check the shape we read.
  if (typeof report !== 'object' || report === null || !Array.isArray(report.callSites)) return null;
  const rows = report.callSites.filter((s) => typeof s === 'object' && s !== null && typeof s.op === 'string' && Array.isArray(s.backends));
  const segments = Array.isArray(report.segments)
    ? report.segments.filter((s) => typeof s === 'object' && s !== null && Array.isArray(s.callSites))
      .map((s) => ({ index: s.index, cause: s.cause, current: s.current, opTimeMs: s.totalTimeMs, rows: s.callSites }))
    : undefined;
  const batch = batchOf(seq, { opTimeMs: report.totalTimeMs, wallTimeMs: report.wallTimeMs, rows, droppedEvents: report.droppedEvents, ...(segments ? { segments } : {}) });
  const withCalls = Array.isArray(report.callLines) ? { ...batch, callLines: report.callLines } : batch;
  // batchOf keeps several segments only; a single ended one holds every op of the run (see keepsSegments).
  return segments !== undefined && segments.length === 1 && keepsSegments(segments) ? { ...withCalls, segments: segments.map(batchSegmentOf) } : withCalls;
}
