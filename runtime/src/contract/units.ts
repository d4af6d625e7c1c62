/**
 * Human formatting of measured quantities, one formatter per input unit, shared by every view
 * so the same figure reads the same everywhere.
 */

/** Formats a duration given in milliseconds: 3 significant digits, in µs below 1 ms and s from 1000 ms ("1.24 ms"). */
export function formatMs(ms: number): string {
  if (ms < 1) return `${(ms * 1000).toPrecision(3)} µs`;
  if (ms < 1000) return `${ms.toPrecision(3)} ms`;
  return `${(ms / 1000).toPrecision(3)} s`;
}

/** Formats a duration given in microseconds, as {@link formatMs} does. */
export function formatUs(us: number): string {
  return formatMs(us / 1000);
}
