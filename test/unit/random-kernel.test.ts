/**
 * `rand` and `randn` drawn by the wasm kernels (kernels-rust/src/random.rs, simd and scalar builds)
 * equal, bit for bit, the TypeScript writers the js backend runs from the same seed, and leave the
 * generator where those writers leave it (the next draw continues the same stream); on the GPU the
 * wasm kernels draw and the values are uploaded, the same again.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import fc from 'fast-check';
import * as cp from '../../runtime/src/index.js';
import type { Storage } from '../../runtime/src/backends/backend.js';
import { createWasmBackend } from '../../runtime/src/backends/wasm/index.js';
import { withBackend } from './helpers.js';

type Draw = 'rand' | 'randn';

/** `n` draws of `f` from `seed`, then 3 more (the stream continued), on the default backend `backend`. */
function drawn(backend: 'js' | 'wasm', f: Draw, n: number, seed: number): Float32Array[] {
  return withBackend(backend, () => cp.tidy(() => [cp[f]([n], { seed }).dataSync() as Float32Array, cp[f]([3]).dataSync() as Float32Array]));
}

function assertSameBits(got: Float32Array, want: Float32Array, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) assert.fail(`${what}[${i}] = ${got[i]}, the JavaScript writer draws ${want[i]}`);
}

describe('rand and randn kernels', () => {
  for (const f of ['rand', 'randn'] as const) {
    it(`${f}: the wasm backend draws what the js backend draws, and continues the stream alike (sizes 0, 1, odd, even, 65,536)`, () => {
      for (const n of [0, 1, 2, 3, 7, 1000, 1001, 65536]) for (const seed of [0, 1, 0x5eed, 0xdeadbeef]) {
        const [a, a2] = drawn('wasm', f, n, seed), [b, b2] = drawn('js', f, n, seed);
        assertSameBits(a!, b!, `${f}([${n}], seed ${seed})`);
        assertSameBits(a2!, b2!, `${f}([3]) after ${f}([${n}], seed ${seed})`);
      }
    });

    it(`${f}: the same on random seeds and sizes (fast-check)`, () => {
      fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 300 }), (seed, n) => {
        const [a, a2] = drawn('wasm', f, n, seed), [b, b2] = drawn('js', f, n, seed);
        assertSameBits(a!, b!, `${f}([${n}], seed ${seed})`);
        assertSameBits(a2!, b2!, `${f}([3]) after ${f}([${n}], seed ${seed})`);
      }), { numRuns: 100 });
    });
  }

  it('on the GPU: the wasm kernels draw and the draws are uploaded — the same values as the js backend, the stream continued', async function () {
    this.timeout(120000);
    await cp.initGpu(); // lavapipe in CI; this file's other tests need no GPU
    for (const f of ['rand', 'randn'] as const) for (const n of [1, 7, 65536]) {
      const [a, a2] = await Promise.all(cp.tidy(() => [cp[f]([n], { seed: 42, device: 'gpu' }), cp[f]([3], { device: 'gpu' })]).map(async (t) => {
        const d = (await t.data()) as Float32Array;
        t.dispose();
        return d;
      }));
      const [b, b2] = drawn('js', f, n, 42);
      assertSameBits(a!, b!, `${f}([${n}]) on the GPU, seed 42`);
      assertSameBits(a2!, b2!, `${f}([3]) on the GPU after ${f}([${n}])`);
    }
  });

  it('the scalar build draws what the simd build draws, and both advance the state alike', () => {
    const read = (b: ReturnType<typeof createWasmBackend>, s: Storage): Float32Array =>
      b.readSync({ storage: s, dtype: 'float32', shape: [s.size], strides: [1], offset: 0 }) as Float32Array;
    const simd = createWasmBackend({ flavour: 'simd', threads: 1 }), scalar = createWasmBackend({ flavour: 'scalar', threads: 1 });
    for (const kind of ['uniform', 'normal'] as const) {
      const s1 = Uint32Array.of(1, 2, 3, 4), s2 = Uint32Array.of(1, 2, 3, 4);
      const a = simd.random!(kind, 999, s1), b = scalar.random!(kind, 999, s2);
      assertSameBits(read(simd, a), read(scalar, b), `${kind} scalar vs simd`);
      assert.deepEqual(Array.from(s1), Array.from(s2), `${kind}: state after the draw`);
      assert.notDeepEqual(Array.from(s1), [1, 2, 3, 4], `${kind}: state advanced`);
      simd.free(a); scalar.free(b);
    }
  });
});
