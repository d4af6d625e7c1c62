/**
 * Public entry of the webgpu backend: registration with the engine, `initGpu()` and
 * `calibrate()`. runtime/src/index.ts re-exports {@link initGpu}, {@link calibrate},
 * {@link registerWebGpu} and imports this module for its registration side effect.
 */
import { dropBackend, getBackend, getBackendImpl, initBackend, isBackendReady, registerBackend } from '../../engine.js';
import type { BackendName } from '../../types.js';
import { GpuUnavailableError, openDevice, type GpuOptions } from './device.js';
import { WebGpuBackend } from './webgpu-backend.js';
import { loadCalibration } from './calibrate.js';

export { calibrate, calibrationFile, type CalibrateOptions } from './calibrate.js';
export { GpuUnavailableError, type GpuOptions } from './device.js';
export { WebGpuBackend } from './webgpu-backend.js';

/** What {@link initGpu} found. */
export type GpuInitResult =
  | { readonly ok: true; readonly backend: 'webgpu'; readonly adapter: string; readonly timestamps: boolean }
  | { readonly ok: false; readonly backend: BackendName; readonly reason: string };

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

/**
 * Registers the `webgpu` backend factory with the engine (idempotent; called on import).
 * `options` apply to the next device creation.
 */
export function registerWebGpu(options: GpuOptions = {}): void {
  registerBackend('webgpu', () => createWebGpuBackend(options));
}

function cpuFallback(): BackendName {
  try {
    getBackendImpl('wasm');
    return 'wasm';
  } catch {
    return 'js';
  }
}

/**
 * Opens the GPU so tensors can move there (`t.to('gpu')`) and `setBackend('webgpu')` is instant.
 * Without an adapter: `onMissing: 'throw'` (default) rejects with a one-line reason;
 * `'fallback'` prints that reason once and resolves `{ ok: false }` — work stays on the CPU.
 * Never hangs: adapter and device requests time out (`timeoutMs`, default 15 s).
 */
export async function initGpu(options: GpuOptions = {}): Promise<GpuInitResult> {
  if (isBackendReady('webgpu')) return ready(getBackendImpl('webgpu') as WebGpuBackend);
  registerWebGpu(options);
  try {
    return ready((await initBackend('webgpu')) as WebGpuBackend);
  } catch (e) {
    if (!(e instanceof GpuUnavailableError) || options.onMissing !== 'fallback') throw e;
    const cpu = getBackend() === 'webgpu' ? cpuFallback() : getBackend();
    console.warn(`[corepy] ${e.message}; continuing on the CPU (${cpu})`);
    return { ok: false, backend: cpu, reason: e.reason };
  } finally {
    // Options (a simulated adapter, a timeout) apply to this call only.
    registerWebGpu();
  }
}

function ready(b: WebGpuBackend): GpuInitResult {
  return { ok: true, backend: 'webgpu', adapter: b.ctx.adapterName, timestamps: b.ctx.timestamps };
}

registerWebGpu();
