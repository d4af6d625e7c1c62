/**
 * Export formats offered by "Corepy: Export Report…": the runtime's own registry
 * (`corepy/export`, the runtime's export/formats.ts), the one `cp.exportProfile` and
 * `corepy profile --format` use, so the palette lists the same ids and extensions and writes the
 * same bytes. Every format needs the run's complete JSON report and flame profile; a partial run
 * (script killed before its report) cannot be exported.
 */
import { REPORT_SCHEMA_VERSION } from 'corepy/contract';
import { FORMATS, type ExportFormat, type ExportInput } from 'corepy/export';
import type { RunSnapshot } from '../profile-store.js';

export { FORMATS, type ExportFormat };

/** Shown instead of writing an empty or made-up file. */
export const PARTIAL_RUN_MESSAGE = 'this run ended before its report; export needs a complete run';
/** Why a run still going has no report yet, and how to get one. */
export const RUNNING_MESSAGE = 'this run is still running; its report comes when it ends (Stop ends it and writes the report)';

/** The run's report and flame profile as the runtime exporters take them; throws for partial runs. */
export function exportInput(run: RunSnapshot): ExportInput {
  const { report, flame } = run;
  if (flame === null || report === null || typeof report !== 'object') throw new Error(PARTIAL_RUN_MESSAGE);
  if (report.schemaVersion !== REPORT_SCHEMA_VERSION || !Array.isArray(report.callSites)) {
    throw new Error(`the run's report is not a corepy report of schemaVersion ${REPORT_SCHEMA_VERSION} (runtime version mismatch?)`);
  }
  return { report, flame };
}
