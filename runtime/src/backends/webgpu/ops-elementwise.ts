/**
 * Elementwise kernels of the webgpu backend: binary, where, unary/cast/copy, copyInto.
 * Operand views are coalesced (kernels/common.wgsl.ts) so contiguous work runs at rank ≤ 1,
 * then their (offset, strides) go into the kernel's meta words.
 */
import type { BinaryOp, Storage, UnaryOp, View } from '../backend.js';
import type { DType } from '../../types.js';
import { contiguousStrides, sizeOf } from '../../shape.js';
import { coalesce, grid, WG } from './kernels/common.wgsl.js';
import { binaryWgsl, mapWgsl, scatterWgsl, whereWgsl } from './kernels/elementwise.wgsl.js';
import type { GpuStorage } from './storage.js';
import type { WebGpuBackend } from './webgpu-backend.js';
import { outputDtype } from '../op-table.js';

/** Meta words `[n, nan, shape..., (offset, strides...) per view]` and the coalesced rank. */
function elementwiseMeta(shape: readonly number[], views: readonly View[]): { meta: number[]; rank: number } {
  const c = coalesce(shape, views.map((v) => v.strides));
  const meta = [sizeOf(shape), 0, ...c.shape];
  views.forEach((v, k) => meta.push(v.offset, ...c.strides[k]!));
  return { meta, rank: c.shape.length };
}

function groups(n: number): [number, number, number] {
  const [x, y] = grid(Math.ceil(n / WG));
  return [x, y, 1];
}

/** Output storage of a binary op (comparisons produce bool). */
export function binary(gpu: WebGpuBackend, op: BinaryOp, a: View, b: View, outShape: readonly number[]): Storage {
  const sa = gpu.operand(a, op), sb = gpu.operand(b, op);
  const n = sizeOf(outShape);
  const outDtype = outputDtype(op, a.dtype);
  const out = gpu.alloc(outDtype, n);
  if (n === 0) return out;
  const { meta, rank } = elementwiseMeta(outShape, [a, b]);
  const pipeline = gpu.pipelines.get(`binary:${op}:${a.dtype}:${rank}`, () => binaryWgsl(op, a.dtype, rank));
  gpu.launch({ pipeline, bindings: [gpu.bind(sa), gpu.bind(sb), gpu.bind(out)], meta, groups: groups(n) });
  return out;
}

/** cond ? a : b over outShape. */
export function where(gpu: WebGpuBackend, cond: View, a: View, b: View, outShape: readonly number[]): Storage {
  const sc = gpu.operand(cond, 'where'), sa = gpu.operand(a, 'where'), sb = gpu.operand(b, 'where');
  const n = sizeOf(outShape);
  const out = gpu.alloc(a.dtype, n);
  if (n === 0) return out;
  const { meta, rank } = elementwiseMeta(outShape, [cond, a, b]);
  const pipeline = gpu.pipelines.get(`where:${a.dtype}:${rank}`, () => whereWgsl(a.dtype, rank));
  gpu.launch({ pipeline, bindings: [gpu.bind(sc), gpu.bind(sa), gpu.bind(sb), gpu.bind(out)], meta, groups: groups(n) });
  return out;
}

/** Contiguous out = f(a) for a unary op, a cast to `to`, or a plain copy. */
export function map(gpu: WebGpuBackend, kind: UnaryOp | 'cast' | 'copy', a: View, to: DType): GpuStorage {
  const sa = gpu.operand(a, kind);
  const n = sizeOf(a.shape);
  const out = gpu.alloc(to, n);
  if (n === 0) return out;
  const { meta, rank } = elementwiseMeta(a.shape, [a]);
  const pipeline = gpu.pipelines.get(`map:${kind}:${a.dtype}:${to}:${rank}`, () => mapWgsl(kind, a.dtype, to, rank));
  gpu.launch({ pipeline, bindings: [gpu.bind(sa), gpu.bind(out)], meta, groups: groups(n) });
  return out;
}

/** Writes src into the strided dst view in place. */
export function copyInto(gpu: WebGpuBackend, src: View, dst: View): void {
  let ss = gpu.operand(src, 'copyInto');
  const sd = gpu.operand(dst, 'copyInto');
  const n = sizeOf(src.shape);
  if (n === 0) return;
  let srcView: View = src;
  // One buffer cannot be bound read-only and writable in one dispatch; overlapping views also
  // need the old values: stage src through a temporary copy.
  const staged = ss === sd;
  if (staged) {
    ss = map(gpu, 'copy', src, src.dtype);
    srcView = { storage: ss, dtype: src.dtype, shape: src.shape, strides: contiguousStrides(src.shape), offset: 0 };
  }
  const { meta, rank } = elementwiseMeta(src.shape, [srcView, dst]);
  const pipeline = gpu.pipelines.get(`scatter:${src.dtype}:${rank}`, () => scatterWgsl(src.dtype, rank));
  gpu.launch({ pipeline, bindings: [gpu.bind(ss), gpu.bind(sd)], meta, groups: groups(n) });
  if (staged) gpu.free(ss);
}

