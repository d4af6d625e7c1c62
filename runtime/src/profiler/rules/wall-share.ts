/**
 * A recommendation's saving in proportion to the whole run. Every rule estimates its speedup over op
 * time (Amdahl over the ops), which is the run when ops are most of it; in a run that mostly waits or
 * runs other JavaScript, "≈146×" over 148 ms of op time in 4.2 s of wall time reads as a promise the
 * run cannot keep (audit 24 N9). There the basis also says what share of the wall time the saving is,
 * and a saving too small a share of it is not HIGH.
 */
import type { ProfileData } from '../types.js';
import type { Recommendation } from './types.js';

/**
 * The run's own time: its wall time less what the run would not pay again or did not ask for — the
 * one-time costs inside the recording (first-touch page faults, memory growth: most of a short
 * script's non-op time) and the profiler's own estimated cost — ms.
 */
export function runOwnMs(data: ProfileData, wallMs: number): number {
  let oneTime = 0;
  for (const c of data.oneTimeCosts ?? []) oneTime += Math.max(0, Math.min(c.endMs, data.endMs) - Math.max(c.startMs, data.startMs));
  const s = data.selfCost;
  const profiler = (s.perOpNs * s.ops + s.perCaptureNs * s.captures) / 1e6 + (s.stackCaptureMs ?? 0);
  return Math.max(0, wallMs - oneTime - profiler);
}

/** Op time below this share of the wall time gets the wall-time clause. */
export const OP_SHARE_FOR_WALL_CLAUSE = 0.5;

/** A HIGH recommendation whose saving is below this share of the wall time becomes MEDIUM. */
export const HIGH_MIN_WALL_SHARE = 0.05;

/** `r` with its saving set against `wallMs` (the run's own time, {@link runOwnMs}) when op time (`opMs`) is under half of it; unchanged otherwise. */
export function inProportionToWallTime(r: Recommendation, opMs: number, wallMs: number): Recommendation {
  if (r.savedMs === undefined || r.savedMs <= 0 || !(wallMs > 0) || opMs >= OP_SHARE_FOR_WALL_CLAUSE * wallMs) return r;
  const share = r.savedMs / wallMs;
  const demoted = r.priority === 'HIGH' && share < HIGH_MIN_WALL_SHARE;
  const pct = (v: number): string => (v >= 0.1 ? (100 * v).toFixed(0) : (100 * v).toFixed(1));
  const clause = `; op time is ${pct(opMs / wallMs)} % of this run's ${wallMs.toFixed(0)} ms wall time (one-time costs and the profiler's own left out), so the saving is ` +
    `${pct(share)} % of the run${demoted ? ` (MEDIUM, not HIGH: under ${pct(HIGH_MIN_WALL_SHARE)} % of it)` : ''}`;
  return { ...r, speedupBasis: r.speedupBasis + clause, ...(demoted ? { priority: 'MEDIUM' as const } : {}) };
}
