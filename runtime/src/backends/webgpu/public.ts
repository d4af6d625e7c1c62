/**
 * The webgpu backend's public surface: what runtime/src/index.ts re-exports (`initGpu`,
 * `calibrate`, their option and result types, `GpuUnavailableError`), and the registration of the
 * engine factory on import. Its declarations, and those of the files they import, name no WebGPU
 * (GPU*) type, so the package's index.d.ts never brings @webgpu/types into a user's program
 * (options.ts says why that matters; test/unit/published-types.test.ts checks it).
 */
import { getBackend, getBackendImpl, initBackend, isBackendReady, registerBackend } from '../../engine.js';
import type { BackendName } from '../../types.js';
import { GpuUnavailableError, type GpuOptions } from './options.js';
import { createWebGpuBackend } from './create.js';
import type { WebGpuBackend } from './webgpu-backend.js';

export { calibrate, type CalibrateOptions } from './calibrate.js';
export { GpuUnavailableError, type GpuOptions } from './options.js';

/** What {@link initGpu} found. */
export type GpuInitResult =
  | { readonly ok: true; readonly backend: 'webgpu'; readonly adapter: string; readonly timestamps: boolean }
  | { readonly ok: false; readonly backend: BackendName; readonly reason: string };

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
