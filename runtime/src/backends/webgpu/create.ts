/**
 * `createWebGpuBackend()`: opens the device and wraps it in a {@link WebGpuBackend} — the engine's
 * factory for `webgpu`. Kept out of public.ts, whose declarations the package's index.d.ts reaches:
 * this signature names the backend class, whose declarations name GPU* types.
 */
import { dropBackend, getBackendImpl, isBackendReady } from '../../engine.js';
import { openDevice } from './device.js';
import type { GpuOptions } from './options.js';
import { WebGpuBackend } from './webgpu-backend.js';
import { loadCalibration } from './calibrate.js';

/** Creates the webgpu backend (used as the engine factory). Throws GpuUnavailableError without an adapter. */
export async function createWebGpuBackend(options: GpuOptions = {}): Promise<WebGpuBackend> {
  const ctx = await openDevice(options);
  const backend = new WebGpuBackend(ctx, (reason) => {
    if (!backend.intentionalDestroy) {
      console.warn(`[corepy] WebGPU device lost (${reason}); GPU tensors are gone, continuing on the CPU`);
    }
    // Only forget the engine's backend if it is this one (a newer device may have replaced it).
    if (isBackendReady('webgpu') && getBackendImpl('webgpu') === backend) dropBackend('webgpu');
  });
  // Validation errors are bugs in this backend; surface them instead of Dawn's silent default.
  ctx.device.addEventListener('uncapturederror', (ev) => {
    console.error(`[corepy] webgpu: ${(ev as GPUUncapturedErrorEvent).error.message.split('\n')[0]}`);
  });
  loadCalibration(ctx.adapterName);
  return backend;
}
