/**
 * The text and Markdown reports' contexts: each `profileContext` / `ProfileContext` and `@profiled`
 * function by name, with its calls, wall time and the ops issued inside. The JSON report and the
 * flame graph always had them; the printed reports did not, though the guide says a context
 * appears in reports under its name (audit 17).
 */
import type { ProfileReport } from '../contract/report.js';

/** Contexts listed, the longest first. */
const SHOWN = 10;

const fmt = (x: number): string => (x >= 100 ? x.toFixed(1) : x >= 0.01 ? x.toFixed(2) : x.toFixed(4));

/** The rows (name, kind, calls, total, mean, % wall, ops, op time), the longest SHOWN, and how many more there were. */
function table(r: ProfileReport): { rows: string[][]; more: number } {
  const all = Object.values(r.contexts).sort((a, b) => b.totalTimeMs - a.totalTimeMs);
  const rows = all.slice(0, SHOWN).map((c) => [c.name, c.kind, `${c.count}×`, `${fmt(c.totalTimeMs)} ms`, `mean ${fmt(c.meanMs)} ms`,
    `${c.percent < 1 && c.percent > 0 ? c.percent.toFixed(1) : c.percent.toFixed(0)}% of wall`, `${c.opCount} ops`, `${fmt(c.opTimeMs)} ms op time`]);
  return { rows, more: all.length - rows.length };
}

/** The heading; a context's report lists that context and those nested in it (aggregate.ts), and says so. */
const heading = (r: ProfileReport): string =>
  `Contexts and profiled functions${r.context !== null ? ` in ${JSON.stringify(r.context)}` : ''} (wall time inside; ops issued inside, nested ones included):`;

/** The report's context lines, aligned; empty when it has none. The same lines go into Markdown as a code block. */
export function contextLines(r: ProfileReport): string[] {
  const { rows, more } = table(r);
  if (rows.length === 0) return [];
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  // Names and kinds left-aligned, figures right-aligned.
  const line = (row: string[]): string => '  ' + row.map((s, i) => (i < 2 ? s.padEnd(w[i]!) : s.padStart(w[i]!))).join('  ').trimEnd();
  return [heading(r), ...rows.map(line), ...(more > 0 ? [`  … ${more} more (the JSON report's \`contexts\` has them all)`] : [])];
}
