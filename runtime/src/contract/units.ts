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

/** Formats a size given in bytes, binary units, one decimal at most: "8 MB", "640 KB" (1 MB = 2^20 bytes; what one-time cost names say). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1 << 20) return `${+(bytes / (1 << 20)).toFixed(1)} MB`;
  return `${+(bytes / 1024).toFixed(1)} KB`;
}

/** Formats a duration given in microseconds, as {@link formatMs} does. */
export function formatUs(us: number): string {
  return formatMs(us / 1000);
}
