/**
 * WGSL for the elementwise kernels: binary (with broadcasting through strides), where, unary,
 * cast, and the strided copy (gather) / copyInto (scatter). One shader per (kernel, op, dtype,
 * rank); pipelines.ts caches the compiled pipelines.
 *
 * Semantics follow the js reference (backends/js/math.ts). Caveat: WGSL lets implementations
 * assume no NaN/Inf at run time, so NaN propagation (maximum/minimum, relu) is best effort.
 */
import type { BinaryOp, UnaryOp } from '../../backend.js';
import type { DType } from '../../../types.js';
import { ENTRY_1D, indexFn, META, wgslType } from './common.wgsl.js';
import { OPS } from '../../op-table.js';

/** float32 binary ops as WGSL expressions of `x`, `y` (comparisons give u32 0/1; fused.wgsl.ts reuses these). */
export const F32_BINARY: Record<BinaryOp, string> = {
  add: 'x + y', sub: 'x - y', mul: 'x * y', div: 'x / y', pow: 'powf(x, y)',
  maximum: 'select(max(x, y), nanf(), x != x || y != y)',
  minimum: 'select(min(x, y), nanf(), x != x || y != y)',
  eq: 'select(0u, 1u, x == y)', lt: 'select(0u, 1u, x < y)', gt: 'select(0u, 1u, x > y)',
};

// i32 add/sub/mul wrap in WGSL like C; division by zero gives 0 as in the reference.
const I32_BINARY: Record<BinaryOp, string> = {
  add: 'x + y', sub: 'x - y', mul: 'x * y', div: 'select(x / y, 0, y == 0)', pow: 'powi(x, y)',
  maximum: 'max(x, y)', minimum: 'min(x, y)',
  eq: 'select(0u, 1u, x == y)', lt: 'select(0u, 1u, x < y)', gt: 'select(0u, 1u, x > y)',
};

// WGSL's pow is undefined for x < 0 (exp2(y·log2 x)); Math.pow defines integer exponents there.
export const POW_HELPERS = /* wgsl */ `
fn powf(x: f32, y: f32) -> f32 {
  if (y == 0.0) { return 1.0; }
  if (x == 0.0) { return select(0.0, 1.0 / abs(x), y < 0.0); }
  let r = pow(abs(x), y);
  if (x > 0.0) { return r; }
  if (y != floor(y)) { return nanf(); }
  return select(r, -r, abs(y % 2.0) == 1.0);
}
fn powi(x: i32, y: i32) -> i32 {
  if (y < 0) { return select(select(0, 1, x == 1), select(1, -1, (y & 1) != 0), x == -1); }
  var r = 1;
  var b = x;
  var e = y;
  loop { if (e == 0) { break; } if ((e & 1) != 0) { r = r * b; } b = b * b; e = e >> 1u; }
  return r;
}
`;

/** out[i] = op(A[at_a(i)], B[at_b(i)]) over n elements; meta tensors: a, b. */
export function binaryWgsl(op: BinaryOp, dtype: DType, rank: number): string {
  const t = wgslType(dtype);
  const cmp = OPS[op].dtype === 'bool';
  const expr = (dtype === 'float32' ? F32_BINARY : I32_BINARY)[op];
  return META + indexFn(rank) + (op === 'pow' ? POW_HELPERS : '') + /* wgsl */ `
@group(0) @binding(1) var<storage, read> A: array<${t}>;
@group(0) @binding(2) var<storage, read> B: array<${t}>;
@group(0) @binding(3) var<storage, read_write> O: array<${cmp ? 'u32' : t}>;
${ENTRY_1D}
  if (idx >= u32(prm[0])) { return; }
  let x = A[at(idx, ${2 + rank}u)];
  let y = B[at(idx, ${3 + 2 * rank}u)];
  O[idx] = ${expr};
}
`;
}

/** out[i] = C[i] != 0 ? A[i] : B[i]; meta tensors: cond, a, b. */
export function whereWgsl(dtype: DType, rank: number): string {
  const t = wgslType(dtype);
  const base = (k: number) => 2 + rank + k * (rank + 1);
  return META + indexFn(rank) + /* wgsl */ `
@group(0) @binding(1) var<storage, read> C: array<u32>;
@group(0) @binding(2) var<storage, read> A: array<${t}>;
@group(0) @binding(3) var<storage, read> B: array<${t}>;
@group(0) @binding(4) var<storage, read_write> O: array<${t}>;
${ENTRY_1D}
  if (idx >= u32(prm[0])) { return; }
  if (C[at(idx, ${base(0)}u)] != 0u) { O[idx] = A[at(idx, ${base(1)}u)]; } else { O[idx] = B[at(idx, ${base(2)}u)]; }
}
`;
}

/** float32 unary ops as WGSL expressions of `x` (fused.wgsl.ts reuses these). */
export const F32_UNARY: Record<UnaryOp, string> = {
  neg: '-x', abs: 'abs(x)', exp: 'exp(x)', log: 'log(x)', sqrt: 'sqrt(x)',
  // Clamped: some drivers evaluate tanh as a ratio of exponentials that overflows to NaN.
  tanh: 'tanh(clamp(x, -15.0, 15.0))',
  sigmoid: '1.0 / (1.0 + exp(-x))', relu: 'select(x, 0.0, x <= 0.0)',
};
const I32_UNARY: Partial<Record<UnaryOp, string>> = { neg: '-x', abs: 'abs(x)', relu: 'max(x, 0)' };

/** Conversion expressions from the source element `x` (`${from}>${to}`); same dtype copies. */
const CASTS: Record<string, string> = {
  // WGSL's i32(f32) clamps to 2147483520 (the largest f32 below 2^31); the reference saturates
  // to 2147483647 and maps NaN to 0.
  'float32>int32': 'select(select(i32(x), 2147483647, x >= 2147483648.0), 0, x != x)',
  'float32>bool': 'select(0u, 1u, x != 0.0)',
  'int32>float32': 'f32(x)', 'int32>bool': 'select(0u, 1u, x != 0)',
  'bool>float32': 'f32(x)', 'bool>int32': 'i32(x)',
};

/**
 * out[i] = f(A[at(i)]) for unary ops, casts and copies. `kind` is a UnaryOp, `cast` or `copy`;
 * meta tensors: a.
 */
export function mapWgsl(kind: UnaryOp | 'cast' | 'copy', from: DType, to: DType, rank: number): string {
  let expr = 'x';
  if (kind === 'cast') expr = from === to ? 'x' : CASTS[`${from}>${to}`]!;
  else if (kind !== 'copy') expr = (from === 'float32' ? F32_UNARY[kind] : I32_UNARY[kind])!;
  return META + indexFn(rank) + /* wgsl */ `
@group(0) @binding(1) var<storage, read> A: array<${wgslType(from)}>;
@group(0) @binding(2) var<storage, read_write> O: array<${wgslType(to)}>;
${ENTRY_1D}
  if (idx >= u32(prm[0])) { return; }
  let x = A[at(idx, ${2 + rank}u)];
  O[idx] = ${expr};
}
`;
}

/** D[at_dst(i)] = S[at_src(i)]: writes into a strided view; meta tensors: src, dst. */
export function scatterWgsl(dtype: DType, rank: number): string {
  const t = wgslType(dtype);
  return META + indexFn(rank) + /* wgsl */ `
@group(0) @binding(1) var<storage, read> S: array<${t}>;
@group(0) @binding(2) var<storage, read_write> D: array<${t}>;
${ENTRY_1D}
  if (idx >= u32(prm[0])) { return; }
  D[at(idx, ${3 + 2 * rank}u)] = S[at(idx, ${2 + rank}u)];
}
`;
}
