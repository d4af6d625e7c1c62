/**
 * CSV export (RFC 4180): the header row is line 1, records end in CRLF, fields holding a comma,
 * quote, CR or LF are quoted with inner quotes doubled. One row per op × call site. Columns:
 * op, backend, file, line, column, count, total_ms, mean_ms, min_ms, max_ms, stddev_ms,
 * percent, bytes_read, bytes_written, fused_in (line/column 1-based; empty when the site is
 * unknown; several backends are joined with `|`).
 *
 * A fused kernel's row (`cp.jit`, op `fused(a+b+…)`) is followed by one row per member op at the
 * line that called it, with `fused_in` naming the kernel: its count is the kernel's, total_ms and
 * percent its equal share of the kernel's (report.ts FusedMemberShare), mean_ms that share per call;
 * min/max/stddev and bytes are empty (members run together and cannot be timed apart). These rows
 * repeat the kernel's time at the member lines, as the editor's per-line figures do: sum total_ms
 * over the rows with an empty `fused_in` for the run's op time.
 *
 * No exporter stamp: a `# exporter` line before the header made Python's csv.DictReader,
 * pandas and spreadsheets take it as the header and lose the `op` column. The JSON export
 * carries the stamp. Built from the report's per-site table only, so its cost is proportional
 * to that table, not to the number of recorded events.
 */
import type { ExportInput } from './types.js';

/** Column names, in order. */
export const CSV_COLUMNS = ['op', 'backend', 'file', 'line', 'column', 'count', 'total_ms', 'mean_ms', 'min_ms', 'max_ms', 'stddev_ms', 'percent', 'bytes_read', 'bytes_written', 'fused_in'] as const;

/** Record separator required by RFC 4180. */
const CRLF = '\r\n';

function quote(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The per-site table as CSV, header first. */
export function toCsv(input: ExportInput): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const s of input.report.callSites) {
    const l = s.location;
    lines.push([s.op, s.backends.join('|'), l?.file ?? '', l?.line ?? '', l?.column ?? '', s.count, s.totalMs, s.meanMs, s.minMs, s.maxMs,
      s.stddevMs, s.percent, s.bytesRead, s.bytesWritten, ''].map(quote).join(','));
    for (const m of s.fusedMembers ?? []) {
      const ml = m.location;
      lines.push([m.op, s.backends.join('|'), ml?.file ?? '', ml?.line ?? '', ml?.column ?? '', s.count, m.shareMs, s.count > 0 ? m.shareMs / s.count : '', '', '', '',
        s.totalMs > 0 ? (s.percent * m.shareMs) / s.totalMs : 0, '', '', s.op].map(quote).join(','));
    }
  }
  return lines.join(CRLF) + CRLF;
}
