/**
 * THE export registry: every format `cp.exportProfile`, `corepy profile --format` and the
 * extension's "Export Report…" offer, with its id, label, file extensions and renderer. A new
 * format is one exporter file plus one row here. Bundle-clean (no file-system lookups, no
 * `import.meta`): the extension bundles this module as `corepy/export`.
 */
import { renderMarkdown, renderText } from '../profiler/format-text.js';
import { streamChromeTrace, toChromeTrace } from './chrome-trace.js';
import { toCsv } from './csv.js';
import { toFolded } from './folded.js';
import { renderHtmlReport, streamHtmlReport, type HtmlReportOptions } from './html.js';
import { toJson } from './json.js';
import { streamSpeedscope, toSpeedscope } from './speedscope.js';
import type { ExportAssets, ExportFormatSpec, ExportInput } from './types.js';

export type { ExportAssets, ExportFormatSpec, ExportInput, TextSink } from './types.js';

const htmlOptions = (input: ExportInput, assets: ExportAssets): HtmlReportOptions =>
  ({ title: input.flame.title, renderer: assets.flameRenderer(), exporter: input.report.exporter });

/** Every export format, in the order menus list them. */
export const FORMATS = [
  { id: 'json', label: 'JSON report', extensions: ['json'], stamped: true, reads: 'report', render: toJson },
  { id: 'csv', label: 'CSV (per call site)', extensions: ['csv'], stamped: false, reads: 'cells', render: toCsv },
  {
    id: 'chrome', label: 'Chrome trace', extensions: ['trace.json', 'chrome.json'], stamped: true, reads: 'timeline',
    render: toChromeTrace, stream: (input, _assets, sink) => streamChromeTrace(input, sink),
  },
  {
    id: 'speedscope', label: 'speedscope', extensions: ['speedscope.json'], stamped: true, reads: 'timeline',
    render: toSpeedscope, stream: (input, _assets, sink) => streamSpeedscope(input, sink),
  },
  { id: 'folded', label: 'Folded stacks', extensions: ['folded'], stamped: false, reads: 'timeline', render: toFolded },
  {
    id: 'html', label: 'HTML (flame graph)', extensions: ['html', 'htm'], stamped: true, reads: 'timeline',
    render: (input, assets) => renderHtmlReport(input.flame, htmlOptions(input, assets)),
    stream: (input, assets, sink) => streamHtmlReport(input.flame, htmlOptions(input, assets), sink),
  },
  {
    id: 'text', label: 'Text report', extensions: ['txt'], stamped: true, reads: 'report',
    render: (input) => `${renderText(input.report, { color: false, width: 100 })}\n\nExporter: ${input.report.exporter}\n`,
  },
  {
    id: 'markdown', label: 'Markdown report', extensions: ['md'], stamped: true, reads: 'report',
    render: (input) => `<!-- exporter: ${input.report.exporter} -->\n${renderMarkdown(input.report)}\n`,
  },
] as const satisfies readonly ExportFormatSpec[];

/** An export format id. */
export type ExportFormat = (typeof FORMATS)[number]['id'];

/** Every export format id, in registry order. */
export const EXPORT_FORMATS: readonly ExportFormat[] = FORMATS.map((f) => f.id);

/** The registry row of `id`; an unknown id throws, listing the known ones. */
export function formatSpec(id: string): ExportFormatSpec<ExportFormat> {
  const spec = FORMATS.find((f) => f.id === id);
  if (spec === undefined) throw new TypeError(`Unknown export format ${JSON.stringify(id)}; allowed: ${EXPORT_FORMATS.join(', ')}`);
  return spec;
}

/** The format whose extension ends `path` (longest extension wins: `.speedscope.json` before `.json`), or null. */
export function formatFromPath(path: string): ExportFormat | null {
  const p = path.toLowerCase();
  let best: { id: ExportFormat; len: number } | null = null;
  for (const f of FORMATS) {
    for (const ext of f.extensions) {
      if (p.endsWith(`.${ext}`) && (best === null || ext.length > best.len)) best = { id: f.id, len: ext.length };
    }
  }
  return best?.id ?? null;
}

/** The default file name of a `format` export: `<base>.<first extension>`. */
export function exportFileName(base: string, format: ExportFormat): string {
  return `${base}.${formatSpec(format).extensions[0]}`;
}
