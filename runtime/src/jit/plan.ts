/**
 * Fusion planning: splits a traced graph into steps. Chains of fusible elementwise ops that share
 * one shape become ONE fused group (a {@link FusedProgram}); a sum/mean/min/max that consumes a
 * group's value becomes its epilogue, so neither the chain's intermediates nor its value reach
 * memory. Every other op (matmul, reshape, var/std, int32 arithmetic, argmax) is a step of its own
 * and splits groups.
 *
 * A node joins its consumer's group only when every use of its value is inside that group and
 * the value is not a result of the function; so a group has one root and materialises one value.
 */
import { FUSED_BINARY, FUSED_UNARY, MAX_FUSED_INPUTS, MAX_FUSED_REGS, OP, type FusedProgram, type FusedReduce } from '../backends/fused.js';
import type { DType } from '../types.js';
import { normalizeAxes } from '../shape.js';
import type { FusedOpName } from '../backends/op-table.js';
import { type Arg, type Graph, type GraphNode, outputIds } from './graph.js';

/** One fused group: `members` (node indices, in order) computed over `shape`. */
export interface FusedGroup {
  readonly members: readonly number[];
  /** The node whose value the group produces (or feeds to its epilogue). */
  readonly root: number;
  /** The reduction node folded into the group, or -1. */
  readonly epilogue: number;
  readonly shape: readonly number[];
  /** External operands, in load order (value ids). */
  readonly inputs: readonly number[];
  /** The value the group produces (root's, or the epilogue's). */
  readonly out: number;
  /** Op name the profiler records for the group: `fused(` member ops in order, joined by `+` `)`. */
  readonly label: FusedOpName;
  /** Null when the program does not fit the kernels' limits (the members then run one by one). */
  readonly program: FusedProgram | null;
}

/** A step of a plan: one node run eagerly, or one fused group. */
export type Step =
  | { readonly kind: 'node'; readonly node: number }
  | { readonly kind: 'group'; readonly group: FusedGroup }
  /** `mean` and `std`/`var` of one value over the same axes, computed together by one `moments` pass. */
  | { readonly kind: 'moments'; readonly mean: number; readonly spread: number; readonly axes: readonly number[]; readonly keepdims: boolean; readonly ddof: number };

/** The steps that run a graph, and when each value can be freed. */
export interface Plan {
  readonly graph: Graph;
  readonly steps: readonly Step[];
  /** Value ids to dispose after each step (intermediates at their last use). */
  readonly freeAfter: readonly (readonly number[])[];
}

const FUSED_EPILOGUES: ReadonlySet<string> = new Set(['sum', 'mean', 'min', 'max']);
const FLOAT_ONLY: ReadonlySet<string> = new Set(['exp', 'log', 'sqrt', 'tanh', 'sigmoid']);

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function argDType(g: Graph, a: Arg): DType | null {
  return a.kind === 'value' ? g.values[a.id]!.dtype : null;
}

/** True when `n` computes in float32 registers and produces a float32 or bool value. */
function isFusible(g: Graph, n: GraphNode): boolean {
  const out = g.values[n.out]!.dtype;
  switch (n.kind) {
    case 'binary': {
      // Same rule as the eager front end: div is float32; otherwise float32 when any tensor is.
      const da = argDType(g, n.args[0]!), db = argDType(g, n.args[1]!);
      const scalarFloat = n.args.some((a) => a.kind === 'scalar' && typeof a.value === 'number' && !Number.isInteger(a.value));
      return n.op === 'div' || da === 'float32' || db === 'float32' || (scalarFloat && (da !== null || db !== null));
    }
    case 'unary': return FLOAT_ONLY.has(n.op) || argDType(g, n.args[0]!) === 'float32';
    case 'cast': return n.dtype === 'float32' || n.dtype === 'bool';
    case 'where': return out === 'float32' || out === 'bool';
    default: return false;
  }
}

/** Splits `g` into steps (see the file comment). */
export function planGraph(g: Graph): Plan {
  const nodes = g.nodes;
  const producer = new Map<number, number>();
  nodes.forEach((n, i) => producer.set(n.out, i));
  const consumers = new Map<number, number[]>();
  nodes.forEach((n, i) => n.args.forEach((a) => {
    if (a.kind === 'value') (consumers.get(a.id) ?? consumers.set(a.id, []).get(a.id)!).push(i);
  }));
  const results = new Set(outputIds(g.output));
  interface Draft { members: number[]; root: number; epilogue: number; shape: readonly number[] }
  const groupOf = new Map<number, Draft>();
  const drafts: Draft[] = [];

  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    if (n.kind === 'reduce' && FUSED_EPILOGUES.has(n.op)) {
      const src = n.args[0]!;
      const p = src.kind === 'value' ? producer.get(src.id) : undefined;
      if (p !== undefined && src.kind === 'value' && g.values[src.id]!.dtype === 'float32' && isFusible(g, nodes[p]!)
        && !results.has(src.id) && consumers.get(src.id)!.every((c) => c === i)) {
        const d: Draft = { members: [], root: p, epilogue: i, shape: g.values[src.id]!.shape };
        drafts.push(d);
        groupOf.set(i, d);
      }
      continue;
    }
    if (!isFusible(g, n)) continue;
    const cs = consumers.get(n.out) ?? [];
    const joined = cs.length > 0 && !results.has(n.out) ? groupOf.get(cs[0]!) : undefined;
    if (joined && cs.every((c) => groupOf.get(c) === joined) && sameShape(joined.shape, g.values[n.out]!.shape)) {
      joined.members.push(i);
      groupOf.set(i, joined);
    } else {
      const d: Draft = { members: [i], root: i, epilogue: -1, shape: g.values[n.out]!.shape };
      drafts.push(d);
      groupOf.set(i, d);
    }
  }

  // A group runs where its last node (epilogue or root) stood; single-op groups stay eager
  // (nothing to fuse), as do groups whose program does not fit the kernels' limits.
  const anchorOf = new Map<number, FusedGroup>();
  for (const d of drafts) {
    const members = [...d.members].sort((a, b) => a - b);
    if (members.length < 2 && d.epilogue < 0) continue;
    const anchor = d.epilogue >= 0 ? d.epilogue : d.root;
    const group = lower(g, nodes, members, d.root, d.epilogue, d.shape);
    anchorOf.set(anchor, group);
  }
  const inGroup = new Set<number>();
  for (const [anchor, gr] of anchorOf) {
    if (gr.program === null) continue;
    for (const m of gr.members) inGroup.add(m);
    inGroup.add(anchor);
  }
  const pairs = momentPairs(g);
  const steps: Step[] = [];
  nodes.forEach((_, i) => {
    const gr = anchorOf.get(i);
    const pair = pairs.get(i);
    if (gr && gr.program !== null) steps.push({ kind: 'group', group: gr });
    else if (pair) { if (pair.first === i) steps.push(pair.step); }
    else if (!inGroup.has(i)) steps.push({ kind: 'node', node: i });
  });
  return { graph: g, steps, freeAfter: lifetimes(g, steps) };
}

function lower(g: Graph, nodes: readonly GraphNode[], members: readonly number[], root: number, epilogue: number,
  shape: readonly number[]): FusedGroup {
  const inputs: number[] = [];
  const consts: number[] = [];
  const code: number[] = [];
  const regOf = new Map<string, number>();
  // Registers: loads and constants keep theirs for the whole program; others are recycled.
  let nRegs = 0;
  const free: number[] = [];
  const memberOuts = new Set(members.map((m) => nodes[m]!.out));
  const lastUse = new Map<number, number>();
  members.forEach((m, k) => nodes[m]!.args.forEach((a) => { if (a.kind === 'value') lastUse.set(a.id, k); }));
  const take = (): number => free.pop() ?? nRegs++;
  // Member values each computed register holds (a cast may alias its operand's register).
  const holders = new Map<number, Set<number>>();
  const pinned = new Set<number>();
  const emit = (op: number, dst: number, a = 0, b = 0, c = 0) => code.push(op, dst, a, b, c);
  const operand = (a: Arg, dtype: DType): number => {
    if (a.kind === 'scalar') {
      const v = dtype === 'bool' ? (a.value ? 1 : 0) : Math.fround(Number(a.value));
      const key = `c${Object.is(v, -0) ? '-0' : v}`;
      let r = regOf.get(key);
      if (r === undefined) {
        r = nRegs++;
        pinned.add(r);
        regOf.set(key, r);
        emit(OP.const, r, consts.length);
        consts.push(v);
      }
      return r;
    }
    if (a.kind !== 'value') throw new Error('cp.jit: internal error: static operand in a fused group');
    const key = `v${a.id}`;
    let r = regOf.get(key);
    if (r === undefined) {
      r = nRegs++;
      pinned.add(r);
      regOf.set(key, r);
      emit(OP.load, r, inputs.length);
      inputs.push(a.id);
    }
    return r;
  };
  // Loads first (one per external value), then the members in order.
  members.forEach((m) => nodes[m]!.args.forEach((a) => {
    if (a.kind === 'value' && !memberOuts.has(a.id)) operand(a, 'float32');
  }));
  members.forEach((m, k) => {
    const n = nodes[m]!;
    const kernelDType: DType = g.values[n.out]!.dtype === 'bool' && n.kind === 'where' ? 'bool' : 'float32';
    const regs = n.args.map((a, j) => operand(a, n.kind === 'where' && j === 0 ? 'bool' : kernelDType));
    let dst: number;
    if (n.kind === 'cast' && (n.dtype === 'float32' || argDType(g, n.args[0]!) === 'bool')) {
      dst = regs[0]!; // float32 and bool values are already what the cast would give
    } else {
      dst = take();
      if (n.kind === 'binary') emit(OP.binaryBase + FUSED_BINARY[n.op], dst, regs[0], regs[1]);
      else if (n.kind === 'unary') emit(OP.unaryBase + FUSED_UNARY[n.op], dst, regs[0]);
      else if (n.kind === 'cast') emit(OP.tobool, dst, regs[0]);
      else emit(OP.where, dst, regs[0], regs[1], regs[2]);
    }
    regOf.set(`v${n.out}`, dst);
    // Loads and constants stay pinned (a load may point straight at the input's memory).
    if (!pinned.has(dst)) (holders.get(dst) ?? holders.set(dst, new Set()).get(dst)!).add(n.out);
    // Recycle a register once every member value it holds had its last use (never loads/constants).
    for (const a of n.args) {
      if (a.kind !== 'value') continue;
      const r = regOf.get(`v${a.id}`)!;
      const held = holders.get(r);
      if (!held || r === dst || free.includes(r)) continue;
      if ([...held].every((v) => lastUse.has(v) && lastUse.get(v)! <= k)) free.push(r);
    }
  });
  const rootNode = nodes[root]!;
  const ep = epilogue >= 0 ? nodes[epilogue]! : null;
  const program: FusedProgram | null = inputs.length > MAX_FUSED_INPUTS || nRegs > MAX_FUSED_REGS ? null : {
    code: Int32Array.from(code),
    nRegs,
    consts: Float32Array.from(consts),
    result: regOf.get(`v${rootNode.out}`)!,
    outDtype: g.values[rootNode.out]!.dtype === 'bool' ? 'bool' : 'float32',
    epilogue: ep && ep.kind === 'reduce' ? { op: ep.op as FusedReduce, axes: ep.axes } : null,
  };
  const names = [...members, ...(ep ? [epilogue] : [])].map((m) => opNameOf(nodes[m]!));
  return { members, root, epilogue, shape, inputs, out: ep ? ep.out : rootNode.out, program, label: `fused(${names.join('+')})` };
}

/** The op name a node's eager call is recorded under. */
export function opNameOf(n: GraphNode): string {
  return n.kind === 'where' ? 'where' : n.kind === 'cast' ? 'cast' : n.op;
}


/**
 * `mean(x)` and `std(x)`/`var(x)` over the same axes with the same keepdims (normalisation's
 * usual pair): one `moments` step replaces both, so x is read once instead of twice. Keyed by
 * both node indices; `first` is where the step runs (x exists there).
 */
function momentPairs(g: Graph): Map<number, { first: number; step: Step }> {
  const out = new Map<number, { first: number; step: Step }>();
  const means = new Map<string, number>();
  const key = (id: number, axes: readonly number[], keepdims: boolean) => `${id}|${axes.join(',')}|${keepdims}`;
  g.nodes.forEach((n, i) => {
    if (n.kind === 'reduce' && n.op === 'mean' && n.args[0]!.kind === 'value' && g.values[n.args[0]!.id]!.dtype === 'float32') {
      means.set(key(n.args[0]!.id, n.axes, n.keepdims), i);
    }
  });
  g.nodes.forEach((n, i) => {
    if (n.kind !== 'call' || (n.op !== 'std' && n.op !== 'var')) return;
    const [x, axis, keepdims, ddof] = n.args;
    if (x?.kind !== 'value' || axis?.kind === 'value' || keepdims?.kind === 'value' || ddof?.kind === 'value') return;
    const rank = g.values[x.id]!.shape.length;
    let axes: number[];
    try {
      const a = axis?.value as number | number[] | undefined;
      axes = normalizeAxes(n.op, a, rank);
    } catch {
      return;
    }
    const kd = Boolean(keepdims?.value ?? false), dd = Number(ddof?.value ?? 0);
    const m = means.get(key(x.id, axes, kd));
    if (m === undefined || out.has(m)) return;
    const entry = { first: Math.min(m, i), step: { kind: 'moments', mean: m, spread: i, axes, keepdims: kd, ddof: dd } as Step };
    out.set(m, entry);
    out.set(i, entry);
  });
  return out;
}

/** For each step, the values whose last use it is (never inputs, captured tensors or results). */
function lifetimes(g: Graph, steps: readonly Step[]): number[][] {
  const keep = new Set<number>([...outputIds(g.output), ...g.inputs, ...g.captured.keys()]);
  const last = new Map<number, number>();
  const valueArgs = (n: GraphNode) => n.args.filter((a) => a.kind === 'value').map((a) => (a as { id: number }).id);
  steps.forEach((s, k) => {
    const args = s.kind === 'node' ? valueArgs(g.nodes[s.node]!) : s.kind === 'group' ? s.group.inputs : valueArgs(g.nodes[s.mean]!);
    for (const id of args) last.set(id, k);
    const outs = s.kind === 'node' ? [g.nodes[s.node]!.out] : s.kind === 'group' ? [s.group.out] : [g.nodes[s.mean]!.out, g.nodes[s.spread]!.out];
    for (const out of outs) if (!last.has(out)) last.set(out, k);
  });
  const freeAfter: number[][] = steps.map(() => []);
  for (const [id, k] of last) if (!keep.has(id)) freeAfter[k]!.push(id);
  return freeAfter;
}
