/**
 * What each fused kernel is made of, for the profiler's views. `cp.jit` records a fused group as
 * ONE event named after its member ops (`fused(mul+sub+sum)`); the event carries no more than its
 * op name (the recorder's columns stay as they are), so the jit registers each group's member ops
 * and the lines that called them here, keyed by that name, when it plans a signature. The
 * aggregate (aggregate.ts) looks a fused row's members up here and splits its time among them.
 *
 * A fused kernel's members run together and cannot be timed apart: each member gets an EQUAL
 * share of the kernel's time (every member visits the group's elements once). When two different
 * groups share a name (two jitted functions with the same op chain), the time of that name is
 * split equally among the groups first, then among each group's members: the recorder does not
 * tell their events apart.
 */
import type { FlameFusedKernel, SourceLocation } from '../contract/flame.js';
import type { FusedMemberShare } from '../contract/report.js';

/** One member op of a fused group and the line that called it (null when unknown). */
export interface FusedMember {
  readonly op: string;
  readonly location: SourceLocation | null;
}

/** label → distinct member lists (by their ops and lines), in registration order. */
const groups = new Map<string, { readonly key: string; readonly members: readonly FusedMember[] }[]>();

const locKey = (l: SourceLocation | null): string => (l === null ? '?' : `${l.file}:${l.line}:${l.column}`);

/** Records that events named `label` are a fused kernel of `members` (in execution order). Idempotent. */
export function registerFusedGroup(label: string, members: readonly FusedMember[]): void {
  const key = members.map((m) => `${m.op}@${locKey(m.location)}`).join('\u0000');
  const list = groups.get(label) ?? [];
  if (list.some((g) => g.key === key)) return;
  list.push({ key, members: members.map((m) => ({ op: m.op, location: m.location })) });
  groups.set(label, list);
}

/** A lookup from a fused op name to its member lists (one per distinct group with that name). */
export type FusedLookup = (label: string) => readonly (readonly FusedMember[])[] | undefined;

/** The lookup over everything registered in this process. */
export const registeredFusedGroups: FusedLookup = (label) => groups.get(label)?.map((g) => g.members);

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
