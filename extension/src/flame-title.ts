/**
 * The flame graph tab's title while the latest run has no graph to show: the panel keeps the graph it
 * has, and the title says whose it is.
 */
import { basename } from 'node:path';

/**
 * `shownTitle` (the graph kept, e.g. `Flame: train.ts`) marked as the previous run's while the latest
 * run is `running`, or as an older run's once the latest (`program`) ended without a report.
 */
export function keptFlameTitle(shownTitle: string, latest?: { readonly program: string; readonly running: boolean }): string {
  return latest === undefined || latest.running ? `${shownTitle} (previous run)`
    : `${shownTitle} (an older run: ${basename(latest.program)} ended without a report)`;
}
