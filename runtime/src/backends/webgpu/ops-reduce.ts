/**
 * Reductions and moments on the GPU (kernels/reduce.wgsl.ts). The view is split into kept and
 * reduced dimensions (each coalesced), so any axis set — including non-adjacent ones and
 * transposed views — reduces without a copy. Long reductions into few outputs use two passes
 * (per-chunk states, then a merge) so more than one workgroup works on each output.
 */
import type { MomentsResult, ReduceOp, Storage, View } from '../backend.js';
import type { DType } from '../../types.js';
import { coalesce, grid } from './kernels/common.wgsl.js';
import { reduceWgsl, STATE_WORDS, type ReduceKind } from './kernels/reduce.wgsl.js';
import type { Launch } from './encoder.js';
import type { GpuStorage } from './storage.js';
import type { WebGpuBackend } from './webgpu-backend.js';
import { outputDtype } from '../op-table.js';

/** Reductions longer than this, into fewer than {@link FEW_OUTPUTS} outputs, are chunked. */
const CHUNK_ABOVE = 4096;
const FEW_OUTPUTS = 64;
/** Elements folded per chunk at least, and chunks per output at most. */
const MIN_CHUNK = 1024;
const MAX_CHUNKS = 256;

interface Plan {
  outSize: number;
  redSize: number;
  kept: { shape: number[]; strides: number[] };
  red: { shape: number[]; strides: number[] };
}

function plan(a: View, axes: readonly number[]): Plan {
  const keptShape: number[] = [], keptStrides: number[] = [], redShape: number[] = [], redStrides: number[] = [];
  a.shape.forEach((e, d) => {
    if (axes.includes(d)) { redShape.push(e); redStrides.push(a.strides[d]!); } else { keptShape.push(e); keptStrides.push(a.strides[d]!); }
  });
  const kept = coalesce(keptShape, [keptStrides]);
  const red = coalesce(redShape, [redStrides]);
  return {
    outSize: keptShape.reduce((p, e) => p * e, 1),
    redSize: redShape.reduce((p, e) => p * e, 1),
    kept: { shape: kept.shape, strides: kept.strides[0]! },
    red: { shape: red.shape, strides: red.strides[0]! },
  };
}

/** Launches reducing `a` per plan into `outs` (one storage; two for moments). */
function run(gpu: WebGpuBackend, kind: ReduceKind, a: View, p: Plan, outs: GpuStorage[]): void {
  const src = gpu.operand(a, kind);
  const rk = p.kept.shape.length, rr = p.red.shape.length;
  let chunks = 1;
  if (p.redSize > CHUNK_ABOVE && p.outSize < FEW_OUTPUTS) chunks = Math.min(MAX_CHUNKS, Math.ceil(p.redSize / MIN_CHUNK));
  const chunkLen = Math.ceil(p.redSize / chunks);
  chunks = Math.ceil(p.redSize / chunkLen);
  const meta1 = [p.outSize, 0, p.redSize, chunks, chunkLen, p.redSize, a.offset,
    ...p.kept.shape, ...p.kept.strides, ...p.red.shape, ...p.red.strides];
  const final = chunks === 1;
  const key = (source: string, fin: boolean, k: number, r: number) => `reduce:${kind}:${a.dtype}:${k}:${r}:${source}:${fin}`;
  const finalBindings = outs.map((o) => gpu.bind(o));
  const partials = final ? null : gpu.alloc('int32', p.outSize * chunks * STATE_WORDS);
  const launches: Launch[] = [{
    pipeline: gpu.pipelines.get(key('tensor', final, rk, rr), () => reduceWgsl(kind, a.dtype, rk, rr, 'tensor', final)),
    bindings: [gpu.bind(src), ...(partials ? [gpu.bind(partials)] : finalBindings)],
    meta: meta1,
    groups: [...grid(p.outSize * chunks), 1],
  }];
  if (partials) {
    launches.push({
      pipeline: gpu.pipelines.get(key('partials', true, 0, 0), () => reduceWgsl(kind, a.dtype, 0, 0, 'partials', true)),
      bindings: [gpu.bind(partials), ...finalBindings],
      meta: [p.outSize, 0, chunks, 1, chunks, p.redSize, 0],
      groups: [...grid(p.outSize), 1],
    });
  }
  // Both launches in one pass: dispatches in a pass see each other's writes, and the op gets one interval.
  gpu.launch(...launches);
  if (partials) gpu.free(partials);
}

/** Value of an empty reduction, as the js reference defines it. */
function emptyValue(op: ReduceOp): number {
  return op === 'sum' ? 0 : op === 'mean' ? NaN : op === 'min' ? Infinity : op === 'max' ? -Infinity : -1;
}

function filled(gpu: WebGpuBackend, dtype: DType, size: number, value: number): Storage {
  const data = dtype === 'float32' ? new Float32Array(size).fill(value) : new Int32Array(size).fill(value);
  return gpu.upload(data, dtype);
}

/** Reduces `a` over `axes` (sorted, unique). */
export function reduce(gpu: WebGpuBackend, op: ReduceOp, a: View, axes: readonly number[]): Storage {
  gpu.operand(a, op);
  const p = plan(a, axes);
  const outDtype = outputDtype(op, a.dtype);
  if (p.redSize === 0 && p.outSize > 0) return filled(gpu, outDtype, p.outSize, emptyValue(op));
  const out = gpu.alloc(outDtype, p.outSize);
  if (p.outSize > 0) run(gpu, op, a, p, [out]);
  return out;
}

/** Mean and population variance of `a` over `axes`, one pass (Chan's merge). */
export function moments(gpu: WebGpuBackend, a: View, axes: readonly number[]): MomentsResult {
  gpu.operand(a, 'moments');
  const p = plan(a, axes);
  if (p.redSize === 0 && p.outSize > 0) {
    return { mean: filled(gpu, 'float32', p.outSize, NaN), variance: filled(gpu, 'float32', p.outSize, NaN) };
  }
  const mean = gpu.alloc('float32', p.outSize), variance = gpu.alloc('float32', p.outSize);
  if (p.outSize > 0) run(gpu, 'moments', a, p, [mean, variance]);
  return { mean, variance };
}
