/**
 * What every exporter receives: the JSON report (statistics, recommendations) and the flame
 * model (the timeline). Both are plain data, so the CLI can export from what a profiled child
 * process sent over IPC without re-running anything.
 */
import type { FlameProfile } from '../profiler/flame-model.js';
import type { ProfileReport } from '../profiler/report.js';

/** Input of an exporter. */
export interface ExportInput {
  readonly report: ProfileReport;
  readonly flame: FlameProfile;
}

/** Every export format. */
export const EXPORT_FORMATS = ['json', 'csv', 'chrome', 'speedscope', 'folded', 'html'] as const;
/** An export format name. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
