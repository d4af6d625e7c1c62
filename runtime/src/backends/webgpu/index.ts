/**
 * Entry of the webgpu backend for the runtime's own code and tests: the public surface
 * (public.ts: `initGpu`, `calibrate`, registration on import) plus the backend class and its
 * factory. runtime/src/index.ts re-exports from public.ts, not from here, because these
 * declarations name GPU* types (public.ts says why that matters).
 */
export * from './public.js';
export { calibrationFile } from './calibrate.js';
export { createWebGpuBackend } from './create.js';
export { WebGpuBackend } from './webgpu-backend.js';
