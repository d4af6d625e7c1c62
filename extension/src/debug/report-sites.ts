/**
 * The final report's per-call-site statistics as a cumulative batch. The runtime sends batches at
 * most every 250 ms, so a short script may end before its first one; its report
 * (`report.callSites`, runtime/src/profiler/aggregate.ts SiteOpStats) is then the only source of
 * per-line data. Returns null when the report has no usable call sites.
 */
import type { SiteStats } from '../../../runtime/src/profiler/ipc-protocol.js';
import type { ProfileBatchMessage } from './protocol.js';

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export function batchFromReport(report: unknown, seq: number): ProfileBatchMessage | null {
  if (typeof report !== 'object' || report === null) return null;
  const r = report as { callSites?: unknown; totalTimeMs?: unknown; wallTimeMs?: unknown; droppedEvents?: unknown };
  if (!Array.isArray(r.callSites)) return null;
  const sites: SiteStats[] = [];
  for (const s of r.callSites as unknown[]) {
    if (typeof s !== 'object' || s === null) continue;
    const o = s as Record<string, unknown>;
    if (typeof o.op !== 'string') continue;
    const loc = o.location as { file?: unknown; line?: unknown; column?: unknown } | null | undefined;
    sites.push({
      op: o.op,
      backend: Array.isArray(o.backends) ? o.backends.join('/') : typeof o.backend === 'string' ? o.backend : '?',
      location: loc && typeof loc.file === 'string' ? { file: loc.file, line: num(loc.line), column: num(loc.column) } : null,
      count: num(o.count), totalMs: num(o.totalMs), minMs: num(o.minMs), maxMs: num(o.maxMs),
      bytes: typeof o.bytes === 'number' ? o.bytes : num(o.bytesRead) + num(o.bytesWritten),
    });
  }
  return { type: 'corepyProfile', seq, totalMs: num(r.wallTimeMs) || num(r.totalTimeMs), sites, droppedEvents: num(r.droppedEvents) };
}
