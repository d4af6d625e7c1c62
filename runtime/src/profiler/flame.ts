/**
 * Builds the flame-graph model ({@link FlameProfile}) from a snapshot: context/function spans and
 * op events become slices per thread, each nested under the span of the context it belongs to,
 * and a context running concurrently with another on a track of its own (flame-tracks.ts), so no
 * slice is clamped to a context it merely overlapped; GPU intervals go on their own track (kind
 * Gpu, depth 0). Ops that carry the user's call stack get its functions as Function slices between
 * them and their context (user-frames.ts); a function with a run that may hold several calls is
 * named with {@link MERGED_CALLS_SUFFIX} in all its runs, and the gaps in a run where a new call may
 * have begun are slices of their own ({@link gapSliceName}); event-loop idle time between two ops (an
 * `await`, `data.idleWaits`) is a slice of its own too ({@link IDLE_SLICE_NAME}). Pure.
 *
 * Works on columns (event-columns.ts), never on one object per slice: a snapshot taken with
 * `events: 'columns'` is read as is, one holding records is converted first. The candidate slices
 * are typed arrays put in order through an index permutation (groups already in order are only
 * checked, then merged), so 1e6 events cost no per-event garbage.
 */
import { functionFrameName, gapSliceName, IDLE_SLICE_NAME, MERGED_CALLS_SUFFIX, SliceKind, stallSliceName, type FlameProfile, type SourceLocation } from '../contract/flame.js';
import { eventColumns, spanColumns, type EventColumns } from './event-columns.js';
import { OpenTracks } from './flame-tracks.js';
import { flameFusedKernels } from './fused-groups.js';
import { userFrameSlices } from './user-frames.js';
import type { IdleWait, ProfileData } from './types.js';
import type { OneTimeCost } from '../one-time-costs.js';

/** The flame model of `data`. Times become µs since `data.startMs`. */
export function buildFlame(data: ProfileData, title = 'corepy profile'): FlameProfile {
  const ev = data.columns?.events ?? eventColumns(data.events);
  const sp = data.columns?.spans ?? spanColumns(data.spans);
  const costs = oneTimeSlices(data.oneTimeCosts ?? []).filter((c) => c.endMs >= data.startMs); // before: at load, outside this timeline
  // Candidate names: the events' names, then context names (by context id), then one-time costs',
  // then the user's functions' (an anonymous one named by where it starts: functionFrameName).
  const ctxBase = ev.names.length, costBase = ctxBase + data.contexts.length;
  const frameName = (f: { name: string; location: SourceLocation }): string => functionFrameName(f.name, f.location);
  const candidate = (k: number): string => (k < ctxBase ? ev.names[k]! : k < costBase ? data.contexts[k - ctxBase]!.name
    : k < costBase + costs.length ? costs[k - costBase]!.name : frameName(data.stacks!.frames[k - costBase - costs.length]!));
  // Raw slices as columns: spans, events, one-time costs (the order ties keep).
  let nSpans = 0;
  for (let i = 0; i < sp.length; i++) if (sp.context[i]! !== 0 && data.contexts[sp.context[i]!]) nSpans++;
  const total = nSpans + ev.length + costs.length;
  const rName = new Int32Array(total), rKind = new Uint8Array(total), rStart = new Float64Array(total), rEnd = new Float64Array(total);
  const rSite = new Int32Array(total).fill(-1), rBackend = new Int32Array(total).fill(-1), rThread = new Int32Array(total);
  // Context node of each: a span's own, an op's (0: none); -1 for one-time costs.
  const rNode = new Int32Array(total).fill(-1);
  let r = 0;
  for (let i = 0; i < sp.length; i++) {
    const c = sp.context[i]!, info = data.contexts[c];
    if (c === 0 || !info) continue;
    rName[r] = ctxBase + c; rKind[r] = info.kind === 'function' ? SliceKind.Function : SliceKind.Context;
    rStart[r] = sp.startMs[i]!; rEnd[r] = sp.endMs[i]!; rThread[r] = sp.thread[i]!; rNode[r] = c;
    r++;
  }
  const eventBase = r;
  for (let i = 0; i < ev.length; i++, r++) {
    rName[r] = ev.op[i]!; rKind[r] = SliceKind.Op; rStart[r] = ev.startMs[i]!; rEnd[r] = ev.endMs[i]!;
    rSite[r] = ev.site[i]!; rBackend[r] = ev.backend[i]!; rThread[r] = ev.thread[i]!; rNode[r] = ev.context[i]!;
  }
  // One-time work is a top-level slice of its thread: the op that triggered it starts after it ends.
  costs.forEach((c, k) => {
    rName[r] = costBase + k; rKind[r] = SliceKind.OneTime; rStart[r] = c.startMs; rEnd[r] = c.endMs; rThread[r] = data.threads[0] ?? 0;
    r++;
  });
  // Outer slices first at equal starts: longer first; at equal start and end an ancestor context
  // before its descendant (spans arrive innermost first: both can fit in one clock tick), contexts
  // before ops; then insertion order.
  const within = (node: number, outer: number): boolean => {
    for (let p = data.contexts[node]?.parent ?? -1; p > 0; p = data.contexts[p]?.parent ?? -1) if (p === outer) return true;
    return false;
  };
  const spanTie = (a: number, b: number): number =>
    rKind[a] === SliceKind.Op || rKind[b] === SliceKind.Op || rNode[a]! <= 0 || rNode[b]! <= 0 ? 0
      : within(rNode[b]!, rNode[a]!) ? -1 : within(rNode[a]!, rNode[b]!) ? 1 : 0;
  const before = (a: number, b: number): number =>
    rThread[a]! - rThread[b]! || rStart[a]! - rStart[b]! || rEnd[b]! - rEnd[a]! || spanTie(a, b) || rKind[a]! - rKind[b]! || a - b;
  const order = mergeSorted([sortedRange(0, eventBase, before), sortedRange(eventBase, eventBase + ev.length, before), sortedRange(eventBase + ev.length, total, before)], before);
  // The user's call stacks become Function slices between each op and its context (user-frames.ts).
  const stacks = data.stacks;
  const nodeBase = data.contexts.length;
  const idle = idleBeforeOps(ev, data.idleWaits);
  const fr = userFrameSlices(order, { total, eventBase, ev, start: rStart, end: rEnd, thread: rThread, node: rNode, ...idle }, stacks, nodeBase);
  const placed = fr.order, opWithin = fr.opWithin;
  // A function with one run that may merge calls is named so in all its runs: one row, one folded frame.
  const mergedFrame = new Uint8Array(stacks?.frames.length ?? 0);
  for (let j = 0; j < fr.node.length; j++) if (fr.merged[j] === 1 && fr.idle[j] === 0) mergedFrame[stacks!.frame[fr.node[j]!]!] = 1;

  // Strings and locations are interned in the order slices are written.
  const strings: string[] = [], stringIds = new Map<string, number>();
  const str = (s: string): number => {
    let id = stringIds.get(s);
    if (id === undefined) { id = strings.length; strings.push(s); stringIds.set(s, id); }
    return id;
  };
  const frameBase = costBase + costs.length;
  const nameIds = new Int32Array(frameBase + (stacks?.frames.length ?? 0)).fill(-1);
  const nameOf = (k: number): number => (nameIds[k] !== -1 ? nameIds[k]! : (nameIds[k] = str(candidate(k))));
  // A merged function's name and its gap slices' name, interned once per frame.
  const mergedNames = new Int32Array(mergedFrame.length).fill(-1), gapNames = new Int32Array(mergedFrame.length).fill(-1);
  const mergedNameOf = (f: number): number => (mergedNames[f] !== -1 ? mergedNames[f]! : (mergedNames[f] = str(candidate(frameBase + f) + MERGED_CALLS_SUFFIX)));
  const gapNameOf = (f: number): number => (gapNames[f] !== -1 ? gapNames[f]! : (gapNames[f] = str(gapSliceName(candidate(frameBase + f)))));
  const locations: SourceLocation[] = [], locIds = new Map<string, number>();
  const siteIds = new Int32Array(data.sites.length).fill(-2);
  const locIdOf = (l: SourceLocation): number => {
    const k = `${l.file}:${l.line}:${l.column}`;
    let id = locIds.get(k) ?? -1;
    if (id === -1) { id = locations.length; locations.push(l); locIds.set(k, id); }
    return id;
  };
  const locOf = (site: number): number => {
    if (site < 0) return -1;
    if (site < siteIds.length && siteIds[site] !== -2) return siteIds[site]!;
    const l = data.sites[site];
    const id = l ? locIdOf(l) : -1;
    if (site < siteIds.length) siteIds[site] = id;
    return id;
  };
  const frameLocs = new Int32Array(stacks?.frames.length ?? 0).fill(-2);
  const frameLocOf = (f: number): number => (frameLocs[f] !== -2 ? frameLocs[f]! : (frameLocs[f] = locIdOf(stacks!.frames[f]!.location)));
  // GPU intervals go last, by start (ties in event order).
  const gpu: number[] = [];
  for (let i = 0; i < ev.length; i++) if (!Number.isNaN(ev.gpuStartMs[i]!)) gpu.push(i);
  gpu.sort((a, b) => ev.gpuStartMs[a]! - ev.gpuStartMs[b]! || a - b);
  // Output arrays at their final length, written by index: ~3× faster than 9 pushes per slice.
  const n = placed.length + gpu.length;
  const column = (): number[] => new Array<number>(n).fill(0);
  const slices = { name: column(), kind: column(), start: column(), duration: column(), depth: column(), location: column(), backend: column(), parent: column(), thread: column(), track: column() };
  const t0 = data.startMs;
  let w = 0;
  const write = (k: number, kind: number, start: number, end: number, depth: number, parent: number): number => {
    slices.name[w] = nameOf(rName[k]!); slices.kind[w] = kind;
    // Duration as the difference of the µs endpoints: a frame and its last op, ending together, then
    // end at the same start + duration (a viewer nesting by time sees the op inside, not 1 ulp out).
    slices.start[w] = (start - t0) * 1000; slices.duration[w] = Math.max(0, (end - t0) * 1000 - slices.start[w]!);
    slices.depth[w] = depth; slices.location[w] = locOf(rSite[k]!); slices.backend[w] = rBackend[k]! >= 0 ? nameOf(rBackend[k]!) : -1;
    slices.parent[w] = parent; slices.thread[w] = rThread[k]!;
    return w++;
  };
  // Nesting by context identity, on tracks (flame-tracks.ts): concurrent contexts are never clamped.
  const open = new OpenTracks();
  for (let o = 0; o < placed.length; o++) {
    const k = placed[o]!;
    if (k >= total) {
      const j = k - total;
      open.place(fr.thread[j]!, fr.start[j]!, fr.end[j]!, fr.within[j]!);
      const index = w++;
      // An idle slice has no frame (node -1) and no location: the time is nobody's line.
      const frame = fr.idle[j] === 1 ? -1 : stacks!.frame[fr.node[j]!]!;
      slices.name[index] = frame < 0 ? str(IDLE_SLICE_NAME) : fr.gap[j] === 1 ? gapNameOf(frame) : mergedFrame[frame] === 1 ? mergedNameOf(frame) : nameOf(frameBase + frame);
      slices.kind[index] = SliceKind.Function;
      slices.start[index] = (fr.start[j]! - t0) * 1000; slices.duration[index] = Math.max(0, (open.end - t0) * 1000 - slices.start[index]!);
      slices.depth[index] = open.depth; slices.location[index] = frame < 0 || fr.gap[j] === 1 ? -1 : frameLocOf(frame); slices.backend[index] = -1;
      slices.parent[index] = open.parent; slices.thread[index] = fr.thread[j]!; slices.track[index] = open.track;
      open.open(index, nodeBase + j);
      continue;
    }
    const start = rStart[k]!, node = rNode[k]!;
    const within = rKind[k] === SliceKind.OneTime ? -1 : rKind[k] === SliceKind.Op ? opWithin[k - eventBase]! : data.contexts[node]!.parent;
    open.place(rThread[k]!, start, rEnd[k]!, within);
    const index = write(k, rKind[k]!, start, open.end, open.depth, open.parent);
    slices.track[index] = open.track;
    open.open(index, rKind[k] === SliceKind.Op ? -1 : node);
  }
  for (const i of gpu) write(eventBase + i, SliceKind.Gpu, ev.gpuStartMs[i]!, ev.gpuEndMs[i]!, 0, -1);
  const totalUs = Math.max(0, data.endMs - data.startMs) * 1000;
  const fused = flameFusedKernels(strings);
  return { version: 1, title, strings, locations, slices, totalUs, droppedEvents: data.droppedEvents, ...(fused.length > 0 ? { fused } : {}) };
}

/**
 * The one-time slices of `costs`: each cost, and inside a cost that stalled (OneTimeCost.stallMs) a child slice of
 * the stalled time ({@link stallSliceName}), so the frame of a cost that was mostly the machine stalling says so
 * (audit 33 #5: 910 of a first touch's 1664 ms). Where in the work the stalls fell is not recorded: the child is
 * drawn at its end.
 */
function oneTimeSlices(costs: readonly OneTimeCost[]): { readonly name: string; readonly startMs: number; readonly endMs: number }[] {
  const out: { name: string; startMs: number; endMs: number }[] = [];
  for (const c of costs) {
    out.push(c);
    const stall = Math.min(c.stallMs ?? 0, c.endMs - c.startMs);
    if (stall > 0) out.push({ name: stallSliceName(c.name), startMs: c.endMs - stall, endMs: c.endMs });
  }
  return out;
}

/**
 * Per event, the event-loop idle time read before it (ms) and when (ms): each wait goes to the first
 * op of its thread that starts at or after its reading, when it was read after the thread's previous
 * op ended (older ones belong to ops the ring dropped). Events are in start order per thread.
 */
function idleBeforeOps(ev: EventColumns, waits: readonly IdleWait[] | undefined): { idleMs: Float64Array; idleAtMs: Float64Array } | Record<string, never> {
  if (waits === undefined || waits.length === 0) return {};
  const idleMs = new Float64Array(ev.length), idleAtMs = new Float64Array(ev.length), thread = waits[0]!.thread;
  let w = 0, prevEnd = -Infinity;
  for (let i = 0; i < ev.length && w < waits.length; i++) {
    if (ev.thread[i] !== thread) continue;
    for (; w < waits.length && waits[w]!.atMs <= ev.startMs[i]!; w++) {
      if (waits[w]!.thread !== thread || waits[w]!.atMs < prevEnd) continue;
      idleMs[i] += waits[w]!.idleMs; idleAtMs[i] = waits[w]!.atMs;
    }
    prevEnd = ev.endMs[i]!;
  }
  return { idleMs, idleAtMs };
}

/**
 * Indexes `from`…`to`−1 in `before` order. Usually already in order (events are recorded in start
 * order; spans of unnested contexts close in start order too): one pass checks, and only a group
 * out of order is sorted (the sort calls the comparator through the builtin, ~10× the cost of the
 * inlined compares in the check and in {@link mergeSorted}).
 */
function sortedRange(from: number, to: number, before: (a: number, b: number) => number): Int32Array {
  const out = new Int32Array(to - from);
  let sorted = true;
  for (let i = from; i < to; i++) {
    out[i - from] = i;
    if (sorted && i > from && before(i - 1, i) > 0) sorted = false;
  }
  if (!sorted) out.sort(before);
  return out;
}

/** Merges index lists each in `before` order into one (ties: the earlier list first). */
function mergeSorted(lists: readonly Int32Array[], before: (a: number, b: number) => number): Int32Array {
  let merged = lists[0] ?? new Int32Array(0);
  for (let l = 1; l < lists.length; l++) {
    const a = merged, b = lists[l]!;
    if (b.length === 0) continue;
    const out = new Int32Array(a.length + b.length);
    let i = 0, j = 0, k = 0;
    while (i < a.length && j < b.length) out[k++] = before(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!;
    while (i < a.length) out[k++] = a[i++]!;
    while (j < b.length) out[k++] = b[j++]!;
    merged = out;
  }
  return merged;
}
