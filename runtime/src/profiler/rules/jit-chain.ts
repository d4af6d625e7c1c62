/**
 * Rule (issue 16): a hot chain of elementwise ops ending in a whole-tensor reduction — e.g.
 * `x.mul(1.5).sub(0.5).relu().sum()` — run eagerly, one kernel and one full-size intermediate per
 * op: wrap it in `cp.jit` so the chain runs as one fused kernel that never writes the intermediates.
 *
 * Detection: in the retained events (oldest first, per thread), a run of ≥ 2 consecutive
 * elementwise ops on the same number of elements (≥ MIN_ELEMENTS, one CPU backend), each reading
 * a newer tensor than the one before, followed by a sum/mean/min/max to a scalar; the same chain (ops and lines) run at least twice in the profile.
 *
 * Speedup (measured): the chain is rebuilt on a tensor of the site's shape and dtype and timed
 * eagerly against `cp.jit` on this machine, as many runs per scope as the profile has (measure-jit.ts),
 * giving r = eager / jit (types.ts `trialRatio`: of the medians' ratio and the median per-round ratio, the one
 * nearer 1; silent when the two disagree on which is faster, or r < MIN_RATIO); the chain's
 * share p of the profile's op time gives the whole-profile speedup 1 / ((1 − p) + p / r). A trial an earlier
 * process stored is reused only while its eager time is within TRIAL_FITS (measure-jit.ts) of this profile's median chain
 * time (else it is timed again), and the basis says when it was measured.
 * The quick fix (jit-rewrite.ts, on the syntax tree) covers a chain written as one method chain
 * with number arguments; anything else gets `fixUnavailable` with the reason.
 *
 * A chain already inside a function passed to cp.jit (jit-eager.ts) is never told to wrap it in
 * cp.jit: where a signature of that function runs eagerly, the recommendation says why (the jit's
 * own reason) and how to keep it traced; where none does, its eager chains were tracing calls, and
 * nothing is said.
 */
import type { SourceLocation } from '../../contract/flame.js';
import { backendAt, dtypeAt, inputShapesAt, opAt, outputShapesAt, type RuleColumns } from '../rule-columns.js';
import { corpusFields } from './corpus.js';
import { inJittedFunction, type InJit } from './jit-eager.js';
import { jitRewrite } from './jit-rewrite.js';
import { memoFact, siteEvents } from './site-events.js';
import { stallsText, steadyShare } from './stalls.js';
import { CHAIN_BINARY, CHAIN_REDUCE, CHAIN_UNARY, jitTrialRuns, type ChainLink, type JitTimes } from './measure-jit.js';
import { ms, priorityFrom, recId, trialEvidence, trialRatio, trialWhen, UNTIMED, untimedFields, type Recommendation, type Rule, type RuleInput } from './types.js';

/** Smallest tensor for the rule: below it a chain's time is dispatch cost, which fusion saves too, but tiny-ops covers it. */
const MIN_ELEMENTS = 10_000;
/** Smallest share of op time a chain must have. */
const MIN_SHARE = 0.2;
/**
 * Fewest runs of the same chain: a jitted function pays off from its second call (the first traces
 * eagerly), and a jitted function's own tracing call shows in a profile as one eager chain.
 */
const MIN_CHAINS = 2;
/** Below this measured eager/jit ratio the rule stays silent. */
const MIN_RATIO = 1.1;

/** The fields of a chain's event this rule reads (events are indexes into the rule columns). */
interface ChainEvent {
  /** Its index into the rule columns. */
  readonly index: number;
  readonly op: string;
  readonly backend: string;
  readonly dtype: string;
  readonly site: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly inputShapes: readonly (readonly number[])[];
}

interface Chain {
  readonly links: ChainLink[];
  readonly reduce: ChainEvent;
  readonly events: ChainEvent[];
}

const linkOf = (c: RuleColumns, e: number): ChainLink | null => {
  const op = opAt(c, e);
  if (CHAIN_UNARY.has(op)) return { op, operand: 'none' };
  if (CHAIN_BINARY.has(op)) return { op, operand: c.in1[e]! >= 0 ? 'tensor' : 'scalar' };
  return null;
};
const product = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);
const eventAt = (c: RuleColumns, e: number): ChainEvent => ({
  index: e, op: opAt(c, e), backend: backendAt(c, e), dtype: dtypeAt(c, e), site: c.site[e]!, startMs: c.startMs[e]!, endMs: c.endMs[e]!, inputShapes: inputShapesAt(c, e),
});

/** Time of one run of a chain in the profile, ms: its ops' times. */
const chainMsOf = (c: Chain): number => c.events.reduce((u, e) => u + (e.endMs - e.startMs), 0);

/** Median of `xs` (the upper one of an even count). */
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** The chain as method calls on `x`, scalars written `c`: `.mul(c).sub(c).relu()`. */
const chainText = (links: readonly ChainLink[]): string =>
  links.map((l) => `.${l.op}(${l.operand === 'none' ? '' : l.operand === 'tensor' ? 'x' : 'c'})`).join('');

/** Chains in the retained events of one thread. */
function chainsOf(c: RuleColumns, events: Int32Array): Chain[] {
  const out: Chain[] = [];
  // Elements of the first and second input per distinct shape list (-1: no second input).
  const first = c.shapeLists.map((l) => product(l[0] ?? []));
  const second = c.shapeLists.map((l) => (l[1] === undefined ? -1 : product(l[1])));
  let run: number[] = [];
  for (const e of events) {
    const n = first[c.inShapes[e]!]!;
    // Tensor ids grow with creation, so an op reading the previous op's result reads a newer tensor than the
    // previous op did: a cheap check against unrelated ops that merely follow each other (not a proof — the
    // quick fix checks the real chain on the syntax tree).
    const prev = run[run.length - 1];
    const same = prev !== undefined && first[c.inShapes[run[0]!]!] === n && backendAt(c, run[0]!) === backendAt(c, e) && c.in0[e]! > c.in0[prev]!;
    if (opAt(c, e) in CHAIN_REDUCE && same && run.length >= 2 && (outputShapesAt(c, e)[0] ?? [1]).length === 0) {
      out.push({ links: run.map((r) => linkOf(c, r)!), reduce: eventAt(c, e), events: [...run, e].map((r) => eventAt(c, r)) });
      run = [];
      continue;
    }
    // Only ops on large enough tensors can link (no link record for every small op).
    const link = n >= MIN_ELEMENTS ? linkOf(c, e) : null;
    const two = second[c.inShapes[e]!]!;
    if (link && n >= MIN_ELEMENTS && (run.length === 0 || same) && (two < 0 || two === n)) run.push(e);
    else run = link && n >= MIN_ELEMENTS ? [e] : [];
  }
  return out;
}

function recommend(key: string, chains: Chain[], input: RuleInput): Recommendation | null {
  const first = chains[0]!;
  const loc: SourceLocation | null = first.reduce.site >= 0 ? input.data.sites[first.reduce.site] ?? null : null;
  // Past the event ring only the last chains are kept, while the op time is all of the run's: the chain's
  // runs are then the reduction's calls at this site, and its time its member lines' exact totals (the
  // kept runs' mean would carry whatever pause landed in them).
  const siteStats = (op: string, site: number) => input.agg.sites.find((s) => s.site === site && s.op === op);
  const past = input.data.droppedEvents > 0 && (siteStats(first.reduce.op, first.reduce.site)?.count ?? 0) > chains.length;
  const runs = past ? siteStats(first.reduce.op, first.reduce.site)!.count : chains.length;
  const members = [...new Set(first.events.map((e) => `${e.op}@${e.site}`))].map((k) => first.events.find((e) => `${e.op}@${e.site}` === k)!);
  const recordedMs = past ? members.reduce((t, e) => t + (siteStats(e.op, e.site)?.totalMs ?? 0), 0) : chains.reduce((t, c) => t + chainMsOf(c), 0);
  // The chain's time and the op time it is a share of, both without the machine's stalls (stalls.ts), as the other
  // rules' savings are: a 12 ms stall in another op of the profile took a chain under MIN_SHARE (a clean-clone CI,
  // rule-jit-eager.test.ts), and one in the chain made its share, and the estimate from it, the machine's.
  const chainEvents = past ? members.flatMap((e) => [...siteEvents(input.events, e.site, e.op)]) : chains.flatMap((c) => c.events.map((e) => e.index));
  const steady = steadyShare(input.events, chainEvents, recordedMs, input.agg.totalOpMs);
  const { ms: totalMs, opMs, share: p } = steady;
  if (loc === null || chains.length < MIN_CHAINS || p < MIN_SHARE || input.dispatchCostMs(first.reduce.backend) === null) return null;
  // Already inside a cp.jit function: eager because a signature fell back (say why), or these were its tracing calls (nothing to say).
  const sameFile = first.events.map((e) => input.data.sites[e.site]).filter((l) => l !== undefined && l.file === loc.file).map((l) => l!.line);
  const jitted = inJittedFunction(input, loc.file, sameFile);
  if (jitted !== null && jitted.eager.length === 0) return null;
  const shape = first.events[0]!.inputShapes[0]!;
  // The profile's own time per run of the chain: a stored trial far from it is from another moment (timing-budget.ts times it again).
  const chainMs = median(chains.map(chainMsOf));
  const measured = input.measureJit(first.links, first.reduce.op, first.reduce.backend, shape, first.events[0]!.dtype,
    jitTrialRuns(chains.length, first.links.length, shape), chainMs);
  const times: JitTimes | null = measured === UNTIMED ? null : measured;
  // The ratio its printed medians and its per-round ratios both support: none (1) when they disagree on which is faster.
  const claimed = times ? trialRatio(times.eagerMs, times.jitMs, times.ratio) : null;
  if (measured !== UNTIMED && (!claimed || claimed.noisy || claimed.r < MIN_RATIO)) return null;
  const r = claimed?.r ?? 1;
  const speedup = Math.max(1, Math.round(100 / ((1 - p) + p / r)) / 100);
  const savedMs = totalMs * (1 - 1 / r);
  const ops = [...first.links.map((l) => l.op), first.reduce.op];
  const memberLines = [...new Set(first.events.map((e) => input.data.sites[e.site]?.line).filter((l): l is number => l !== undefined))];
  // The corpus verified the estimate of wrapping a chain in cp.jit, not of making a jitted function traceable.
  const corpus = jitted !== null ? { impact: 'unknown' as const } : corpusFields('jit-chain');
  const lines = input.source(loc.file);
  const estimate = times ? {
    priority: priorityFrom(speedup, savedMs, corpus.impact),
    estimatedSpeedup: speedup,
    speedupBasis: `chain ${trialWhen(times)} ` +
      `on [${shape.join(', ')}] ${first.events[0]!.dtype || 'float32'}, ${first.reduce.backend}: eager ` +
      `${ms(times.eagerMs)} ms vs cp.jit ${ms(times.jitMs)} ms (medians; ${claimed!.text}; eager in this profile: ${ms(chainMs)} ms a run); ` +
      `the chain is ${(100 * p).toFixed(0)}% of ${ms(opMs)} ms op time${steady.all.stalls > 0 ? ` (left out: ${stallsText(steady.all)}${steady.own.stalls > 0 ? `, ${steady.own.stalls} in the chain` : ''})` : ''} → 1 / ((1 − p) + p / r)`,
    savedMs,
  } : untimedFields(`the chain under cp.jit on [${shape.join(', ')}]`);
  if (jitted !== null) return eagerInJit(jitted, { id: recId('jit-chain', loc, key), loc, ops, shape, chains: runs, totalMs, p, stalled: steady.all.stalls > 0, memberLines, times, estimate, src: lines });
  const src = lines?.[loc.line - 1]?.trim() ?? `${ops.join('→')}`;
  const rewrite = lines ? jitRewrite(loc.file, lines.join('\n'), loc.line, loc.column, first.links.map((l) => l.op), first.reduce.op)
    : { reason: `the source of ${loc.file} could not be read` };
  return {
    id: recId('jit-chain', loc, key), rule: 'jit-chain',
    title: 'Fuse this chain with cp.jit',
    description: `This chain of ${first.links.length} elementwise ops + ${first.reduce.op} (${ops.join(' → ')}) on ` +
      `[${shape.join(', ')}] ran ${runs} time(s) for ${runs > chains.length ? '≈' : ''}${ms(totalMs)} ms (${(100 * p).toFixed(0)}% of op time${steady.all.stalls > 0 ? ', stalled calls left out' : ''})` +
      (runs > chains.length ? ` (the profile kept its last ${chains.length} runs, past the event ring: the time is its lines' totals)` : '') + ', one kernel and one ' +
      `full-size intermediate per op. Wrapped in cp.jit it runs as one fused kernel that reads the input once.`,
    codeExample: {
      before: src,
      after: 'after' in rewrite ? rewrite.after : `// once, outside any loop: traced on its first call, then one fused kernel per call\n` +
        `const fused = cp.jit((x: cp.Tensor) => x${chainText(first.links)}.${first.reduce.op}()); // your constants in place of c\n` +
        `// where the chain was (line ${loc.line}):\nconst result = fused(x);`,
    },
    location: loc,
    evidence: { ops: ops.join(','), chains: runs, ...(runs > chains.length ? { keptChains: chains.length } : {}), totalMs, ...(steady.own.stalls > 0 ? { recordedMs, stalledCalls: steady.own.stalls } : {}), ...(steady.all.stalls > 0 ? { steadyOpMs: opMs } : {}), chainMs, ...timesEvidence(times), lines: memberLines.join(',') },
    ...corpus,
    ...estimate,
    ...('fix' in rewrite ? { fix: rewrite.fix } : { fixUnavailable: rewrite.reason }),
  };
}

/** The trial's figures for a recommendation's evidence, with `trialMeasuredAt` (ISO time) where it is a cached trial. */
const timesEvidence = (t: JitTimes | null): Record<string, number | string> => t === null ? {} : { eagerMs: t.eagerMs, jitMs: t.jitMs, ...trialEvidence(t) };

/** What {@link recommend} found, for the recommendation about a chain inside a jitted function. */
interface Found {
  readonly id: string;
  readonly loc: SourceLocation;
  readonly ops: readonly string[];
  readonly shape: readonly number[];
  readonly chains: number;
  readonly totalMs: number;
  readonly p: number;
  /** Whether stalled calls were left out of totalMs and p. */
  readonly stalled: boolean;
  readonly memberLines: readonly number[];
  readonly times: JitTimes | null;
  readonly estimate: Pick<Recommendation, 'priority' | 'estimatedSpeedup' | 'speedupBasis'> & { readonly savedMs?: number };
  readonly src: string[] | null;
}

/**
 * A chain inside a cp.jit function whose signature runs eagerly: why (the jit's own reason), and how
 * to keep it traced; the saving is the chain's measured eager/jit ratio, what tracing would give it.
 */
function eagerInJit(jitted: InJit, f: Found): Recommendation {
  const reasons = jitted.eager.map((e) => `(${e.key}): ${e.reason}`);
  const shown = reasons.length === 1 ? reasons[0]! : reasons.map((r, i) => `${i + 1}. ${r}`).join(' ');
  const fnLines = f.src?.slice(jitted.line - 1, Math.max(jitted.line, ...f.memberLines)) ?? [];
  return {
    id: f.id, rule: 'jit-chain',
    title: 'Keep this cp.jit function traced',
    description: `This chain of ${f.ops.length - 1} elementwise ops + ${f.ops[f.ops.length - 1]} (${f.ops.join(' → ')}) on [${f.shape.join(', ')}] is ` +
      `inside a cp.jit function (line ${jitted.line}), but ${reasons.length === 1 ? 'its signature runs' : `${reasons.length} of its signatures run`} ` +
      `eagerly: it ran ${f.chains} time(s) for ${ms(f.totalMs)} ms (${(100 * f.p).toFixed(0)}% of op time${f.stalled ? ', stalled calls left out' : ''}), one kernel and one full-size ` +
      `intermediate per op, as if it were not jitted. Why it runs eagerly ${shown}`,
    codeExample: {
      before: fnLines.length ? fnLines.join('\n') : f.src?.[f.loc.line - 1]?.trim() ?? f.ops.join(' → '),
      after: '// Keep the function traceable, and cp.jit runs this chain as one fused kernel:\n' +
        '// - a value read with item()/toArray() inside it: keep it a tensor (t.max() broadcasts like a number),\n' +
        '//   or choose between results with cp.where instead of an if on the value;\n' +
        '// - a number it needs: compute it outside and pass it as an argument (each new value is traced once).',
    },
    location: f.loc,
    evidence: {
      ops: f.ops.join(','), chains: f.chains, totalMs: f.totalMs, ...timesEvidence(f.times),
      lines: f.memberLines.join(','), eagerSignatures: jitted.eager.map((e) => e.key).join('; '),
    },
    impact: 'unknown',
    ...f.estimate,
    fixUnavailable: 'which value to keep a tensor, or to pass in, is a change to what the function computes',
  };
}

/** Rule entry point. */
export const jitChain: Rule = (input) => {
  // The chains depend on the events alone: found once per profile, not again in the report's second pass.
  const groups = memoFact(input.events, 'jit-chain', (all) => {
    // Per thread, as typed arrays (counted, then placed: no growing array of 1e6 numbers).
    const counts = new Map<number, number>();
    for (let e = 0; e < all.length; e++) counts.set(all.thread[e]!, (counts.get(all.thread[e]!) ?? 0) + 1);
    const byThread = new Map([...counts].map(([t, n]) => [t, { events: new Int32Array(n), filled: 0 }]));
    for (let e = 0; e < all.length; e++) { const g = byThread.get(all.thread[e]!)!; g.events[g.filled++] = e; }
    const out = new Map<string, Chain[]>();
    for (const { events } of byThread.values()) {
      for (const c of chainsOf(all, events)) {
        const key = c.events.map((e) => `${e.op}@${e.site}`).join('>');
        const list = out.get(key);
        if (list) list.push(c); else out.set(key, [c]);
      }
    }
    return out;
  });
  return [...groups].map(([key, cs]) => recommend(key, cs, input)).filter((r): r is Recommendation => r !== null);
};
