/**
 * Rule: mean and std/var of the same tensor computed separately — each pass reads the whole
 * tensor; `cp.moments` returns both from one pass.
 *
 * Speedup (measured): the pair and its replacement are timed on this machine on a tensor of the
 * same shape (measure.ts measureMoments: mean + std against moments + sqrt, profiler detached,
 * steady state), giving r = pair / moments; with the pair's share p of the profile's op time the
 * whole-profile speedup is 1 / ((1 − p) + p / r) (Amdahl). Falls back to "the measured mean time
 * is saved" when the backend cannot be timed (GPU).
 *
 * p is on steady figures (issue 14): the pair's calls and the op time without stalled calls (stalls.ts), and
 * a pair run fewer than STEADY_PAIRS times — one cold call each, no neighbours to judge a stall by — counted at
 * no more than the trial's steady time per pair. The README's quick start (one mean, one std on [10000]) read
 * LOW, LOW, MEDIUM, MEDIUM, HIGH over five identical runs, HIGH where its one mean call took 4.4 ms (audit 29).
 *
 * The quick fix is computed on the syntax tree (moments-rewrite.ts).
 */
import { backendAt, dtypeAt, inputShapesAt, opAt } from '../rule-columns.js';
import { corpusFields } from './corpus.js';
import { momentsRewrite } from './moments-rewrite.js';
import { shareText, stallsIn, stallsInOps, stallsText } from './stalls.js';
import { ms, priorityFrom, recId, speedupFrom, trialEvidence, trialWhen, UNTIMED, untimedFields, type Recommendation, type Rule } from './types.js';

const SPREAD = new Set(['std', 'var']);
/** Fewest retained pairs whose own times are a steady figure; fewer count at most the trial's time per pair. */
const STEADY_PAIRS = 5;

/** Rule entry point. */
export const momentsRule: Rule = (input) => {
  const { data, agg, events: cols } = input;
  // Events are indexes into the rule columns; a spread event as the record fields this rule reads.
  const event = (i: number): { op: string; site: number; backend: string; dtype: string; inputShapes: readonly (readonly number[])[]; inputIds: number[]; elements: number } => ({
    op: opAt(cols, i), site: cols.site[i]!, backend: backendAt(cols, i), dtype: dtypeAt(cols, i), inputShapes: inputShapesAt(cols, i), inputIds: [cols.in0[i]!], elements: cols.elements[i]!,
  });
  // The op names that count, by name index (names may repeat: compare names, once per index).
  const kind = cols.names.map((n) => (n === 'mean' ? 1 : SPREAD.has(n) ? 2 : 0));
  // Per tensor: its first mean and std/var events, and the time of all of them (a loop repeats the pair).
  const byTensor = new Map<number, { mean?: number; spread?: number; meanMs: number; spreadMs: number; spreads: number; events: number[] }>();
  for (let e = 0; e < cols.length; e++) {
    const id = cols.in0[e]!, k = kind[cols.op[e]!];
    if (id < 0 || !k) continue;
    const p = byTensor.get(id) ?? { meanMs: 0, spreadMs: 0, spreads: 0, events: [] };
    if (k === 1) { p.mean ??= e; p.meanMs += cols.endMs[e]! - cols.startMs[e]!; } else { p.spread ??= e; p.spreadMs += cols.endMs[e]! - cols.startMs[e]!; p.spreads++; }
    p.events.push(e);
    byTensor.set(id, p);
  }
  // Per recommendation (the std/var line): every tensor it ran the pair on, e.g. a new tensor each iteration.
  const bySite = new Map<string, { spread: ReturnType<typeof event>; meanMs: number; spreadMs: number; spreads: number; means: number[]; spreadEvents: number[] }>();
  for (const { mean, spread: s, meanMs, spreadMs, spreads, events } of byTensor.values()) {
    if (mean === undefined || s === undefined) continue;
    const site = cols.site[s]!;
    const loc = site >= 0 ? data.sites[site] ?? null : null;
    const id = recId('moments', loc, opAt(cols, s));
    const g = bySite.get(id);
    const means = events.filter((e) => kind[cols.op[e]!] === 1), spreadEvents = events.filter((e) => kind[cols.op[e]!] === 2);
    if (g) { g.meanMs += meanMs; g.spreadMs += spreadMs; g.spreads += spreads; g.means.push(...means); g.spreadEvents.push(...spreadEvents); }
    else bySite.set(id, { spread: event(s), meanMs, spreadMs, spreads, means, spreadEvents });
  }
  const out: Recommendation[] = [];
  for (const [id, found] of bySite) {
    // Past the event ring only the last pairs are kept, while the op time is all of the run's: the spread
    // op's time is then its line's exact total, and the mean's the kept pairs' scaled to every call (the
    // mean may share its line with other means; the kept runs' own time would carry any pause in them).
    const line = agg.sites.find((x) => x.site === found.spread.site && x.op === found.spread.op);
    const calls = data.droppedEvents > 0 && line && line.count > found.spreads ? line.count : found.spreads;
    const scale = calls / Math.max(1, found.spreads);
    const { spread } = found, meanMs = found.meanMs * scale, spreadMs = scale > 1 ? line!.totalMs : found.spreadMs;
    const loc = spread.site >= 0 ? data.sites[spread.site] ?? null : null;
    const lines = loc ? input.source(loc.file) : null;
    const text = loc ? lines?.[loc.line - 1] : undefined;
    const rewrite = loc && lines ? momentsRewrite(loc.file, lines.join('\n'), loc.line, loc.column, spread.op)
      : { reason: loc ? `the source of ${loc.file} could not be read` : 'call sites were not captured' };
    const shape = spread.inputShapes[0] ?? [];
    const measured = input.measureMoments(spread.op as 'std' | 'var', spread.backend, shape, spread.dtype);
    const times = measured === UNTIMED ? null : measured;
    // Steady figures: the pair's calls and the op time without stalled calls (the kept mean calls' scaled to every call, as above) …
    const meanStalls = stallsIn(cols, found.means), spreadStalls = stallsIn(cols, found.spreadEvents), allStalls = stallsInOps(cols);
    const steadyMeanMs = Math.max(0, (found.meanMs - meanStalls.stallMs) * scale), observedMs = steadyMeanMs + Math.max(0, spreadMs - spreadStalls.stallMs);
    // … and a pair run too few times to have a steady figure of its own counted at most at the trial's steady time per pair.
    const r = times && times.momentsMs > 0 ? times.pairMs / times.momentsMs : null;
    const atTrial = r !== null && found.spreads < STEADY_PAIRS && calls * times!.pairMs < observedMs;
    const pairMs = atTrial ? calls * times!.pairMs : observedMs;
    const opMs = Math.max(pairMs, agg.totalOpMs - allStalls.stallMs - observedMs + pairMs);
    const p = opMs > 0 ? Math.min(1, pairMs / opMs) : 0;
    const speedup = r !== null ? Math.round(100 / ((1 - p) + p / Math.max(r, 1e-3))) / 100 : speedupFrom(opMs, steadyMeanMs);
    const savedMs = r !== null ? Math.max(0, pairMs * (1 - 1 / r)) : steadyMeanMs;
    const stalled = { stalls: meanStalls.stalls + spreadStalls.stalls, stallMs: meanStalls.stallMs + spreadStalls.stallMs };
    const steadyText = (atTrial ? `; the pair counted at the trial's steady time, ${calls} × ${ms(times!.pairMs)} ms: this run's ${calls === 1 ? 'one pair' : `${calls} pairs`} took ` +
        `${ms(observedMs)} ms, ${calls === 1 ? 'one call of each' : 'too few calls'}, not a steady figure` : '') +
      (allStalls.stalls > 0 ? `; left out of the op time: ${stallsText(allStalls)}, the machine's, not the ops'${stalled.stalls > 0 ? ` (${stalled.stalls} in the pair)` : ''}` : '');
    const corpus = corpusFields('moments');
    out.push({
      id, rule: 'moments', priority: priorityFrom(speedup, savedMs, corpus.impact),
      title: `Compute mean and ${spread.op} in one pass`,
      // The pair's share, as the estimate takes it: what the rewrite removes a part of (std's own share could not bound it).
      description: `'${spread.op}' and 'mean' of the same tensor (shape [${shape.join(', ')}]) are computed separately, ` +
        `${calls === 1 ? 'once' : `${calls} times`} (${shareText(pairMs, opMs, allStalls.stalls > 0 ? 'stalled calls' : '')}` +
        `${atTrial ? `, counted at the trial's steady time` : ''}). Consider computing mean/${spread.op} ` +
        `in one pass with cp.moments(), which reads the data once.`,
      estimatedSpeedup: speedup,
      speedupBasis: (times && r !== null
        ? `${trialWhen(times)} on [${shape.join(', ')}] (${spread.backend}): mean + ${spread.op} ${ms(times.pairMs)} ms vs moments ${ms(times.momentsMs)} ms ` +
          `(r = ${r.toFixed(2)}×); the pair is ${(100 * p).toFixed(0)}% of ${ms(opMs)} ms op time → 1 / ((1 − p) + p / r)`
        : `measured mean ${ms(meanMs)} ms + ${spread.op} ${ms(spreadMs)} ms; moments ≈ ${spread.op}'s one-pass cost, ` +
          `so ${ms(steadyMeanMs)} ms of ${ms(opMs)} ms op time is saved`) + steadyText +
        (scale > 1 ? ` (past the event ring the profile kept the last ${found.spreads} of ${calls} pairs: the time is the line's total)` : ''),
      codeExample: {
        before: text?.trim() ?? `const normalized = data.sub(data.mean()).div(data.${spread.op}());`,
        after: 'after' in rewrite ? rewrite.after.trim() : `const { mean, variance } = data.moments();\nconst normalized = data.sub(mean).div(variance.sqrt());`,
      },
      location: loc,
      evidence: { meanMs, [`${spread.op}Ms`]: spreadMs, tensorId: spread.inputIds[0]!, elements: spread.elements, ...(times ? trialEvidence(times) : {}), ...(scale > 1 ? { calls, keptPairs: found.spreads } : {}),
        ...(pairMs !== meanMs + spreadMs ? { steadyPairMs: pairMs, steadyOpMs: opMs } : {}) },
      ...(measured === UNTIMED ? {} : { savedMs }),
      ...corpus,
      // Not timed within this report's budget: the mean-time model below is for backends that cannot be timed (GPU), not a stand-in.
      ...(measured === UNTIMED ? untimedFields(`mean + ${spread.op} against moments on [${shape.join(', ')}]`) : {}),
      ...('fix' in rewrite ? { fix: rewrite.fix } : { fixUnavailable: rewrite.reason }),
    });
  }
  return out;
};
