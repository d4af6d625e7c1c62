/**
 * Timing helpers for benchmarks: interleaved repetitions and medians, because these machines
 * are shared and noisy. Never used by tests.
 */

/** Median of a list (ms or any unit). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs `fn` until about `budgetMs` elapsed (at least `minIters`), returning ms per call. */
export function timePerCall(fn: () => void, budgetMs = 30, minIters = 3): number {
  fn(); // warm-up: first call compiles/allocates
  let iters = 0;
  const t0 = performance.now();
  let t = t0;
  while (iters < minIters || t - t0 < budgetMs) {
    fn();
    iters++;
    t = performance.now();
  }
  return (t - t0) / iters;
}

/**
 * Times several contenders side by side: `rounds` rounds, each timing every contender once in
 * turn (so slow periods of a shared machine hit all of them), then the median per contender.
 */
export function interleaved(contenders: Record<string, () => void>, rounds = 7, budgetMs = 25): Record<string, number> {
  const samples: Record<string, number[]> = {};
  for (const name of Object.keys(contenders)) samples[name] = [];
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(contenders)) samples[name]!.push(timePerCall(fn, budgetMs));
  }
  const out: Record<string, number> = {};
  for (const [name, xs] of Object.entries(samples)) out[name] = median(xs);
  return out;
}
