/**
 * Seeded random tensors. One global generator (xoshiro128**, seeded through splitmix32) so a
 * script that calls `cp.seed(n)` first is reproducible on every backend.
 */
import type { Tensor } from '../tensor.js';
import { checkCreateOptions, type CreateOptions, fromWriter } from './creation.js';
import { checkFinite, checkShape } from './validate.js';
import { sizeOf } from '../shape.js';
import type { Backend, Storage } from '../backends/backend.js';
import { getBackendImpl } from '../engine.js';
import { F, INV_R, K, R, W } from './ziggurat-tables.js';

const state = new Uint32Array(4);

/** Seeds the global generator. */
export function seed(s: number): void {
  let x = checkFinite('seed', 's', s) >>> 0;
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    state[i] = (z ^ (z >>> 16)) >>> 0;
  }
}
seed(0x5eed);

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Next u32 output of the generator. */
function nextU32(): number {
  const result = Math.imul(rotl(Math.imul(state[1]!, 5) >>> 0, 7), 9) >>> 0;
  const t = (state[1]! << 9) >>> 0;
  state[2]! ^= state[0]!;
  state[3]! ^= state[1]!;
  state[1]! ^= state[2]!;
  state[0]! ^= state[3]!;
  state[2]! ^= t;
  state[3] = rotl(state[3]!, 11);
  return result;
}

/** Next uniform float in [0, 1): the u32 output over 2^32. */
function next(): number {
  return nextU32() / 4294967296;
}

/**
 * One standard normal value by the ziggurat method (Marsaglia and Tsang, 2000; the tables and
 * their layout: scripts/ziggurat-tables.ts). kernels-rust/src/random.rs's `normal` takes the same
 * steps in the same order, so both draw the same values and leave the generator in the same state.
 * A draw u gives the layer i (bits 0–6), the sign (bit 7) and a magnitude j (bits 8–31); when
 * j < K[i] (98.8 % of draws) the value is ±j·W[i]. Otherwise: in layer 0, a value from the tail
 * beyond R; in another layer, x = j·W[i] is kept when a uniform height in [F[i], F[i−1]) lies
 * under e^{−x²/2}, else a new u is drawn. Only these rare cases call `Math.log`/`Math.exp`
 * (the wasm kernel imports the host's own).
 */
function normal(): number {
  for (;;) {
    const u = nextU32();
    const i = u & 127, j = u >>> 8, negative = (u & 128) !== 0;
    if (j < K[i]!) {
      const x = j * W[i]!;
      return negative ? -x : x;
    }
    let x: number;
    if (i === 0) {
      for (;;) {
        // 1 − next() is in (0, 1]: its log is finite.
        x = -Math.log(1 - next()) * INV_R;
        const y = -Math.log(1 - next());
        if (!(y + y < x * x)) break;
      }
      x = R + x;
    } else {
      x = j * W[i]!;
      if (!(F[i]! + next() * (F[i - 1]! - F[i]!) < Math.exp(-0.5 * x * x))) continue;
    }
    return negative ? -x : x;
  }
}

/** Options of random creation functions. */
export interface RandomOptions extends CreateOptions {
  /** Reseeds the global generator before drawing. */
  readonly seed?: number;
}

/** Checks the arguments of a random creation function, then reseeds when asked. */
function checkRandom(fn: string, shape: unknown, options: unknown): { shape: number[]; options: RandomOptions | undefined } {
  const s = checkShape(fn, 'shape', shape);
  const o = checkCreateOptions<RandomOptions>(fn, options);
  if (o?.dtype !== undefined && o.dtype !== 'float32') throw new TypeError(`${fn}: dtype must be float32 (random values are float32), got ${JSON.stringify(o.dtype)}`);
  if (o?.seed !== undefined) seed(checkFinite(fn, 'options.seed', o.seed));
  return { shape: s, options: o };
}

/**
 * The draws of `kind` as new storage on `b`: its own kernel where it has one (Backend.random, the
 * same values as the writers below); on a GPU, drawn by the wasm kernels and uploaded (the writers
 * run in V8's interpreter on a first call there too; runtime/BENCHMARKS.md, "`rand` and `randn` as
 * kernels"); undefined where neither exists, and the JavaScript writer draws.
 */
function drawnStorage(b: Backend, kind: 'uniform' | 'normal', n: number): Storage | undefined {
  const own = b.random?.(kind, n, state);
  if (own !== undefined || b.device !== 'gpu') return own;
  let cpu: Backend;
  try {
    cpu = getBackendImpl('wasm');
  } catch {
    return undefined; // no wasm kernels here: the writer draws
  }
  if (cpu.random === undefined) return undefined;
  const drawn = cpu.random(kind, n, state);
  try {
    return b.upload(cpu.readSync({ storage: drawn, dtype: 'float32', shape: [n], strides: [1], offset: 0 }), 'float32');
  } finally {
    cpu.free(drawn);
  }
}

/** Uniform float32 values in [0, 1). */
export function rand(shape: readonly number[], options?: RandomOptions): Tensor {
  ({ shape, options } = checkRandom('rand', shape, options));
  const n = sizeOf(shape);
  // The wasm kernels draw where they can (the same values: drawnStorage); the loop is the reference.
  return fromWriter('rand', 'float32', shape, (dst) => { for (let i = 0; i < dst.length; i++) dst[i] = next(); }, options,
    (b) => drawnStorage(b, 'uniform', n));
}

/** Standard normal float32 values (the ziggurat method: `normal` above). */
export function randn(shape: readonly number[], options?: RandomOptions): Tensor {
  ({ shape, options } = checkRandom('randn', shape, options));
  const n = sizeOf(shape);
  return fromWriter('randn', 'float32', shape, (dst) => { for (let i = 0; i < dst.length; i++) dst[i] = normal(); }, options,
    (b) => drawnStorage(b, 'normal', n));
}
