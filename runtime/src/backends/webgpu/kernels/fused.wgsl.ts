/**
 * WGSL for `cp.jit`'s fused groups (../../fused.ts): one compute shader per program *structure*
 * (instruction list, input dtypes, coalesced ranks, sink), in which every register of the program
 * is a WGSL local, so a chain of n ops reads each input once and writes one value (or folds it
 * into a reduction) — no intermediate reaches GPU memory. Scalar constants are not baked into the
 * code: they ride in the meta words, so `x * 1.5` and `x * 2.5` share one pipeline.
 *
 * Semantics follow the eager WGSL kernels (elementwise.wgsl.ts) instruction by instruction;
 * comparisons and `tobool` give 0.0/1.0, `where` picks on a nonzero condition, loads convert
 * int32 and bool (u32 0/1 on the GPU) to f32. Reductions accumulate in f32 like the eager GPU
 * reductions; min/max test NaN by its bits (WGSL lets compilers assume `x != x` is false).
 *
 * Store kernels (no epilogue), meta words:
 *   [n, nanBits, shape[R], (offset, strides[R]) × K, consts…]
 * Reduce kernels (pass 1, or the only pass), meta words:
 *   [outSize, nanBits, redSize, chunks, chunkLen, count, 0, keptShape[RK], redShape[RR],
 *    (offset, keptStrides[RK], redStrides[RR]) × K, consts…]
 * Pass 2 (chunked reductions) merges `chunks` f32 partials per output:
 *   [outSize, nanBits, chunks, 1, chunks, count, 0].
 */
import { FUSED_BINARY, FUSED_UNARY, INSTR_WORDS, OP, type FusedProgram, type FusedReduce } from '../../fused.js';
import type { BinaryOp, UnaryOp } from '../../backend.js';
import type { DType } from '../../../types.js';
import { ENTRY_1D, indexFn, META, wgslType } from './common.wgsl.js';
import { F32_BINARY, F32_UNARY, POW_HELPERS } from './elementwise.wgsl.js';
import { REDUCE_WG } from './reduce.wgsl.js';

const BINARY_BY_CODE = Object.keys(FUSED_BINARY) as BinaryOp[];
const UNARY_BY_CODE = Object.keys(FUSED_UNARY) as UnaryOp[];
/** Comparisons inside a program yield f32 0/1 (the eager kernels store u32). */
const F32_COMPARE: Partial<Record<BinaryOp, string>> = {
  eq: 'select(0.0, 1.0, x == y)', lt: 'select(0.0, 1.0, x < y)', gt: 'select(0.0, 1.0, x > y)',
};

/** Meta word where the program's constants start, for a store kernel. */
export function storeConstBase(rank: number, inputs: number): number {
  return 2 + rank + inputs * (rank + 1);
}

/** Meta word where input k's (offset, keptStrides, redStrides) block starts, for a reduce kernel. */
export function reduceInputBase(rk: number, rr: number, k: number): number {
  return 7 + rk + rr + k * (1 + rk + rr);
}

/** A pipeline-cache key for `p` with input dtypes `dtypes` (the constants' values are not part of it). */
export function programKey(p: FusedProgram, dtypes: readonly DType[]): string {
  return `${Array.from(p.code).join(',')}|r${p.result}|${p.outDtype}|${dtypes.join(',')}`;
}

/**
 * `fn prog(o0: u32, …) -> f32`: the program evaluated at one element, input k read at `ok`;
 * constants read from meta words `constBase + j`.
 */
function valueFn(p: FusedProgram, dtypes: readonly DType[], constBase: number): string {
  const params = dtypes.map((_, k) => `o${k}: u32`).join(', ');
  const lines: string[] = [];
  for (let r = 0; r < p.nRegs; r++) lines.push(`  var r${r}: f32;`);
  for (let pc = 0; pc < p.code.length; pc += INSTR_WORDS) {
    const op = p.code[pc]!, d = p.code[pc + 1]!, a = p.code[pc + 2]!, b = p.code[pc + 3]!, c = p.code[pc + 4]!;
    let expr: string;
    if (op === OP.load) expr = `f32(I${a}[o${a}])`;
    else if (op === OP.const) expr = `bitcast<f32>(prm[${constBase + a}])`;
    else if (op === OP.tobool) expr = `select(0.0, 1.0, r${a} != 0.0)`;
    else if (op === OP.where) expr = `select(r${c}, r${b}, r${a} != 0.0)`;
    else if (op >= OP.unaryBase) expr = `u_${UNARY_BY_CODE[op - OP.unaryBase]}(r${a})`;
    else expr = `b_${BINARY_BY_CODE[op - OP.binaryBase]}(r${a}, r${b})`;
    lines.push(`  r${d} = ${expr};`);
  }
  lines.push(`  return r${p.result};`);
  return `fn prog(${params}) -> f32 {\n${lines.join('\n')}\n}\n`;
}

/** WGSL helper functions `b_<op>` / `u_<op>` for the ops `p` uses (one per op). */
function opHelpers(p: FusedProgram): string {
  const out: string[] = [];
  const seen = new Set<number>();
  for (let pc = 0; pc < p.code.length; pc += INSTR_WORDS) {
    const op = p.code[pc]!;
    if (op < OP.binaryBase || seen.has(op)) continue;
    seen.add(op);
    if (op >= OP.unaryBase) {
      const u = UNARY_BY_CODE[op - OP.unaryBase]!;
      out.push(`fn u_${u}(x: f32) -> f32 { return ${F32_UNARY[u]}; }`);
    } else {
      const bo = BINARY_BY_CODE[op - OP.binaryBase]!;
      if (bo === 'pow') out.push(POW_HELPERS);
      out.push(`fn b_${bo}(x: f32, y: f32) -> f32 { return ${F32_COMPARE[bo] ?? F32_BINARY[bo]}; }`);
    }
  }
  return out.join('\n') + '\n';
}

function inputBindings(dtypes: readonly DType[]): string {
  return dtypes.map((dt, k) => `@group(0) @binding(${k + 1}) var<storage, read> I${k}: array<${wgslType(dt)}>;`).join('\n') + '\n';
}

/** Store kernel: out[i] = prog(at_k(i)) over n elements of a rank-`rank` (coalesced) shape. */
export function fusedStoreWgsl(p: FusedProgram, dtypes: readonly DType[], rank: number): string {
  const K = dtypes.length;
  const base = (k: number) => 2 + rank + k * (rank + 1);
  const outT = p.outDtype === 'bool' ? 'u32' : 'f32';
  const store = p.outDtype === 'bool' ? 'select(0u, 1u, v != 0.0)' : 'v';
  return META + indexFn(rank) + opHelpers(p) + inputBindings(dtypes) +
    `@group(0) @binding(${K + 1}) var<storage, read_write> O: array<${outT}>;\n` +
    valueFn(p, dtypes, storeConstBase(rank, K)) + /* wgsl */ `
${ENTRY_1D}
  if (idx >= u32(prm[0])) { return; }
  let v = prog(${dtypes.map((_, k) => `at(idx, ${base(k)}u)`).join(', ')});
  O[idx] = ${store};
}
`;
}

const NAN_TEST = /* wgsl */ `
fn isNan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
`;

/** How two partial states of a reduction merge (`ok` marks a state that saw any element). */
const MERGE: Record<FusedReduce, string> = {
  sum: 'a + b', mean: 'a + b',
  min: 'select(min(a, b), nanf(), isNan(a) || isNan(b))',
  max: 'select(max(a, b), nanf(), isNan(a) || isNan(b))',
};

/**
 * Reduction kernel over a tree in workgroup memory, like reduce.wgsl.ts: one workgroup per
 * (output, chunk); `source` 'program' evaluates the fused program per element (kept ranks rk,
 * reduced rr, coalesced over every input), 'partials' merges pass-1 partials. `final` writes the
 * outputs (mean divided by the count), otherwise one f32 partial per (output, chunk).
 */
export function fusedReduceWgsl(op: FusedReduce, source: { p: FusedProgram; dtypes: readonly DType[]; rk: number; rr: number } | 'partials',
  final: boolean): string {
  let leaf: string;
  let head = META + NAN_TEST;
  if (source === 'partials') {
    head += '@group(0) @binding(1) var<storage, read> P: array<f32>;\n@group(0) @binding(2) var<storage, read_write> O: array<f32>;\n';
    leaf = 'fn leaf(o: u32, r: u32) -> f32 { return P[o * u32(prm[2]) + r]; }';
  } else {
    const { p, dtypes, rk, rr } = source;
    const K = dtypes.length;
    head += opHelpers(p) + inputBindings(dtypes) + `@group(0) @binding(${K + 1}) var<storage, read_write> O: array<f32>;\n` +
      valueFn(p, dtypes, reduceInputBase(rk, rr, K));
    const offs = dtypes.map((_, k) => {
      const b = reduceInputBase(rk, rr, k);
      return `u32(prm[${b}] + mapDims(o, 7u, ${b + 1}u, ${rk}u) + mapDims(r, ${7 + rk}u, ${b + 1 + rk}u, ${rr}u))`;
    });
    leaf = /* wgsl */ `
// Offset of flat index i over the dims with extents at prm[shapeAt..] and strides at prm[strideAt..].
fn mapDims(i: u32, shapeAt: u32, strideAt: u32, rank: u32) -> i32 {
  var rem = i;
  var off = 0;
  for (var d = rank; d > 0u; d--) {
    let e = u32(prm[shapeAt + d - 1u]);
    let q = rem % e;
    rem = rem / e;
    off += i32(q) * prm[strideAt + d - 1u];
  }
  return off;
}
fn leaf(o: u32, r: u32) -> f32 { return prog(${offs.join(', ')}); }`;
  }
  const emit = !final ? 'O[o * chunks + c] = s;' : op === 'mean' ? 'O[o] = s / f32(prm[5]);' : 'O[o] = s;';
  return head + leaf + /* wgsl */ `
fn merge(a: f32, b: f32) -> f32 { return ${MERGE[op]}; }
var<workgroup> sh: array<f32, ${REDUCE_WG}>;
var<workgroup> shOk: array<u32, ${REDUCE_WG}>;
@compute @workgroup_size(${REDUCE_WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) t: u32) {
  let w = wid.y * nwg.x + wid.x;
  let chunks = u32(prm[3]);
  if (w >= u32(prm[0]) * chunks) { return; }
  let o = w / chunks;
  let c = w % chunks;
  let len = u32(prm[4]);
  let end = min((c + 1u) * len, u32(prm[2]));
  var acc = 0.0;
  var ok = 0u;
  for (var r = c * len + t; r < end; r += ${REDUCE_WG}u) {
    let x = leaf(o, r);
    acc = select(x, merge(acc, x), ok != 0u);
    ok = 1u;
  }
  sh[t] = acc;
  shOk[t] = ok;
  workgroupBarrier();
  for (var s = ${REDUCE_WG / 2}u; s > 0u; s >>= 1u) {
    if (t < s && shOk[t + s] != 0u) {
      sh[t] = select(sh[t + s], merge(sh[t], sh[t + s]), shOk[t] != 0u);
      shOk[t] = 1u;
    }
    workgroupBarrier();
  }
  if (t == 0u) { let s = sh[0]; ${emit} }
}
`;
}
