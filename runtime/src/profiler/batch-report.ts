/**
 * A partial {@link ProfileReport} and an empty flame model from the last streamed batch
 * ({@link ProfileBatchMessage}): what a launcher still has when the script died before sending
 * its final report (SIGKILL, out of memory, a signal during a long synchronous loop). Per op and
 * per call site: count, total, mean, min and max are exact as of the batch; the batch carries no
 * standard deviation (0 here), no read/written split (its bytes are all counted as read), no
 * steady-state split, no one-time costs, no contexts, no timeline and no recommendations. Its
 * segments (when the run had several, or its only one ended: a clearProfile() after the last op)
 * have their ops and lines but no times (startMs = endMs = 0).
 * Pure.
 */
import type { OpStats, SiteOpStats } from './aggregate.js';
import type { FlameProfile } from '../contract/flame.js';
import type { ProfileBatchMessage } from '../contract/ipc.js';
import { REPORT_SCHEMA_VERSION, type ProfileReport, type ReportSegment } from '../contract/report.js';
import { BACKEND_SEPARATOR } from '../contract/site-stats.js';
import { EXPORTER } from './version.js';

interface Acc { op: string; backends: string[]; count: number; totalMs: number; minMs: number; maxMs: number; bytes: number }

function stats(a: Acc, totalMs: number): OpStats {
  return {
    op: a.op, backends: a.backends, count: a.count, totalMs: a.totalMs, meanMs: a.count ? a.totalMs / a.count : 0,
    minMs: a.count ? a.minMs : 0, maxMs: a.count ? a.maxMs : 0, stddevMs: 0, percent: totalMs > 0 ? (100 * a.totalMs) / totalMs : 0,
    bytesRead: a.bytes, bytesWritten: 0, elements: 0, gpuMs: 0, uploadBytes: 0, downloadBytes: 0,
    // A batch does not tell first calls apart from steady ones.
    steadyMeanMs: null, firstCallCount: 0, firstCallMs: 0, mostlyFirstCall: false,
  };
}

/** The report a batch supports (see the file comment for what it lacks). */
export function reportFromBatch(batch: ProfileBatchMessage): ProfileReport {
  const { operations, sites, totalMs } = tables(batch.sites);
  const slowest = operations.reduce<OpStats | null>((m, o) => (m === null || o.totalMs > m.totalMs ? o : m), null);
  // Segments as of the batch (it carries them when the run had more than one, or one that ended); times are not in a batch.
  const segments: ReportSegment[] | undefined = Array.isArray(batch.segments) ? batch.segments.map((g) => {
    const t = tables(g.sites);
    return { index: g.index, cause: g.cause, current: g.current, startMs: 0, endMs: 0, totalTimeMs: t.totalMs,
      opCount: t.operations.reduce((n, o) => n + o.count, 0), operations: t.operations, callSites: t.sites };
  }) : undefined;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION, exporter: EXPORTER, generatedAt: new Date().toISOString(), context: null,
    totalTimeMs: totalMs, wallTimeMs: batch.wallTimeMs, opCount: operations.reduce((n, o) => n + o.count, 0), droppedEvents: batch.droppedEvents,
    callSiteMode: sites.some((s) => s.location !== null) ? 'sampled' : 'off', sampleEvery: 0, threads: [0],
    overhead: { perOpNs: 0, perCaptureNs: 0, estimatedMs: 0, percentOfOpTime: 0 },
    operations: operations.map((o) => ({ ...o, slowest: o === slowest })), callSites: sites, contexts: {}, recommendations: [],
    oneTimeCosts: [], oneTimeTotalMs: 0,
    ...(segments ? { segments, droppedSegments: 0 } : {}),
  };
}

/** Per-op and per-site rows of batch sites, with their op time (ms). */
function tables(batchSites: ProfileBatchMessage['sites']): { operations: OpStats[]; sites: SiteOpStats[]; totalMs: number } {
  const totalMs = batchSites.reduce((t, s) => t + s.totalMs, 0);
  const byOp = new Map<string, Acc>();
  const sites: SiteOpStats[] = [];
  batchSites.forEach((s, k) => {
    const backends = s.backend.split(BACKEND_SEPARATOR).filter(Boolean);
    let a = byOp.get(s.op);
    if (!a) byOp.set(s.op, (a = { op: s.op, backends: [], count: 0, totalMs: 0, minMs: Infinity, maxMs: -Infinity, bytes: 0 }));
    for (const b of backends) if (!a.backends.includes(b)) a.backends.push(b);
    a.count += s.count; a.totalMs += s.totalMs; a.bytes += s.bytes;
    a.minMs = Math.min(a.minMs, s.minMs); a.maxMs = Math.max(a.maxMs, s.maxMs);
    sites.push({ ...stats({ op: s.op, backends, count: s.count, totalMs: s.totalMs, minMs: s.minMs, maxMs: s.maxMs, bytes: s.bytes }, totalMs), site: k, location: s.location, ...(s.fusedMembers !== undefined ? { fusedMembers: s.fusedMembers } : {}) });
  });
  return { operations: [...byOp.values()].map((a) => stats(a, totalMs)), sites, totalMs };
}

/** A flame model with no slices (a batch has no timeline). */
export function emptyFlame(title: string): FlameProfile {
  return {
    version: 1, title, strings: [], locations: [], totalUs: 0, droppedEvents: 0,
    slices: { name: [], kind: [], start: [], duration: [], depth: [], location: [], backend: [], parent: [], thread: [] },
  };
}
