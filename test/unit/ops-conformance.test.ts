/**
 * Every op on every CPU backend against the `js` reference on awkward shapes: sizes 0, 1, 63,
 * 65, 1023; every broadcasting pattern up to rank 4; views (transposed, sliced, reversed);
 * axis sets including negative axes. Tolerances are stated in helpers.ts.
 */
import { describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import type { Tensor } from '../../runtime/src/index.js';
import { assertClose, cpuBackendsUnderTest, TOL_ACCUMULATE, TOL_ELEMENTWISE, TOL_TRANSCENDENTAL, values, withBackend, type Tolerance } from './helpers.js';

const SIZES = [0, 1, 63, 65, 1023];
const BINARY = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'eq', 'lt', 'gt'] as const;
const UNARY = ['neg', 'abs', 'exp', 'log', 'sqrt', 'tanh', 'sigmoid', 'relu'] as const;

/** Every pair of shapes of rank ≤ 4 where each dimension is full or 1 (b may also be lower rank). */
function broadcastPairs(): [number[], number[]][] {
  const dims = [2, 3, 4, 5];
  const pairs: [number[], number[]][] = [];
  for (let rank = 0; rank <= 4; rank++) {
    const base = dims.slice(0, rank);
    for (let ma = 0; ma < 1 << rank; ma++) {
      for (let mb = 0; mb < 1 << rank; mb++) {
        const a = base.map((d, i) => (ma >> i) & 1 ? 1 : d);
        const b = base.map((d, i) => (mb >> i) & 1 ? 1 : d);
        pairs.push([a, b]);
        if (rank > 0 && ma === 0) pairs.push([a, b.slice(1)]);
      }
    }
  }
  return pairs;
}

/** Builds the same input on a backend: a (possibly non-contiguous) view of deterministic data. */
function input(shape: number[], seed: number, layout: 'contiguous' | 'transposed' | 'reversed' = 'contiguous', positive = false): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = values(n, seed).map((x) => (positive ? Math.abs(x) + 0.01 : x));
  if (layout === 'contiguous' || shape.length < 2) {
    const t = cp.tensor(Float32Array.from(v), { shape });
    return layout === 'reversed' && shape.length === 1 ? t.slice([[null, null, -1]]) : t;
  }
  if (layout === 'transposed') {
    const rev = [...shape].reverse();
    return cp.tensor(Float32Array.from(v), { shape: rev }).transpose();
  }
  return cp.tensor(Float32Array.from(v), { shape }).slice([[null, null, -1]]);
}

function compare(name: string, tol: Tolerance, fn: () => Tensor | Tensor[]): void {
  const run = (b: 'js' | 'wasm') => withBackend(b, () => cp.tidy(() => {
    const r = fn();
    return (Array.isArray(r) ? r : [r]).map((t) => Array.from(t.cast('float32').dataSync()));
  }));
  const expected = run('js');
  for (const backend of cpuBackendsUnderTest()) {
    const actual = run(backend);
    expected.forEach((e, i) => assertClose(actual[i]!, e, tol, `${backend} ${name}`));
  }
}

describe('ops conformance against the js reference', function () {
  it(`lists backends under test: ${cpuBackendsUnderTest().join(', ') || '(none besides js)'}`, () => undefined);

  describe('binary ops over every broadcasting pattern of rank ≤ 4', () => {
    for (const op of BINARY) {
      it(op, () => {
        for (const [sa, sb] of broadcastPairs()) {
          compare(`${op} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`, TOL_ELEMENTWISE, () =>
            cp[op](input(sa, 1), op === 'div' ? input(sb, 2, 'contiguous', true) : input(sb, 2)));
        }
      });
    }
    it('pow on positive bases', () => {
      for (const n of SIZES) compare(`pow ${n}`, TOL_TRANSCENDENTAL, () => cp.pow(input([n], 3, 'contiguous', true), input([n], 4)));
    });
    it('scalar operands, int32 and bool promotion', () => {
      for (const n of SIZES) {
        compare(`scalars ${n}`, TOL_ELEMENTWISE, () => [input([n], 5).add(2.5), input([n], 5).mul(-3), cp.arange(n).add(7), cp.arange(n).mul(cp.arange(n)), cp.arange(n).div(3), cp.arange(n).gt(4)]);
      }
    });
    it('where with broadcasting', () => {
      compare('where', TOL_ELEMENTWISE, () => cp.where(input([3, 1, 4], 1).gt(0), input([5, 4], 2), input([1], 3)));
    });
  });

  describe('unary ops on awkward sizes and views', () => {
    for (const op of UNARY) {
      it(op, () => {
        const positive = op === 'log' || op === 'sqrt';
        const tol = op === 'neg' || op === 'abs' || op === 'relu' || op === 'sqrt' ? TOL_ELEMENTWISE : TOL_TRANSCENDENTAL;
        for (const n of SIZES) compare(`${op} ${n}`, tol, () => cp[op](input([n], 7, 'reversed', positive)));
        compare(`${op} transposed`, tol, () => cp[op](input([7, 9, 3], 8, 'transposed', positive)));
      });
    }
    it('exp/log/tanh/sigmoid over a wide range', () => {
      const x = Float32Array.from({ length: 2001 }, (_, i) => (i - 1000) / 20);
      compare('transcendental range', TOL_TRANSCENDENTAL, () => {
        const t = cp.tensor(x);
        return [t.exp(), t.tanh(), t.sigmoid(), t.abs().add(1e-3).log()];
      });
    });
    it('cast between dtypes', () => {
      compare('cast', TOL_ELEMENTWISE, () => [input([65], 9).mul(10).cast('int32'), input([65], 9).cast('bool'), cp.arange(65).cast('float32')]);
    });
  });

  describe('reductions over axis sets', () => {
    const shapes = [[0], [1], [63], [65], [1023], [3, 0, 2], [4, 5, 6], [2, 3, 4, 5]];
    for (const op of ['sum', 'mean', 'min', 'max', 'argmax'] as const) {
      it(op, () => {
        for (const shape of shapes) {
          const rank = shape.length;
          const axesList: (number | number[] | undefined)[] = [undefined, -1, 0];
          if (rank >= 2) axesList.push([0, rank - 1], 1, [-2, -1]);
          if (rank >= 3) axesList.push([0, 2], [1]);
          for (const axis of axesList) {
            const reducesEmpty = shape.some((d, i) => d === 0 && (axis === undefined || [axis].flat().map((a) => (a! + rank) % rank).includes(i)));
            if (reducesEmpty && op !== 'sum' && op !== 'mean') continue;
            compare(`${op} ${JSON.stringify(shape)} axis ${JSON.stringify(axis)}`, TOL_ACCUMULATE, () => cp[op](input(shape, 11, rank >= 2 ? 'transposed' : 'contiguous'), axis, true));
          }
        }
      });
    }
    it('var, std and moments', () => {
      for (const shape of [[1], [63], [1023], [4, 5, 6]]) {
        for (const axis of [undefined, -1, 0]) {
          compare(`moments ${JSON.stringify(shape)} ${axis}`, TOL_ACCUMULATE, () => {
            const t = input(shape, 12);
            const m = t.moments(axis);
            return [m.mean, m.variance, t.std(axis), t.var(axis, false, 1)];
          });
        }
      }
    });
  });

  describe('matmul', () => {
    const cases: [number[], number[]][] = [
      [[1, 1], [1, 1]], [[3, 5], [5, 2]], [[63, 65], [65, 17]], [[65, 1], [1, 63]], [[2, 3, 4], [4, 5]],
      [[2, 1, 4, 3], [5, 3, 6]], [[7], [7, 3]], [[4, 7], [7]], [[0, 4], [4, 3]], [[3, 0], [0, 2]],
    ];
    it('2-D, batched with broadcast batch dims, 1-D operands and empty', () => {
      for (const [sa, sb] of cases) compare(`matmul ${JSON.stringify(sa)} @ ${JSON.stringify(sb)}`, TOL_ACCUMULATE, () => cp.matmul(input(sa, 13), input(sb, 14)));
    });
    it('int32 and bool operands (computed in float32), incl. a 1-D int vector', () => {
      compare('matmul int', TOL_ACCUMULATE, () => [cp.matmul(cp.arange(12).reshape([3, 4]), cp.arange(4)),
        cp.matmul(cp.arange(3), cp.arange(12).reshape([3, 4]).transpose([1, 0]).transpose([1, 0])),
        cp.matmul(input([2, 3], 21).gt(0), input([3, 2], 22))]);
    });
    it('transposed operands (strided input)', () => {
      compare('matmul transposed', TOL_ACCUMULATE, () => cp.matmul(input([33, 17], 15, 'transposed'), input([17, 9], 16, 'transposed')));
    });
  });

  describe('views and joins', () => {
    it('slice, concat, stack, reshape of views', () => {
      compare('views', TOL_ELEMENTWISE, () => {
        const t = input([4, 5, 6], 17);
        return [t.slice([[1, 3], null, [null, null, -2]]).contiguous(), cp.concat([t, t.mul(2)], -1), cp.stack([t, t], 1),
          t.transpose().reshape([-1]), t.permute(2, 0, 1).unsqueeze(1).squeeze(1).add(0)];
      });
    });
  });
});
