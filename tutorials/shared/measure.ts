/**
 * Timing helpers shared by the tutorials: medians of repeats with the profiler OFF (so the
 * numbers are the code's own cost), and one line that states a measured speedup.
 */
import * as cp from 'corepy';

/** Median wall time of `fn` over `repeats` runs after one warm-up run, ms. Profiling is paused meanwhile. */
export async function medianMs(fn: () => unknown, repeats = 5): Promise<number> {
  const wasOn = cp.isProfiling();
  cp.disableProfiling();
  try {
    await fn(); // warm-up: first calls compile kernels and grow memory
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      await fn();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return times[times.length >> 1]!;
  } finally {
    if (wasOn) cp.enableProfiling();
  }
}

/**
 * Median wall time of each of `fns`, ms, measured side by side: one warm-up run each, then `repeats`
 * rounds that run every function once, the order rotating from round to round. On a shared machine
 * the load drifts; timing one version's runs and then the other's lets the drift decide the ratio,
 * alternating gives each version the same moments. Profiling is paused meanwhile.
 */
export async function medianMsEach<K extends string>(fns: Record<K, () => unknown>, repeats = 5): Promise<Record<K, number>> {
  const wasOn = cp.isProfiling();
  cp.disableProfiling();
  try {
    const keys = Object.keys(fns) as K[];
    for (const k of keys) await fns[k](); // warm-up: first calls compile kernels and grow memory
    const times = new Map<K, number[]>(keys.map((k) => [k, []]));
    for (let r = 0; r < repeats; r++) {
      for (let j = 0; j < keys.length; j++) {
        const k = keys[(r + j) % keys.length]!;
        const t0 = performance.now();
        await fns[k]();
        times.get(k)!.push(performance.now() - t0);
      }
    }
    const out = {} as Record<K, number>;
    for (const [k, ts] of times) out[k] = ts.sort((a, b) => a - b)[ts.length >> 1]!;
    return out;
  } finally {
    if (wasOn) cp.enableProfiling();
  }
}

/** Prints `Speedup (measured, median of N): before X ms → after Y ms = Z×` and returns Z. */
export function reportSpeedup(beforeMs: number, afterMs: number, repeats = 5): number {
  const speedup = beforeMs / afterMs;
  // Two significant digits either way: 0.023× (a slowdown) must not print as 0.0×.
  const shown = speedup >= 10 ? speedup.toFixed(0) : speedup >= 1 ? speedup.toFixed(1) : speedup.toPrecision(2);
  console.log(`Speedup (measured, median of ${repeats}): before ${beforeMs.toFixed(2)} ms → after ${afterMs.toFixed(2)} ms = ${shown}×`);
  return speedup;
}

/** Prints a section heading, so the output reads like the tutorial's steps. */
export function step(title: string): void {
  console.log(`\n── ${title} ${'─'.repeat(Math.max(0, 72 - title.length))}`);
}
