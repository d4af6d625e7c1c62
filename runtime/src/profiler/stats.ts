/**
 * Welford running statistics and Chan et al.'s parallel merge, so per-cell statistics can be
 * combined into per-op / per-site / per-context figures without keeping every duration.
 */
import type { Stats } from './types.js';

/** Fresh, empty statistics. */
export function emptyStats(): Stats {
  return { count: 0, totalMs: 0, meanMs: 0, m2: 0, minMs: Infinity, maxMs: -Infinity };
}

/** Adds one duration (ms). */
export function addSample(s: Stats, ms: number): void {
  s.count++;
  s.totalMs += ms;
  const d = ms - s.meanMs;
  s.meanMs += d / s.count;
  s.m2 += d * (ms - s.meanMs);
  if (ms < s.minMs) s.minMs = ms;
  if (ms > s.maxMs) s.maxMs = ms;
}

/** Merges `b` into `a` (parallel variance formula). */
export function mergeStats(a: Stats, b: Stats): void {
  if (b.count === 0) return;
  if (a.count === 0) {
    Object.assign(a, { count: b.count, totalMs: b.totalMs, meanMs: b.meanMs, m2: b.m2, minMs: b.minMs, maxMs: b.maxMs });
    return;
  }
  const n = a.count + b.count;
  const d = b.meanMs - a.meanMs;
  a.m2 += b.m2 + (d * d * a.count * b.count) / n;
  a.meanMs += (d * b.count) / n;
  a.count = n;
  a.totalMs += b.totalMs;
  a.minMs = Math.min(a.minMs, b.minMs);
  a.maxMs = Math.max(a.maxMs, b.maxMs);
}

/** Population standard deviation, ms (0 for fewer than two samples). */
export function stddevOf(s: Stats): number {
  return s.count > 1 ? Math.sqrt(Math.max(0, s.m2 / s.count)) : 0;
}
