/**
 * Export dispatcher: format name → exporter, and writing to a file with clear errors.
 * One file per format: json.ts, csv.ts, chrome-trace.ts, speedscope.ts, folded.ts, html.ts
 * (the flame-graph page, owned by the webview side).
 */
import { writeFileSync } from 'node:fs';
import { toChromeTrace } from './chrome-trace.js';
import { toCsv } from './csv.js';
import { toFolded } from './folded.js';
import { renderHtmlReport } from './html.js';
import { toJson } from './json.js';
import { toSpeedscope } from './speedscope.js';
import { EXPORT_FORMATS, type ExportFormat, type ExportInput } from './types.js';

export { EXPORT_FORMATS, type ExportFormat, type ExportInput } from './types.js';

/** Renders `input` in `format`; an unknown format throws, listing the known ones. */
export function renderExport(input: ExportInput, format: string): string {
  switch (format as ExportFormat) {
    case 'json': return toJson(input);
    case 'csv': return toCsv(input);
    case 'chrome': return toChromeTrace(input);
    case 'speedscope': return toSpeedscope(input);
    case 'folded': return toFolded(input);
    case 'html': return renderHtmlReport(input.flame, { title: input.flame.title });
  }
  throw new TypeError(`Unknown export format ${JSON.stringify(format)}; allowed: ${EXPORT_FORMATS.join(', ')}`);
}

/** Guesses a format from a file extension (.json → json, .csv, .folded/.txt → folded, .html, .speedscope.json, .trace.json → chrome). */
export function formatFromPath(path: string): ExportFormat | null {
  const p = path.toLowerCase();
  if (p.endsWith('.speedscope.json')) return 'speedscope';
  if (p.endsWith('.trace.json') || p.endsWith('.chrome.json')) return 'chrome';
  if (p.endsWith('.json')) return 'json';
  if (p.endsWith('.csv')) return 'csv';
  if (p.endsWith('.folded')) return 'folded';
  if (p.endsWith('.html') || p.endsWith('.htm')) return 'html';
  return null;
}

/** Writes `input` in `format` to `path`; unwritable paths throw with the path and the reason. */
export function writeExport(path: string, input: ExportInput, format: string): void {
  const text = renderExport(input, format);
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new Error(`Cannot write ${format} export to ${path}: ${(e as Error).message}`);
  }
}
