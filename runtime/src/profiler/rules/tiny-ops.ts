/**
 * Rule: many tiny ops whose time is mostly fixed dispatch cost — the work per call is too small
 * to amortise the front end, the engine and the kernel launch.
 *
 * Speedup (measured): for each call site of an elementwise op on ≤ MAX_ELEMENTS elements with one
 * input shape, the rewrite the rule shows is timed here (measure-stack.ts: the site's k calls on k
 * tensors of that shape against `op(stack(rows))` — or against the op alone when the program
 * stacks the k results anyway, a stack the rewrite only moves; a second tensor operand of another shape is
 * stacked too and broadcasts as each call did), and for matmul of [a, d] rows by a [d, m] matrix the calls
 * share, k row matmuls against one matmul of the rows joined (concat) — in a per-sample loop the matmul is
 * often the busiest site (audit 27 F1: over half the op time, which the estimate left out), and an `add` that
 * accumulates (`acc = acc.add(row)`) against one sum over the rows. Rows the loop makes itself ({@link rowsMadeInLoop})
 * are timed without a stack. r: types.ts trialRatio; the site saves
 * siteMs · (1 − 1/r), Amdahl over the total op time — both without stalled calls (stalls.ts: on a loaded machine a few
 * 80 ms stalls among 1350 calls of 0.008 ms read "520 ms saved of 557 ms", audit 29). Sites whose op cannot be timed that way save
 * nothing in the estimate (a lower bound for them). (The earlier model, fixed dispatch cost ×
 * (calls − 1) from a cold profile, gave 2.03× where 3.93× was measured, and its "mostly fixed
 * cost" test flickered with the cold profile's JIT state.) GPU sites are left out: their kernels
 * cannot be timed by the CPU clock.
 */
import { corpusFields } from './corpus.js';
import { dtypeAt, inputShapesAt, type RuleColumns } from '../rule-columns.js';
import { memoFact, siteEvents, type EventGroup } from './site-events.js';
import { shareText, stallsIn, stallsInOps, stallsText } from './stalls.js';
import { ms, priorityFrom, recId, speedupFrom, trialEvidence, trialRatio, trialWhen, UNTIMED, untimedFields, type Rule } from './types.js';

const MIN_OPS = 200;
const MAX_ELEMENTS = 4096;
/** Elements written are counted as bytes ÷ 4 (float32, int32): a bool output counts a quarter, never more than it has. */
const MIN_BYTES_PER_ELEMENT = 4;
/** Smallest estimated saving, as a share of op time, for the rule to speak. */
const MIN_SHARE = 0.1;

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Whether the loop makes each row of the site itself: between every two consecutive calls, the second's row is newer
 * than the first's (tensor ids increase in creation order) and some op in between read a tensor made between the two
 * rows — the loop's own work, made after one row and before the next. Rows built beforehand (a list of tensors, ids
 * in a run) have nothing made between them and fail it. Such rows are a slice of one tensor (`X.slice([[i, i + 1]])`:
 * views, which the profiler does not record), an earlier op's per-row result or a per-row creation; in each case
 * the batched loop has them as one tensor, with no stack. Pure.
 */
export function rowsMadeInLoop(cols: RuleColumns, group: EventGroup, operand: 0 | 1 = 0): boolean {
  if (group.length < 2) return false;
  const ids = operand === 0 ? cols.in0 : cols.in1;
  for (let j = 1; j < group.length; j++) {
    const a = group[j - 1]!, b = group[j]!, lo = ids[a]!, hi = ids[b]!;
    if (lo < 0 || hi <= lo) return false;
    let between = false;
    for (let x = a + 1; x < b && !between; x++) {
      const i0 = cols.in0[x]!, i1 = cols.in1[x]!;
      between = (i0 > lo && i0 < hi) || (i1 > lo && i1 < hi);
    }
    if (!between) return false;
  }
  return true;
}

/** Share of consecutive calls whose link {@link accumulates} asks for, at least: the accumulator starts afresh now and then (each epoch). */
const MIN_ACCUMULATING = 0.9;

/**
 * Whether an `add` site accumulates — `acc = acc.add(row)`: its first operand is, in at least MIN_ACCUMULATING of its calls, the
 * previous call's result. Results are not recorded by id, so it is read from the ids' order: the result was made right after
 * that call's inputs, so it is the oldest tensor newer than them that any op up to this call read. Pure.
 */
export function accumulates(cols: RuleColumns, group: EventGroup): boolean {
  if (group.length < 3) return false;
  let linked = 0;
  for (let j = 1; j < group.length; j++) {
    const a = group[j - 1]!, b = group[j]!, made = Math.max(cols.in0[a]!, cols.in1[a]!);
    let oldest = Infinity;
    for (let x = a + 1; x <= b; x++) {
      const i0 = cols.in0[x]!, i1 = cols.in1[x]!;
      if (i0 > made && i0 < oldest) oldest = i0;
      if (i1 > made && i1 < oldest) oldest = i1;
    }
    if (cols.in0[b] === oldest) linked++;
  }
  return linked >= MIN_ACCUMULATING * (group.length - 1);
}

/** Rule entry point. */
export const tinyOps: Rule = (input) => {
  const { agg } = input;
  // Small in what they read AND write: a creation op reads nothing (randn of 65,536 elements is not tiny).
  const tiny = agg.sites.filter((s) => s.count > 0 && Math.max(s.elements, s.bytesWritten / MIN_BYTES_PER_ELEMENT) / s.count <= MAX_ELEMENTS && s.backends.length === 1 &&
    input.dispatchCostMs(s.backends[0]!) !== null);
  const count = tiny.reduce((n, s) => n + s.count, 0);
  if (count < MIN_OPS) return [];
  let oldestTrialMs: number | undefined;
  let saved = 0, timeMs = 0, timedCalls = 0, untimedMs = 0, matmulRows = false, anyMadeInLoop = false, stalls = 0, stallMs = 0;
  const parts: string[] = [];
  for (const s of tiny) {
    timeMs += s.totalMs;
    if (s.count < 2) continue;
    const cols = input.events;
    const events = siteEvents(cols, s.site, s.op);
    // The site's calls of one input-shape pair: all of them, or the most frequent pair when a call site mixes a few
    // others (tsx can print several source lines as one: the per-sample sub ×512 on [1, 1] and the update's sub ×4 on
    // [8, 1] read as one site, which the rule then skipped); that pair's share of the site's time is what its trial applies to.
    // A second tensor operand (rows combined with rows) stacks too — with the row's shape, or one it broadcasts against
    // ([8, 1] · [1, 1]: stacked, [k, 8, 1] · [k, 1, 1] broadcasts the same way). matmul: rows [a, d] times a [d, m] matrix
    // that the calls share (at most half as many matrices as calls), joined into one matmul.
    const { group, share, pair, sharedMatrix, madeInLoop: rowsInLoop, accumulating } = memoFact(events, 'tiny-ops', (all) => {
      const byShapes = new Map<number, number[]>();
      for (const e of all) {
        const k = cols.inShapes[e]!;
        let list = byShapes.get(k);
        if (!list) byShapes.set(k, (list = []));
        list.push(e);
      }
      let main: number[] = [];
      for (const list of byShapes.values()) if (list.length > main.length) main = list;
      const sel = Int32Array.from(main);
      let selMs = 0, allMs = 0;
      for (const e of all) allMs += cols.endMs[e]! - cols.startMs[e]!;
      for (const e of sel) selMs += cols.endMs[e]! - cols.startMs[e]!;
      const paired = sel.length > 0 && cols.in1[sel[0]!]! >= 0;
      const matrices = new Set<number>();
      for (const e of sel) matrices.add(cols.in1[e]!);
      return {
        group: sel,
        share: allMs > 0 ? selMs / allMs : sel.length / Math.max(1, all.length),
        // One shape list, so every call has a second tensor operand, or none (a scalar).
        pair: paired && sel.every((e) => cols.in1[e]! >= 0),
        sharedMatrix: paired && 2 * matrices.size <= sel.length,
        madeInLoop: rowsMadeInLoop(cols, sel),
        // acc = acc.add(row): the rewrite is one sum over the rows (made in the loop, or stacked).
        accumulating: s.op === 'add' && paired && accumulates(cols, sel) ? { rowsInLoop: rowsMadeInLoop(cols, sel, 1) } : null,
      };
    });
    if (group.length < 2 || (cols.in1[group[0]!]! >= 0 && !pair)) continue;
    const calls = group.length === events.length ? s.count : Math.round(s.count * group.length / events.length);
    // Its time without the stalled calls among them (stalls.ts): the machine's, not the op's, and no rewrite removes them.
    const stalled = stallsIn(cols, group);
    const siteMs = Math.max(0, s.totalMs * share - stalled.stallMs);
    const secondShape = pair ? inputShapesAt(cols, group[0]!)[1] ?? null : null;
    if (pair && !secondShape) continue;
    const rowShape = inputShapesAt(cols, group[0]!)[0] ?? [1];
    const mm = s.op === 'matmul';
    if (mm && !(sharedMatrix && rowShape.length === 2 && secondShape!.length === 2 && rowShape[1] === secondShape![0])) continue;
    const other = pair && (mm || !sameShape(secondShape!, rowShape)) ? secondShape : null;
    const rowElements = rowShape.reduce((p, d) => p * d, 1);
    // The results stacked anyway (a stack — recorded as concat — of k such rows ran on this backend): the rewrite moves that stack
    // before the op rather than adding one, so only the op on the stacked rows is timed against the loop.
    const stacksAnyway = !mm && agg.sites.some((o) => (o.op === 'stack' || o.op === 'concat') && o.backends[0] === s.backends[0] && o.elements === calls * rowElements * o.count);
    // Rows the loop makes, one per iteration (rowsMadeInLoop): the batched loop makes them all at once, as one tensor — the tensor
    // they were sliced from, or the batched result of the op before — so it needs no stack either (audit 27 F1: the trial priced a
    // stack of 512 [1, 1] rows, as costly as the 512 sigmoids it replaced, where the rows were slices of one tensor).
    const madeInLoop = accumulating ? accumulating.rowsInLoop : rowsInLoop;
    const stacked = stacksAnyway || madeInLoop;
    const dtype = dtypeAt(cols, group[0]!);
    const t = accumulating && !other ? input.measureStack(s.op, s.backends[0]!, rowShape, dtype, calls, stacked, pair, null, true)
      : other ? input.measureStack(s.op, s.backends[0]!, rowShape, dtype, calls, stacked, pair, other)
      : input.measureStack(s.op, s.backends[0]!, rowShape, dtype, calls, stacked, pair);
    if (t === UNTIMED) { untimedMs += siteMs; continue; }
    // The ratio the printed medians and the per-round ratios both support (types.ts trialRatio; 1 when they disagree).
    const claimed = t ? trialRatio(t.loopMs, t.stackedMs, t.ratio) : null;
    if (!t || !claimed || claimed.r <= 1) continue;
    saved += siteMs * (1 - 1 / claimed.r);
    stalls += stalled.stalls; stallMs += stalled.stallMs;
    timedCalls += calls;
    if (mm) matmulRows = true;
    if (madeInLoop && !stacksAnyway) anyMadeInLoop = true;
    const shapes = `[${rowShape.join(', ')}]${other ? ` ${mm ? '×' : 'with'} [${other.join(', ')}]` : ''}`;
    const batched = accumulating && !other ? `${stacked ? '' : 'stack + '}one sum over all rows + one add`
      : mm ? `${stacked ? 'one' : 'concat + one'} [${rowShape[0]! * t.rows}, ${rowShape[1]}] × [${other!.join(', ')}] matmul`
      : `${stacked ? 'one' : 'stack + one'} ${s.op}${stacksAnyway ? ' on the rows the program stacks anyway' : madeInLoop ? ' on all rows at once' : ''}`;
    // Each site's line, so the basis names the lines a rewrite touches (the recommendation's own location is the busiest one).
    const line = s.location ? ` (line ${s.location.line})` : '';
    parts.push(`${s.op} ×${calls}${calls < s.count ? ` of ${s.count}` : ''}${accumulating && !other ? ' accumulating a sum' : ''}${line} on ${shapes}${t.rows < calls ? `, timed on ${t.rows} rows` : ''}: ${ms(t.loopMs)} ms vs ${batched} ${ms(t.stackedMs)} ms (medians; ${claimed.text}; ${trialWhen(t)})`);
    // The oldest cached trial among the sites, for the evidence.
    if (t.measuredAtMs !== undefined) oldestTrialMs = Math.min(oldestTrialMs ?? Infinity, t.measuredAtMs);
  }
  // Sites not timed within the report's budget: the rule speaks without a figure when, with their whole time, it could clear its threshold.
  // The op time the saving is a share of, without every site's stalls, as the sites' own times are.
  const allStalls = stallsInOps(input.events), opMs = Math.max(saved, agg.totalOpMs - allStalls.stallMs);
  const untimed = saved < MIN_SHARE * opMs && untimedMs > 0;
  if (timeMs <= 0 || (saved < MIN_SHARE * opMs && !(untimed && saved + untimedMs >= MIN_SHARE * opMs))) return [];
  const worst = tiny.reduce((a, b) => (b.count > a.count ? b : a));
  // The count is the whole profile's, shown at one line: say how it splits, or a user reads it as that line's (audit 27 F12).
  const lineOf = (l: typeof worst.location): string => (l ? `${l.file}:${l.line}` : '?');
  const lines = new Set(tiny.map((s) => lineOf(s.location))).size;
  const here = tiny.filter((s) => lineOf(s.location) === lineOf(worst.location)).reduce((n, s) => n + s.count, 0);
  const speedup = speedupFrom(opMs, saved);
  // What the description states: the tiny ops' time without the stalls among them, a share of the same op time.
  const steadyMs = Math.max(0, timeMs - tiny.reduce((t, s) => t + stallsIn(input.events, siteEvents(input.events, s.site, s.op)).stallMs, 0));
  const corpus = corpusFields('tiny-ops');
  const estimate = untimed ? untimedFields(`stacking the small ops (${ms(untimedMs)} ms of them)`) : {
    priority: priorityFrom(speedup, saved, corpus.impact),
    estimatedSpeedup: speedup,
    speedupBasis: `the rewrite timed per call site: ${parts.join('; ')}; sites × (1 − 1/r) = ${ms(saved)} ms saved of ${ms(opMs)} ms op time` +
      (allStalls.stalls > 0 ? ` (left out of both: ${stallsText(allStalls)}, the machine's, not the ops'${stalls > 0 ? `; ${stalls} of them at the timed sites` : ''})` : '') +
      (untimedMs > 0 ? ` (a lower bound: sites with ${ms(untimedMs)} ms of op time are not timed yet and count as saving nothing)` : '') +
      // What the figure is: each site's calls made one, as they stand — not the per-call JavaScript outside the ops, nor a
      // different algorithm (the case study's batched gradient measured 160–540× where this read 66×).
      `. It covers running each timed site once over all its rows` +
      (anyMadeInLoop ? ' (rows the loop makes itself — slices of one tensor, or an earlier op\'s per-row results — count as one tensor already: no stack)' : '') +
      `; not the JavaScript around each call (views such as slice and transpose, scopes), which the loop also stops paying, nor ops a batched algorithm drops altogether: those save more`,
    savedMs: saved,
  };
  return [{
    id: recId('tiny-ops', worst.location, 'tiny'), rule: 'tiny-ops',
    title: 'Many tiny operations dominated by dispatch cost',
    description: `${count} ops on ≤ ${MAX_ELEMENTS} elements each` +
      (lines > 1 ? `, from ${lines} lines (${here === count ? 'all' : here} of them from this one),` : '') +
      ` took ${shareText(steadyMs, Math.max(opMs, steadyMs), allStalls.stalls > 0 ? 'stalled calls' : '')}; done one small tensor at a time, most of that ` +
      `is fixed per-call cost. Work on whole tensors (stack the small ones, then one op) instead of element by element` +
      (matmulRows ? '; rows multiplied by one matrix are one matmul of the rows joined (or of the tensor they were sliced from).' : '.'),
    codeExample: {
      before: 'for (const row of rows) out.push(cp.mul(row, 2));',
      after: 'const out = cp.mul(cp.stack(rows), 2); // one op over all rows',
    },
    location: worst.location,
    evidence: { ops: count, timeMs, timedCalls, busiestSiteCalls: worst.count, lines, opsOnThisLine: here, ...trialEvidence({ measuredAtMs: oldestTrialMs }), ...(allStalls.stalls > 0 ? { stalledMs: stallMs, opStalledMs: allStalls.stallMs, steadyTimeMs: steadyMs } : {}) },
    ...corpus,
    ...estimate,
  }];
};
