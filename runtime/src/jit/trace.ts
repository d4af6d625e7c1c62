/**
 * Tracing: runs the user's function once, eagerly, with the op hook open, and records every op
 * call into a {@link Graph}. The first call's results are therefore the eager results; the graph
 * serves the next calls with the same input signature.
 *
 * A trace fails (the function then keeps running eagerly, nothing is redone) when an op that is
 * not traced produced a tensor the function goes on using, or when the result is not tensors.
 */
import { nextTensorId, Tensor } from '../tensor.js';
import { fmtShape } from '../shape.js';
import { SiteTable } from '../profiler/callsite.js';
import { staticSiteRegistry } from '../profiler/static-sites.js';
import type { Arg, Graph, GraphNode, OutputTemplate, ValueInfo } from './graph.js';
import { setTraceHook, type TracedCall, type TraceHook } from './hook.js';

/** What a trace produced: the function's (eager) result, and the graph or why there is none. */
export interface TraceResult<R> {
  readonly result: R;
  readonly graph: Graph | null;
  /** Why tracing failed (the result is still correct: it was computed eagerly). */
  readonly reason: string | null;
  /** Tensors the trace made that the result does not contain (for the caller to dispose). */
  readonly intermediates: readonly Tensor[];
}

class Tracer implements TraceHook {
  readonly values: ValueInfo[] = [];
  readonly nodes: GraphNode[] = [];
  readonly ids = new Map<Tensor, number>();
  readonly captured = new Map<number, Tensor>();
  readonly made: Tensor[] = [];
  reason: string | null = null;
  readonly sites = new SiteTable();
  /** Static call sites (profiler/static-sites.ts): the token of the numbered corepy call running now. */
  readonly staticReg = staticSiteRegistry();

  constructor(readonly firstId: number) {}

  value(t: Tensor): number {
    const id = this.values.length;
    this.values.push({ shape: t.shape, dtype: t.dtype });
    this.ids.set(t, id);
    return id;
  }

  argOf(x: unknown, op: string): Arg {
    if (!(x instanceof Tensor)) {
      return typeof x === 'number' || typeof x === 'boolean' ? { kind: 'scalar', value: x } : { kind: 'static', value: x };
    }
    const known = this.ids.get(x);
    if (known !== undefined) return { kind: 'value', id: known };
    if (x.id < this.firstId) {
      // Made before the call: a constant the function closes over (held by reference, as in JAX).
      const id = this.value(x);
      this.captured.set(id, x);
      return { kind: 'value', id };
    }
    this.reason ??= `${op} used tensor #${x.id} (${x.dtype} ${fmtShape(x.shape)}), which the function made with an op ` +
      'cp.jit does not trace (traced: elementwise ops, where, cast, sum/mean/min/max/argmax, var, std, matmul, reshape)';
    return { kind: 'static', value: null };
  }

  record(call: TracedCall, run: () => Tensor): Tensor {
    const args = this.reason === null ? call.args.map((a) => this.argOf(a, opName(call))) : [];
    setTraceHook(null);
    let out: Tensor;
    try {
      out = run();
    } finally {
      setTraceHook(this);
    }
    if (this.reason !== null) return out;
    this.made.push(out);
    const id = this.value(out);
    const { kind } = call;
    // Once per traced op (not per call): the user's line, so fused groups can name their members' lines.
    // A call numbered at load (profiled launches) names its line exactly, as it does for the recorder; a
    // stack capture in such a module would map through a source map whose columns the numbering shifted.
    const token = this.staticReg.token;
    const siteId = token >= 0
      ? this.sites.intern(this.staticReg.files[token]!, this.staticReg.lines[token]!, this.staticReg.columns[token]!)
      : this.sites.capture(Tracer.prototype.record);
    const site = siteId >= 0 ? this.sites.sites[siteId] ?? null : null;
    const node: GraphNode =
      kind === 'binary' ? { kind, op: call.op, args, out: id, site }
      : kind === 'where' ? { kind, args, out: id, site }
      : kind === 'unary' ? { kind, op: call.op, args, out: id, site }
      : kind === 'cast' ? { kind, dtype: call.dtype, args, out: id, site }
      : kind === 'reduce' ? { kind, op: call.op, axes: call.axes, keepdims: call.keepdims, args, out: id, site }
      : { kind, op: call.op, replay: call.replay, args, out: id, site };
    this.nodes.push(node);
    return out;
  }
}

function opName(call: TracedCall): string {
  return call.kind === 'where' ? 'where' : call.kind === 'cast' ? 'cast' : call.op;
}

/** Runs `fn(...args)` eagerly, recording a graph of its ops. */
export function trace<R>(fn: (...args: never[]) => R, args: readonly unknown[]): TraceResult<R> {
  const tracer = new Tracer(nextTensorId());
  const inputs = args.map((a, i) => (a instanceof Tensor ? (args.indexOf(a) < i ? tracer.ids.get(a)! : tracer.value(a)) : -1));
  setTraceHook(tracer);
  let result: R;
  try {
    result = fn(...(args as never[]));
  } finally {
    setTraceHook(null);
  }
  let output: OutputTemplate | null = null;
  if (tracer.reason === null) {
    output = templateOf(result, tracer.ids);
    if (output === null) tracer.reason = 'the function must return a tensor, or an array or plain object of tensors';
  }
  if (tracer.reason !== null || output === null) return { result, graph: null, reason: tracer.reason, intermediates: [] };
  const kept = new Set(outputIdsOf(output));
  // Only tensors the trace made (an op that handed back a pre-existing tensor must not dispose it).
  const intermediates = tracer.made.filter((t) => t.id >= tracer.firstId && !kept.has(tracer.ids.get(t)!));
  const graph: Graph = { values: tracer.values, inputs, captured: tracer.captured, nodes: tracer.nodes, output };
  return { result, graph, reason: null, intermediates };
}

function outputIdsOf(t: OutputTemplate): number[] {
  return t.kind === 'single' ? [t.id] : [...t.ids];
}

function templateOf(result: unknown, ids: ReadonlyMap<Tensor, number>): OutputTemplate | null {
  const idOf = (x: unknown): number | null => (x instanceof Tensor ? ids.get(x) ?? null : null);
  if (result instanceof Tensor) {
    const id = idOf(result);
    return id === null ? null : { kind: 'single', id };
  }
  if (Array.isArray(result)) {
    const list = result.map(idOf);
    return list.every((i) => i !== null) ? { kind: 'array', ids: list as number[] } : null;
  }
  if (result !== null && typeof result === 'object' && Object.getPrototypeOf(result) === Object.prototype) {
    const keys = Object.keys(result);
    const list = keys.map((k) => idOf((result as Record<string, unknown>)[k]));
    return list.every((i) => i !== null) ? { kind: 'object', keys, ids: list as number[] } : null;
  }
  return null;
}
