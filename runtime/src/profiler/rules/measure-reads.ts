/**
 * Measured input of the fresh-reads rule: `dataSync()` into a new array against `dataSync(out)`
 * into one array made beforehand, on a tensor of the site's shape and dtype on its backend,
 * profiler detached, alternating rounds (measure.ts `timePair`). Cached per shape and backend.
 */
import { getBackendImpl, isBackendReady } from '../../engine.js';
import { dataSync } from '../../ops/transfer.js';
import type { BackendName } from '../../types.js';
import { cachedMeasure, checkDeadline, detached, onesOn, timePair } from './measure.js';

/** One fresh read against one read into a reused array, ms, and their per-round ratio. */
export interface ReadTimes {
  readonly freshMs: number;
  readonly intoMs: number;
  /** freshMs / intoMs as the median of per-round ratios. */
  readonly ratio: number;
  /**
   * When the figure was measured, ms since the epoch, where it was not timed for this report: read from the
   * per-machine file or kept from an earlier report of this process (timing-budget.ts); absent where timed now.
   */
  readonly measuredAtMs?: number;
}

/**
 * Round length, ms: the cost of a fresh read is mostly allocation and the garbage collections it
 * brings, which come every few dozen reads — single 400 KB reads measured 0.03–2.7 ms in one process.
 */
const READ_ROUND_MS = 60;
/** Fresh reads before timing, ms (see below). */
const READ_WARM_MS = 150;
/**
 * Fresh reads timed once after the warm-up to size a run: a timed run of the fresh side is about
 * READ_ROUND_MS of reads at that pace (the site's count caps it). `alternate` counts its timed phase in
 * run time, so runs of all the site's reads (100–300 ms for 200 reads of 400 KB) or of a few reads (30+
 * rounds) both made the trial 2.5–5 s, past any report's timing budget, and the rule said "not timed
 * yet" report after report (audit 24 N8). The collector runs as often per read either way: that depends
 * on the bytes allocated per read, not on how reads are grouped.
 */
const PACE_READS = 16;
/** The trial's warm-up cap, ms: the JavaScript on the read path is warm after READ_WARM_MS of reads. */
const READ_ALTERNATE_WARM_CAP_MS = 400;

const cache = new Map<string, ReadTimes | null>();

/**
 * Times reads of a tensor of `shape` both ways, in runs of about READ_ROUND_MS of fresh reads (at
 * most `k`, the site's count; see PACE_READS), per read; null for GPU or unready backends
 * and on failure.
 */
export function measureReads(backend: string, shape: readonly number[], dtype: string, k: number): ReadTimes | null {
  const key = `${backend}|${dtype}|${shape.join('x')}|${k}`;
  return cachedMeasure(cache, key, () => {
    if (!isBackendReady(backend as BackendName) || getBackendImpl(backend as BackendName).device === 'gpu') return null;
    return detached(() => {
      const x = onesOn(backend as BackendName, shape, dtype);
      try {
        const into = dataSync(x);
        let sink = 0;
        // Until the heap has grown to its steady size: the first hundreds of fresh 400 KB arrays land on
        // pages the process has never touched (0.5–1.5 ms a read here, 200× a read into a reused array).
        for (const t0 = performance.now(); performance.now() - t0 < READ_WARM_MS;) {
          checkDeadline();
          sink += dataSync(x)[0]!;
        }
        const t0 = performance.now();
        for (let i = 0; i < PACE_READS; i++) sink += dataSync(x)[0]!;
        const perReadMs = Math.max((performance.now() - t0) / PACE_READS, 1e-3);
        const n = Math.max(1, Math.min(k, Math.round(READ_ROUND_MS / perReadMs)));
        const t = timePair(
          () => { for (let i = 0; i < n; i++) sink += dataSync(x)[0]!; },
          () => { for (let i = 0; i < n; i++) sink += dataSync(x, into)[0]!; },
          READ_ROUND_MS,
          // The collections fresh reads bring run on V8's helper threads too: they are the cost, never quiet.
          { warmCapMs: READ_ALTERNATE_WARM_CAP_MS, busyThreadsAreTheCost: true },
        );
        return sink >= 0 ? { freshMs: t.a / n, intoMs: t.b / n, ratio: t.ratio } : null;
      } finally {
        x.dispose();
      }
    });
  });
}
