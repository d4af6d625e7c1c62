/**
 * The contract of fused elementwise programs (what `cp.jit` hands a backend for one fusible
 * group): a short list of register instructions evaluated block by block over the group's
 * output shape, so intermediates live in a few small register blocks instead of full tensors.
 *
 * Semantics (every backend implements exactly these; the js backend is the reference):
 * - Registers hold float32 values. Loads convert: int32 → nearest float32, bool → 0 / 1.
 * - Boolean values (comparison results, `tobool`) are 0 / 1 in registers; `where` picks `a`
 *   when its condition is nonzero (NaN counts as nonzero, like a cast to bool).
 * - Every instruction is 5 int32: `[opcode, dst, a, b, c]` (unused fields 0).
 * - The output is the `result` register stored as `outDtype` (bool: nonzero → 1), or, with an
 *   epilogue, reduced over `axes` (sum/mean accumulate in float64; min/max propagate NaN).
 */
import type { BinaryOp, UnaryOp } from './backend.js';

/** Opcodes. Binary ops are `BINARY_BASE + code`, unary `UNARY_BASE + code` (codes below). */
export const OP = {
  /** dst = input[a] (converted to float32), seen through the input's broadcast strides. */
  load: 0,
  /** dst = consts[a] (one value broadcast to every element). */
  const: 1,
  /** dst = reg[a] ≠ 0 ? 1 : 0 (cast to bool). */
  tobool: 2,
  /** dst = reg[a] ≠ 0 ? reg[b] : reg[c]. */
  where: 3,
  binaryBase: 10,
  unaryBase: 30,
} as const;

/** Binary op codes (shared with kernels-rust/src/fused.rs). */
export const FUSED_BINARY: Readonly<Record<BinaryOp, number>> = {
  add: 0, sub: 1, mul: 2, div: 3, pow: 4, maximum: 5, minimum: 6, eq: 7, lt: 8, gt: 9,
};
/** Unary op codes (shared with kernels-rust/src/fused.rs). */
export const FUSED_UNARY: Readonly<Record<UnaryOp, number>> = {
  neg: 0, abs: 1, exp: 2, log: 3, sqrt: 4, tanh: 5, sigmoid: 6, relu: 7,
};
/** Reduction epilogues a fused program may end with. */
export type FusedReduce = 'sum' | 'mean' | 'min' | 'max';
/** Reduction codes (shared with kernels-rust/src/fused.rs). */
export const FUSED_REDUCE: Readonly<Record<FusedReduce, number>> = { sum: 0, mean: 1, min: 2, max: 3 };

/** Words per instruction in {@link FusedProgram.code}. */
export const INSTR_WORDS = 5;
/** Most external inputs one program may load (the wasm kernel's fixed operand count). */
export const MAX_FUSED_INPUTS = 8;
/** Most registers one program may use. */
export const MAX_FUSED_REGS = 32;

/** One fused group, ready to run on any backend that offers {@link FusedBackend.fused}. */
export interface FusedProgram {
  /** Instructions, {@link INSTR_WORDS} int32 each, in execution order. */
  readonly code: Int32Array;
  /** Registers used (indices 0 .. nRegs-1). */
  readonly nRegs: number;
  /** Scalar constants (already rounded to float32) read by `const`. */
  readonly consts: Float32Array;
  /** Register holding the group's value after the last instruction. */
  readonly result: number;
  /** Stored dtype of the value when there is no epilogue. */
  readonly outDtype: 'float32' | 'bool';
  /** Reduction applied to the value instead of storing it, or null. */
  readonly epilogue: { readonly op: FusedReduce; readonly axes: readonly number[] } | null;
}
