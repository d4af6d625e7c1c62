/**
 * The one switch the op front ends test while `cp.jit` traces a function. It lives apart from the
 * tracer so ops/ import nothing from jit/ but this file (no import cycle, and with no trace
 * running the added cost per op is one `traceHook !== null` test, as for the profiler's observer).
 */
import type { BinaryOp, ReduceOp, UnaryOp } from '../backends/backend.js';
import type { Tensor } from '../tensor.js';
import type { DType } from '../types.js';

/** A JS number/boolean or tensor operand, as the op front ends take them. */
export type TraceArg = Tensor | number | boolean;

/** What one traced op call was, enough to fuse it or to replay it. */
export type TracedCall =
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly args: readonly [TraceArg, TraceArg] }
  | { readonly kind: 'where'; readonly args: readonly [TraceArg, TraceArg, TraceArg] }
  | { readonly kind: 'unary'; readonly op: UnaryOp; readonly args: readonly [Tensor] }
  | { readonly kind: 'cast'; readonly dtype: DType; readonly args: readonly [Tensor] }
  | { readonly kind: 'reduce'; readonly op: ReduceOp; readonly axes: readonly number[]; readonly keepdims: boolean; readonly args: readonly [Tensor] }
  /** Any other op returning one tensor: replayed by calling `replay` with the mapped arguments. */
  | { readonly kind: 'call'; readonly op: string; readonly replay: (...args: never[]) => Tensor; readonly args: readonly unknown[] };

/** Receives every op call made while a trace is open. */
export interface TraceHook {
  /** Runs the op eagerly through `run` (with tracing paused) and records it with its result. */
  record(call: TracedCall, run: () => Tensor): Tensor;
}

/** The open trace, or null (nearly always). */
export let traceHook: TraceHook | null = null;

/** Opens (or, with null, closes) a trace. Used by jit/trace.ts only. */
export function setTraceHook(h: TraceHook | null): void {
  traceHook = h;
}
