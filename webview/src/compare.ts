/**
 * Compare mode: self-time difference of every call path between the shown profile and a second
 * one (typically a baseline). Paths are matched by their names and kinds from the root down, so
 * the two profiles need not share string tables. Pure; no DOM.
 */
import { KIND_GPU, pathKey, type FlameData } from './model.js';

/** Per path id of the current profile. */
export interface PathDiff {
  /** Relative change in self time: (cur − base) / max(cur, base), in [−1, 1]; 0 = same. */
  readonly ratio: Float64Array;
  /** Absolute change in self time, µs (positive = slower now). */
  readonly deltaUs: Float64Array;
  /** Baseline self time, µs (0 when the path is new). */
  readonly baseUs: Float64Array;
}

/** Sums self time per path id, µs (GPU slices excluded: their time is not CPU self time). */
function selfByPath(d: FlameData): Float64Array {
  const out = new Float64Array(d.pathParent.length);
  const kind = d.profile.slices.kind;
  for (let i = 0; i < d.n; i++) if (kind[i] !== KIND_GPU) out[d.path[i]] += d.self[i];
  return out;
}

/** Computes {@link PathDiff} of `current` against `base`. */
export function diffPaths(current: FlameData, base: FlameData): PathDiff {
  const baseSelf = selfByPath(base);
  const byKey = new Map<string, number>();
  for (let p = 0; p < baseSelf.length; p++) byKey.set(pathKey(base, p), baseSelf[p]);
  const cur = selfByPath(current);
  const np = cur.length;
  const ratio = new Float64Array(np), deltaUs = new Float64Array(np), baseUs = new Float64Array(np);
  for (let p = 0; p < np; p++) {
    const b = byKey.get(pathKey(current, p)) ?? 0;
    const c = cur[p];
    const m = Math.max(b, c);
    baseUs[p] = b;
    deltaUs[p] = c - b;
    ratio[p] = m > 0 ? (c - b) / m : 0;
  }
  return { ratio, deltaUs, baseUs };
}
