/**
 * Registers the built-in backends with the engine. `wasm` is the default CPU backend; `js` is
 * the reference; `webgpu` initialises asynchronously on first `setBackend('webgpu')`/`initGpu()`
 * (registered by importing its module).
 */
import { registerBackend, setBackend } from '../engine.js';
import { jsBackend } from './js/index.js';
import { createWasmBackend } from './wasm/index.js';
import './webgpu/index.js';

registerBackend('js', () => jsBackend);
registerBackend('wasm', () => createWasmBackend());

// The wasm kernels are a build output; without them say so once and keep working on js.
setBackend('wasm').catch((e: unknown) => {
  console.warn(`[corepy] wasm backend unavailable (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); using the js reference backend. Run \`npm run build\` to build the kernels.`);
  void setBackend('js');
});
