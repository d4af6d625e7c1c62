/** The seed's Example 1, shared by the overhead benches (overhead.ts, overhead-estimate.ts). */
import * as cp from '../index.js';

/**
 * The seed's Example 1 at `n` elements. `asWritten`: as the seed writes it, building `data` from a
 * plain JS array of numbers, then the pipeline; otherwise the pipeline alone on a tensor built
 * once (stricter: the same profiler cost over less work). Five ops per run: mean, sub, std, div, sum.
 */
export function example1(n: number, asWritten: boolean): () => void {
  const values = Array.from({ length: n }, (_, i) => i);
  if (asWritten) {
    return () => { cp.tidy(() => { const data = cp.tensor(values); const normalized = data.sub(data.mean()).div(data.std()); normalized.sum(); }); };
  }
  const data = cp.keep(cp.tensor(values));
  return () => { cp.tidy(() => { data.sub(data.mean()).div(data.std()).sum(); }); };
}
