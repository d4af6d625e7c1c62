/**
 * Rule: one op dominates total time and has a known cheaper formulation. Ops without one get no
 * advice (telling someone that their only real work takes most of the time helps nobody);
 * mean/std/var are left to the moments rule.
 *
 * Speedup (measured): an upper bound — the whole-profile speedup if the op's measured time were
 * removed entirely (Amdahl with the op's share).
 */
import { corpusFields } from './corpus.js';
import { siteEvents } from './site-events.js';
import { stallsText, steadyShare } from './stalls.js';
import { ms, priorityFrom, recId, speedupFrom, type Rule } from './types.js';

const SHARE = 30;
/**
 * The cheaper formulation per op; `minCount`: the fewest calls it can apply to (reading "once at the end"
 * or concatenating once is no advice for a program that already does exactly that: in one run of the test
 * suite, a single `item()` took 82 % of a profile of one small matmul, relu and sum, and the rule said so).
 */
const ALTERNATIVES: Readonly<Record<string, { advice: string; before: string; after: string; minCount?: number }>> = {
  cast: { advice: 'create tensors in the dtype you compute in instead of converting them', before: "const x = cp.tensor(values).cast('float32');", after: "const x = cp.tensor(values, 'float32');" },
  contiguous: { advice: 'avoid materialising views: keep broadcasting/strided views and let the kernels read them', before: 'const y = x.transpose().contiguous().add(1);', after: 'const y = x.transpose().add(1);' },
  clone: { advice: 'avoid copying tensors that are not modified afterwards', before: 'const y = x.clone().mul(2);', after: 'const y = x.mul(2);' },
  reshape: { advice: 'reshape a contiguous tensor (a free view) rather than a strided one (a copy)', before: 'x.transpose().reshape([n])', after: 'x.reshape([n]) // before transposing, or keep the view' },
  concat: { advice: 'collect the parts and concatenate once, or preallocate the result', before: 'for (const p of parts) acc = cp.concat([acc, p]);', after: 'const acc = cp.concat(parts);', minCount: 2 },
  read: { advice: 'read results back once at the end instead of after every step', before: 'for (...) { total += x.item(); }', after: 'const total = cp.sum(xs).item();', minCount: 2 },
};

/** Rule entry point. */
export const dominantOp: Rule = (input) => {
  const { agg } = input;
  if (agg.ops.length < 2) return [];
  const top = agg.ops.reduce((a, b) => (b.totalMs > a.totalMs ? b : a));
  const alt = ALTERNATIVES[top.op];
  if (!alt || top.percent < SHARE || top.count < (alt.minCount ?? 1)) return [];
  // The op's time and the op time, both without stalled calls (stalls.ts): a descheduled process is not the op's to remove.
  const sites = agg.sites.filter((s) => s.op === top.op);
  const steady = steadyShare(input.events, sites.flatMap((s) => [...siteEvents(input.events, s.site, s.op)]), top.totalMs, agg.totalOpMs);
  if (100 * steady.share < SHARE) return [];
  const site = sites.reduce((a, b) => (b.totalMs > a.totalMs ? b : a));
  const speedup = speedupFrom(steady.opMs, steady.ms);
  const leftOut = steady.all.stalls > 0 ? ` (left out: ${stallsText(steady.all)}${steady.own.stalls > 0 ? `, ${steady.own.stalls} of '${top.op}'` : ''})` : '';
  const corpus = corpusFields('dominant-op');
  return [{
    id: recId('dominant-op', site.location, top.op), rule: 'dominant-op', priority: priorityFrom(speedup, steady.ms, corpus.impact),
    title: `Operation '${top.op}' takes ${(100 * steady.share).toFixed(0)}% of total time`,
    description: `'${top.op}' ran ${top.count} times for ${ms(steady.ms)} ms of ${ms(steady.opMs)} ms op time${steady.all.stalls > 0 ? ', stalled calls left out' : ''}. Consider: ${alt.advice}.`,
    estimatedSpeedup: speedup,
    speedupBasis: `upper bound: measured ${ms(steady.ms)} ms of '${top.op}' removed from ${ms(steady.opMs)} ms of op time${leftOut}`,
    codeExample: { before: alt.before, after: alt.after },
    location: site.location,
    evidence: { op: top.op, count: top.count, totalMs: top.totalMs, percent: top.percent },
    savedMs: steady.ms,
    ...corpus,
  }];
};
