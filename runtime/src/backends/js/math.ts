/** Scalar definitions of every elementwise op: the reference semantics for all backends. */
import type { BinaryOp, UnaryOp } from '../backend.js';
import type { DType } from '../../types.js';

/** Applies a binary op to two numbers of `dtype` (int32 arithmetic wraps like C). */
export function binaryScalar(op: BinaryOp, x: number, y: number, dtype: DType): number {
  const int = dtype === 'int32';
  switch (op) {
    case 'add': return int ? (x + y) | 0 : x + y;
    case 'sub': return int ? (x - y) | 0 : x - y;
    case 'mul': return int ? Math.imul(x, y) : x * y;
    case 'div': return int ? (y === 0 ? 0 : Math.trunc(x / y) | 0) : x / y;
    case 'pow': return int ? Math.pow(x, y) | 0 : Math.pow(x, y);
    case 'maximum': return Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.max(x, y);
    case 'minimum': return Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.min(x, y);
    case 'eq': return x === y ? 1 : 0;
    case 'lt': return x < y ? 1 : 0;
    case 'gt': return x > y ? 1 : 0;
  }
}

/** Applies a unary op. */
export function unaryScalar(op: UnaryOp, x: number, dtype: DType): number {
  const int = dtype === 'int32';
  switch (op) {
    case 'neg': return int ? -x | 0 : -x;
    case 'abs': return int ? Math.abs(x) | 0 : Math.abs(x);
    case 'exp': return Math.exp(x);
    case 'log': return Math.log(x);
    case 'sqrt': return Math.sqrt(x);
    case 'tanh': return Math.tanh(x);
    case 'sigmoid': return 1 / (1 + Math.exp(-x));
    case 'relu': return x > 0 ? x : x === 0 || x < 0 ? 0 : x; // NaN stays NaN
  }
}

/** Converts one element to `dtype`: bool is nonzero (NaN counts as nonzero); float→int32 truncates and saturates, NaN → 0. */
export function castScalar(x: number, dtype: DType): number {
  switch (dtype) {
    case 'float32': return x;
    case 'bool': return x !== 0 ? 1 : 0;
    case 'int32':
      if (Number.isNaN(x)) return 0;
      if (x >= 2147483647) return 2147483647;
      if (x <= -2147483648) return -2147483648;
      return Math.trunc(x);
  }
}
