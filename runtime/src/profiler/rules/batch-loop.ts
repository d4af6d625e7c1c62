/**
 * Rule: the same op called many times from one call site (a loop) with same-shaped inputs —
 * batch it into one broadcast op (the seed's Example 3: `data + i` for i in 0..N becomes
 * `data.unsqueeze(0) + offsets.unsqueeze(1)`).
 *
 * Speedup (measured): the rewrite itself is timed on this machine (measure.ts measureBatch: k
 * calls of the op on a tensor of the site's shape against the one broadcast call, profiler
 * detached, steady state), giving r (types.ts `trialRatio`: of the trial's medians' ratio and its
 * median per-round ratio the one nearer 1; none when they disagree on which is faster). The saving in
 * the run profiled is the loop as this run paid it, stalls and GC pauses left out, less the loop's
 * steady calls ÷ r and its first call's excess (batch-as-run.ts: a cold loop's warm-up is saved;
 * one-time costs, GC pauses and a descheduled process are not op time saved); the whole-profile
 * speedup follows from the op time without them (Amdahl). In a warm run that is r on the site's share.
 * GPU sites are skipped: their kernels cannot be timed by the CPU clock.
 *
 * Only where the source shows the scalar argument is the counter of a loop counting by 1
 * (loop-args.ts): the events hold no scalar values, so a constant (`x.add(1.5)`, loop-invariant's)
 * or any other value would get a broadcast that computes something else.
 *
 * The quick fix is computed on the syntax tree (batch-rewrite.ts); when the loop does not fit a
 * safe rewrite, no fix is offered and `fixUnavailable` says why.
 */
import { opInfo } from '../../backends/op-table.js';
import type { BinaryOp } from '../../backends/backend.js';
import type { SiteOpStats } from '../aggregate.js';
import { batchRewrite } from './batch-rewrite.js';
import { corpusFields } from './corpus.js';
import { dtypeAt, inputShapesAt } from '../rule-columns.js';
import { inputShapeKeys, memoFact, siteEvents } from './site-events.js';
import { enclosingLoop } from './source.js';
import { ms, priorityFrom, recId, speedupFrom, trialEvidence, trialRatio, trialWhen, UNTIMED, untimedFields, type Recommendation, type Rule, type RuleInput } from './types.js';
import { batchAsRun } from './batch-as-run.js';
import { invariantArguments } from './loop-invariant.js';
import { counterArgument, siteCall } from './loop-args.js';
import { gcPausesInOps } from '../gc-in-ops.js';
import { shareText, steadyShare } from './stalls.js';

const MIN_CALLS = 10;
/** Below this measured loop/batched ratio the rule stays silent: the rewrite would make the code slower. */
const MIN_RATIO = 0.8;

function recommend(s: SiteOpStats, input: RuleInput): Recommendation | null {
  // Per-site counts are complete in every mode ('sampled' attributes unsampled calls to a site).
  const k = s.count;
  if (s.location === null || k < MIN_CALLS || opInfo(s.op)?.batchable !== true) return null;
  if (s.backends.length !== 1 || input.dispatchCostMs(s.backends[0]!) === null) return null;
  // Same-shaped inputs across the retained calls: a loop over one tensor, not varied work.
  const cols = input.events;
  const events = siteEvents(cols, s.site, s.op);
  const shapes = inputShapeKeys(cols, events);
  if (shapes.size > 1 || !events.length) return null;
  // One tensor combined with a varying scalar: loops over many different tensors (rows of a list)
  // are the tiny-ops rule's (stack them), not a broadcast over arange.
  const oneTensorAndScalar = memoFact(events, 'batch-loop', (group) =>
    group.every((e) => cols.in0[e] === cols.in0[group[0]!] && cols.in1[e]! < 0));
  if (!oneTensorAndScalar) return null;
  // The same tensor and a constant every time: nothing varies to broadcast over (loop-invariant.ts says compute it once).
  if (invariantArguments(s, input) !== null) return null;
  // The events never hold the scalar's value (and past the ring only the loop's last calls): only the source can
  // say it is the loop counter, 0, 1, 2, … as the broadcast over arange assumes. Anything else, no advice.
  const found = siteCall(input, s);
  const counted = found === null ? null : counterArgument(found.p, found.call);
  if (found === null || counted === null) return null;
  const shape = inputShapesAt(cols, events[0]!)[0] ?? [1];
  const dtype = dtypeAt(cols, events[0]!);
  const measured = input.measureBatch(s.op as BinaryOp, s.backends[0]!, shape, dtype, k);
  const times = measured === UNTIMED ? null : measured;
  if (measured !== UNTIMED && (!times || times.batchedMs <= 0)) return null;
  // The ratio the printed medians and the per-round ratios both support (1, and no saving claimed, when they disagree).
  const claimed = times ? trialRatio(times.loopMs, times.batchedMs, times.ratio) : null;
  const r = claimed?.r ?? 1;
  // Measured clearly slower batched (the js backend's strided broadcast is ~2–3× slower): advising it would
  // cost time. Between 0.8 and 1 the rewrite is a wash within a busy machine's noise: it is listed as LOW, ≈1.0×,
  // as is a trial too noisy to tell which is faster.
  if (r < MIN_RATIO) return null;
  const corpus = corpusFields('batch-loop');
  let estimate;
  // What the description states: the figures the estimate uses (stalls, and GC pauses where timed, left out).
  let stated: { readonly ms: number; readonly opMs: number; readonly leftOut: string };
  if (times && claimed) {
    // What this run paid (a cold script's warm-up included, GC pauses and stalls left out; batch-as-run.ts), on the op
    // time without them: the batched rewrite's run has its own collections and stalls, wherever they land.
    const run = batchAsRun(input.data, cols, events, s.totalMs, k, times.loopMs, r);
    const opMs = Math.max(0, input.agg.totalOpMs - (gcPausesInOps(input.data)?.inOpsMs ?? 0) - run.stallMs);
    const speedup = claimed.noisy ? 1 : Math.max(1, speedupFrom(opMs, run.savedMs));
    const savedMs = claimed.noisy ? 0 : run.savedMs;
    const leftOut = [run.gcMs > 0 ? `GC pauses ${ms(run.gcMs)} ms` : '', run.stalls > 0 ? `${run.stalls} stalled call${run.stalls > 1 ? "s'" : "'s"} ${ms(run.stallMs)} ms over the calls around ${run.stalls > 1 ? 'them' : 'it'}` : '']
      .filter((x) => x).join(', ');
    stated = { ms: run.loopMs, opMs: Math.max(opMs, run.loopMs), leftOut: [run.gcMs > 0 ? 'GC pauses' : '', run.stalls > 0 ? 'stalled calls' : ''].filter((x) => x).join(' and ') };
    const trial = `rewrite ${trialWhen(times)}, warm, on [${shape.join(', ')}] ${dtype || 'float32'}, ${s.backends[0]}: ${k} calls ${ms(times.loopMs)} ms vs ` +
      `batched ${ms(times.batchedMs)} ms (medians; ${claimed.text}${times.timedCalls < k ? `; timed on ${times.timedCalls} rows and scaled` : ''})`;
    estimate = claimed.noisy ? { priority: priorityFrom(1, 0, corpus.impact), estimatedSpeedup: 1, speedupBasis: trial, savedMs: 0 } : {
      priority: priorityFrom(speedup, savedMs, corpus.impact),
      estimatedSpeedup: speedup,
      speedupBasis: `${trial}; ` +
        `in this run the loop took ${ms(run.loopMs)} ms${leftOut ? ` (left out: ${leftOut})` : ''}` +
        (run.cold
          ? `, cold (${run.grewMemory ? 'memory grew as it ran; ' : ''}its first half's calls ${run.earlyRatio.toFixed(1)}× its second's, steady ${ms(run.steadyCallMs)} ms, ${run.slowdown.toFixed(2)}× the trial's; ` +
            `first call ${ms(run.firstExcessMs)} ms more), so the rewrite ≈ ${ms(run.steadyCallMs)} × ${k} / r + ${ms(run.firstExcessMs)} = ${ms(run.batchedMs)} ms here`
          : `, warm (its first half's calls ${run.earlyRatio.toFixed(2)}× its second's, its steady calls ${run.slowdown.toFixed(2)}× the trial's): the timed ratio applies`) +
        ` → saves ${ms(run.savedMs)} of ${ms(opMs)} ms op time${run.stalls > 0 ? ' (its stalls left out)' : ''}`,
      savedMs,
    };
  } else {
    estimate = untimedFields(`the batched rewrite on [${shape.join(', ')}]`);
    const steady = steadyShare(cols, events, s.totalMs, input.agg.totalOpMs);
    stated = { ms: steady.ms, opMs: steady.opMs, leftOut: steady.all.stalls > 0 ? 'stalled calls' : '' };
  }
  const lines = input.source(s.location.file);
  const rewrite = lines ? batchRewrite(s.location.file, lines.join('\n'), s.location.line, s.location.column, s.op, shape.length)
    : { reason: `the source of ${s.location.file} could not be read` };
  const loop = lines ? enclosingLoop(lines, s.location.line) : null;
  const before = lines && loop ? lines.slice(loop.startLine - 1, loop.endLine).join('\n') : lines?.[s.location.line - 1]?.trim() ?? `${s.op}(…) ×${k}`;
  // No fix for this loop's form: the counter's own range, and the receiver's name where the call shows one.
  const receiver = found.p.ts.isPropertyAccessExpression(found.call.expression) ? found.call.expression.expression.getText(found.p.sf) : 'data';
  const after = 'after' in rewrite ? rewrite.after :
    `// One broadcast op instead of ${k}: one row per value of '${counted.counter}'\n` +
    `const offsets = cp.arange(${counted.start === null ? '' : `${counted.start}, `}${counted.stop});\n` +
    `const results = ${receiver}.unsqueeze(0).${s.op}(offsets.${shape.length === 1 ? 'unsqueeze(1)' : `reshape([-1${', 1'.repeat(shape.length)}])`});`;
  return {
    id: recId('batch-loop', s.location, s.op), rule: 'batch-loop',
    title: 'Batch repeated operations',
    description: `The '${s.op}' operation was called ${k} times from this line with inputs of the same shape ` +
      `(${shareText(stated.ms, stated.opMs, stated.leftOut)}). Consider batching into a single vectorized operation ` +
      `with broadcasting: one dispatch instead of ${k}.`,
    codeExample: { before, after },
    location: s.location,
    evidence: { op: s.op, calls: k, totalMs: s.totalMs, meanMs: s.meanMs, ...(times ? { loopMs: times.loopMs, batchedMs: times.batchedMs, ...trialEvidence(times) } : {}), inputShapes: [...shapes][0] ?? '' },
    ...corpus,
    ...estimate,
    ...('fix' in rewrite ? { fix: rewrite.fix } : { fixUnavailable: rewrite.reason }),
  };
}

/** Rule entry point. */
export const batchLoop: Rule = (input) =>
  input.agg.sites.map((s) => recommend(s, input)).filter((r): r is Recommendation => r !== null);
