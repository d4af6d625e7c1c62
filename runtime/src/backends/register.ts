/**
 * Registers the built-in backends with the engine. `wasm` is the default CPU backend; `js` is
 * the reference; `webgpu` initialises asynchronously on first `setBackend('webgpu')`/`initGpu()`
 * (registered by importing its module).
 */
import { registerBackend, setBackend } from '../engine.js';
import { jsBackend } from './js/index.js';
import { createWasmBackend, missingKernelFile } from './wasm/index.js';
import './webgpu/public.js';

registerBackend('js', () => jsBackend);
registerBackend('wasm', () => createWasmBackend());

// wasm, the default, is created on its first use rather than here, so that a script's
// `enableProfiling()` before its first op decides how the kernels compile (loader.ts). The kernels
// are a build output; without them say so once and keep working on js.
const missing = missingKernelFile();
if (missing !== null) {
  console.warn(`[corepy] wasm backend unavailable (kernel file ${missing} is missing); using the js reference backend. Run \`npm run build\` to build the kernels.`);
  void setBackend('js');
}
