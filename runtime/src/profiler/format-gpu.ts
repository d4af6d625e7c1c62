/**
 * GPU time in the text and Markdown reports. A webgpu op's recorded duration (its op time) is the
 * CPU's work to encode and submit it: the op returns before the GPU runs it, and the script waits
 * for the GPU later, in `await t.data()` (wall time, not op time). The GPU's own time per op comes
 * from timestamp queries (`gpuMs` in the JSON report). So the reports show both, and rank an op or
 * a line by the larger of the two ({@link costMs}); a CPU-only report is unchanged (every `gpuMs` 0).
 */
import type { ProfileReport } from '../contract/report.js';

/**
 * What an op or a line is ranked by (the `slowest` op, hot lines, segment rows): the larger of its
 * op time and its GPU time, ms. Equal to the op time wherever no GPU time was reported.
 */
export function costMs(x: { readonly totalMs: number; readonly gpuMs: number }): number {
  return Math.max(x.totalMs, x.gpuMs);
}

/** Whether any op reported GPU time: the reports then show the `GPU total (ms)` column. */
export function hasGpuTime(r: ProfileReport): boolean {
  return r.operations.some((o) => o.gpuMs > 0);
}

/** GPU time of all ops, ms. */
export function totalGpuMs(r: ProfileReport): number {
  return r.operations.reduce((t, o) => t + o.gpuMs, 0);
}

/** An op's `GPU total (ms)` cell: its GPU time, `—` when it has none (CPU ops, transfers). */
export function gpuCell(gpuMs: number, fmtMs: (ms: number) => string): string {
  return gpuMs > 0 ? fmtMs(gpuMs) : '—';
}

/**
 * The note under the op table when an op ran on the GPU (none otherwise): what op time means for
 * GPU ops and where the GPU's time is. The same line in text and Markdown.
 */
export function gpuNoteLines(r: ProfileReport, fmtMs: (ms: number) => string): string[] {
  if (!r.operations.some((o) => o.backends.includes('webgpu'))) return [];
  const submit = 'GPU ops: op time (Avg, Steady, % Total) is the CPU\'s time to encode and submit the work (the op returns before the GPU runs it); ';
  if (!hasGpuTime(r)) {
    return [submit + 'this device reported no GPU time (no timestamp-query), so the GPU\'s own time is only in the wall time: time GPU work around await t.data()'];
  }
  return [submit + `GPU total (ms) is the GPU's own time running each op (timestamp queries; ${fmtMs(totalGpuMs(r))} ms in all), which the script ` +
    'waits for in await t.data(): wall time, not op time. The slowest mark and Hot lines rank by the larger of op time and GPU time'];
}
