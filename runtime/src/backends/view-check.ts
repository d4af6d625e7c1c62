/**
 * Assertions at the backend boundary: the second line of defence behind the API's argument
 * checks (ops/validate.ts). A kernel given a negative or fractional extent, or a view that reaches
 * outside its storage, would read or — in wasm linear memory, shared by every tensor — write
 * another tensor's bytes. These checks cost O(rank) per operand and throw before any kernel runs.
 */
import { shapeProblem } from '../shape.js';
import type { View } from './backend.js';

/** Throws when `shape` is not a valid tensor shape (see {@link shapeProblem}). */
export function assertShape(where: string, shape: readonly number[]): void {
  const problem = shapeProblem(shape);
  if (problem !== null) throw new RangeError(`${where}: invalid shape [${String(shape)}] reached the backend: ${problem}`);
}

/**
 * Throws unless every element `view` addresses lies inside its storage: a valid shape, integer
 * strides and offset, and the lowest and highest reachable element indices within
 * [0, storage.size). A view of zero elements addresses nothing and always passes.
 */
export function assertViewFits(where: string, view: View): void {
  const { shape, strides, offset } = view;
  assertShape(where, shape);
  if (strides.length !== shape.length) throw new RangeError(`${where}: view has ${shape.length} dimensions but ${strides.length} strides`);
  let lo = offset, hi = offset, empty = false;
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!, s = strides[d]!;
    if (n === 0) empty = true;
    if (!Number.isSafeInteger(s)) throw new RangeError(`${where}: stride ${d} is ${s}; strides must be integers`);
    if (s > 0) hi += (n - 1) * s; else lo += (n - 1) * s;
  }
  if (empty) return;
  if (!Number.isSafeInteger(offset) || lo < 0 || hi >= view.storage.size) {
    throw new RangeError(
      `${where}: view (shape [${String(shape)}], strides [${String(strides)}], offset ${offset}) addresses elements ` +
      `${lo}..${hi} of a storage of ${view.storage.size}`,
    );
  }
}
