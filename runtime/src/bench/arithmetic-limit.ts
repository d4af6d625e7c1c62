/**
 * A compute limit for a kernel that is bound by its arithmetic, not by memory (`exp`): how long this
 * machine takes to execute the kernel's vector operations alone, with no loads, stores or data
 * dependencies between vectors in the way. A hand-assembled wasm module runs, per 4 floats, the
 * instruction mix of `exp4` in kernels-rust/src/math.rs ({@link EXP4_MIX}) on independent register
 * chains (8 float, 4 integer; constant operands that leave the values unchanged, so no denormal or
 * overflow slows it down). The kernel's time over this limit says how far it is from what its
 * arithmetic allows; the `memory.copy` limit (jit.ts) is the wrong yardstick for it. Used by
 * `npm run bench:jit -- --limit`. A benchmark helper, not a test.
 */

import { uleb } from '../backends/wasm/codegen.js';

/** A vector op of the mix: its SIMD opcode (after the 0xfd prefix) and how many per 4 floats. */
interface MixOp { readonly name: string; readonly opcode: number; readonly count: number; readonly kind: 'float' | 'int' | 'shift' }

/**
 * The vector operations of `exp4` (kernels-rust/src/math.rs) per 4 floats, counted from its source:
 * clamp (pmin, pmax), k = round(x·log2 e) (mul, add, sub), r = x − k·ln2 (2 mul, 2 sub), the degree-5
 * polynomial (5 mul, 5 add), e = p·r·r + r + 1 (2 mul, 2 add), 2^k from k's bits (2 sub, 2 add, 2 shl,
 * 1 shr) and the two scalings (2 mul): 25 float and 7 integer ops. Update with exp4.
 */
export const EXP4_MIX: readonly MixOp[] = [
  { name: 'f32x4.mul', opcode: 0xe6, count: 12, kind: 'float' },
  { name: 'f32x4.add', opcode: 0xe4, count: 8, kind: 'float' },
  { name: 'f32x4.sub', opcode: 0xe5, count: 3, kind: 'float' },
  { name: 'f32x4.pmin', opcode: 0xea, count: 1, kind: 'float' },
  { name: 'f32x4.pmax', opcode: 0xeb, count: 1, kind: 'float' },
  { name: 'i32x4.sub', opcode: 0xb1, count: 2, kind: 'int' },
  { name: 'i32x4.add', opcode: 0xae, count: 2, kind: 'int' },
  { name: 'i32x4.shl', opcode: 0xab, count: 2, kind: 'shift' },
  { name: 'i32x4.shr_s', opcode: 0xac, count: 1, kind: 'shift' },
];

/** Vector ops per 4 floats in `mix`. */
export function opsPerVector(mix: readonly MixOp[]): number {
  return mix.reduce((n, m) => n + m.count, 0);
}


const FLOAT_CHAINS = 8;
const INT_CHAINS = 4;

/** `v128.const` of four copies of the 32-bit pattern `bits`. */
function v128Const(bits: number): number[] {
  const b = [bits & 0xff, (bits >>> 8) & 0xff, (bits >>> 16) & 0xff, (bits >>> 24) & 0xff];
  return [0xfd, 0x0c, ...b, ...b, ...b, ...b];
}
const F32_ONE = 0x3f800000, F32_ZERO = 0, F32_INF = 0x7f800000, F32_NEG_INF = 0xff800000;

/**
 * The module's one function `mix(trips)`: each trip applies `mix` to FLOAT_CHAINS vectors (float ops on
 * the 8 float chains, integer ops spread over the 4 integer chains), i.e. the arithmetic of 8 vectors =
 * 32 floats. Float operands leave a chain's value at 1.0 (×1, +0, −0, pmin with +∞, pmax with −∞).
 */
function mixModule(mix: readonly MixOp[]): Uint8Array {
  const body: number[] = [];
  const f = (k: number) => 1 + k; // local 0 is the trip count
  const i = (k: number) => 1 + FLOAT_CHAINS + k;
  for (let k = 0; k < FLOAT_CHAINS; k++) body.push(...v128Const(F32_ONE), 0x21, ...uleb(f(k)));
  for (let k = 0; k < INT_CHAINS; k++) body.push(...v128Const(k + 1), 0x21, ...uleb(i(k)));
  body.push(0x02, 0x40, 0x03, 0x40); // block, loop
  body.push(0x20, 0, 0x45, 0x0d, 1); // if trips == 0: leave
  let intTurn = 0;
  for (const m of mix) {
    for (let c = 0; c < m.count; c++) {
      for (let k = 0; k < FLOAT_CHAINS; k++) {
        if (m.kind === 'float') {
          const operand = m.opcode === 0xe6 ? F32_ONE : m.opcode === 0xea ? F32_INF : m.opcode === 0xeb ? F32_NEG_INF : F32_ZERO;
          body.push(0x20, ...uleb(f(k)), ...v128Const(operand), 0xfd, ...uleb(m.opcode), 0x21, ...uleb(f(k)));
        } else {
          const ch = i(intTurn++ % INT_CHAINS);
          const operand = m.kind === 'shift' ? [0x41, 1] : v128Const(1); // shifts take an i32 count
          body.push(0x20, ...uleb(ch), ...operand, 0xfd, ...uleb(m.opcode), 0x21, ...uleb(ch));
        }
      }
    }
  }
  body.push(0x20, 0, 0x41, 1, 0x6b, 0x21, 0, 0x0c, 0, 0x0b, 0x0b); // trips -= 1; br loop; end; end
  // Result: lane 0 of the sum of every chain (keeps them all live).
  body.push(0x20, ...uleb(f(0)));
  for (let k = 1; k < FLOAT_CHAINS; k++) body.push(0x20, ...uleb(f(k)), 0xfd, ...uleb(0xe4));
  for (let k = 0; k < INT_CHAINS; k++) body.push(0x20, ...uleb(i(k)), 0xfd, ...uleb(0xae));
  body.push(0xfd, 0x1f, 0, 0x0b); // f32x4.extract_lane 0; end
  const locals = [1, ...uleb(FLOAT_CHAINS + INT_CHAINS), 0x7b]; // one run of v128 locals
  const func = [...locals, ...body];
  const code = [1, ...uleb(func.length), ...func];
  return new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0, // magic, version
    1, 6, 1, 0x60, 1, 0x7f, 1, 0x7d, // type: (i32) -> f32
    3, 2, 1, 0, // function 0 has type 0
    7, 7, 1, 3, 109, 105, 120, 0, 0, // export "mix" = func 0
    10, ...uleb(code.length), ...code,
  ]);
}

/**
 * A function that runs the arithmetic of `mix` for `elements` floats (elements / 32 trips of 8
 * vectors): time it beside the kernel for its compute limit.
 */
export function arithmeticLimit(elements: number, mix: readonly MixOp[] = EXP4_MIX): () => void {
  // The runtime's tsconfig has no DOM/wasm lib types: name the two constructors used.
  const wa = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object) => object } }).WebAssembly;
  const inst = new wa.Instance(new wa.Module(mixModule(mix))) as { exports: { mix(trips: number): number } };
  const trips = Math.ceil(elements / (4 * FLOAT_CHAINS));
  return () => { inst.exports.mix(trips); };
}
