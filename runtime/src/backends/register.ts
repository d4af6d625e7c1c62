/**
 * Registers the built-in backends with the engine. `wasm` is the default CPU backend; `js` is
 * the reference; `webgpu` initialises asynchronously on first `setBackend('webgpu')`/`initGpu()`.
 */
import { registerBackend, setBackend } from '../engine.js';
import { jsBackend } from './js/index.js';

registerBackend('js', () => jsBackend);
void setBackend('js');
