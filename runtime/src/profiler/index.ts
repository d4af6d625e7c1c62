/**
 * The profiler's public surface (re-exported by corepy's index.ts). See README.md for the file map.
 */
export { enableProfiling, disableProfiling, isProfiling, clearProfile } from './session.js';
export {
  profileReport, getRecommendations, getFlameProfile, ProfileContext, profileContext, profiled, exportProfile, saveBaseline,
  compareToBaseline, type ReportOptions,
} from './api.js';
export { shareWorkerProfile } from './workers.js';
export type { ProfileReport, OverheadInfo } from './report.js';
export { REPORT_SCHEMA_VERSION } from './report.js';
export type { Recommendation, Fix, Priority } from './rules/index.js';
export type { BaselineComparison, BaselineFinding, Baseline } from './baseline.js';
export type { OpStats, SiteOpStats, ContextStats } from './aggregate.js';
export type { ProfilerOptions, CallSiteMode } from './types.js';
export type { ExportFormat } from '../export/index.js';
export { readJsonExport, parseJsonExport } from '../export/read-report.js';
