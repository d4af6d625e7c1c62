/**
 * Rule: one call site computing the same result again and again — an elementwise op or a reduction
 * called many times on the SAME input tensors (the recorded tensor ids are equal in every call)
 * with only numeric literals for its other arguments (read from the source: `x.mul(1.5)`,
 * `x.sum(0)`). Every call after the first recomputes a value the first one already had; computing
 * it once before the loop removes them. (The batch-loop rule's broadcast over `arange` assumes the
 * scalar varies with the loop; for a constant it would compute the same row k times.)
 *
 * Speedup (from the profile itself, nothing to time): the site saves all its calls but one —
 * `siteMs · (k − 1) / k` — Amdahl over the op time (the corpus pair loop-invariant-1e5: 1.43–1.60×
 * estimated, 1.51–1.58× measured). No quick fix: where the result should live (a `const` above the
 * loop, a module-level value) is the user's call.
 */
import type * as TS from 'typescript';
import { opInfo } from '../../backends/op-table.js';
import type { SiteOpStats } from '../aggregate.js';
import { callsAt, calleeName, parse } from './ast.js';
import { corpusFields } from './corpus.js';
import { memoFact, siteEvents } from './site-events.js';
import { enclosingLoop } from './source.js';
import { ms, priorityFrom, recId, speedupFrom, type Recommendation, type Rule, type RuleInput } from './types.js';

const MIN_CALLS = 10;
/** Below this share of the op time the saving is not worth a recommendation. */
const MIN_SHARE = 0.02;

/** The literal arguments' source text of the call of `op` at the site, or null when an argument is anything else (or the call is not found). */
function literalArguments(input: RuleInput, s: SiteOpStats): string[] | null {
  const lines = s.location === null ? null : input.source(s.location.file);
  if (s.location === null || lines === null) return null;
  const p = parse(s.location.file, lines.join('\n'));
  if (p === null) return null;
  const { ts } = p;
  const isLiteral = (e: TS.Expression): boolean => ts.isNumericLiteral(e) ||
    (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(e.operand)) ||
    e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword;
  for (const call of callsAt(p, s.location.line, s.location.column, s.op)) {
    if (calleeName(p, call) !== s.op || !ts.isPropertyAccessExpression(call.expression)) continue;
    // Method form (`x.mul(1.5)`): the receiver is the recorded input tensor; every argument must be a literal.
    return call.arguments.every(isLiteral) ? call.arguments.map((a) => a.getText(p.sf)) : null;
  }
  return null;
}

/**
 * The literal arguments of a site whose k ≥ MIN_CALLS calls of an elementwise op or reduction all
 * took the same input tensors (every call retained) and literals only; null for any other site.
 */
export function invariantArguments(s: SiteOpStats, input: RuleInput): string[] | null {
  const family = opInfo(s.op)?.family;
  if (s.location === null || s.count < MIN_CALLS || (family !== 'elementwise' && family !== 'reduce')) return null;
  const cols = input.events;
  const events = siteEvents(cols, s.site, s.op);
  // Every call of the site retained, all on one tensor (and one second tensor, if any): the same inputs each time.
  if (events.length !== s.count) return null;
  // Once per site and report: batch-loop asks too, and the source is parsed for it.
  return memoFact(events, 'loop-invariant', (group) =>
    group.every((e) => cols.in0[e]! >= 0 && cols.in0[e] === cols.in0[group[0]!] && cols.in1[e] === cols.in1[group[0]!])
      ? literalArguments(input, s) : null);
}

function recommend(s: SiteOpStats, input: RuleInput): Recommendation | null {
  if (s.location === null || s.totalMs < MIN_SHARE * input.agg.totalOpMs) return null;
  const args = invariantArguments(s, input);
  if (args === null) return null;
  const k = s.count, cols = input.events, events = siteEvents(cols, s.site, s.op);
  const saved = (s.totalMs * (k - 1)) / k;
  const speedup = speedupFrom(input.agg.totalOpMs, saved);
  const corpus = corpusFields('loop-invariant');
  const lines = input.source(s.location.file);
  const loop = lines ? enclosingLoop(lines, s.location.line) : null;
  const call = `${s.op}(${args.join(', ')})`;
  const before = lines && loop ? lines.slice(loop.startLine - 1, loop.endLine).join('\n') : lines?.[s.location.line - 1]?.trim() ?? `x.${call} ×${k}`;
  return {
    id: recId('loop-invariant', s.location, s.op), rule: 'loop-invariant', priority: priorityFrom(speedup, saved, corpus.impact),
    title: 'Compute it once, before the loop',
    description: `'${call}' ran ${k} times from this line on the same input tensor${cols.in1[events[0]!]! >= 0 ? 's' : ''}, so every call ` +
      `after the first computed the result the first one had (${ms(s.totalMs)} ms, ${s.percent.toFixed(0)}% of op time). ` +
      'Compute it once before the loop and reuse it (cp.keep it if the loop runs in cp.tidy).',
    codeExample: {
      before,
      after: `const once = cp.keep(x.${call}); // computed once, kept past tidy scopes\nfor (…) {\n  // … use once …\n}\nonce.dispose();`,
    },
    location: s.location,
    evidence: { op: s.op, calls: k, totalMs: s.totalMs, meanMs: s.meanMs, arguments: args.join(', ') },
    estimatedSpeedup: speedup,
    speedupBasis: `from this profile: ${k} calls took ${ms(s.totalMs)} ms; computing it once saves ${k - 1} of them, ` +
      `${ms(saved)} of ${ms(input.agg.totalOpMs)} ms op time`,
    savedMs: saved,
    fixUnavailable: 'where the result should live (a const before the loop, a value kept across calls) is a choice the code does not show',
    ...corpus,
  };
}

/** Rule entry point. */
export const loopInvariant: Rule = (input) =>
  input.agg.sites.map((s) => recommend(s, input)).filter((r): r is Recommendation => r !== null);
