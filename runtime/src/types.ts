/**
 * Element types, devices and backend names shared by every layer of corepy.
 * Kept dependency-free so backends, the profiler and exports can all import it.
 */

/** Element type of a tensor. `bool` is stored one byte per element (0 or 1). */
export type DType = 'float32' | 'int32' | 'bool';

/** Where a tensor's memory lives. */
export type Device = 'cpu' | 'gpu';

export { BACKENDS, type BackendName } from './contract/names.js';

/** Host array type for each dtype. */
export type DataArray = Float32Array | Int32Array | Uint8Array;

/** Every accepted dtype, for error messages and validation. */
export const DTYPES: readonly DType[] = ['float32', 'int32', 'bool'];

/** Every accepted device. */
export const DEVICES: readonly Device[] = ['cpu', 'gpu'];

/** Size of one element in bytes. */
export const BYTES_PER_ELEMENT: Readonly<Record<DType, number>> = { float32: 4, int32: 4, bool: 1 };

/** Allocates a zeroed host array of `size` elements for `dtype`. */
export function allocHostArray(dtype: DType, size: number): DataArray {
  switch (dtype) {
    case 'float32': return new Float32Array(size);
    case 'int32': return new Int32Array(size);
    case 'bool': return new Uint8Array(size);
  }
}

/** Throws a clear error when `dtype` is not one of {@link DTYPES}. */
export function assertDType(dtype: unknown): asserts dtype is DType {
  if (!DTYPES.includes(dtype as DType)) {
    throw new TypeError(`Unknown dtype ${JSON.stringify(dtype)}; allowed: ${DTYPES.join(', ')}`);
  }
}

/** Throws a clear error when `device` is not one of {@link DEVICES}. */
export function assertDevice(device: unknown): asserts device is Device {
  if (!DEVICES.includes(device as Device)) {
    throw new TypeError(`Unknown device ${JSON.stringify(device)}; allowed: ${DEVICES.join(', ')}`);
  }
}
