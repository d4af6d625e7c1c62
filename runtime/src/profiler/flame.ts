/**
 * Builds the flame-graph model ({@link FlameProfile}) from a snapshot: context/function spans and
 * op events become slices nested by time per thread (a slice that outlives its parent — possible
 * with concurrent async contexts — is clamped to the parent so the nesting is always proper);
 * GPU intervals go on their own track (kind Gpu, depth 0). Pure.
 */
import { SliceKind, type FlameProfile, type SourceLocation } from '../contract/flame.js';
import type { ProfileData } from './types.js';

interface Raw { name: string; kind: SliceKind; start: number; end: number; location: SourceLocation | null; backend: string | null; thread: number }

/** The flame model of `data`. Times become µs since `data.startMs`. */
export function buildFlame(data: ProfileData, title = 'corepy profile'): FlameProfile {
  const raws: Raw[] = [];
  for (const s of data.spans) {
    const c = data.contexts[s.context];
    if (!c || s.context === 0) continue;
    raws.push({ name: c.name, kind: c.kind === 'function' ? SliceKind.Function : SliceKind.Context, start: s.startMs, end: s.endMs, location: null, backend: null, thread: s.thread });
  }
  const gpu: Raw[] = [];
  for (const e of data.events) {
    const location = e.site >= 0 ? data.sites[e.site] ?? null : null;
    raws.push({ name: e.op, kind: SliceKind.Op, start: e.startMs, end: e.endMs, location, backend: e.backend, thread: e.thread });
    if (e.gpuStartMs !== undefined) gpu.push({ name: e.op, kind: SliceKind.Gpu, start: e.gpuStartMs, end: e.gpuEndMs!, location, backend: e.backend, thread: e.thread });
  }
  // One-time work is a top-level slice of its thread: the op that triggered it starts after it ends.
  for (const c of data.oneTimeCosts ?? []) {
    if (c.endMs < data.startMs) continue; // at load, before this recording's timeline
    raws.push({ name: c.name, kind: SliceKind.OneTime, start: c.startMs, end: c.endMs, location: null, backend: null, thread: data.threads[0] ?? 0 });
  }
  // Outer slices first at equal starts: longer first, contexts before ops.
  raws.sort((a, b) => a.thread - b.thread || a.start - b.start || b.end - a.end || a.kind - b.kind);
  const strings: string[] = [], stringIds = new Map<string, number>();
  const str = (s: string): number => {
    let id = stringIds.get(s);
    if (id === undefined) { id = strings.length; strings.push(s); stringIds.set(s, id); }
    return id;
  };
  const locations: SourceLocation[] = [], locIds = new Map<string, number>();
  const loc = (l: SourceLocation | null): number => {
    if (!l) return -1;
    const k = `${l.file}:${l.line}:${l.column}`;
    let id = locIds.get(k);
    if (id === undefined) { id = locations.length; locations.push(l); locIds.set(k, id); }
    return id;
  };
  const slices = { name: [] as number[], kind: [] as number[], start: [] as number[], duration: [] as number[], depth: [] as number[], location: [] as number[], backend: [] as number[], parent: [] as number[], thread: [] as number[] };
  const t0 = data.startMs;
  const push = (r: Raw, start: number, end: number, depth: number, parent: number): number => {
    slices.name.push(str(r.name)); slices.kind.push(r.kind);
    slices.start.push((start - t0) * 1000); slices.duration.push(Math.max(0, end - start) * 1000);
    slices.depth.push(depth); slices.location.push(loc(r.location)); slices.backend.push(r.backend ? str(r.backend) : -1);
    slices.parent.push(parent); slices.thread.push(r.thread);
    return slices.name.length - 1;
  };
  const stack: { index: number; end: number; thread: number }[] = [];
  for (const r of raws) {
    while (stack.length && (stack[stack.length - 1]!.thread !== r.thread || stack[stack.length - 1]!.end <= r.start)) stack.pop();
    const top = stack[stack.length - 1];
    const end = top ? Math.min(r.end, top.end) : r.end;
    const index = push(r, r.start, end, stack.length, top ? top.index : -1);
    stack.push({ index, end, thread: r.thread });
  }
  gpu.sort((a, b) => a.start - b.start);
  for (const g of gpu) push(g, g.start, g.end, 0, -1);
  const totalUs = Math.max(0, data.endMs - data.startMs) * 1000;
  return { version: 1, title, strings, locations, slices, totalUs, droppedEvents: data.droppedEvents };
}
