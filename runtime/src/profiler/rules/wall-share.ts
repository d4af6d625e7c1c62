/**
 * A recommendation's saving in proportion to the whole run. Every rule estimates its speedup over op
 * time (Amdahl over the ops), which is the run when ops are most of it; in a run that mostly waits or
 * runs other JavaScript, "≈146×" over 148 ms of op time in 4.2 s of wall time reads as a promise the
 * run cannot keep (audit 24 N9). There the basis also says what share of the wall time the saving is,
 * and a saving too small a share of it is not HIGH.
 */
import type { RuleColumns } from '../rule-columns.js';
import type { ProfileData } from '../types.js';
import type { Recommendation } from './types.js';

/**
 * The run's own time, ms: from its first op to its last — not from the recording's start, which under
 * `corepy profile` precedes the script's imports and compile by 0.1–1.7 s (audit 26 F2: a script of
 * nothing but ops read "op time is 3.9 % of this run") — less what the run would not pay again or did
 * not ask for in between: the one-time costs (first-touch page faults, memory growth: most of a short
 * script's non-op time) and the profiler's own estimated cost. Measured on the retained events; when
 * the ring dropped older ones, scaled from their op time to all of it (`opMs`). Null without events.
 */
export function runOwnMs(data: ProfileData, events: RuleColumns, opMs: number): number | null {
  let from = Infinity, to = -Infinity, retainedOpMs = 0;
  for (let i = 0; i < events.length; i++) {
    const t0 = events.startMs[i]!, t1 = events.endMs[i]!;
    if (t0 < from) from = t0;
    if (t1 > to) to = t1;
    retainedOpMs += t1 - t0;
  }
  if (!(to > from) || !(retainedOpMs > 0)) return null;
  let oneTime = 0;
  for (const c of data.oneTimeCosts ?? []) oneTime += Math.max(0, Math.min(c.endMs, to) - Math.max(c.startMs, from));
  const s = data.selfCost;
  const profiler = ((s.perOpNs * s.ops + s.perCaptureNs * s.captures) / 1e6 + (s.stackCaptureMs ?? 0)) * Math.min(1, events.length / Math.max(1, s.ops));
  const span = Math.max(retainedOpMs, to - from - oneTime - profiler);
  return span * Math.max(1, opMs / retainedOpMs);
}

/** Op time below this share of the wall time gets the wall-time clause. */
export const OP_SHARE_FOR_WALL_CLAUSE = 0.5;

/** A HIGH recommendation whose saving is below this share of the wall time becomes MEDIUM. */
export const HIGH_MIN_WALL_SHARE = 0.05;

/**
 * `r` with its saving set against `wallMs` (the run's own time, {@link runOwnMs}; null: unknown) when op time (`opMs`) is under half of it;
 * unchanged otherwise. `stallsOut`: both figures are without the stalled calls in ops (stalls.ts), and the clause says so.
 */
export function inProportionToWallTime(r: Recommendation, opMs: number, wallMs: number | null, stallsOut = false): Recommendation {
  if (wallMs === null || r.savedMs === undefined || r.savedMs <= 0 || !(wallMs > 0) || opMs >= OP_SHARE_FOR_WALL_CLAUSE * wallMs) return r;
  const share = r.savedMs / wallMs;
  const demoted = r.priority === 'HIGH' && share < HIGH_MIN_WALL_SHARE;
  const pct = (v: number): string => (v >= 0.1 ? (100 * v).toFixed(0) : (100 * v).toFixed(1));
  const clause = `; op time is ${pct(opMs / wallMs)} % of the ${wallMs.toFixed(0)} ms from this run's first op to its last (one-time costs${stallsOut ? ', stalled calls' : ''} and the profiler's own left out), so the saving is ` +
    `${pct(share)} % of the run${demoted ? ` (MEDIUM, not HIGH: under ${pct(HIGH_MIN_WALL_SHARE)} % of it)` : ''}`;
  return { ...r, speedupBasis: r.speedupBasis + clause, ...(demoted ? { priority: 'MEDIUM' as const } : {}) };
}
