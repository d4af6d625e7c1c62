/**
 * The recorder's clock: milliseconds on `performance.now()`'s timeline, read as cheaply as the
 * platform allows. The recorder reads it twice per op, so its cost is most of what profiling adds
 * to a small op (runtime/BENCHMARKS.md, "Profiler overhead").
 *
 * In Node (20 and 22), `performance.now()` is `process.hrtime()` converted to ms minus the thread's
 * time origin, behind a brand check and two more calls (lib/internal/perf/utils.js); calling
 * `process.hrtime()` directly and subtracting the same origin gives the same number for less
 * (measured: BENCHMARKS.md). The origin is not exposed, so it is found by bracketing
 * `performance.now()` between two hrtime reads; when that does not pin it down to
 * {@link MAX_CALIBRATION_ERROR_MS} (another runtime, a clock that is not hrtime), or outside Node,
 * the clock is `performance.now()` itself.
 */

/** Largest uncertainty of the calibrated origin for the hrtime clock to be used, ms (1 µs). */
export const MAX_CALIBRATION_ERROR_MS = 1e-3;

type Hrtime = () => [number, number];

/** Which source {@link clockMs} reads and, for hrtime, how far its origin may be off (ms). */
export interface ClockInfo {
  readonly source: 'hrtime' | 'performance.now';
  /** Half-width of the bracket the origin was found in, ms (0 for performance.now). */
  readonly errorMs: number;
}

function calibrate(hr: Hrtime, perf: { now(): number }): { origin: number; errorMs: number } | null {
  const ms = (): number => { const h = hr(); return h[0] * 1e3 + h[1] / 1e6; };
  // performance.now() = hrMs(t) − origin for some t between the two hrtime reads around it, so
  // origin lies in [a − p, b − p]; the tightest of a few brackets is taken.
  // The first rounds run cold (unoptimised, with cache misses) and give wide brackets; they are
  // part of the loop all the same (about 20 µs in all, once per thread).
  let lo = -Infinity, hi = Infinity;
  for (let k = 0; k < 256; k++) {
    const a = ms(), p = perf.now(), b = ms();
    lo = Math.max(lo, a - p);
    hi = Math.min(hi, b - p);
  }
  if (!(lo <= hi) || hi - lo > 2 * MAX_CALIBRATION_ERROR_MS) return null;
  return { origin: (lo + hi) / 2, errorMs: (hi - lo) / 2 };
}

function makeClock(): { now: () => number; info: ClockInfo } {
  const perf = globalThis.performance;
  const hr = (globalThis as { process?: { hrtime?: Hrtime } }).process?.hrtime;
  const viaPerf = { now: (): number => perf.now(), info: { source: 'performance.now', errorMs: 0 } as const };
  if (typeof hr !== 'function') return viaPerf;
  const cal = calibrate(hr, perf);
  if (cal === null) return viaPerf;
  const origin = cal.origin;
  return {
    now: (): number => { const h = hr(); return h[0] * 1e3 + h[1] / 1e6 - origin; },
    info: { source: 'hrtime', errorMs: cal.errorMs },
  };
}

const clock = makeClock();

/** Now, in ms on this thread's `performance.now()` timeline (within {@link clockInfo}.errorMs). */
export const clockMs: () => number = clock.now;

/** How {@link clockMs} reads the time on this thread. */
export const clockInfo: ClockInfo = clock.info;
