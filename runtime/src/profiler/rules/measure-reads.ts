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
}

/**
 * Round length, ms: the cost of a fresh read is mostly allocation and the garbage collections it
 * brings, which come every few dozen reads — single 400 KB reads measured 0.03–2.7 ms in one process.
 */
const READ_ROUND_MS = 60;
/** Fresh reads before timing, ms (see below). */
const READ_WARM_MS = 150;

const cache = new Map<string, ReadTimes | null>();

/**
 * Times `k` reads of a tensor of `shape` both ways, as the site's loop does them (how often the
 * collector runs depends on how much a run allocates), per read; null for GPU or unready backends
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
        const t = timePair(
          () => { for (let i = 0; i < k; i++) sink += dataSync(x)[0]!; },
          () => { for (let i = 0; i < k; i++) sink += dataSync(x, into)[0]!; },
          READ_ROUND_MS,
        );
        return sink >= 0 ? { freshMs: t.a / k, intoMs: t.b / k, ratio: t.ratio } : null;
      } finally {
        x.dispose();
      }
    });
  });
}
