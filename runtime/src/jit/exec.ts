/**
 * Runs a {@link Plan} on concrete tensors: fused groups as one `fused` dispatch each (one kernel
 * on backends that offer `Backend.fused`, the members one by one elsewhere), other nodes by
 * replaying their op. Intermediates are disposed at their last use, also when a step throws.
 */
import { dispatch, getDefaultBackend } from '../engine.js';
import { broadcastStrides, reducedShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { binaryOp, where } from '../ops/binary.js';
import { cast, sqrt, unaryOp } from '../ops/unary.js';
import { max, mean, min, moments, sum, argmax } from '../ops/reduce.js';
import { output, viewAs } from '../ops/util.js';
import type { Arg, GraphNode } from './graph.js';
import type { FusedGroup, Plan, Step } from './plan.js';

const REDUCERS = { sum, mean, min, max, argmax } as const;

/** An argument's value: the tensor computed for it, or the scalar/static value itself. */
function argValue(x: Arg, vals: readonly (Tensor | undefined)[]): unknown {
  return x.kind === 'value' ? vals[x.id]! : x.value;
}

/** Runs one traced node eagerly on the values computed so far (no closures: this runs per call). */
function replay(n: GraphNode, vals: readonly (Tensor | undefined)[]): Tensor {
  const args = n.args;
  const v0 = argValue(args[0]!, vals) as Tensor;
  switch (n.kind) {
    case 'binary': return binaryOp(n.op, v0, argValue(args[1]!, vals) as Tensor | number | boolean);
    case 'where': return where(v0, argValue(args[1]!, vals) as Tensor | number | boolean, argValue(args[2]!, vals) as Tensor | number | boolean);
    case 'unary': return unaryOp(n.op, v0);
    case 'cast': return cast(v0, n.dtype);
    case 'reduce': return REDUCERS[n.op](v0, n.axes, n.keepdims);
    case 'call': return (n.replay as (...xs: unknown[]) => Tensor)(...args.map((x) => argValue(x, vals)));
  }
}

/**
 * Why a group last ran op by op on a backend that has `Backend.fused` (its `fusedBlocker`
 * reason), per group: `JitFunction.signatures()` reports it.
 */
export const unfusedReasons = new WeakMap<FusedGroup, string>();

/** Runs one fused group; without `Backend.fused` (or when the backend refuses it) its members run one by one. */
function runGroup(plan: Plan, gr: FusedGroup, vals: (Tensor | undefined)[]): Tensor {
  const g = plan.graph;
  const inputs = gr.inputs.map((id) => vals[id]!);
  const backend = inputs.length > 0 ? inputs[0]!.backendImpl : getDefaultBackend();
  const blocker = gr.program !== null && backend.fused !== undefined ? backend.fusedBlocker?.(gr.program, inputs.length) ?? null : null;
  if (blocker !== null) unfusedReasons.set(gr, blocker);
  if (backend.fused === undefined || gr.program === null || blocker !== null) {
    const made: Tensor[] = [];
    try {
      for (const m of gr.members) {
        const out = replay(g.nodes[m]!, vals);
        vals[g.nodes[m]!.out] = out;
        made.push(out);
      }
      if (gr.epilogue < 0) return vals[gr.out]!;
      return replay(g.nodes[gr.epilogue]!, vals);
    } finally {
      for (const t of made) if (t !== vals[gr.out]) t.dispose();
      for (const m of gr.members) if (g.nodes[m]!.out !== gr.out) vals[g.nodes[m]!.out] = undefined;
    }
  }
  const program = gr.program;
  const ep = gr.epilogue >= 0 ? g.nodes[gr.epilogue]! : null;
  const outShape = ep && ep.kind === 'reduce' ? reducedShape(gr.shape, ep.axes, ep.keepdims) : gr.shape;
  return dispatch(gr.label, inputs, (b) => {
    const views = inputs.map((t) => viewAs(t, gr.shape, broadcastStrides(t.shape, t.strides, gr.shape)));
    return output(b, b.fused!(program, views, gr.shape), outShape);
  }, inputs.length === 0 ? backend : undefined);
}

/** One `moments` pass for a mean and std/var pair (see plan.ts). */
function runMoments(plan: Plan, step: Extract<Step, { kind: 'moments' }>, vals: (Tensor | undefined)[]): void {
  const g = plan.graph;
  const x = g.nodes[step.mean]!.args[0]!;
  const m = moments(vals[(x as { id: number }).id]!, step.axes, step.keepdims, step.ddof);
  vals[g.nodes[step.mean]!.out] = m.mean;
  const spread = g.nodes[step.spread]!;
  if (spread.kind === 'call' && spread.op === 'std') {
    try {
      vals[spread.out] = sqrt(m.variance);
    } finally {
      m.variance.dispose();
    }
  } else {
    vals[spread.out] = m.variance;
  }
}

/** Runs `plan` with the function's arguments; returns the value of every graph value id asked for. */
export function runPlan(plan: Plan, args: readonly unknown[]): (Tensor | undefined)[] {
  const g = plan.graph;
  const vals: (Tensor | undefined)[] = new Array(g.values.length);
  g.inputs.forEach((id, i) => { if (id >= 0) vals[id] = args[i] as Tensor; });
  for (const [id, t] of g.captured) {
    t.assertAlive('cp.jit (a tensor the function captured when it was traced)');
    vals[id] = t;
  }
  let k = 0;
  try {
    for (; k < plan.steps.length; k++) {
      const step = plan.steps[k]!;
      if (step.kind === 'node') vals[g.nodes[step.node]!.out] = replay(g.nodes[step.node]!, vals);
      else if (step.kind === 'group') vals[step.group.out] = runGroup(plan, step.group, vals);
      else runMoments(plan, step, vals);
      for (const id of plan.freeAfter[k]!) {
        vals[id]?.dispose();
        vals[id] = undefined;
      }
    }
  } catch (e) {
    // Nothing computed survives a failed call.
    const keep = new Set<Tensor>();
    g.inputs.forEach((id) => { if (id >= 0 && vals[id]) keep.add(vals[id]!); });
    for (const t of g.captured.values()) keep.add(t);
    for (const t of vals) if (t && !keep.has(t)) t.dispose();
    throw e;
  }
  return vals;
}
