/**
 * Argument checks at the API boundary, for callers without TypeScript (plain JavaScript, data
 * read from files). Every public function checks what it is given before anything is allocated,
 * so bad input throws an error that names the function, the argument, what was given and what is
 * allowed, and leaves every tensor and `memory()` as they were.
 *
 * The backends assert again at their boundary (backends/view-check.ts): a second line of
 * defence, so no kernel is reached with a shape or view that would address memory outside its
 * storage even if a check here were missed.
 */
import { MAX_ELEMENTS, shapeProblem } from '../shape.js';
import { Tensor } from '../tensor.js';
import { assertDType, type DType } from '../types.js';

/** A short description of a value for error messages: `-2`, `"0" (a string)`, `an array of 3 elements`. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `${String(v)} (a ${typeof v})`;
  if (typeof v === 'string') return `${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)} (a string)`;
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return `an array of ${v.length} element${v.length === 1 ? '' : 's'}`;
  if (isForeignTensor(v)) return 'a Tensor from another copy of corepy';
  if (ArrayBuffer.isView(v)) return `a ${v.constructor?.name ?? 'typed array'}`;
  const name = (v as object).constructor?.name;
  return name && name !== 'Object' ? `a ${name} object` : 'an object';
}

/**
 * True for a tensor made by another copy of corepy loaded in this process (a second install, or
 * ESM and CommonJS copies): its storage belongs to another runtime's backends and must never
 * reach this one's kernels.
 */
function isForeignTensor(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !(v instanceof Tensor) && v.constructor?.name === 'Tensor' &&
    Array.isArray((v as { shape?: unknown }).shape) && typeof (v as { dtype?: unknown }).dtype === 'string';
}

/** `${fn}: ${arg} must be ${allowed}, got ${given}` as a TypeError or RangeError. */
function fail(kind: 'type' | 'range', fn: string, arg: string, allowed: string, v: unknown, extra = ''): never {
  const msg = `${fn}: ${arg} must be ${allowed}, got ${describeValue(v)}${extra}`;
  throw kind === 'type' ? new TypeError(msg) : new RangeError(msg);
}

/** Checks a shape argument (non-negative safe integers, at most {@link MAX_ELEMENTS} elements); returns a copy. */
export function checkShape(fn: string, arg: string, shape: unknown): number[] {
  const problem = shapeProblem(shape);
  if (problem === null) return [...(shape as number[])];
  const given = Array.isArray(shape) ? `[${shape.map((d) => (typeof d === 'string' ? JSON.stringify(d) : String(d))).join(', ')}]` : describeValue(shape);
  const hint = typeof shape === 'number' ? ` (pass the dimensions as one array, e.g. ${fn}([${shape}, …]))` : '';
  throw new (Array.isArray(shape) ? RangeError : TypeError)(
    `${fn}: ${arg} must be an array of non-negative integers with at most ${MAX_ELEMENTS} elements in all; got ${given}: ${problem}${hint}`,
  );
}

/** Checks that `x` is a live tensor of this runtime. */
export function checkTensor(fn: string, arg: string, x: unknown): Tensor {
  if (x instanceof Tensor) {
    x.assertAlive(fn);
    return x;
  }
  if (isForeignTensor(x)) {
    throw new TypeError(`${fn}: ${arg} is a Tensor from another copy of corepy loaded in this process; ` +
      'tensors cannot cross runtimes (import corepy from one place, or move the data with tensor(t.dataSync()))');
  }
  return fail('type', fn, arg, 'a Tensor', x);
}

/** Checks an operand of an elementwise op: a tensor of this runtime, a number or a boolean. */
export function checkOperand(fn: string, arg: string, x: unknown): Tensor | number | boolean {
  if (typeof x === 'number' || typeof x === 'boolean') return x;
  if (x instanceof Tensor || isForeignTensor(x)) return checkTensor(fn, arg, x);
  const hint = Array.isArray(x) ? ' (wrap arrays with cp.tensor(...) first)' : '';
  return fail('type', fn, arg, 'a Tensor, a number or a boolean', x, hint);
}

/** Checks an integer argument within [min, max]. */
export function checkInt(fn: string, arg: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) return fail('type', fn, arg, `an integer${min > -Infinity ? ` ≥ ${min}` : ''}`, v);
  if (v < min || v > max) return fail('range', fn, arg, max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`, v);
  return v;
}

/** Checks a finite number argument. */
export function checkFinite(fn: string, arg: string, v: unknown): number {
  if (typeof v !== 'number') return fail('type', fn, arg, 'a finite number', v);
  if (!Number.isFinite(v)) return fail('range', fn, arg, 'a finite number', v);
  return v;
}

/** Checks an optional boolean flag (undefined → `dflt`). */
export function checkFlag(fn: string, arg: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') return fail('type', fn, arg, 'true or false', v);
  return v;
}

/** Checks a dtype argument; the message names the function and lists the allowed dtypes. */
export function checkDType(fn: string, v: unknown): DType {
  try {
    assertDType(v);
  } catch (e) {
    throw new TypeError(`${fn}: ${(e as Error).message}`);
  }
  return v;
}

/** Checks an options argument: undefined or a plain object. */
export function checkOptions<T extends object>(fn: string, arg: string, v: unknown): T | undefined {
  if (v === undefined) return undefined;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return fail('type', fn, arg, 'an options object', v);
  return v as T;
}
