/**
 * `Backend.fused` on the GPU: one generated WGSL kernel (kernels/fused.wgsl.ts) per `cp.jit`
 * group — a store kernel, or a reduction (two passes, in one compute pass, when a long reduction
 * has few outputs, as ops-reduce.ts does). Pipelines are cached per program structure and input
 * dtypes; the group's scalar constants travel in the meta words.
 */
import type { Storage, View } from '../backend.js';
import type { FusedProgram, FusedReduce } from '../fused.js';
import type { DType } from '../../types.js';
import { sizeOf } from '../../shape.js';
import { coalesce, grid, WG } from './kernels/common.wgsl.js';
import { fusedReduceWgsl, fusedStoreWgsl, programKey } from './kernels/fused.wgsl.js';
import type { Launch } from './encoder.js';
import type { WebGpuBackend } from './webgpu-backend.js';

/** Same chunking rule as ops-reduce.ts: long reductions into few outputs split across workgroups. */
const CHUNK_ABOVE = 4096;
const FEW_OUTPUTS = 64;
const MIN_CHUNK = 1024;
const MAX_CHUNKS = 256;

/**
 * Why this device cannot run `p` with `inputs` inputs as one kernel, or null when it can. A
 * kernel binds the meta buffer, every input and the output as storage buffers; the device's
 * `maxStorageBuffersPerShaderStage` (8 unless the adapter offers more) bounds the inputs.
 */
export function fusedBlocker(gpu: WebGpuBackend, p: FusedProgram, inputs: number): string | null {
  const limit = gpu.ctx.device.limits.maxStorageBuffersPerShaderStage;
  if (inputs + 2 > limit) {
    return `webgpu: the group reads ${inputs} tensors; one kernel binds at most ${limit - 2} (maxStorageBuffersPerShaderStage ${limit})`;
  }
  if (p.nRegs < 1) return 'webgpu: empty fused program';
  return null;
}

/** Runs `p` over `shape` as one generated kernel; returns contiguous storage (see Backend.fused). */
export function fused(gpu: WebGpuBackend, p: FusedProgram, inputs: readonly View[], shape: readonly number[]): Storage {
  const blocker = fusedBlocker(gpu, p, inputs.length);
  if (blocker !== null) throw new RangeError(blocker);
  const srcs = inputs.map((v) => gpu.operand(v, 'fused'));
  const dtypes = inputs.map((v) => v.dtype);
  const key = programKey(p, dtypes);
  const consts = Array.from(new Int32Array(p.consts.buffer, p.consts.byteOffset, p.consts.length));
  const ep = p.epilogue;
  if (!ep) {
    const n = sizeOf(shape);
    const out = gpu.alloc(p.outDtype, n);
    if (n === 0) return out;
    const c = coalesce(shape, inputs.map((v) => v.strides));
    const rank = c.shape.length;
    const meta = [n, 0, ...c.shape];
    inputs.forEach((v, k) => meta.push(v.offset, ...c.strides[k]!));
    meta.push(...consts);
    const pipeline = gpu.pipelines.get(`fused:store:${rank}:${key}`, () => fusedStoreWgsl(p, dtypes, rank));
    const [x, y] = grid(Math.ceil(n / WG));
    gpu.launch({ pipeline, bindings: [...srcs.map((s) => gpu.bind(s)), gpu.bind(out)], meta, groups: [x, y, 1] });
    return out;
  }
  return reduce(gpu, p, ep.op, ep.axes, inputs, shape, key, dtypes, consts, srcs.map((s) => gpu.bind(s)));
}

function reduce(gpu: WebGpuBackend, p: FusedProgram, op: FusedReduce, axes: readonly number[], inputs: readonly View[],
  shape: readonly number[], key: string, dtypes: readonly DType[], consts: readonly number[],
  bindings: ReturnType<WebGpuBackend['bind']>[]): Storage {
  const keptShape: number[] = [], redShape: number[] = [];
  const keptStrides: number[][] = inputs.map(() => []), redStrides: number[][] = inputs.map(() => []);
  shape.forEach((e, d) => {
    const red = axes.includes(d);
    (red ? redShape : keptShape).push(e);
    inputs.forEach((v, k) => (red ? redStrides : keptStrides)[k]!.push(v.strides[d]!));
  });
  const outSize = sizeOf(keptShape), redSize = sizeOf(redShape);
  if (outSize === 0) return gpu.alloc('float32', 0);
  if (redSize === 0) {
    // The js reference's values for empty reductions.
    const v = op === 'sum' ? 0 : op === 'mean' ? NaN : op === 'min' ? Infinity : -Infinity;
    return gpu.upload(new Float32Array(outSize).fill(v), 'float32');
  }
  const kept = coalesce(keptShape, keptStrides), red = coalesce(redShape, redStrides);
  const rk = kept.shape.length, rr = red.shape.length;
  let chunks = 1;
  if (redSize > CHUNK_ABOVE && outSize < FEW_OUTPUTS) chunks = Math.min(MAX_CHUNKS, Math.ceil(redSize / MIN_CHUNK));
  const chunkLen = Math.ceil(redSize / chunks);
  chunks = Math.ceil(redSize / chunkLen);
  const final = chunks === 1;
  const meta = [outSize, 0, redSize, chunks, chunkLen, redSize, 0, ...kept.shape, ...red.shape];
  inputs.forEach((v, k) => meta.push(v.offset, ...kept.strides[k]!, ...red.strides[k]!));
  meta.push(...consts);
  const out = gpu.alloc('float32', outSize);
  const partials = final ? null : gpu.alloc('float32', outSize * chunks);
  const launches: Launch[] = [{
    pipeline: gpu.pipelines.get(`fused:${op}:${rk}:${rr}:${final}:${key}`, () => fusedReduceWgsl(op, { p, dtypes, rk, rr }, final)),
    bindings: [...bindings, gpu.bind(partials ?? out)],
    meta,
    groups: [...grid(outSize * chunks), 1],
  }];
  if (partials) {
    launches.push({
      pipeline: gpu.pipelines.get(`fused:${op}:partials`, () => fusedReduceWgsl(op, 'partials', true)),
      bindings: [gpu.bind(partials), gpu.bind(out)],
      meta: [outSize, 0, chunks, 1, chunks, redSize, 0],
      groups: [...grid(outSize), 1],
    });
  }
  // One pass: the op gets one timed interval, and pass 2 sees pass 1's writes.
  gpu.launch(...launches);
  if (partials) gpu.free(partials);
  return out;
}
