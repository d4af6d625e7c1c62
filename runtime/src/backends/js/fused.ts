/**
 * The reference implementation of fused programs (../fused.ts): the same register machine the
 * wasm kernel runs, evaluated block by block with Float32Array registers so every instruction
 * rounds to float32 exactly as the eager op would, and with the scalar definitions in math.ts.
 * Reductions accumulate in float64, like this backend's eager reductions.
 */
import { FUSED_BINARY, FUSED_REDUCE, FUSED_UNARY, INSTR_WORDS, OP, type FusedProgram } from '../fused.js';
import type { BinaryOp, Storage, UnaryOp, View } from '../backend.js';
import { sizeOf } from '../../shape.js';
import type { DataArray, DType } from '../../types.js';
import { binaryScalar, unaryScalar } from './math.js';
import { offsetOf } from './strided.js';

/** Elements per register block. */
const BLOCK = 256;
const BINARY_BY_CODE = Object.keys(FUSED_BINARY) as BinaryOp[];
const UNARY_BY_CODE = Object.keys(FUSED_UNARY) as UnaryOp[];

/**
 * Runs `p` over `shape`; `make` allocates the output storage and `dataOf` reads a view's array.
 * Returns the contiguous output (the reduced shape, float32, with an epilogue).
 */
export function runFused(p: FusedProgram, inputs: readonly View[], shape: readonly number[],
  make: (dtype: DType, size: number) => Storage & { readonly data: DataArray }, dataOf: (v: View) => DataArray): Storage {
  const size = sizeOf(shape);
  const regs = Array.from({ length: p.nRegs }, () => new Float32Array(BLOCK));
  const ep = p.epilogue;
  let outShape = shape, acc: Float64Array | null = null, outStrides: number[] = [];
  if (ep) {
    outShape = shape.filter((_, d) => !ep.axes.includes(d));
    acc = new Float64Array(sizeOf(outShape)).fill(ep.op === 'min' ? Infinity : ep.op === 'max' ? -Infinity : 0);
    // Strides of the reduced output seen at the full rank: 0 on reduced axes.
    let s = 1;
    outStrides = shape.map(() => 0);
    for (let d = shape.length - 1; d >= 0; d--) if (!ep.axes.includes(d)) { outStrides[d] = s; s *= shape[d]!; }
  }
  const out = ep ? make('float32', sizeOf(outShape)) : make(p.outDtype, size);
  const datas = inputs.map(dataOf);
  for (let start = 0; start < size; start += BLOCK) {
    const n = Math.min(BLOCK, size - start);
    for (let pc = 0; pc < p.code.length; pc += INSTR_WORDS) {
      const op = p.code[pc]!, d = regs[p.code[pc + 1]!]!;
      const a = p.code[pc + 2]!, b = p.code[pc + 3]!, c = p.code[pc + 4]!;
      if (op === OP.load) {
        const v = inputs[a]!, data = datas[a]!;
        for (let j = 0; j < n; j++) d[j] = data[offsetOf(start + j, shape, v.strides, v.offset)]!;
      } else if (op === OP.const) {
        d.fill(p.consts[a]!, 0, n);
      } else if (op === OP.tobool) {
        const ra = regs[a]!;
        for (let j = 0; j < n; j++) d[j] = ra[j] !== 0 ? 1 : 0;
      } else if (op === OP.where) {
        const rc = regs[a]!, ra = regs[b]!, rb = regs[c]!;
        for (let j = 0; j < n; j++) d[j] = rc[j] !== 0 ? ra[j]! : rb[j]!;
      } else if (op >= OP.unaryBase) {
        const u = UNARY_BY_CODE[op - OP.unaryBase]!, ra = regs[a]!;
        for (let j = 0; j < n; j++) d[j] = unaryScalar(u, ra[j]!, 'float32');
      } else {
        const bo = BINARY_BY_CODE[op - OP.binaryBase]!, ra = regs[a]!, rb = regs[b]!;
        for (let j = 0; j < n; j++) d[j] = binaryScalar(bo, ra[j]!, rb[j]!, 'float32');
      }
    }
    const r = regs[p.result]!;
    if (acc === null) {
      const o = (out as { data: DataArray }).data;
      for (let j = 0; j < n; j++) o[start + j] = p.outDtype === 'bool' ? (r[j] !== 0 ? 1 : 0) : r[j]!;
      continue;
    }
    const code = FUSED_REDUCE[ep!.op];
    for (let j = 0; j < n; j++) {
      const i = offsetOf(start + j, shape, outStrides, 0), x = r[j]!;
      const m = acc[i]!;
      if (code <= FUSED_REDUCE.mean) acc[i] = m + x;
      else if (Number.isNaN(x) || (code === FUSED_REDUCE.min ? x < m : x > m)) acc[i] = Number.isNaN(m) ? m : x;
    }
  }
  if (acc !== null) {
    const o = (out as { data: DataArray }).data;
    const count = size / Math.max(1, acc.length);
    for (let i = 0; i < acc.length; i++) o[i] = ep!.op === 'mean' ? acc[i]! / count : acc[i]!;
  }
  return out;
}
