/** Hostile float32 inputs shared by the max/min kernel tests (wasm-reduce-extreme*.test.ts). */

/** Deterministic values in (0, 1]. */
export function unit(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s >>> 8) + 1) / 16777216;
  }
  return out;
}

/** A float32 NaN with the given sign and payload, set by its bits (a JS NaN store may not keep them). */
export function setNaN(a: Float32Array, at: number, negative: boolean, payload = 1): void {
  new Uint32Array(a.buffer, a.byteOffset, a.length)[at] = (negative ? 0xff800000 : 0x7f800000) | payload;
}

/** A number as text that tells -0 from 0. */
export const show = (x: number): string => (Object.is(x, -0) ? '-0' : String(x));
