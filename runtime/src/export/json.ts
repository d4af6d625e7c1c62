/**
 * JSON export: the {@link ProfileReport} as written (it carries `schemaVersion` and the
 * `exporter` stamp), validated on read by {@link parseJsonExport}.
 */
import { REPORT_SCHEMA_VERSION, type ProfileReport } from '../contract/report.js';
import type { ExportInput } from './types.js';

/** The report as pretty JSON. */
export function toJson(input: ExportInput): string {
  return JSON.stringify(input.report, null, 2) + '\n';
}

/** Parses a JSON export, checking its schema version. */
export function parseJsonExport(text: string): ProfileReport {
  const r = JSON.parse(text) as ProfileReport;
  if (r === null || typeof r !== 'object' || r.schemaVersion !== REPORT_SCHEMA_VERSION) {
    throw new Error(`Not a corepy profile report of schemaVersion ${REPORT_SCHEMA_VERSION}`);
  }
  return r;
}
