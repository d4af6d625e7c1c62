/**
 * Tracing: runs the user's function once, eagerly, with the op hook open, and records every op
 * call into a {@link Graph}. The first call's results are therefore the eager results; the graph
 * serves the next calls with the same input signature.
 *
 * A trace fails (the function then keeps running eagerly, nothing is redone) when it reads tensor
 * data (`item()`, `toArray()`, …: the value read would be baked into the plan), when an op that is
 * not traced produced a tensor the function goes on using, or when the result is not tensors.
 * untraced.ts finds the reads and names the untraced ops.
 */
import { nextTensorId, Tensor } from '../tensor.js';
import { SiteTable } from '../profiler/callsite.js';
import type { SourceLocation } from '../contract/flame.js';
import { staticSiteRegistry } from '../profiler/static-sites.js';
import type { Arg, Graph, GraphNode, OutputTemplate, ValueInfo } from './graph.js';
import { setTraceHook, type TracedCall, type TraceHook } from './hook.js';
import { UntracedWatch, type TraceState } from './untraced.js';

/** What a trace produced: the function's (eager) result, and the graph or why there is none. */
export interface TraceResult<R> {
  readonly result: R;
  readonly graph: Graph | null;
  /** Why tracing failed (the result is still correct: it was computed eagerly). */
  readonly reason: string | null;
  /** Tensors the trace made that the result does not contain (for the caller to dispose). */
  readonly intermediates: readonly Tensor[];
}

class Tracer implements TraceHook, TraceState {
  readonly values: ValueInfo[] = [];
  readonly nodes: GraphNode[] = [];
  readonly ids = new Map<Tensor, number>();
  readonly captured = new Map<number, Tensor>();
  readonly made: Tensor[] = [];
  reason: string | null = null;
  paused = 0;
  readonly sites = new SiteTable();
  /** Static call sites (profiler/static-sites.ts): the token of the numbered corepy call running now. */
  readonly staticReg = staticSiteRegistry();
  /** Sees reads of tensor data and names the ops the tracer does not record. */
  readonly watch = new UntracedWatch(this);

  constructor(readonly firstId: number) {}

  /**
   * A call numbered at load (profiled launches) names its line exactly, as it does for the recorder; a
   * stack capture in such a module would map through a source map whose columns the numbering shifted.
   */
  staticSite(): SourceLocation | null {
    const token = this.staticReg.token;
    if (token < 0) return null;
    return this.siteAt(this.staticReg.files[token]!, this.staticReg.lines[token]!, this.staticReg.columns[token]!);
  }

  siteAt(file: string, line: number, column: number): SourceLocation | null {
    return this.sites.sites[this.sites.intern(file, line, column)] ?? null;
  }

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
    this.reason ??= this.watch.untracedReason(`${op} used`, x);
    return { kind: 'static', value: null };
  }

  record(call: TracedCall, run: () => Tensor): Tensor {
    const args = this.reason === null ? call.args.map((a) => this.argOf(a, opName(call))) : [];
    setTraceHook(null);
    this.paused++;
    let out: Tensor;
    try {
      out = run();
    } finally {
      this.paused--;
      setTraceHook(this);
    }
    if (this.reason !== null) return out;
    this.made.push(out);
    const id = this.value(out);
    const { kind } = call;
    // Once per traced op (not per call): the user's line, so fused groups can name their members' lines.
    let site = this.staticSite();
    if (site === null) {
      const siteId = this.sites.capture(Tracer.prototype.record);
      site = siteId >= 0 ? this.sites.sites[siteId] ?? null : null;
    }
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
  tracer.watch.open();
  let result: R;
  try {
    result = fn(...(args as never[]));
  } finally {
    tracer.watch.close();
    setTraceHook(null);
  }
  let output: OutputTemplate | null = null;
  if (tracer.reason === null) {
    output = templateOf(result, tracer.ids);
    if (output === null) tracer.reason = resultReason(result, tracer);
  }
  if (tracer.reason !== null || output === null) return { result, graph: null, reason: tracer.reason, intermediates: [] };
  const kept = new Set(outputIdsOf(output));
  // Only tensors the trace made (an op that handed back a pre-existing tensor must not dispose it).
  const intermediates = tracer.made.filter((t) => t.id >= tracer.firstId && !kept.has(tracer.ids.get(t)!));
  const graph: Graph = { values: tracer.values, inputs, captured: tracer.captured, nodes: tracer.nodes, output };
  return { result, graph, reason: null, intermediates };
}

/** Why `result` is not a traced output: a tensor from an untraced op in it, or not tensors at all. */
function resultReason(result: unknown, tracer: Tracer): string {
  const parts = result instanceof Tensor ? [result] : Array.isArray(result) ? result
    : result !== null && typeof result === 'object' && Object.getPrototypeOf(result) === Object.prototype ? Object.values(result) : [];
  const made = parts.find((x): x is Tensor => x instanceof Tensor && !tracer.ids.has(x) && x.id >= tracer.firstId);
  if (made !== undefined) return tracer.watch.untracedReason('the function returns', made);
  return 'the function must return a tensor, or an array or plain object of tensors';
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
