/**
 * JSON export: the {@link ProfileReport} as written (it carries `schemaVersion` and the
 * `exporter` stamp). Read back, size-checked and schema-validated, by read-report.ts
 * (`readJsonExport`, `parseJsonExport`).
 */
import type { ProfileReport } from '../contract/report.js';
import type { ExportInput } from './types.js';

/** The report as pretty JSON. */
export function toJson(input: ExportInput): string {
  return JSON.stringify(input.report satisfies ProfileReport, null, 2) + '\n';
}
