/**
 * Inclusive op time per calling line (the report's `callLines`, contract/report.ts CallLineStats):
 * for each line where a user function called another (stacks.ts `callAt`), the op time of the ops
 * whose user call stack passes through that call: every recorded op, from the recorder's per-node
 * totals (stacks.ts `nodeOps`/`nodeMs`), or the retained events where a snapshot has no totals.
 * Each op counts once per
 * distinct line (file and line; columns apart), so recursion and two calls on one line do not count
 * it twice. An op issued on a line its own stack calls from (a callback written on the line that passes it:
 * `cp.tidy(() => x.matmul(x))`) is that line's own op, in its `callSites` rows: it does not count for that line
 * here, so a line whose calls issue only ops on itself has no row (audit 33 #8). Pure; linear in the events plus,
 * per stack node that events carry, its depth.
 */
import type { CallLineStats } from '../contract/report.js';
import type { SourceLocation } from '../contract/flame.js';
import { eventColumns } from './event-columns.js';
import { callOnLine, type StackTableData } from './stacks.js';
import type { ProfileData } from './types.js';

/**
 * The calling lines of `data`'s retained events, most op time first; `totalOpMs` (ms) is what
 * `percent` is a share of. Undefined when the snapshot holds no call lines (no stacks, stacks from a
 * runtime before call lines, or no retained events).
 */
export function callLineStats(data: ProfileData, totalOpMs: number): CallLineStats[] | undefined {
  const stacks = data.stacks, callAt = stacks?.callAt, calls = stacks?.calls;
  if (stacks === undefined || callAt === undefined || calls === undefined) return undefined;
  // Every recorded op's node, where the snapshot has the totals (the ring keeps only the last events:
  // from those, a run past them showed its calling lines' ops as a fraction of the ops, audit 30).
  if (stacks.nodeOps !== undefined && stacks.nodeMs !== undefined) {
    const own = stacks.nodeOwnOps !== undefined && stacks.nodeOwnMs !== undefined && stacks.nodeOwnCall !== undefined
      ? { ops: Float64Array.from(stacks.nodeOwnOps), ms: Float64Array.from(stacks.nodeOwnMs), call: Int32Array.from(stacks.nodeOwnCall) } : undefined;
    return callLinesOfNodes(stacks, Float64Array.from(stacks.nodeMs), Float64Array.from(stacks.nodeOps), totalOpMs, own);
  }
  // Any of the snapshot's retained-event forms: timeline columns, the rules' columns (profileReport()), records.
  const ev: { readonly length: number; readonly stack: Int32Array; readonly site: Int32Array; readonly startMs: Float64Array; readonly endMs: Float64Array } | null =
    data.columns?.events ?? data.ruleColumns ?? (data.events.length > 0 ? eventColumns(data.events) : null);
  if (ev === null || ev.stack === undefined) return undefined;
  // Op time and ops per stack node the events end in, and of them those issued on a line the node's path calls from.
  const nodes = stacks.parent.length;
  const nodeMs = new Float64Array(nodes), nodeOps = new Float64Array(nodes);
  const own = { ops: new Float64Array(nodes), ms: new Float64Array(nodes), call: new Int32Array(nodes).fill(-1) };
  const judged = new Map<number, number>(); // node · 2^24 + site → call on the site's line, or -1
  for (let i = 0; i < ev.length; i++) {
    const n = ev.stack[i]!;
    if (n < 0 || n >= nodes) continue;
    const ms = ev.endMs[i]! - ev.startMs[i]!;
    nodeMs[n] += ms;
    nodeOps[n]++;
    const site = ev.site?.[i] ?? -1, at = site >= 0 ? data.sites[site] : undefined;
    if (at === undefined) continue;
    const key = n * 2 ** 24 + site;
    let call = judged.get(key);
    if (call === undefined) judged.set(key, (call = callOnLine(stacks, n, at)));
    if (call < 0) continue;
    if (own.call[n] === -1) own.call[n] = call;
    if (own.call[n] === call) { own.ops[n]++; own.ms[n] += ms; }
  }
  return callLinesOfNodes(stacks, nodeMs, nodeOps, totalOpMs, own);
}

/** Per stack node, the ops among its totals issued on the line of its path's call `call` (-1: none), and their op time, ms. */
export interface OwnOps {
  readonly ops: Float64Array;
  readonly ms: Float64Array;
  readonly call: Int32Array;
}

/**
 * The calling lines of stack table `stacks` given the op time (ms) and ops of the events ending in
 * each of its nodes (`nodeMs`, `nodeOps`, indexed by node), most op time first; `totalOpMs` (ms) is
 * what `percent` is a share of; `own`, of those, the ops each node issued on a line its path calls from, which
 * that line does not count. Undefined when the table has no call lines. Live batches and
 * reports use it with the recorder's per-node totals (recorder.ts stackTotals).
 */
export function callLinesOfNodes(stacks: StackTableData, nodeMs: Float64Array, nodeOps: Float64Array, totalOpMs: number, own?: OwnOps): CallLineStats[] | undefined {
  const callAt = stacks.callAt, calls = stacks.calls;
  if (callAt === undefined || calls === undefined) return undefined;
  const nodes = Math.min(stacks.parent.length, nodeMs.length);
  // One line per (file, line) of the call positions; a position with no line (V8 gave none) has none.
  const lineOfCall = new Int32Array(calls.length).fill(-1), lines: SourceLocation[] = [], lineIds = new Map<string, number>();
  calls.forEach((c, k) => {
    if (!(c.line >= 1)) return;
    const key = `${c.line}:${c.file}`;
    let id = lineIds.get(key);
    if (id === undefined) { id = lines.length; lines.push(c); lineIds.set(key, id); }
    else if (c.column < lines[id]!.column) lines[id] = c;
    lineOfCall[k] = id;
  });
  const lineMs = new Float64Array(lines.length), lineOps = new Float64Array(lines.length);
  // The node whose walk last counted each line: a line met twice on one stack counts once.
  const countedFor = new Int32Array(lines.length).fill(-1);
  for (let n = 0; n < nodes; n++) {
    if (nodeOps[n] === 0) continue;
    const ownCall = own !== undefined && n < own.call.length ? own.call[n]! : -1;
    const ownLine = ownCall >= 0 && ownCall < lineOfCall.length ? lineOfCall[ownCall]! : -1;
    for (let p = n; p >= 0; p = stacks.parent[p]!) {
      const c = callAt[p]!, line = c >= 0 ? lineOfCall[c]! : -1;
      if (line < 0 || countedFor[line] === n) continue;
      countedFor[line] = n;
      // The node's ops issued on this very line are its own ops, not ops of its calls.
      const mine = line === ownLine;
      lineMs[line] += nodeMs[n]! - (mine ? own!.ms[n]! : 0);
      lineOps[line] += nodeOps[n]! - (mine ? own!.ops[n]! : 0);
    }
  }
  const out: CallLineStats[] = [];
  for (let l = 0; l < lines.length; l++) {
    // Less than half an op: what is left once a line's own ops are out is rounding (op counts are whole).
    if (!(lineOps[l]! >= 0.5)) continue;
    out.push({ location: lines[l]!, opMs: lineMs[l]!, ops: lineOps[l]!, percent: totalOpMs > 0 ? (100 * lineMs[l]!) / totalOpMs : 0 });
  }
  return out.sort((a, b) => b.opMs - a.opMs);
}
