/**
 * THE op table: every op name `engine.dispatch` accepts (and so every name the profiler
 * reports), with its family, output dtype rule, whether a loop of it batches into one broadcast
 * call, and — for ops that run a coded wasm kernel — the numeric code shared with Rust
 * (kernels-rust/src/{binary,unary,reduce}.rs; test/unit/op-table.test.ts checks both sides agree).
 * Backends and recommendation rules read this table instead of restating op names; renaming an op
 * is one key here plus what the compiler then flags.
 */
import type { DType } from '../types.js';

/** What kind of work an op does (calibration and rules group ops by it). */
export type OpFamily = 'elementwise' | 'reduce' | 'matmul' | 'transfer' | 'creation' | 'layout';

/**
 * Output dtype of an op, given its (promoted) input dtype: `same` keeps it, `bool` for
 * comparisons, `float32`/`int32` fixed, `attr` from an argument (cast, creation).
 */
export type DtypeRule = 'same' | 'bool' | 'float32' | 'int32' | 'attr';

/** The wasm kernel family an op code belongs to (the exported function that takes it). */
export type KernelKind = 'binary' | 'unary' | 'reduce';

/** One row of the table. */
export interface OpInfo {
  readonly family: OpFamily;
  readonly dtype: DtypeRule;
  /** True when a loop of single calls can become one broadcast call (the batch-loop rule). */
  readonly batchable: boolean;
  /** Coded wasm kernel: which exported function and the `op` code it takes. */
  readonly kernel?: { readonly kind: KernelKind; readonly code: number };
}

/** Every op, by the name users see in reports. */
export const OPS = {
  add: { family: 'elementwise', dtype: 'same', batchable: true, kernel: { kind: 'binary', code: 0 } },
  sub: { family: 'elementwise', dtype: 'same', batchable: true, kernel: { kind: 'binary', code: 1 } },
  mul: { family: 'elementwise', dtype: 'same', batchable: true, kernel: { kind: 'binary', code: 2 } },
  div: { family: 'elementwise', dtype: 'same', batchable: true, kernel: { kind: 'binary', code: 3 } },
  pow: { family: 'elementwise', dtype: 'same', batchable: true, kernel: { kind: 'binary', code: 4 } },
  maximum: { family: 'elementwise', dtype: 'same', batchable: true, kernel: { kind: 'binary', code: 5 } },
  minimum: { family: 'elementwise', dtype: 'same', batchable: true, kernel: { kind: 'binary', code: 6 } },
  eq: { family: 'elementwise', dtype: 'bool', batchable: false, kernel: { kind: 'binary', code: 7 } },
  lt: { family: 'elementwise', dtype: 'bool', batchable: false, kernel: { kind: 'binary', code: 8 } },
  gt: { family: 'elementwise', dtype: 'bool', batchable: false, kernel: { kind: 'binary', code: 9 } },
  where: { family: 'elementwise', dtype: 'same', batchable: false },
  neg: { family: 'elementwise', dtype: 'same', batchable: false, kernel: { kind: 'unary', code: 0 } },
  abs: { family: 'elementwise', dtype: 'same', batchable: false, kernel: { kind: 'unary', code: 1 } },
  exp: { family: 'elementwise', dtype: 'same', batchable: false, kernel: { kind: 'unary', code: 2 } },
  log: { family: 'elementwise', dtype: 'same', batchable: false, kernel: { kind: 'unary', code: 3 } },
  sqrt: { family: 'elementwise', dtype: 'same', batchable: false, kernel: { kind: 'unary', code: 4 } },
  tanh: { family: 'elementwise', dtype: 'same', batchable: false, kernel: { kind: 'unary', code: 5 } },
  sigmoid: { family: 'elementwise', dtype: 'same', batchable: false, kernel: { kind: 'unary', code: 6 } },
  relu: { family: 'elementwise', dtype: 'same', batchable: false, kernel: { kind: 'unary', code: 7 } },
  cast: { family: 'elementwise', dtype: 'attr', batchable: false },
  sum: { family: 'reduce', dtype: 'same', batchable: false, kernel: { kind: 'reduce', code: 0 } },
  mean: { family: 'reduce', dtype: 'float32', batchable: false, kernel: { kind: 'reduce', code: 1 } },
  min: { family: 'reduce', dtype: 'same', batchable: false, kernel: { kind: 'reduce', code: 2 } },
  max: { family: 'reduce', dtype: 'same', batchable: false, kernel: { kind: 'reduce', code: 3 } },
  argmax: { family: 'reduce', dtype: 'int32', batchable: false, kernel: { kind: 'reduce', code: 4 } },
  var: { family: 'reduce', dtype: 'float32', batchable: false },
  std: { family: 'reduce', dtype: 'float32', batchable: false },
  moments: { family: 'reduce', dtype: 'float32', batchable: false },
  matmul: { family: 'matmul', dtype: 'same', batchable: false },
  read: { family: 'transfer', dtype: 'same', batchable: false },
  readInto: { family: 'transfer', dtype: 'same', batchable: false },
  to: { family: 'transfer', dtype: 'same', batchable: false },
  tensor: { family: 'creation', dtype: 'attr', batchable: false },
  full: { family: 'creation', dtype: 'attr', batchable: false },
  arange: { family: 'creation', dtype: 'attr', batchable: false },
  linspace: { family: 'creation', dtype: 'float32', batchable: false },
  rand: { family: 'creation', dtype: 'float32', batchable: false },
  randn: { family: 'creation', dtype: 'float32', batchable: false },
  readCsv: { family: 'creation', dtype: 'float32', batchable: false },
  reshape: { family: 'layout', dtype: 'same', batchable: false },
  contiguous: { family: 'layout', dtype: 'same', batchable: false },
  clone: { family: 'layout', dtype: 'same', batchable: false },
  concat: { family: 'layout', dtype: 'same', batchable: false },
  dropna: { family: 'layout', dtype: 'same', batchable: false },
} as const satisfies Readonly<Record<string, OpInfo>>;

/** An op name. */
export type OpName = keyof typeof OPS;

/**
 * The name of one `cp.jit` fused kernel run, listing its member ops (`fused(sub+div+sum)`; `#2`,
 * `#3`… after it for further groups with the same chain, see profiler/fused-groups.ts): one
 * dispatch, shown by the profiler as one event; not in {@link OPS} (it has no row of its own).
 */
export type FusedOpName = `fused(${string})` | `fused(${string})#${number}`;

/** Ops whose kernel is of `kind`. */
type OpsWithKernel<K extends KernelKind> = { [N in OpName]: (typeof OPS)[N] extends { kernel: { kind: K } } ? N : never }[OpName];

/** Elementwise binary kernels (codes in binary.rs). */
export type BinaryOpName = OpsWithKernel<'binary'>;
/** Elementwise unary kernels (codes in unary.rs). */
export type UnaryOpName = OpsWithKernel<'unary'>;
/** Reductions with a coded kernel (codes in reduce.rs / reduce_cols.rs). */
export type ReduceOpName = OpsWithKernel<'reduce'>;

/** The row of `op`, or undefined for a name that is not an op (e.g. from an old profile). */
export function opInfo(op: string): OpInfo | undefined {
  return Object.hasOwn(OPS, op) ? OPS[op as OpName] : undefined;
}

/** The wasm kernel code of `op`. */
export function kernelCode(op: BinaryOpName | UnaryOpName | ReduceOpName): number {
  return (OPS[op] as OpInfo).kernel!.code;
}

/** Output dtype of `op` applied to inputs of dtype `input` (promoted); `attr` ops return `input`. */
export function outputDtype(op: OpName, input: DType): DType {
  const rule: DtypeRule = OPS[op].dtype;
  return rule === 'same' || rule === 'attr' ? input : rule;
}
