/**
 * The user's call stacks as flame slices (flame.ts): each function of an op's stack becomes a
 * Function slice spanning the consecutive ops that share it, as a sampling profiler's flame chart
 * draws a function over the samples that had it on the stack. Frames go between an op and the
 * context it was issued in (context → user functions → op), less the frames that every op of that
 * context shares (its caller's chain, which the context stands for): a context's span is never split, and
 * a run of frames ends where its ops' context changes, where any context span or one-time cost of
 * the thread begins, and at an op with no stack — so frames always nest inside what encloses them.
 *
 * This takes an op's stack to have been captured in the op's own context: the context path is
 * exact, the stack a sample. The recorder keeps it so (a stack held between captures goes only to
 * ops of the context it was captured in); one stack from another context would shorten what the
 * context's ops share, bringing its caller chain back under it (`normalize;trainStep;normalize;…`),
 * and put that context's functions under this one (`normalize;augment;add`).
 *
 * Calls: V8's captures carry no call identity, and frames are keyed by where a function starts, so
 * consecutive calls of a function with no op of its caller between them (`for (…) outer(x)`) have
 * the same stacks as one call that loops, and are one run. Where a run may hold several calls — an
 * op repeats a line the function itself issued earlier in the run, or the function calls again a
 * function it already called in the run — the run is marked `merged` (its count is then a lower
 * bound, not calls), and the time between the op before and the op after that point becomes a gap
 * slice inside the run (`gap`): it is the caller's loop and the function's entry and exit, or one
 * pass of a loop inside the function, not time known to be the function's own, so it is not the
 * run's self time. A module's body (`(top level)`) runs once: its repeats are loops, never marked.
 *
 * Waits: an async function awaiting in its loop is one run of frames over its awaits (the ops on
 * either side share its stack). The event loop's idle time in the gap between two ops of one thread
 * and context (an `await` on a timer, I/O, another thread: `idleMs`, read by the recorder,
 * idle-waits.ts) becomes an idle slice at the end of the gap, just before the op that follows the
 * wait, nested in the innermost frame both ops share (in the gap slice when there is one, else in
 * their context), so it is nobody's self time. A gap with a context span or one-time cost in it gets none.
 *
 * Pure, and linear in the slices: an op whose stack is the previous op's costs two compares and a
 * lookup of its line.
 */
import type { EventColumns } from './event-columns.js';
import type { StackTableData } from './stacks.js';

/** The raw slices flame.ts has built (columns indexed by raw slice; events from `eventBase`). */
export interface RawSlices {
  readonly total: number;
  readonly eventBase: number;
  readonly ev: EventColumns;
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly thread: Int32Array;
  /** Context node of each (an op's context; 0: none). */
  readonly node: Int32Array;
  /**
   * Per event (index as `ev`): event-loop idle time read before it, ms (0: none), and when it was
   * read, ms (at most the op's start); absent when none was read (flame.ts idleBeforeOps).
   */
  readonly idleMs?: Float64Array;
  readonly idleAtMs?: Float64Array;
}

/** Frame slices `j` (their raw index is total + j), and the order to place everything in. */
export interface UserFrames {
  /** Raw slice indexes in placement order, frame slices (≥ total) right before the op that opens them. */
  readonly order: Int32Array;
  /** Per event: the node it nests in (its innermost frame's, `nodeBase + j`, or its context). */
  readonly opWithin: Int32Array;
  /** Per frame slice: stack node (a gap slice: its function's), start and end (ms), thread, and the node it nests in. */
  readonly node: number[];
  readonly start: number[];
  readonly end: number[];
  readonly thread: number[];
  readonly within: number[];
  /** Per frame slice: 1 when the run may hold several calls of its function (see the top of this file), else 0. */
  readonly merged: number[];
  /** Per frame slice: 1 for a gap slice (between two ops of a merged run, where a new call may have begun), else 0. */
  readonly gap: number[];
  /** Per frame slice: 1 for an idle slice (event-loop idle time before an op; its node is -1), else 0. */
  readonly idle: number[];
}

/**
 * Frame slices for the events of `raw` in placement `order`. A frame slice's identity node is
 * `nodeBase + j` (after every context node id); the outermost frame of a run nests in the ops' context.
 */
export function userFrameSlices(order: Int32Array, raw: RawSlices, stacks: StackTableData | undefined, nodeBase: number): UserFrames {
  const { total, eventBase, ev } = raw;
  const opWithin = new Int32Array(ev.length);
  for (let i = 0; i < ev.length; i++) opWithin[i] = raw.node[eventBase + i]!;
  const out: UserFrames = { order, opWithin, node: [], start: [], end: [], thread: [], within: [], merged: [], gap: [], idle: [] };
  const withStacks = stacks !== undefined && stacks.parent.length > 0, idleMs = raw.idleMs, idleAtMs = raw.idleAtMs;
  if (!withStacks && idleMs === undefined) return out;
  const nodes = withStacks ? stacks.parent.length : 0, frames = withStacks ? stacks.frames : [];
  const skip = withStacks ? sharedFrames(raw, stacks, nodeBase) : new Int32Array(nodeBase);
  const placed: number[] = [];
  // The open run: stack nodes outermost first, their frame slices and "epochs"; its thread, context and last op's end.
  const chain: number[] = [], chainSlice: number[] = [], chainEpoch: number[] = [];
  let thread = -1, context = -1, lastEnd = 0;
  // The previous op's thread, context and end (NaN: none, or a span or one-time cost since), and the gap slice made before this op (-1: none).
  let prevThread = -1, prevContext = -1, prevEnd = Number.NaN, gapBefore = -1;
  const path: number[] = [];
  // What each open frame did in its current epoch (since its run opened or its last repeat): the
  // epoch in which a line was last issued directly by its frame, and in which a node was last
  // called from its parent's frame. A match is a repeat; the repeat starts a new epoch.
  let epochs = 0;
  let maxSite = -1;
  for (let i = 0; i < ev.length; i++) if (ev.site[i]! > maxSite) maxSite = ev.site[i]!;
  const siteEpoch = new Int32Array(maxSite + 1).fill(-1), nodeEpoch = new Int32Array(nodes).fill(-1);
  const once = new Uint8Array(frames.length);
  for (let f = 0; f < once.length; f++) once[f] = frames[f]!.name === '(top level)' ? 1 : 0;
  const close = (from: number): void => {
    for (let d = from; d < chain.length; d++) out.end[chainSlice[d]!] = lastEnd;
    chain.length = chainSlice.length = chainEpoch.length = from;
  };
  /** Frame slice j: a run of node `node` (or a gap in one) over [start, end], nested in `within`. */
  const slice = (node: number, start: number, end: number, within: number, gap: number): number => {
    const j = out.node.length;
    out.node.push(node); out.start.push(start); out.end.push(end); out.thread.push(thread); out.within.push(within);
    out.merged.push(0); out.gap.push(gap); out.idle.push(0);
    placed.push(total + j);
    return j;
  };
  /** The idle slice before op k (event i), if the gap since the previous op held idle time, nested in `within`. */
  const idleBefore = (k: number, i: number, within: number): void => {
    const ms = idleMs === undefined ? 0 : idleMs[i]!;
    if (ms <= 0 || prevThread !== raw.thread[k] || prevContext !== raw.node[k] || !(prevEnd < raw.start[k]!)) return;
    const end = Math.max(prevEnd, Math.min(raw.start[k]!, idleAtMs![i]!));
    const start = end - Math.min(ms, end - prevEnd);
    if (!(end > start)) return;
    const j = slice(-1, start, end, gapBefore >= 0 ? nodeBase + gapBefore : within, 0);
    out.idle[j] = 1;
  };
  /** The open frame at depth d repeats before op k: maybe a new call (see the top of this file). */
  const repeat = (d: number, k: number): void => {
    const j = chainSlice[d]!;
    chainEpoch[d] = epochs++;
    if (once[stacks!.frame[chain[d]!]!] === 1) return;
    out.merged[j] = 1;
    if (raw.start[k]! > lastEnd) gapBefore = slice(chain[d]!, lastEnd, raw.start[k]!, nodeBase + j, 1);
  };
  /** Op k (site `site`) is issued directly by the open frame at depth d. */
  const issued = (d: number, site: number, k: number): void => {
    if (site < 0) return;
    if (siteEpoch[site] === chainEpoch[d]) repeat(d, k);
    siteEpoch[site] = chainEpoch[d]!;
  };
  for (let o = 0; o < order.length; o++) {
    const k = order[o]!, i = k - eventBase;
    if (i < 0 || i >= ev.length) {
      // A context span or a one-time cost: frames never straddle it.
      close(0);
      placed.push(k);
      prevEnd = Number.NaN;
      continue;
    }
    const leaf = withStacks ? ev.stack[i]! : -1;
    gapBefore = -1;
    if (raw.thread[k] !== thread || raw.node[k] !== context || leaf < 0) close(0);
    thread = raw.thread[k]!; context = raw.node[k]!;
    // lastEnd belongs to the open run: a run starting here starts it afresh.
    if (chain.length === 0) lastEnd = raw.end[k]!;
    if (leaf >= 0 && chain.length > 0 && chain[chain.length - 1] === leaf) {
      issued(chain.length - 1, ev.site[i]!, k);
      idleBefore(k, i, nodeBase + chainSlice[chain.length - 1]!);
    } else if (leaf >= 0) {
      path.length = 0;
      for (let p = leaf; p >= 0; p = stacks!.parent[p]!) path.push(p);
      path.reverse();
      // Inside a context, the frames all its ops share are its caller's: the context stands for them.
      if (context > 0) path.splice(0, skip[context]!);
      let same = 0;
      while (same < chain.length && same < path.length && chain[same] === path[same]) same++;
      close(same);
      if (same > 0 && same === path.length) issued(same - 1, ev.site[i]!, k);
      else if (same > 0 && nodeEpoch[path[same]!] === chainEpoch[same - 1]) repeat(same - 1, k);
      // Before the frames this op opens: the wait ends where they begin.
      idleBefore(k, i, same > 0 ? nodeBase + chainSlice[same - 1]! : context);
      for (let d = same; d < path.length; d++) {
        if (d > 0) nodeEpoch[path[d]!] = chainEpoch[d - 1]!;
        const j = slice(path[d]!, raw.start[k]!, raw.end[k]!, d === 0 ? context : nodeBase + chainSlice[d - 1]!, 0);
        chain.push(path[d]!); chainSlice.push(j); chainEpoch.push(epochs++);
        if (d === path.length - 1) issued(d, ev.site[i]!, k);
      }
    } else idleBefore(k, i, context);
    if (chain.length > 0) opWithin[i] = nodeBase + chainSlice[chain.length - 1]!;
    lastEnd = Math.max(lastEnd, raw.end[k]!);
    prevEnd = prevThread === thread && prevEnd > raw.end[k]! ? prevEnd : raw.end[k]!;
    prevThread = thread; prevContext = context;
    placed.push(k);
  }
  close(0);
  return { ...out, order: out.node.length === 0 ? order : Int32Array.from(placed) };
}

/**
 * Per context node: how many outermost frames every op issued in it shares (its caller's chain,
 * which the context's own slice already stands for); 0 for the root. Nodes are interned parent
 * first, so depths fill in one pass.
 */
function sharedFrames(raw: RawSlices, stacks: StackTableData, contexts: number): Int32Array {
  const depth = new Int32Array(stacks.parent.length);
  for (let k = 0; k < depth.length; k++) depth[k] = stacks.parent[k]! < 0 ? 1 : depth[stacks.parent[k]!]! + 1;
  // The deepest node on every op's stack, per context (-2: no op with a stack yet, -1: none shared).
  const common = new Int32Array(contexts).fill(-2);
  for (let i = 0; i < raw.ev.length; i++) {
    const c = raw.node[raw.eventBase + i]!;
    let leaf = raw.ev.stack[i]!;
    if (c <= 0 || c >= contexts || leaf < 0) continue;
    let known = common[c]!;
    if (known === -2 || known === leaf) { common[c] = leaf; continue; }
    while (known >= 0 && leaf >= 0 && known !== leaf) {
      if (depth[known]! >= depth[leaf]!) known = stacks.parent[known]!;
      else leaf = stacks.parent[leaf]!;
    }
    common[c] = known === leaf ? known : -1;
  }
  const skip = new Int32Array(contexts);
  for (let c = 0; c < contexts; c++) skip[c] = common[c]! >= 0 ? depth[common[c]!]! : 0;
  return skip;
}
