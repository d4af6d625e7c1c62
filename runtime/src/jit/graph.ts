/**
 * The graph `cp.jit` traces a function into: values (inputs, captured tensors, op results) and
 * the op calls between them, in the order the function made them (a topological order).
 */
import type { BinaryOp, ReduceOp, UnaryOp } from '../backends/backend.js';
import type { Tensor } from '../tensor.js';
import type { DType } from '../types.js';
import type { SourceLocation } from '../contract/flame.js';

/** Shape and dtype of one traced value. */
export interface ValueInfo {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** An operand of a traced call: a traced value, a JS scalar, or a static argument (axes, shapes). */
export type Arg =
  | { readonly kind: 'value'; readonly id: number }
  | { readonly kind: 'scalar'; readonly value: number | boolean }
  | { readonly kind: 'static'; readonly value: unknown };

/** One traced op call; `out` is the id of the value it produced; `site` the user's line that made it (null if unknown). */
export type GraphNode = { readonly out: number; readonly args: readonly Arg[]; readonly site: SourceLocation | null } & (
  | { readonly kind: 'binary'; readonly op: BinaryOp }
  | { readonly kind: 'where' }
  | { readonly kind: 'unary'; readonly op: UnaryOp }
  | { readonly kind: 'cast'; readonly dtype: DType }
  | { readonly kind: 'reduce'; readonly op: ReduceOp; readonly axes: readonly number[]; readonly keepdims: boolean }
  | { readonly kind: 'call'; readonly op: string; readonly replay: (...args: never[]) => Tensor }
);

/** Where the function's result tensors are: one value, or an array/object of them. */
export type OutputTemplate =
  | { readonly kind: 'single'; readonly id: number }
  | { readonly kind: 'array'; readonly ids: readonly number[] }
  | { readonly kind: 'object'; readonly keys: readonly string[]; readonly ids: readonly number[] };

/** A traced function. */
export interface Graph {
  readonly values: readonly ValueInfo[];
  /** Value id of each tensor argument, by argument position (-1 for a non-tensor argument). */
  readonly inputs: readonly number[];
  /** Tensors the function captured from outside (value id → tensor), held by reference. */
  readonly captured: ReadonlyMap<number, Tensor>;
  readonly nodes: readonly GraphNode[];
  readonly output: OutputTemplate;
}

/** Value ids an output template names. */
export function outputIds(t: OutputTemplate): readonly number[] {
  return t.kind === 'single' ? [t.id] : t.ids;
}
