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
 * Pure, and linear in the slices: an op whose stack is the previous op's costs two compares.
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
}

/** Frame slices `j` (their raw index is total + j), and the order to place everything in. */
export interface UserFrames {
  /** Raw slice indexes in placement order, frame slices (≥ total) right before the op that opens them. */
  readonly order: Int32Array;
  /** Per event: the node it nests in (its innermost frame's, `nodeBase + j`, or its context). */
  readonly opWithin: Int32Array;
  /** Per frame slice: stack node, start and end (ms), thread, and the node it nests in. */
  readonly node: number[];
  readonly start: number[];
  readonly end: number[];
  readonly thread: number[];
  readonly within: number[];
}

/**
 * Frame slices for the events of `raw` in placement `order`. A frame slice's identity node is
 * `nodeBase + j` (after every context node id); the outermost frame of a run nests in the ops' context.
 */
export function userFrameSlices(order: Int32Array, raw: RawSlices, stacks: StackTableData | undefined, nodeBase: number): UserFrames {
  const { total, eventBase, ev } = raw;
  const opWithin = new Int32Array(ev.length);
  for (let i = 0; i < ev.length; i++) opWithin[i] = raw.node[eventBase + i]!;
  const out: UserFrames = { order, opWithin, node: [], start: [], end: [], thread: [], within: [] };
  if (stacks === undefined || stacks.parent.length === 0) return out;
  const skip = sharedFrames(raw, stacks, nodeBase);
  const placed: number[] = [];
  // The open run: stack nodes outermost first and their frame slices; its thread, context and last op's end.
  const chain: number[] = [], chainSlice: number[] = [];
  let thread = -1, context = -1, lastEnd = 0;
  const path: number[] = [];
  const close = (from: number): void => {
    for (let d = from; d < chain.length; d++) out.end[chainSlice[d]!] = lastEnd;
    chain.length = chainSlice.length = from;
  };
  for (let o = 0; o < order.length; o++) {
    const k = order[o]!, i = k - eventBase;
    if (i < 0 || i >= ev.length) {
      // A context span or a one-time cost: frames never straddle it.
      close(0);
      placed.push(k);
      continue;
    }
    const leaf = ev.stack[i]!;
    if (raw.thread[k] !== thread || raw.node[k] !== context || leaf < 0) close(0);
    thread = raw.thread[k]!; context = raw.node[k]!;
    // lastEnd belongs to the open run: a run starting here starts it afresh.
    if (chain.length === 0) lastEnd = raw.end[k]!;
    if (leaf >= 0 && (chain.length === 0 || chain[chain.length - 1] !== leaf)) {
      path.length = 0;
      for (let p = leaf; p >= 0; p = stacks.parent[p]!) path.push(p);
      path.reverse();
      // Inside a context, the frames all its ops share are its caller's: the context stands for them.
      if (context > 0) path.splice(0, skip[context]!);
      let same = 0;
      while (same < chain.length && same < path.length && chain[same] === path[same]) same++;
      close(same);
      for (let d = same; d < path.length; d++) {
        const j = out.node.length;
        out.node.push(path[d]!); out.start.push(raw.start[k]!); out.end.push(raw.end[k]!); out.thread.push(thread);
        out.within.push(d === 0 ? context : nodeBase + chainSlice[d - 1]!);
        chain.push(path[d]!); chainSlice.push(j);
        placed.push(total + j);
      }
    }
    if (chain.length > 0) opWithin[i] = nodeBase + chainSlice[chain.length - 1]!;
    lastEnd = Math.max(lastEnd, raw.end[k]!);
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
