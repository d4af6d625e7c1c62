/**
 * What each fused kernel is made of, for the profiler's views. `cp.jit` records a fused group as
 * ONE event named after its member ops (`fused(mul+sub+sum)`); the event carries no more than its
 * op name (the recorder's columns stay as they are), so the jit registers each group's member ops
 * and the lines that called them here, keyed by that name, when it plans a signature. The
 * aggregate (aggregate.ts) looks a fused row's members up here and splits its time among them.
 *
 * A fused kernel's members run together and cannot be timed apart: each member gets an EQUAL
 * share of the kernel's time (every member visits the group's elements once).
 *
 * Each distinct group (its member ops and their lines) gets a name of its own, so its events (and
 * their time) are told apart from another group's: the first group with an op chain is named
 * `fused(mul+sub+sum)`, a different group with the same chain (another jitted function, or the same
 * chain written on other lines) `fused(mul+sub+sum)#2`, and so on, in the order this process first
 * plans them. The same group planned again (another input signature) keeps its name.
 */
import type { FlameFusedKernel, SourceLocation } from '../contract/flame.js';
import type { FusedMemberShare } from '../contract/report.js';
import type { FusedOpName } from '../backends/op-table.js';

/** One member op of a fused group and the line that called it (null when unknown). */
export interface FusedMember {
  readonly op: string;
  readonly location: SourceLocation | null;
}

/** Event name → the one group (member ops in order, with their lines) recorded under it. */
const groups = new Map<string, readonly FusedMember[]>();
/** Group key (its ops and lines) → its event name. */
const names = new Map<string, FusedOpName>();
/** Label → how many distinct groups carry it so far. */
const perLabel = new Map<string, number>();

const locKey = (l: SourceLocation | null): string => (l === null ? '?' : `${l.file}:${l.line}:${l.column}`);

/**
 * Records a fused group whose chain is named `label` (`fused(mul+sub+sum)`) with `members` (in
 * execution order) and returns the name its events must carry: `label` for the first distinct
 * group with that label, `label#2`, `label#3`… for the next ones (see the file comment). Idempotent:
 * the same members at the same lines get the same name back.
 */
export function registerFusedGroup(label: FusedOpName, members: readonly FusedMember[]): FusedOpName {
  const key = `${label}\u0001${members.map((m) => `${m.op}@${locKey(m.location)}`).join('\u0000')}`;
  const known = names.get(key);
  if (known !== undefined) return known;
  const k = (perLabel.get(label) ?? 0) + 1;
  perLabel.set(label, k);
  const name = (k === 1 ? label : `${label}#${k}`) as FusedOpName;
  names.set(key, name);
  groups.set(name, members.map((m) => ({ op: m.op, location: m.location })));
  return name;
}

/**
 * A lookup from a fused op name to its member lists. This process's registry gives one list per
 * name; a lookup over merged profiles may give several (their shares are then split by group first).
 */
export type FusedLookup = (label: string) => readonly (readonly FusedMember[])[] | undefined;

/** The lookup over everything registered in this process (one group per name). */
export const registeredFusedGroups: FusedLookup = (name) => {
  const members = groups.get(name);
  return members === undefined ? undefined : [members];
};

/**
 * The member shares of a fused row that took `totalMs` (ms): equal per group, then equal per
 * member within a group, so they sum to `totalMs`. Undefined when `op` is not a known fused kernel. Pure.
 */
export function fusedShares(op: string, totalMs: number, lookup: FusedLookup): FusedMemberShare[] | undefined {
  if (!op.startsWith('fused(')) return undefined;
  const lists = lookup(op)?.filter((l) => l.length > 0);
  if (lists === undefined || lists.length === 0) return undefined;
  const perGroup = totalMs / lists.length;
  return lists.flatMap((l) => l.map((m) => ({ op: m.op, location: m.location, shareMs: perGroup / l.length })));
}

/** The flame model's `fused` entries for the kernels named in `names` (its strings); [] when none. Pure given `lookup`. */
export function flameFusedKernels(names: readonly string[], lookup: FusedLookup = registeredFusedGroups): FlameFusedKernel[] {
  const out: FlameFusedKernel[] = [];
  for (const name of names) {
    if (!name.startsWith('fused(')) continue;
    for (const members of lookup(name) ?? []) out.push({ name, members: members.map((m) => ({ op: m.op, location: m.location })) });
  }
  return out;
}
