/**
 * The report's "Hot lines": op time per source line, the hottest first, for the text and Markdown
 * reports (the JSON report's `callSites` has the same figures per op × line). A line that calls
 * several ops (`x.sub(m).div(s)`) is one row listing them. When ops reported GPU time, each line
 * shows it too and lines rank by the larger of op time and GPU time (format-gpu.ts costMs).
 */
import type { ProfileReport } from '../contract/report.js';
import { costMs, gpuCell, hasGpuTime } from './format-gpu.js';

/** Rows shown; the heading says how many lines there were. */
export const HOT_LINES_SHOWN = 10;

/** One source line's ops. Times in ms. */
export interface HotLine {
  /** `file:line`, the file relative to the working directory when inside it. */
  readonly where: string;
  readonly totalMs: number;
  /** GPU time of its ops (timestamp queries), ms; 0 when none reported any. */
  readonly gpuMs: number;
  /** Share of the report's op time, 0–100. */
  readonly percent: number;
  /** Its ops, most time first: `matmul ×100`. */
  readonly ops: string;
}

/** Every line with a call site, hottest first by {@link costMs} (ties: file, then line). */
export function hotLines(r: ProfileReport): HotLine[] {
  const byLine = new Map<string, { file: string; line: number; totalMs: number; gpuMs: number; ops: Map<string, { count: number; totalMs: number; gpuMs: number }> }>();
  for (const s of r.callSites) {
    if (s.location === null) continue;
    const key = `${s.location.file}\n${s.location.line}`;
    let row = byLine.get(key);
    if (!row) byLine.set(key, (row = { file: s.location.file, line: s.location.line, totalMs: 0, gpuMs: 0, ops: new Map() }));
    row.totalMs += s.totalMs;
    row.gpuMs += s.gpuMs;
    const op = row.ops.get(s.op) ?? { count: 0, totalMs: 0, gpuMs: 0 };
    op.count += s.count;
    op.totalMs += s.totalMs;
    op.gpuMs += s.gpuMs;
    row.ops.set(s.op, op);
  }
  const cwd = workingDirectory();
  return [...byLine.values()]
    .sort((a, b) => costMs(b) - costMs(a) || a.file.localeCompare(b.file) || a.line - b.line)
    .map((row) => ({
      where: `${cwd && row.file.startsWith(cwd) ? row.file.slice(cwd.length) : row.file}:${row.line}`,
      totalMs: row.totalMs,
      gpuMs: row.gpuMs,
      percent: r.totalTimeMs > 0 ? (100 * row.totalMs) / r.totalTimeMs : 0,
      ops: [...row.ops].sort((a, b) => costMs(b[1]) - costMs(a[1])).map(([op, o]) => `${op} ×${o.count}`).join(', '),
    }));
}

/** `file`, relative to the working directory when inside it. */
export function shortPath(file: string): string {
  const cwd = workingDirectory();
  return cwd && file.startsWith(cwd) ? file.slice(cwd.length) : file;
}

/** The working directory with a trailing separator, or '' where there is none (a browser). */
function workingDirectory(): string {
  const cwd = typeof process !== 'undefined' && typeof process.cwd === 'function' ? process.cwd() : '';
  return cwd === '' ? '' : cwd.endsWith('/') || cwd.endsWith('\\') ? cwd : cwd + (cwd.includes('\\') && !cwd.includes('/') ? '\\' : '/');
}

/** The text report's section: a heading and one aligned row per line; empty when no op has a line. */
export function hotLineText(r: ProfileReport, fmtMs: (ms: number) => string): string[] {
  const lines = hotLines(r);
  if (lines.length === 0) return [];
  const shown = lines.slice(0, HOT_LINES_SHOWN);
  const whereWidth = Math.max(...shown.map((l) => l.where.length));
  const msWidth = Math.max(...shown.map((l) => fmtMs(l.totalMs).length));
  const gpu = hasGpuTime(r);
  const gpuWidth = Math.max(...shown.map((l) => gpuCell(l.gpuMs, fmtMs).length));
  const gpuText = (ms: number): string => (ms > 0 ? `GPU ${fmtMs(ms).padStart(gpuWidth)} ms  ` : `GPU ${'—'.padStart(gpuWidth)}     `);
  const what = gpu ? 'op time and GPU time by source line, ranked by the larger' : 'op time by source line';
  const heading = `Hot lines (${what}${lines.length > shown.length ? `; top ${shown.length} of ${lines.length}` : ''}):`;
  return [heading, ...shown.map((l) =>
    `  ${l.where.padEnd(whereWidth)}  ${fmtMs(l.totalMs).padStart(msWidth)} ms  ${percent(l.percent).padStart(5)}  ` +
    `${gpu ? gpuText(l.gpuMs) : ''}${l.ops}`)];
}

/** The Markdown report's section (a table); empty when no op has a line. */
export function hotLineMarkdown(r: ProfileReport, fmtMs: (ms: number) => string): string[] {
  const lines = hotLines(r);
  if (lines.length === 0) return [];
  const shown = lines.slice(0, HOT_LINES_SHOWN);
  if (!hasGpuTime(r)) {
    return [`## Hot lines${lines.length > shown.length ? ` (top ${shown.length} of ${lines.length})` : ''}`, '',
      '| Line | Op time (ms) | % Total | Ops |', '|---|---:|---:|---|',
      ...shown.map((l) => `| \`${l.where}\` | ${fmtMs(l.totalMs)} | ${percent(l.percent)} | ${l.ops} |`)];
  }
  return [`## Hot lines (ranked by the larger of op time and GPU time${lines.length > shown.length ? `; top ${shown.length} of ${lines.length}` : ''})`, '',
    '| Line | Op time (ms) | % Total | GPU (ms) | Ops |', '|---|---:|---:|---:|---|',
    ...shown.map((l) => `| \`${l.where}\` | ${fmtMs(l.totalMs)} | ${percent(l.percent)} | ${gpuCell(l.gpuMs, fmtMs)} | ${l.ops} |`)];
}

/** Calling lines shown (the report's `callLines`, most op time first). */
export const CALL_LINES_SHOWN = 10;

/** The text report's "Calling lines": op time of the ops issued inside the calls made from each line; empty when there are none. */
export function callLineText(r: ProfileReport, fmtMs: (ms: number) => string): string[] {
  const lines = r.callLines ?? [];
  if (lines.length === 0) return [];
  const shown = lines.slice(0, CALL_LINES_SHOWN), where = shown.map((l) => `${shortPath(l.location.file)}:${l.location.line}`);
  const whereWidth = Math.max(...where.map((w) => w.length)), msWidth = Math.max(...shown.map((l) => fmtMs(l.opMs).length));
  const heading = `Calling lines (op time of the ops inside the calls each line makes, from sampled call stacks${lines.length > shown.length ? `; top ${shown.length} of ${lines.length}` : ''}):`;
  return [heading, ...shown.map((l, k) => `  ${where[k]!.padEnd(whereWidth)}  ${fmtMs(l.opMs).padStart(msWidth)} ms  ${percent(l.percent).padStart(5)}  ${l.ops} ops`)];
}

/** The Markdown report's section (a table); empty when there are no calling lines. */
export function callLineMarkdown(r: ProfileReport, fmtMs: (ms: number) => string): string[] {
  const lines = r.callLines ?? [];
  if (lines.length === 0) return [];
  const shown = lines.slice(0, CALL_LINES_SHOWN);
  return [`## Calling lines${lines.length > shown.length ? ` (top ${shown.length} of ${lines.length})` : ''}`, '',
    'Op time of the ops issued inside the calls each line makes (from sampled call stacks; lines overlap: a line calling `main()` includes what `main` calls).', '',
    '| Line | Op time (ms) | % Total | Ops |', '|---|---:|---:|---:|',
    ...shown.map((l) => `| \`${shortPath(l.location.file)}:${l.location.line}\` | ${fmtMs(l.opMs)} | ${percent(l.percent)} | ${l.ops} |`)];
}

function percent(p: number): string {
  return p >= 10 ? `${p.toFixed(0)}%` : `${p.toFixed(1)}%`;
}
