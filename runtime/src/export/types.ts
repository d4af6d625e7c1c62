/**
 * What every exporter receives: the JSON report (statistics, recommendations) and the flame
 * model (the timeline). Both are plain data, so the CLI and the VS Code extension can export from
 * what a profiled child process sent over IPC without re-running anything.
 */
import type { FlameProfile } from '../contract/flame.js';
import type { ProfileReport } from '../contract/report.js';
import type { TextSink } from './text-chunks.js';

export type { TextSink };

/** Input of an exporter. */
export interface ExportInput {
  readonly report: ProfileReport;
  readonly flame: FlameProfile;
}

/**
 * Files an exporter needs besides its input, supplied by the caller so the exporters stay free of
 * file-system lookups and bundle cleanly: the Node API/CLI read them from this package
 * (assets.ts), the extension from the runtime it ships.
 */
export interface ExportAssets {
  /** The standalone flame-graph renderer (runtime/assets/flame-report.js); only the HTML export calls it. */
  readonly flameRenderer: () => string;
}

/** One row of the export registry (formats.ts). */
export interface ExportFormatSpec<Id extends string = string> {
  /** Name used by `exportProfile({ format })`, `corepy profile --format` and the extension. */
  readonly id: Id;
  /** Human name (the extension's quick pick). */
  readonly label: string;
  /** File name endings without the dot, the default first (`trace.json` before `json`). */
  readonly extensions: readonly string[];
  /**
   * Whether the file carries the `exporter` stamp. False for formats whose readers accept no line
   * but data (csv: the header must be line 1; folded: flamegraph.pl warns on any other line).
   */
  readonly stamped: boolean;
  /**
   * What the renderer reads, so a caller snapshots no more than that: 'cells' (the report's
   * per-site table only), 'report' (the whole report: its recommendations read the raw events),
   * 'timeline' (the flame model; of the report only the `exporter` stamp).
   */
  readonly reads: 'cells' | 'report' | 'timeline';
  /** Renders the whole file (UTF-8 text). */
  readonly render: (input: ExportInput, assets: ExportAssets) => string;
  /**
   * Writes the same text as {@link render} to `sink` in pieces, for formats whose output grows with
   * the number of events (writeExport streams these to the file; memory stays at one piece).
   */
  readonly stream?: (input: ExportInput, assets: ExportAssets, sink: TextSink) => void;
}
