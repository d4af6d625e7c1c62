/**
 * A `cp.jit` fused kernel's members as the timeline exports show them. The flame model names a
 * fused kernel's slices `fused(a+b+…)` and lists, in its optional `fused` field, each distinct
 * group with that name: its member ops and the lines that called them (fused-groups.ts). A
 * process gives each group a name of its own (`fused(a+b)#2` for a second group with the same chain),
 * so a model this runtime builds lists one group per name; should a model list several under one
 * name, an export shows every group of that name on each of its slices.
 */
import type { FlameProfile, SourceLocation } from '../contract/flame.js';

/** One member op and the line that called it (null when unknown). */
export interface ExportFusedMember {
  readonly op: string;
  readonly location: SourceLocation | null;
}

/**
 * The member lists (one per distinct group, members in execution order) of each fused kernel
 * among the flame model's strings, keyed by string index; empty when the model has no `fused` field.
 */
export function fusedMembersByName(flame: FlameProfile): Map<number, (readonly ExportFusedMember[])[]> {
  const out = new Map<number, (readonly ExportFusedMember[])[]>();
  if (flame.fused === undefined || flame.fused.length === 0) return out;
  const byName = new Map<string, (readonly ExportFusedMember[])[]>();
  for (const k of flame.fused) {
    if (k.members.length === 0) continue;
    (byName.get(k.name) ?? byName.set(k.name, []).get(k.name)!).push(k.members);
  }
  flame.strings.forEach((s, i) => {
    const lists = byName.get(s);
    if (lists !== undefined) out.set(i, lists);
  });
  return out;
}

/** `mul@a.ts:7`: the member op at the file name (no folder) and 1-based line; the op alone when the line is unknown. */
export function fusedMemberLabel(m: ExportFusedMember): string {
  if (m.location === null) return m.op;
  const file = m.location.file.slice(Math.max(m.location.file.lastIndexOf('/'), m.location.file.lastIndexOf('\\')) + 1);
  return `${m.op}@${file}:${m.location.line}`;
}
