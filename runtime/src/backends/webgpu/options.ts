/**
 * The webgpu backend's public option and error types. Nothing here names a WebGPU (GPU*) type:
 * corepy's published declarations reach this file (through public.ts and the package's index.d.ts),
 * and @webgpu/types pulled into a user's program breaks their type check — TypeScript ≥ 6's
 * lib.dom declares the GPU* names itself and clashes with it (gpuweb/types#192), and without the
 * DOM lib @webgpu/types misses DOM names. The GPU* types stay in the implementation (device.ts).
 */

/**
 * The members of a WebGPU `GPUAdapter` that the device request reads, typed structurally so that a
 * real `GPUAdapter` (from Dawn or `navigator.gpu.requestAdapter()`) is one without corepy's
 * declarations naming the WebGPU lib.
 */
export interface GpuAdapterLike {
  readonly features: { has(feature: string): boolean };
  readonly limits: {
    /** Largest storage-buffer binding, in bytes. */
    readonly maxStorageBufferBindingSize: number;
    /** Largest buffer, in bytes. */
    readonly maxBufferSize: number;
    /** Storage buffers one shader stage may bind (a count). */
    readonly maxStorageBuffersPerShaderStage: number;
  };
  /** Adapter description; the four strings make the calibration key. */
  readonly info: {
    readonly vendor: string;
    readonly architecture: string;
    readonly device: string;
    readonly description: string;
  };
  /** Requests the device (a `GPUDeviceDescriptor` in, a `GPUDevice` out). */
  requestDevice(descriptor?: object): Promise<unknown>;
}

/** Options of `initGpu` (and of the backend's device request). */
export interface GpuOptions {
  /** What `initGpu` does when no adapter can be created: reject, or resolve on the CPU. Default 'throw'. */
  readonly onMissing?: 'throw' | 'fallback';
  /** Replaces Dawn's adapter request (tests simulate a missing or hanging adapter with it). */
  readonly requestAdapter?: () => Promise<GpuAdapterLike | null>;
  /** Limit for requestAdapter and requestDevice each, in ms. Default 15000. */
  readonly timeoutMs?: number;
  /** Use timestamp queries when the adapter offers them (false forces estimated timings). Default true. */
  readonly timestamps?: boolean;
}

/** No usable WebGPU adapter/device; `reason` is one line naming what is missing. */
export class GpuUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(`no WebGPU adapter: ${reason}`);
    this.name = 'GpuUnavailableError';
  }
}
