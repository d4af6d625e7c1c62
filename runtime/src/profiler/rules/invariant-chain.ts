/**
 * The longest loop-invariant expression around a loop-invariant call: `a.mul(2).add(1).relu().sum()`
 * in a loop that never reassigns `a` computes the same value every iteration, not only its first link.
 * loop-invariant.ts finds the head (`a.mul(2)`: the events show the same input tensor each call); the
 * links above it read a fresh tensor each call (the previous link's result), so the events alone
 * cannot show them invariant, but the syntax tree can: each link is a method call of a deterministic
 * elementwise op or reduction on the link below, with arguments that are literals or names the loop
 * neither declares nor assigns. Each link is then matched to its call site, so the saving counts
 * every op of the chain at its own line (a chain may span lines).
 */
import type * as TS from 'typescript';
import { opInfo } from '../../backends/op-table.js';
import type { SiteOpStats } from '../aggregate.js';
import type { Parsed } from './ast.js';
import { bindsOrAssigns, loopAround, siteCall } from './loop-args.js';
import type { RuleInput } from './types.js';

/** One link of an invariant chain: its call on the syntax tree and the call site that recorded it. */
export interface ChainLink {
  readonly call: TS.CallExpression;
  readonly site: SiteOpStats;
}

/** Ops whose result depends on their inputs alone (elementwise ops and reductions; random ops are neither). */
const deterministic = (op: string): boolean => {
  const family = opInfo(op)?.family;
  return family === 'elementwise' || family === 'reduce';
};

/** A literal argument (`2`, `-1.5`, `true`) or a name `loop` neither declares nor assigns. */
function invariantArgument(p: Parsed, loop: TS.Node | undefined, e: TS.Expression): boolean {
  const { ts } = p;
  if (ts.isNumericLiteral(e) || e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword) return true;
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(e.operand)) return true;
  return loop !== undefined && ts.isIdentifier(e) && !bindsOrAssigns(p, loop, e.text);
}

/**
 * The chain from `head` (the site `headSite`'s call, already known invariant) up to the outermost
 * method call that still computes the same value each iteration and whose site ran as often as the
 * head: `[head, …links]`, at least the head. A link whose site the profile lacks (not an op, or not
 * recorded) ends the chain, as does one run a different number of times (the chain was not run whole).
 */
export function invariantChain(input: RuleInput, p: Parsed, head: TS.CallExpression, headSite: SiteOpStats): ChainLink[] {
  const { ts } = p;
  const loop = loopAround(p, head);
  const out: ChainLink[] = [{ call: head, site: headSite }];
  const file = headSite.location?.file;
  let top: TS.CallExpression = head;
  for (;;) {
    const access = top.parent;
    if (!access || !ts.isPropertyAccessExpression(access) || access.expression !== top || access.questionDotToken) break;
    const call = access.parent;
    if (!call || !ts.isCallExpression(call) || call.expression !== access) break;
    const op = access.name.text;
    if (!deterministic(op) || !call.arguments.every((a) => invariantArgument(p, loop, a))) break;
    const site = input.agg.sites.find((s) => s.op === op && s.location?.file === file && s.count === headSite.count && siteCall(input, s)?.call === call);
    if (!site) break;
    out.push({ call, site });
    top = call;
  }
  return out;
}

/** The chain as written from its head's method on: `mul(2).add(1).relu().sum()`. */
export function chainText(p: Parsed, chain: readonly ChainLink[]): string {
  const head = chain[0]!.call, top = chain[chain.length - 1]!.call;
  const { ts } = p;
  // From the head's method name to the end of the outermost call.
  const from = ts.isPropertyAccessExpression(head.expression) ? head.expression.name.getStart(p.sf) : head.getStart(p.sf);
  return p.text.slice(from, top.end).replace(/\s*\n\s*/g, '');
}

/** `line:column` of each link's site, in chain order: what a jit-chain finding is matched against (index.ts). */
export function chainSites(chain: readonly ChainLink[]): string {
  return chain.map((l) => `${l.site.location!.line}:${l.site.location!.column}`).join(',');
}
