/**
 * Tutorial 2.2 — profile your own functions.
 *
 * Run: npx tsx tutorials/02_intermediate/02_custom_decorators.ts
 *
 * What to look for:
 *  - `@profiled()` on a class method (TypeScript 5 standard decorators) and `profiled(fn)` around
 *    a plain function make every call a named span in the report and the flame graph;
 *  - spans nest: `Model.forward` calls `dense` twice, so the report shows forward's total time
 *    and its self time (total minus the nested dense calls) — large self time means the cost is
 *    in forward's own ops, not in what it calls;
 *  - count / mean / min / max per function, so a function that is slow only sometimes shows up.
 */
import * as cp from 'corepy';
import { profiled } from 'corepy';

// A plain function, wrapped once; the name in reports defaults to the function's name.
const dense = profiled(function dense(x: cp.Tensor, w: cp.Tensor, b: cp.Tensor): cp.Tensor {
  return x.matmul(w).add(b);
});

class Model {
  constructor(private readonly w1: cp.Tensor, private readonly b1: cp.Tensor, private readonly w2: cp.Tensor, private readonly b2: cp.Tensor) {}

  // The decorator's argument names the span; without one it is the method's name.
  @profiled('Model.forward')
  forward(x: cp.Tensor): cp.Tensor {
    const hidden = dense(x, this.w1, this.b1).relu();
    return dense(hidden, this.w2, this.b2).sigmoid();
  }

  @profiled('Model.loss')
  loss(x: cp.Tensor, y: cp.Tensor): number {
    const p = this.forward(x);
    return p.sub(y).pow(2).mean().item();
  }
}

cp.seed(1);
const model = new Model(cp.randn([64, 128]), cp.zeros([128]), cp.randn([128, 1]), cp.zeros([1]));
const x = cp.randn([512, 64]);
const y = cp.rand([512, 1]);

cp.enableProfiling();
for (let i = 0; i < 5; i++) cp.tidy(() => model.loss(x, y));
cp.disableProfiling();

const report = cp.profileReport({ format: 'json' });
console.log('function        calls   total ms    self ms    mean ms    max ms');
for (const [name, c] of Object.entries(report.contexts)) {
  console.log(`${name.padEnd(14)} ${String(c.count).padStart(6)} ${c.totalTimeMs.toFixed(2).padStart(10)} ${c.selfTimeMs.toFixed(2).padStart(10)} ` +
    `${c.meanMs.toFixed(2).padStart(10)} ${c.maxMs.toFixed(2).padStart(9)}`);
}
const f = report.contexts['Model.forward']!;
console.log(`\nModel.forward spent ${(100 * (f.totalTimeMs - f.selfTimeMs) / f.totalTimeMs).toFixed(0)}% of its time inside dense().`);
console.log('\nThe per-op table, for the same run:');
console.log(cp.profileReport());
