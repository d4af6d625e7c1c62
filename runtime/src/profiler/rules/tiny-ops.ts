/**
 * Rule: many tiny ops whose time is mostly fixed dispatch cost — the work per call is too small
 * to amortise the front end, the engine and the kernel launch.
 *
 * Speedup (measured): with a = measured fixed dispatch cost per call, merging the calls of each
 * call site into one saves (calls − 1)·a per site; Amdahl over the total op time. Sites on GPU
 * backends are left out: they have no measured dispatch cost (see measure.ts).
 */
import { corpusFields } from './corpus.js';
import { ms, priorityFrom, recId, speedupFrom, type Rule } from './types.js';

const MIN_OPS = 200;
const MAX_ELEMENTS = 4096;

/** Rule entry point. */
export const tinyOps: Rule = (input) => {
  const { agg } = input;
  const tiny = agg.sites.filter((s) => s.count > 0 && s.elements / s.count <= MAX_ELEMENTS && s.backends.every((b) => input.dispatchCostMs(b) !== null));
  const count = tiny.reduce((n, s) => n + s.count, 0);
  if (count < MIN_OPS) return [];
  let fixedMs = 0, saved = 0, timeMs = 0;
  for (const s of tiny) {
    const a = Math.min(input.dispatchCostMs(s.backends[0]!)!, s.meanMs);
    fixedMs += a * s.count;
    saved += a * (s.count - 1);
    timeMs += s.totalMs;
  }
  if (timeMs <= 0 || fixedMs / timeMs < 0.5) return [];
  const worst = tiny.reduce((a, b) => (b.count > a.count ? b : a));
  const speedup = speedupFrom(agg.totalOpMs, saved);
  const corpus = corpusFields('tiny-ops');
  return [{
    id: recId('tiny-ops', worst.location, 'tiny'), rule: 'tiny-ops', priority: priorityFrom(speedup, saved, corpus.impact),
    title: 'Many tiny operations dominated by dispatch cost',
    description: `${count} ops on ≤ ${MAX_ELEMENTS} elements each spent about ${(100 * fixedMs / timeMs).toFixed(0)}% of their ` +
      `${ms(timeMs)} ms in fixed per-call cost. Work on whole tensors (stack the small ones, then one op) instead of element by element.`,
    estimatedSpeedup: speedup,
    speedupBasis: `measured fixed dispatch cost per call × (calls − 1) per call site = ${ms(saved)} ms saved of ${ms(agg.totalOpMs)} ms`,
    codeExample: {
      before: 'for (const row of rows) out.push(cp.mul(row, 2));',
      after: 'const out = cp.mul(cp.stack(rows), 2); // one op over all rows',
    },
    location: worst.location,
    evidence: { ops: count, timeMs, fixedCostMs: fixedMs, busiestSiteCalls: worst.count },
    savedMs: saved,
    ...corpus,
  }];
};
