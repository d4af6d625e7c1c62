/**
 * Export formats offered by "Corepy: Export Report…". Every format but Markdown is written by the
 * runtime's own exporters (runtime/src/export, bundled into the extension by esbuild), so files
 * match what `corepy profile` writes byte for byte. They need the run's complete JSON report; a
 * partial run (script killed before its report) can only be exported as Markdown.
 */
import { toChromeTrace } from '../../../runtime/src/export/chrome-trace.js';
import { toCsv } from '../../../runtime/src/export/csv.js';
import { toFolded } from '../../../runtime/src/export/folded.js';
import { toJson } from '../../../runtime/src/export/json.js';
import { toSpeedscope } from '../../../runtime/src/export/speedscope.js';
import type { ExportInput } from '../../../runtime/src/export/types.js';
import { REPORT_SCHEMA_VERSION, type ProfileReport } from '../../../runtime/src/profiler/report.js';
import type { RunSnapshot } from '../profile-store.js';
import { impactLabel } from '../recommendation.js';

export type ExportFormat = 'json' | 'csv' | 'chrome-trace' | 'speedscope' | 'folded' | 'html' | 'markdown';

/**
 * The HTML exporter (runtime/src/export/html.ts) reads its renderer asset relative to its own
 * module, so it cannot be bundled; export-command.ts loads it from the runtime shipped with the
 * extension.
 */
export type HtmlRenderer = (input: ExportInput) => Promise<string>;

export interface FormatInfo {
  readonly id: ExportFormat;
  readonly label: string;
  readonly extension: string;
  /** Whether the format needs the run's complete report (every format but Markdown). */
  readonly needsReport: boolean;
  readonly render: (run: RunSnapshot, stamp: string, html: HtmlRenderer) => string | Promise<string>;
}

/** Shown instead of writing an empty or made-up file. */
export const PARTIAL_RUN_MESSAGE = 'this run ended before its report; export needs a complete run (Markdown works for partial runs)';

/** The run's report and flame profile as the runtime exporters take them; throws for partial runs. */
export function exportInput(run: RunSnapshot): ExportInput {
  const report = run.report as Partial<ProfileReport> | null;
  if (run.flame === null || report === null || typeof report !== 'object') throw new Error(PARTIAL_RUN_MESSAGE);
  if (report.schemaVersion !== REPORT_SCHEMA_VERSION || !Array.isArray(report.callSites)) {
    throw new Error(`the run's report is not a corepy report of schemaVersion ${REPORT_SCHEMA_VERSION} (runtime version mismatch?)`);
  }
  return { report: report as ProfileReport, flame: run.flame };
}

export const FORMATS: readonly FormatInfo[] = [
  { id: 'json', label: 'JSON', extension: 'json', needsReport: true, render: (run) => toJson(exportInput(run)) },
  { id: 'csv', label: 'CSV', extension: 'csv', needsReport: true, render: (run) => toCsv(exportInput(run)) },
  { id: 'chrome-trace', label: 'Chrome trace', extension: 'trace.json', needsReport: true, render: (run) => toChromeTrace(exportInput(run)) },
  { id: 'speedscope', label: 'speedscope', extension: 'speedscope.json', needsReport: true, render: (run) => toSpeedscope(exportInput(run)) },
  { id: 'folded', label: 'Folded stacks', extension: 'folded', needsReport: true, render: (run) => toFolded(exportInput(run)) },
  { id: 'html', label: 'HTML (flame graph)', extension: 'html', needsReport: true, render: (run, _stamp, html) => html(exportInput(run)) },
  { id: 'markdown', label: 'Markdown', extension: 'md', needsReport: false, render: (run, stamp) => toMarkdown(run, stamp) },
];

function toMarkdown(run: RunSnapshot, stamp: string): string {
  const rows = [...run.sites].sort((a, b) => b.totalMs - a.totalMs).map((s) =>
    `| ${s.op} | ${s.backend} | ${s.location ? `${s.location.file}:${s.location.line}` : '—'} | ${s.count} | ${s.totalMs.toFixed(3)} | ${(s.totalMs / Math.max(1, s.count)).toFixed(4)} | ${s.bytes} |`);
  const recs = run.recommendations.map((r) => `- **${r.priority}** ${r.title} (${impactLabel(r)}) — ${r.location.file}:${r.location.line}: ${r.description}`);
  return [
    `# Corepy profile: ${run.program}`, '', `<!-- exporter: ${stamp} -->`, '',
    `Status: ${run.status} · wall time ${run.totalMs.toFixed(1)} ms · started ${new Date(run.startedAt).toISOString()}`, '',
    '| op | backend | location | count | total ms | avg ms | bytes |', '|---|---|---|---:|---:|---:|---:|', ...rows, '',
    '## Recommendations', '', ...(recs.length ? recs : ['None.']), '',
  ].join('\n');
}
