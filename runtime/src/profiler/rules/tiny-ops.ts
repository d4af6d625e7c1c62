/**
 * Rule: many tiny ops whose time is mostly fixed dispatch cost — the work per call is too small
 * to amortise the front end, the engine and the kernel launch.
 *
 * Speedup (measured): for each call site of an elementwise op on ≤ MAX_ELEMENTS elements with one
 * input shape, the rewrite the rule shows is timed here (measure-stack.ts: the site's k calls on k
 * tensors of that shape against `op(stack(rows))` — or against the op alone when the program
 * stacks the k results anyway, a stack the rewrite only moves; r: types.ts trialRatio); the site saves
 * siteMs · (1 − 1/r), Amdahl over the total op time. Sites whose op cannot be timed that way save
 * nothing in the estimate (a lower bound for them). (The earlier model, fixed dispatch cost ×
 * (calls − 1) from a cold profile, gave 2.03× where 3.93× was measured, and its "mostly fixed
 * cost" test flickered with the cold profile's JIT state.) GPU sites are left out: their kernels
 * cannot be timed by the CPU clock.
 */
import { corpusFields } from './corpus.js';
import { dtypeAt, inputShapesAt } from '../rule-columns.js';
import { memoFact, siteEvents } from './site-events.js';
import { ms, priorityFrom, recId, speedupFrom, trialRatio, UNTIMED, untimedFields, type Rule } from './types.js';

const MIN_OPS = 200;
const MAX_ELEMENTS = 4096;
/** Elements written are counted as bytes ÷ 4 (float32, int32): a bool output counts a quarter, never more than it has. */
const MIN_BYTES_PER_ELEMENT = 4;
/** Smallest estimated saving, as a share of op time, for the rule to speak. */
const MIN_SHARE = 0.1;

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** Rule entry point. */
export const tinyOps: Rule = (input) => {
  const { agg } = input;
  // Small in what they read AND write: a creation op reads nothing (randn of 65,536 elements is not tiny).
  const tiny = agg.sites.filter((s) => s.count > 0 && Math.max(s.elements, s.bytesWritten / MIN_BYTES_PER_ELEMENT) / s.count <= MAX_ELEMENTS && s.backends.length === 1 &&
    input.dispatchCostMs(s.backends[0]!) !== null);
  const count = tiny.reduce((n, s) => n + s.count, 0);
  if (count < MIN_OPS) return [];
  let saved = 0, timeMs = 0, timedCalls = 0, untimedMs = 0;
  const parts: string[] = [];
  for (const s of tiny) {
    timeMs += s.totalMs;
    if (s.count < 2) continue;
    const cols = input.events;
    const events = siteEvents(cols, s.site, s.op);
    // One row shape; a second tensor operand (rows combined with rows) stacks too, when it has the row's shape.
    const { oneShape, pair, pairShapesMatch } = memoFact(events, 'tiny-ops', (group) => {
      const row = (e: number): readonly number[] => inputShapesAt(cols, e)[0] ?? [];
      const paired = group.some((e) => cols.in1[e]! >= 0);
      return {
        oneShape: group.length === 0 || group.every((e) => sameShape(row(e), row(group[0]!))),
        pair: paired,
        pairShapesMatch: !paired || group.every((e) => sameShape(inputShapesAt(cols, e)[1] ?? [], row(e))),
      };
    });
    if (!events.length || !oneShape || !pairShapesMatch) continue;
    const rowShape = inputShapesAt(cols, events[0]!)[0] ?? [1];
    const rowElements = rowShape.reduce((p, d) => p * d, 1);
    // The results stacked anyway (a stack — recorded as concat — of k such rows ran on this backend): the rewrite moves that stack
    // before the op rather than adding one, so only the op on the stacked rows is timed against the loop.
    const stacked = agg.sites.some((o) => (o.op === 'stack' || o.op === 'concat') && o.backends[0] === s.backends[0] && o.elements === s.count * rowElements * o.count);
    const t = input.measureStack(s.op, s.backends[0]!, rowShape, dtypeAt(cols, events[0]!), s.count, stacked, pair);
    if (t === UNTIMED) { untimedMs += s.totalMs; continue; }
    // The ratio the printed medians and the per-round ratios both support (types.ts trialRatio; 1 when they disagree).
    const claimed = t ? trialRatio(t.loopMs, t.stackedMs, t.ratio) : null;
    if (!t || !claimed || claimed.r <= 1) continue;
    saved += s.totalMs * (1 - 1 / claimed.r);
    timedCalls += s.count;
    parts.push(`${s.op} ×${s.count} on [${(inputShapesAt(cols, events[0]!)[0] ?? []).join(', ')}]${t.rows < s.count ? `, timed on ${t.rows} rows` : ''}: ${ms(t.loopMs)} ms vs ${stacked ? 'one' : 'stack + one'} ${s.op}${stacked ? ' on the rows the program stacks anyway' : ''} ${ms(t.stackedMs)} ms (medians; ${claimed.text})`);
  }
  // Sites not timed within the report's budget: the rule speaks without a figure when, with their whole time, it could clear its threshold.
  const untimed = saved < MIN_SHARE * agg.totalOpMs && untimedMs > 0;
  if (timeMs <= 0 || (saved < MIN_SHARE * agg.totalOpMs && !(untimed && saved + untimedMs >= MIN_SHARE * agg.totalOpMs))) return [];
  const worst = tiny.reduce((a, b) => (b.count > a.count ? b : a));
  const speedup = speedupFrom(agg.totalOpMs, saved);
  const corpus = corpusFields('tiny-ops');
  const estimate = untimed ? untimedFields(`stacking the small ops (${ms(untimedMs)} ms of them)`) : {
    priority: priorityFrom(speedup, saved, corpus.impact),
    estimatedSpeedup: speedup,
    speedupBasis: `timed here, per call site: ${parts.join('; ')}; sites × (1 − 1/r) = ${ms(saved)} ms saved of ${ms(agg.totalOpMs)} ms` +
      (untimedMs > 0 ? ` (a lower bound: sites with ${ms(untimedMs)} ms of op time are not timed yet and count as saving nothing)` : ''),
    savedMs: saved,
  };
  return [{
    id: recId('tiny-ops', worst.location, 'tiny'), rule: 'tiny-ops',
    title: 'Many tiny operations dominated by dispatch cost',
    description: `${count} ops on ≤ ${MAX_ELEMENTS} elements each took ${ms(timeMs)} ms; done one small tensor at a time, most of that ` +
      `is fixed per-call cost. Work on whole tensors (stack the small ones, then one op) instead of element by element.`,
    codeExample: {
      before: 'for (const row of rows) out.push(cp.mul(row, 2));',
      after: 'const out = cp.mul(cp.stack(rows), 2); // one op over all rows',
    },
    location: worst.location,
    evidence: { ops: count, timeMs, timedCalls, busiestSiteCalls: worst.count },
    ...corpus,
    ...estimate,
  }];
};
