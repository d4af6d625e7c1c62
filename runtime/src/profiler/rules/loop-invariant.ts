/**
 * Rule: one call site computing the same result again and again — an elementwise op or a reduction
 * called many times on the SAME input tensors (the recorded tensor ids are equal in every call)
 * with only numeric literals for its other arguments (read from the source: `x.mul(1.5)`,
 * `x.sum(0)`). Every call after the first recomputes a value the first one already had; computing
 * it once before the loop removes them. Past the event ring only a loop's last calls are kept: they
 * must show it, and the source must show a receiver the loop never reassigns (loop-args.ts); with no
 * loop around the line (the loop is in a caller) a large sample of them decides where the site's exact
 * statistics agree, and the recommendation says so (invariantCall). (The batch-loop rule's broadcast over `arange` assumes the
 * scalar varies with the loop; for a constant it would compute the same row k times.)
 *
 * Speedup (from the profile itself, nothing to time): the site saves all its calls but one —
 * `siteMs · (k − 1) / k` — Amdahl over the op time (the corpus pair loop-invariant-1e5: 1.43–1.60×
 * estimated, 1.51–1.58× measured). Both without stalled calls (stalls.ts), the site's and every other's:
 * on a loaded machine four stalls of ~80 ms among 450 calls of 0.008 ms made "≈4.0×, HIGH" of a loop
 * whose steady calls were 3.5 ms, and the next run said ≈2.6× (audit 29).
 *
 * The whole expression, not only its head (audit 33 #3): in `a.mul(2).add(1).relu().sum()` only `mul(2)` reads
 * the same tensor each call, but every link above it is a deterministic op on the link below with arguments the
 * loop does not change, so the whole chain is invariant (invariant-chain.ts). The finding is the head's, its
 * time every link's at its own site, and the saving all runs of the chain but one. The quick fix
 * (loop-invariant-rewrite.ts) moves the whole expression to a const before the innermost loop. A jit-chain
 * finding about the same chain is dropped where the hoist saves at least as much ({@link invariantCovers}).
 *
 * Results never released (the site is in the memory snapshot's held rows): every call also grew
 * memory and touched new pages, one-time costs outside op time that one call would pay once. The
 * basis adds that share of them (as undisposed-tensors counts it) and the speedup over wall time it
 * implies; the estimate itself stays on op time, as the corpus verified it.
 */
import type * as TS from 'typescript';
import { opInfo } from '../../backends/op-table.js';
import type { SiteOpStats } from '../aggregate.js';
import type { Parsed } from './ast.js';
import { HELD_LISTED } from '../../contract/names.js';
import { corpusFields } from './corpus.js';
import { memoryGrowthDuringOpsMs } from './undisposed.js';
import { memoFact, siteEvents } from './site-events.js';
import { loopAround, receiverFixedInLoop, siteCall } from './loop-args.js';
import { chainSites, chainText, invariantChain } from './invariant-chain.js';
import { hoistRewrite } from './loop-invariant-rewrite.js';
import { enclosingLoop } from './source.js';
import { shareText, stallsText, steadyShare } from './stalls.js';
import { ms, priorityFrom, recId, speedupFrom, type Recommendation, type Rule, type RuleInput } from './types.js';

const MIN_CALLS = 10;
/** Below this share of the op time the saving is not worth a recommendation. */
const MIN_SHARE = 0.02;

/** The literal arguments' source text of a method call (`x.mul(1.5)`), or null when an argument is anything else. */
function literalArguments(p: Parsed, call: TS.CallExpression): string[] | null {
  const { ts } = p;
  const isLiteral = (e: TS.Expression): boolean => ts.isNumericLiteral(e) ||
    (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(e.operand)) ||
    e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword;
  // Method form (`x.mul(1.5)`): the receiver is the recorded input tensor; every argument must be a literal.
  if (!ts.isPropertyAccessExpression(call.expression)) return null;
  return call.arguments.every(isLiteral) ? call.arguments.map((a) => a.getText(p.sf)) : null;
}

/**
 * How the rule knows the calls took the same inputs: `all` — every call is retained and the events
 * show it; `loop` — past the ring, the retained calls (its last ones) show it and the source shows a
 * loop around the line that never reassigns the receiver, so the dropped calls of that loop read it
 * too; `tail` — past the ring with no loop around the line (the loop is in a caller, which passes the
 * tensor in): decided on the retained calls alone, a large sample ({@link TAIL_MIN_CALLS}), where
 * the site's exact statistics over all calls agree with them (see {@link tailAgrees}).
 */
export type InvariantBasis = 'all' | 'loop' | 'tail';

/**
 * Past the ring with the loop in a caller, the retained calls decide only when at least this many:
 * a caller alternating or cycling tensors with a period below this shows more than one id in them.
 */
export const TAIL_MIN_CALLS = 500;

/**
 * True when the site's exact statistics (cells: every call counted, past the ring too) agree with
 * its retained calls of one input: every call's inputs had the elements a retained call had (summed
 * over all calls, exact in a double), and the site's calls brought at most one input shape new to the
 * op. The dropped calls' tensor ids are not recorded anywhere, so this cannot prove they read the same
 * tensor, only that nothing measured says otherwise; the recommendation says it was decided this way.
 */
function tailAgrees(s: SiteOpStats, cols: RuleInput['events'], events: Int32Array): boolean {
  return events.length >= TAIL_MIN_CALLS && s.elements === s.count * cols.elements[events[0]!]! && s.firstCallCount <= 1;
}

/**
 * The literal arguments of a site whose k ≥ MIN_CALLS calls of an elementwise op or reduction all
 * took the same input tensors and literals only, with how that is known ({@link InvariantBasis});
 * null for any other site. Every call retained: the events show it. Past the ring (the site's count
 * exceeds its retained events, which are its last calls): the retained ones (at least MIN_CALLS) show
 * it, and either the source says the receiver is a name the enclosing loop neither declares nor
 * assigns, so the dropped calls of that loop read it too, or no loop encloses the line and the
 * retained calls are a large sample the exact statistics agree with ({@link tailAgrees}). A loop
 * around the line that reassigns the receiver, or anything less, is not known, and the site is left
 * alone (not handed to batch-loop either).
 */
export function invariantCall(s: SiteOpStats, input: RuleInput): { readonly args: string[]; readonly basis: InvariantBasis } | null {
  const family = opInfo(s.op)?.family;
  if (s.location === null || s.count < MIN_CALLS || (family !== 'elementwise' && family !== 'reduce')) return null;
  const cols = input.events;
  const events = siteEvents(cols, s.site, s.op);
  if (events.length < MIN_CALLS || events.length > s.count) return null;
  // Once per site and report: batch-loop asks too, and the source is parsed for it.
  return memoFact(events, 'loop-invariant', (group) => {
    // All on one tensor (and one second tensor, if any): the same inputs each time.
    if (!group.every((e) => cols.in0[e]! >= 0 && cols.in0[e] === cols.in0[group[0]!] && cols.in1[e] === cols.in1[group[0]!])) return null;
    const found = siteCall(input, s);
    if (found === null) return null;
    const args = literalArguments(found.p, found.call);
    if (args === null) return null;
    if (group.length === s.count) return { args, basis: 'all' as const };
    if (receiverFixedInLoop(found.p, found.call) !== null) return { args, basis: 'loop' as const };
    return loopAround(found.p, found.call) === undefined && tailAgrees(s, cols, group) ? { args, basis: 'tail' as const } : null;
  });
}

/** The literal arguments of {@link invariantCall}, or null. */
export function invariantArguments(s: SiteOpStats, input: RuleInput): string[] | null {
  return invariantCall(s, input)?.args ?? null;
}

/**
 * The memory growth and first touch (ms, outside op time) that computing once would also avoid when
 * the site's results are never released: its share of the growth during ops (its peak bytes over the
 * run's peak) for all its calls but one; 0 when it releases them or nothing grew.
 */
function heldGrowthSavedMs(s: SiteOpStats, input: RuleInput): number {
  const memory = input.data.memory;
  const held = memory?.held.find((h) => h.site === s.site);
  if (!memory || !held || held.peakTensors < HELD_LISTED || memory.peakBytes <= 0) return 0;
  return memoryGrowthDuringOpsMs(input.data) * Math.min(1, held.peakBytes / memory.peakBytes) * (s.count - 1) / s.count;
}

function recommend(s: SiteOpStats, input: RuleInput): Recommendation | null {
  if (s.location === null || s.count < MIN_CALLS) return null;
  const found = invariantCall(s, input);
  if (found === null) return null;
  const { args, basis } = found;
  const k = s.count, cols = input.events, events = siteEvents(cols, s.site, s.op), kept = events.length;
  // The whole invariant expression, not only its head: `a.mul(2).add(1).relu().sum()` leaves the loop as one
  // (invariant-chain.ts); each link timed at its own site. Without the source, the head alone.
  const at = siteCall(input, s);
  const chain = at ? invariantChain(input, at.p, at.call, s) : [];
  const links = chain.length > 1 ? chain.map((l) => l.site) : [s];
  const chainEvents = links.length > 1 ? links.flatMap((l) => [...siteEvents(cols, l.site, l.op)]) : events;
  const recordedMs = links.reduce((t, l) => t + l.totalMs, 0);
  // Steady figures (stalls.ts): the chain's calls and the op time without the stalled calls among them.
  const steady = steadyShare(cols, chainEvents, recordedMs, input.agg.totalOpMs);
  const { own: siteStalls, all: allStalls, ms: siteMs, opMs } = steady;
  if (siteMs < MIN_SHARE * opMs) return null;
  const saved = (siteMs * (k - 1)) / k;
  const speedup = speedupFrom(opMs, saved);
  const growthSaved = links.reduce((t, l) => t + heldGrowthSavedMs(l, input), 0), wallMs = input.agg.wallMs;
  const corpus = corpusFields('loop-invariant');
  const lines = input.source(s.location.file);
  const loop = lines ? enclosingLoop(lines, s.location.line) : null;
  const call = chain.length > 1 && at ? chainText(at.p, chain) : `${s.op}(${args.join(', ')})`;
  const ops = links.map((l) => l.op);
  const rewrite = at && chain.length > 0 ? hoistRewrite(at.p, chain) : null;
  const before = rewrite && 'before' in rewrite && rewrite.before !== undefined ? rewrite.before
    : lines && loop ? lines.slice(loop.startLine - 1, loop.endLine).join('\n') : lines?.[s.location.line - 1]?.trim() ?? `x.${call} ×${k}`;
  const what = links.length > 1 ? `these ${links.length} ops (${ops.join(' → ')})` : 'it';
  return {
    id: recId('loop-invariant', s.location, s.op), rule: 'loop-invariant', priority: priorityFrom(speedup, saved, corpus.impact),
    title: 'Compute it once, before the loop',
    description: `'${call}' ran ${k} times from this line on the same input tensor${cols.in1[events[0]!]! >= 0 ? 's' : ''}` +
      (links.length > 1 ? ` (${links.length} ops, each on the one before's result, with arguments the loop does not change)` : '') +
      (basis === 'loop' ? ` (the profile kept its last ${kept} calls, past the event ring, all on one tensor, which the loop does not reassign)` : '') +
      (basis === 'tail' ? ` (decided from the last ${kept} of its ${k} calls, which the event ring kept: all on one tensor; the loop is in a caller, ` +
        `so the source cannot show the earlier calls' tensor, but their input sizes, recorded for every call, match)` : '') + ', so every call ' +
      `after the first computed the result the first one had (${shareText(siteMs, opMs, allStalls.stalls > 0 ? 'stalled calls' : '')}). ` +
      'Compute it once before the loop and reuse it (cp.keep it if the loop runs in cp.tidy).',
    codeExample: {
      before,
      after: rewrite && 'after' in rewrite ? rewrite.after : `const once = cp.keep(x.${call}); // computed once, kept past tidy scopes\nfor (…) {\n  // … use once …\n}\nonce.dispose();`,
    },
    location: s.location,
    evidence: { op: s.op, calls: k, totalMs: s.totalMs, meanMs: s.meanMs, arguments: args.join(', '),
      ...(links.length > 1 ? { chainOps: ops.join(','), chainSites: chainSites(chain), chainMs: recordedMs } : {}),
      ...(basis === 'tail' ? { decidedFromLastCalls: kept, decidedFrom: `the last ${kept} of ${k} calls (past the event ring; the loop is in a caller)` } : {}),
      ...(allStalls.stalls > 0 ? { stalledCalls: siteStalls.stalls, stalledMs: siteStalls.stallMs, opStalledMs: allStalls.stallMs } : {}),
      ...(growthSaved > 0 ? { memoryGrowthSavedMs: growthSaved, savedWallMs: saved + growthSaved } : {}) },
    estimatedSpeedup: speedup,
    speedupBasis: `from this profile: ${k} calls ${links.length > 1 ? `of ${what} ` : ''}took ${ms(siteMs)} ms` +
      (siteStalls.stalls > 0 ? ` (${ms(recordedMs)} ms with ${stallsText(siteStalls)}: the machine, not the op, left out)` : '') +
      `; computing it once saves ${k - 1} of them` +
      (basis === 'loop' ? ` (if the loop ran more than once, one call per run is needed: a little less)` : '') +
      (basis === 'tail' ? ` (the same input decided from the last ${kept} of the ${k} calls; if the caller passed other tensors before, one call per tensor is needed: less)` : '') + ', ' +
      `${ms(saved)} of ${ms(opMs)} ms op time` +
      (allStalls.stallMs > siteStalls.stallMs ? ` (other sites' stalls left out too: ${stallsText({ stalls: allStalls.stalls - siteStalls.stalls, stallMs: allStalls.stallMs - siteStalls.stallMs })})` : '') +
      (growthSaved > 0 && wallMs > 0 ? `; its results are never released, so it also avoids ≈${ms(growthSaved)} ms of memory growth and first touch ` +
        `of new memory (one-time costs, outside op time): ≈${speedupFrom(wallMs, saved + growthSaved).toFixed(1)}× of the ${ms(wallMs)} ms wall time` : ''),
    savedMs: saved,
    ...corpus,
    ...(rewrite && 'fix' in rewrite ? { fix: rewrite.fix }
      : { fixUnavailable: rewrite ? rewrite.reason : 'the source of this line could not be read to move the expression' }),
  };
}

/**
 * True when jit-chain finding `jit` is about a chain that loop-invariant finding `inv` moves out of the loop:
 * the jit chain's ops are the invariant chain's up to the jit's reduction, at the same sites. Once computed
 * before the loop the chain runs once, and cp.jit pays from its second call (the first traces eagerly), so
 * fusing it saves nothing more; index.ts drops such a jit finding when the hoist saves at least as much.
 */
export function invariantCovers(inv: Recommendation, jit: Recommendation): boolean {
  const sites = String(inv.evidence['chainSites'] ?? ''), ops = String(inv.evidence['chainOps'] ?? '');
  if (!sites || !jit.location || !inv.location || inv.location.file !== jit.location.file) return false;
  const at = sites.split(',').indexOf(`${jit.location.line}:${jit.location.column}`);
  if (at < 0) return false;
  const jitOps = String(jit.evidence['ops'] ?? '').split(',');
  const invOps = ops.split(',').slice(0, at + 1);
  return jitOps.length <= invOps.length && invOps.slice(invOps.length - jitOps.length).join(',') === jitOps.join(',');
}

/** Rule entry point. */
export const loopInvariant: Rule = (input) =>
  input.agg.sites.map((s) => recommend(s, input)).filter((r): r is Recommendation => r !== null);
