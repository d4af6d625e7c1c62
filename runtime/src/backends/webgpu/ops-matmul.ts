/**
 * Batched float32 matmul on the GPU (kernels/matmul.wgsl.ts): batch dims are coalesced across
 * A, B and the output, so broadcast batches (stride 0) and contiguous batches cost the same.
 */
import type { Storage, View } from '../backend.js';
import { coalesce } from './kernels/common.wgsl.js';
import { matmulWgsl, TILE } from './kernels/matmul.wgsl.js';
import { MAX_GROUPS_X } from './kernels/common.wgsl.js';
import type { WebGpuBackend } from './webgpu-backend.js';

/** C[...batch, M, N] = A[...batch, M, K] · B[...batch, K, N]. */
export function matmul(gpu: WebGpuBackend, a: View, b: View, outShape: readonly number[]): Storage {
  const sa = gpu.operand(a, 'matmul'), sb = gpu.operand(b, 'matmul');
  const rank = outShape.length;
  const M = outShape[rank - 2]!, N = outShape[rank - 1]!, K = a.shape[rank - 1]!;
  const batchShape = outShape.slice(0, rank - 2);
  const batches = batchShape.reduce((p, e) => p * e, 1);
  if (batches * M * N === 0) return gpu.alloc('float32', 0);
  // K = 0: the sum over an empty range is 0 (the kernel would do the same, but skip the launch).
  if (K === 0) return gpu.upload(new Float32Array(batches * M * N), 'float32');
  const outBatchStrides = batchShape.map((_, d) => batchShape.slice(d + 1).reduce((p, e) => p * e, 1) * M * N);
  const c = coalesce(batchShape, [a.strides.slice(0, rank - 2), b.strides.slice(0, rank - 2), outBatchStrides]);
  const rb = c.shape.length;
  const gx = Math.ceil(N / TILE), gy = Math.ceil(M / TILE);
  if (gx > MAX_GROUPS_X || gy > MAX_GROUPS_X || batches > MAX_GROUPS_X) {
    throw new RangeError(`webgpu: matmul of [${outShape.join(', ')}] needs more than ${MAX_GROUPS_X} workgroups along one grid dimension`);
  }
  const out = gpu.alloc('float32', batches * M * N);
  const meta = [M, 0, N, K, a.offset, a.strides[rank - 2]!, a.strides[rank - 1]!, b.offset, b.strides[rank - 2]!, b.strides[rank - 1]!,
    ...c.shape, ...c.strides[0]!, ...c.strides[1]!];
  const pipeline = gpu.pipelines.get(`matmul:${rb}`, () => matmulWgsl(rb));
  gpu.launch({ pipeline, bindings: [gpu.bind(sa), gpu.bind(sb), gpu.bind(out)], meta, groups: [gx, gy, batches] });
  return out;
}
