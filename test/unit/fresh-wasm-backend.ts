/**
 * Test set-up shared by suites that watch one-time costs: each test gets a fresh wasm backend (its
 * own small linear memory, so memory growth is predictable) and a cleared, disabled profiler; the
 * previous backend comes back afterwards.
 */
import { afterEach, beforeEach } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { createWasmBackend } from '../../runtime/src/backends/wasm/index.js';
import { dropBackend, getBackendImpl, registerBackend } from '../../runtime/src/engine.js';

/** Installs the beforeEach/afterEach hooks in the calling `describe`. */
export function useFreshWasmBackend(): void {
  let previous: ReturnType<typeof getBackendImpl>;
  let before: ReturnType<typeof cp.getBackend>;
  beforeEach(async () => {
    before = cp.getBackend();
    previous = getBackendImpl('wasm');
    dropBackend('wasm');
    registerBackend('wasm', () => createWasmBackend());
    await cp.setBackend('wasm');
    cp.disableProfiling();
    cp.clearProfile();
  });
  afterEach(async () => {
    cp.disableProfiling();
    cp.clearProfile();
    dropBackend('wasm');
    registerBackend('wasm', () => previous);
    await cp.setBackend(before);
  });
}
