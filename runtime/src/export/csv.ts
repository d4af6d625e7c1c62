/**
 * CSV export: one row per op × call site, RFC 4180 quoting, a leading `# exporter` comment line.
 * Columns: op, backend, file, line, column, count, total_ms, mean_ms, min_ms, max_ms, stddev_ms,
 * percent, bytes_read, bytes_written (line/column 1-based; empty when the site is unknown).
 */
import type { ExportInput } from './types.js';

/** Column names, in order. */
export const CSV_COLUMNS = ['op', 'backend', 'file', 'line', 'column', 'count', 'total_ms', 'mean_ms', 'min_ms', 'max_ms', 'stddev_ms', 'percent', 'bytes_read', 'bytes_written'] as const;

function quote(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The per-site table as CSV. */
export function toCsv(input: ExportInput): string {
  const lines = [`# exporter: ${input.report.exporter}`, CSV_COLUMNS.join(',')];
  for (const s of input.report.callSites) {
    const l = s.location;
    lines.push([s.op, s.backends.join('|'), l?.file ?? '', l?.line ?? '', l?.column ?? '', s.count, s.totalMs, s.meanMs, s.minMs, s.maxMs,
      s.stddevMs, s.percent, s.bytesRead, s.bytesWritten].map(quote).join(','));
  }
  return lines.join('\n') + '\n';
}
