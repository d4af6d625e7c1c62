/**
 * GPU storage records and the checks every kernel entry runs on its operands.
 */
import type { Storage, View } from '../backend.js';
import { BYTES_PER_ELEMENT, type DType } from '../../types.js';

/** Bytes one element takes on the GPU: 4 for every dtype (bool is widened to u32 0/1). */
export const GPU_ELEMENT_BYTES = 4;

/** Storage of the webgpu backend: a pooled buffer, or none for zero elements. */
export interface GpuStorage extends Storage {
  readonly backend: 'webgpu';
  /** The buffer (capacity ≥ size × 4 bytes); null for zero-size storage or once freed. */
  buffer: GPUBuffer | null;
  /** True once freed. */
  freed: boolean;
  /** Id of the device this storage was made on (storages die with their device). */
  readonly deviceId: number;
}

/** A new storage record (bytes as the contract counts them: host element size). */
export function makeStorage(dtype: DType, size: number, buffer: GPUBuffer | null, deviceId: number): GpuStorage {
  return { backend: 'webgpu', dtype, size, bytes: size * BYTES_PER_ELEMENT[dtype], buffer, freed: false, deviceId };
}

/** The storage behind a view, checked to be a live webgpu storage of this device. */
export function gpuStorageOf(v: View, deviceId: number, what: string): GpuStorage {
  const s = v.storage as GpuStorage;
  if (s.backend !== 'webgpu') {
    throw new Error(`webgpu: ${what}: operand lives on backend '${s.backend}', not on the GPU; move it with .to('gpu')`);
  }
  if (s.freed) {
    throw new Error(`webgpu: ${what}: the GPU storage (${s.size} × ${s.dtype}) was freed — its tensor was disposed`);
  }
  if (s.deviceId !== deviceId) {
    throw new Error(`webgpu: ${what}: the tensor belongs to a GPU device that was lost or replaced; its data is gone`);
  }
  return s;
}

/** True when the view addresses `size` consecutive elements from its offset. */
export function isDense(v: View): boolean {
  let expected = 1;
  for (let d = v.shape.length - 1; d >= 0; d--) {
    if (v.shape[d] !== 1 && v.strides[d] !== expected) return false;
    expected *= v.shape[d]!;
  }
  return true;
}

/** Widens host bool bytes to the u32 0/1 words the GPU kernels use. */
export function boolToWords(data: Uint8Array): Uint32Array {
  const out = new Uint32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] ? 1 : 0;
  return out;
}

/** Narrows GPU u32 words back to host bool bytes. */
export function wordsToBool(words: Uint32Array): Uint8Array {
  const out = new Uint8Array(words.length);
  for (let i = 0; i < words.length; i++) out[i] = words[i] ? 1 : 0;
  return out;
}
