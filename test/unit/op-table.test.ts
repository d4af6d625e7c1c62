/**
 * The op table (runtime/src/backends/op-table.ts) against the Rust kernels: every coded op's
 * number is the one the kernel's `match` runs for that op, and every kernel that takes a code
 * traps on a code the table does not define (both builds) instead of running some other kernel.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'mocha';
import { OPS, kernelCode, outputDtype, type OpName } from '../../runtime/src/backends/op-table.js';
import { loadKernels } from '../../runtime/src/backends/wasm/loader.js';

const rust = (file: string): string => readFileSync(new URL(`../../kernels-rust/src/${file}`, import.meta.url), 'utf8');

/** `code => go::<f32, AddF>` arms of the exported function `name` in `src`: kernel type → code. */
function matchArms(src: string, name: string): Map<string, number> {
  const start = src.indexOf(`pub unsafe extern "C" fn ${name}(`);
  assert.ok(start >= 0, `${name} is exported`);
  const body = src.slice(start, src.indexOf('\n}\n', start));
  return new Map([...body.matchAll(/(\d+) => goc?::<\w+, (\w+?)[FI]>/g)].map((m) => [m[2]!.toLowerCase(), Number(m[1])]));
}

/** The Rust kernel type name of an op (`maximum` → `max`). */
const rustName = (op: string): string => ({ maximum: 'max', minimum: 'min' } as Record<string, string>)[op] ?? op;

const coded = (kind: 'binary' | 'unary' | 'reduce'): OpName[] =>
  (Object.keys(OPS) as OpName[]).filter((op) => (OPS[op] as { kernel?: { kind: string } }).kernel?.kind === kind);

describe('op table', () => {
  it('binary and unary codes are the ones the Rust kernels match on', () => {
    for (const [kind, fns] of [['binary', ['binary_f32', 'binary_i32']], ['unary', ['unary_f32']]] as const) {
      for (const fn of fns) {
        const arms = matchArms(rust(`${kind}.rs`), fn);
        for (const op of coded(kind)) assert.equal(arms.get(rustName(op)), kernelCode(op as never), `${fn}: ${op}`);
        assert.equal(arms.size, coded(kind).length, `${fn} has one arm per ${kind} op`);
      }
    }
  });

  it('reduce codes follow reduce.rs\'s documented numbering', () => {
    const doc = /`op`: (0 sum, 1 mean,\s*\/\/\/ 2 min, 3 max, 4 argmax)/.exec(rust('reduce.rs'))?.[1];
    assert.ok(doc, 'reduce_f32 documents its codes');
    const codes = new Map([...doc.matchAll(/(\d+) (\w+)/g)].map((m) => [m[2]!, Number(m[1])]));
    for (const op of coded('reduce')) assert.equal(codes.get(op), kernelCode(op as never), op);
    assert.equal(codes.size, coded('reduce').length);
  });

  it('dtype rules: comparisons give bool, mean float32, argmax int32, the rest keep their input', () => {
    assert.equal(outputDtype('eq', 'float32'), 'bool');
    assert.equal(outputDtype('gt', 'int32'), 'bool');
    assert.equal(outputDtype('add', 'int32'), 'int32');
    assert.equal(outputDtype('mean', 'int32'), 'float32');
    assert.equal(outputDtype('argmax', 'float32'), 'int32');
    assert.equal(outputDtype('sum', 'int32'), 'int32');
  });

  for (const flavour of ['simd', 'scalar'] as const) {
    it(`every coded kernel traps on a code outside the table (${flavour} build)`, () => {
      const traps = (what: string, call: () => void) =>
        assert.throws(call, (e: unknown) => e instanceof WebAssembly.RuntimeError && /unreachable/.test(e.message), what);
      const fresh = () => loadKernels(flavour).exports;
      const nBinary = coded('binary').length, nUnary = coded('unary').length, nReduce = coded('reduce').length;
      for (const bad of [nBinary, 0x7fffffff]) {
        traps(`binary_f32(${bad})`, () => fresh().binary_f32(bad, 0, 0, 0, 0, 0));
        traps(`binary_i32(${bad})`, () => fresh().binary_i32(bad, 0, 0, 0, 0, 0));
      }
      for (const bad of [nUnary, 0x7fffffff]) traps(`unary_f32(${bad})`, () => fresh().unary_f32(bad, 0, 0, 0, 0));
      // int32 defines only neg, abs and relu: the float-only codes trap too.
      for (const op of ['exp', 'log', 'sqrt', 'tanh', 'sigmoid'] as const) traps(`unary_i32(${op})`, () => fresh().unary_i32(kernelCode(op), 0, 0, 0, 0));
      traps('unary_i32(out of range)', () => fresh().unary_i32(nUnary, 0, 0, 0, 0));
      traps('reduce_f32', () => fresh().reduce_f32(nReduce, 1, 0, 0, 0));
      traps('reduce_i32', () => fresh().reduce_i32(nReduce, 1, 0, 0, 0));
      traps('reduce_cols_f32', () => fresh().reduce_cols_f32(nReduce, 1, 0, 0, 0, 0, 0));
      traps('cast (unknown dtype code)', () => fresh().cast(3, 0, 0, 0, 0, 0));
      traps('cast (unknown target dtype code)', () => fresh().cast(0, 3, 0, 0, 0, 0));
      traps('copy_strided (width 2)', () => fresh().copy_strided(2, 0, 0, 0, 0));
      traps('where_select (width 2)', () => fresh().where_select(2, 0, 0, 0, 0, 0, 0));
    });
  }
});
