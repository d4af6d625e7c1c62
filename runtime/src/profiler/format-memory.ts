/**
 * The text and Markdown reports' memory lines: what was live at the report, the peak, and — when a
 * line held many of its results at once (HELD_LISTED, the undisposed-tensors rule's threshold) —
 * those lines, with the most they held and how many were left at the report.
 */
import { HELD_EXACT } from '../contract/names.js';
import type { ProfileReport } from '../contract/report.js';
import { listedHeldSites } from '../contract/site-stats.js';
import { formatBytes } from '../contract/units.js';
import { shortPath } from './format-lines.js';

/** Held sites listed. */
const SHOWN = 5;


/**
 * The heading of the held lines. It points to the undisposed-tensors recommendation only when the report has
 * one: lines are listed from HELD_LISTED results held, the rule fires from its own memory thresholds (1 MB or
 * 500 tensors), so a report can list lines with no recommendation to see.
 */
function heading(r: ProfileReport): string {
  const see = r.recommendations.some((rec) => rec.rule === 'undisposed-tensors') ? ' (see the undisposed-tensors recommendation)' : '';
  return `Never disposed, by the line that created them: the most held at once, and how many were left at the report${see}:`;
}

/** The summary line and the held rows (where, ops, "up to n of m results", their bytes, "k now"); null without memory figures. */
function figures(r: ProfileReport): { summary: string; rows: string[][] } | null {
  const m = r.memory;
  if (!m) return null;
  const summary = `Memory: ${m.liveTensors} tensor${m.liveTensors === 1 ? '' : 's'} (${formatBytes(m.liveBytes)}) live at the report; ` +
    `peak ${formatBytes(m.peakBytes)} since profiling began`;
  const held = listedHeldSites(m).slice(0, SHOWN);
  return {
    summary,
    rows: held.map((h) => [`${shortPath(h.location!.file)}:${h.location!.line}`, h.ops.join(', '),
      `up to ${h.calls > HELD_EXACT ? '≈' : ''}${h.peakTensors} of ${h.calls} results`, formatBytes(h.peakBytes), `${h.tensors} now`]),
  };
}

/** The text report's memory lines: the summary, then the held lines aligned; empty without memory figures. */
export function memoryText(r: ProfileReport): string[] {
  const f = figures(r);
  if (!f) return [];
  if (f.rows.length === 0) return [f.summary];
  const w = f.rows[0]!.map((_, i) => Math.max(...f.rows.map((row) => row[i]!.length)));
  return [f.summary, heading(r), ...f.rows.map((row) => `  ${row[0]!.padEnd(w[0]!)}  ${row[1]!.padEnd(w[1]!)}  ${row[2]!.padStart(w[2]!)}  ${row[3]!.padStart(w[3]!)}  ${row[4]!.padStart(w[4]!)}`)];
}

/** The Markdown report's memory lines: the summary, then the held lines as a list; empty without memory figures. */
export function memoryMarkdown(r: ProfileReport): string[] {
  const f = figures(r);
  if (!f) return [];
  if (f.rows.length === 0) return [f.summary];
  return [f.summary, '', heading(r), '', ...f.rows.map(([where, ops, held, bytes, now]) => `- \`${where}\` ${ops}: ${held}, ${bytes}; ${now}`)];
}
