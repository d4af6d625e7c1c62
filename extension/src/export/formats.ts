/**
 * Export formats offered by "Corepy: Export Report…". When the run has a complete report, the
 * runtime's own exporters (runtime/src/export, loaded from the runtime the run used) write the
 * file, so it matches what `corepy profile` writes; the `render` functions here cover what they
 * cannot: Markdown, and partial runs (script killed before its report). Every file carries an
 * `exporter` stamp.
 */
import type { RunSnapshot } from '../profile-store.js';
import { toChromeTrace, toFolded, toSpeedscope } from './flame-formats.js';

export type ExportFormat = 'json' | 'csv' | 'chrome-trace' | 'speedscope' | 'folded' | 'html' | 'markdown';

/** Loads the runtime's HTML exporter (dynamic import of an ESM module from a CJS bundle). */
export type HtmlRenderer = (run: RunSnapshot) => Promise<string>;

export interface FormatInfo {
  readonly id: ExportFormat;
  readonly label: string;
  readonly extension: string;
  readonly render: (run: RunSnapshot, stamp: string, html: HtmlRenderer) => string | Promise<string>;
}

const csvCell = (v: string | number): string => (typeof v === 'number' ? String(v) : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export const FORMATS: readonly FormatInfo[] = [
  {
    id: 'json', label: 'JSON', extension: 'json',
    render: (run, stamp) => JSON.stringify({ exporter: stamp, ...run }, null, 2),
  },
  {
    id: 'csv', label: 'CSV', extension: 'csv',
    render: (run, stamp) => [
      `# exporter: ${stamp}`,
      'op,backend,file,line,column,count,total_ms,avg_ms,min_ms,max_ms,bytes',
      ...run.sites.map((s) => [s.op, s.backend, s.location?.file ?? '', s.location?.line ?? '', s.location?.column ?? '',
        s.count, s.totalMs, s.count > 0 ? s.totalMs / s.count : 0, s.minMs, s.maxMs, s.bytes].map(csvCell).join(',')),
    ].join('\n') + '\n',
  },
  { id: 'chrome-trace', label: 'Chrome trace', extension: 'trace.json', render: (run, stamp) => JSON.stringify(toChromeTrace(run, stamp)) },
  { id: 'speedscope', label: 'speedscope', extension: 'speedscope.json', render: (run, stamp) => JSON.stringify(toSpeedscope(run, stamp)) },
  { id: 'folded', label: 'Folded stacks', extension: 'folded', render: (run) => toFolded(run) },
  { id: 'html', label: 'HTML (flame graph)', extension: 'html', render: (run, _stamp, html) => html(run) },
  { id: 'markdown', label: 'Markdown', extension: 'md', render: (run, stamp) => toMarkdown(run, stamp) },
];

function toMarkdown(run: RunSnapshot, stamp: string): string {
  const rows = [...run.sites].sort((a, b) => b.totalMs - a.totalMs).map((s) =>
    `| ${s.op} | ${s.backend} | ${s.location ? `${s.location.file}:${s.location.line}` : '—'} | ${s.count} | ${s.totalMs.toFixed(3)} | ${(s.totalMs / Math.max(1, s.count)).toFixed(4)} | ${s.bytes} |`);
  const recs = run.recommendations.map((r) => `- **${r.priority}** ${r.title} (≈${r.estimatedSpeedup.toFixed(1)}×) — ${r.location.file}:${r.location.line}: ${r.description}`);
  return [
    `# Corepy profile: ${run.program}`, '', `<!-- exporter: ${stamp} -->`, '',
    `Status: ${run.status} · wall time ${run.totalMs.toFixed(1)} ms · started ${new Date(run.startedAt).toISOString()}`, '',
    '| op | backend | location | count | total ms | avg ms | bytes |', '|---|---|---|---:|---:|---:|---:|', ...rows, '',
    '## Recommendations', '', ...(recs.length ? recs : ['None.']), '',
  ].join('\n');
}
