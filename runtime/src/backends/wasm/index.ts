/** The wasm backend: Rust kernels compiled to WebAssembly (SIMD128 with a scalar fallback). */
export { createWasmBackend, WasmStorage, type WasmBackend, type WasmBackendOptions } from './backend.js';
export { missingKernelFile, simdSupported, type KernelFlavour } from './loader.js';
