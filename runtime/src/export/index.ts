/**
 * Writing exports to files (Node): the registry (formats.ts) renders, this writes with clear
 * errors, using the package's own assets. Formats that stream (the timeline formats) are written
 * piece by piece, so the file's whole text never sits in memory; every format is written to a
 * temporary file beside the target and renamed over it at the end, so a failed export leaves any
 * earlier file at `path` intact and no partial one.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { PACKAGE_ASSETS } from './assets.js';
import { formatSpec } from './formats.js';
import { TextChunks } from './text-chunks.js';
import type { ExportAssets, ExportInput } from './types.js';

export { EXPORT_FORMATS, FORMATS, exportFileName, formatFromPath, formatSpec, type ExportFormat } from './formats.js';
export type { ExportAssets, ExportFormatSpec, ExportInput, TextSink } from './types.js';
export { parseJsonExport, readJsonExport, REPORT_MAX_BYTES } from './read-report.js';

/** Renders `input` in `format`; an unknown format throws, listing the known ones. */
export function renderExport(input: ExportInput, format: string, assets: ExportAssets = PACKAGE_ASSETS): string {
  return formatSpec(format).render(input, assets);
}

/** Writes `input` in `format` to `path`; unwritable paths throw with the path and the reason. */
export function writeExport(path: string, input: ExportInput, format: string): void {
  const spec = formatSpec(format);
  const tmp = `${path}.${process.pid}.tmp`;
  let fd: number;
  try {
    fd = openSync(tmp, 'w');
  } catch (e) {
    throw new Error(`Cannot write ${format} export to ${path}: ${(e as Error).message}`);
  }
  try {
    try {
      if (spec.stream) {
        // Small pieces (the HTML page's tags) are gathered into chunks before each write.
        const out = new TextChunks((chunk) => writeAll(fd, chunk));
        spec.stream(input, PACKAGE_ASSETS, (piece) => out.add(piece));
        out.flush();
      } else writeAll(fd, spec.render(input, PACKAGE_ASSETS));
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    // File-system errors name the target; an exporter's own error passes unchanged.
    if ((e as NodeJS.ErrnoException).code === undefined) throw e;
    throw new Error(`Cannot write ${format} export to ${path}: ${(e as Error).message}`);
  }
}

/** Writes all of `text` (UTF-8) at the file's current position. */
function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at);
}
