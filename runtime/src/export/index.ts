/**
 * Writing exports to files (Node): the registry (formats.ts) renders, this writes with clear
 * errors, using the package's own assets.
 */
import { writeFileSync } from 'node:fs';
import { PACKAGE_ASSETS } from './assets.js';
import { formatSpec } from './formats.js';
import type { ExportAssets, ExportInput } from './types.js';

export { EXPORT_FORMATS, FORMATS, exportFileName, formatFromPath, formatSpec, type ExportFormat } from './formats.js';
export type { ExportAssets, ExportFormatSpec, ExportInput } from './types.js';

/** Renders `input` in `format`; an unknown format throws, listing the known ones. */
export function renderExport(input: ExportInput, format: string, assets: ExportAssets = PACKAGE_ASSETS): string {
  return formatSpec(format).render(input, assets);
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
