/**
 * `npm run bench`: corepy (wasm, and webgpu when an adapter exists) side by side with
 * @tensorflow/tfjs-backend-wasm on the same ops and sizes, "op only" and "op + read back to JS".
 * Prints a table (or JSON lines with --json; --quick for fewer sizes; --backend js|wasm|webgpu; --only <text> for the
 * cases whose name contains it). A benchmark, not a test: figures vary by machine.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as cp from '../index.js';
import { interleaved } from './timing.js';

const require = createRequire(import.meta.url);
const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
const backendArg = process.argv[process.argv.indexOf('--backend') + 1];
const backend = (process.argv.includes('--backend') ? backendArg : 'wasm') as cp.BackendName;
/** `--only <text>`: the cases whose name contains it (e.g. `--only arange`). */
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] ?? '' : '';

interface Row { case: string; size: string; corepyOpMs: number; tfjsOpMs: number; corepyReadMs: number; tfjsReadMs: number; corepyIntoMs?: number; extra?: string }
const rows: Row[] = [];

function emit(r: Row): void {
  rows.push(r);
  if (json) console.log(JSON.stringify({ ...r, ratioOp: r.tfjsOpMs / r.corepyOpMs, ratioRead: r.tfjsReadMs / r.corepyReadMs }));
  else {
    const f = (x: number) => (x < 0.01 ? x.toFixed(4) : x < 1 ? x.toFixed(3) : x.toFixed(2)).padStart(9);
    const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`.padStart(8);
    const into = r.corepyIntoMs === undefined ? ''.padStart(17) : `${f(r.corepyIntoMs)}${ratio(r.tfjsReadMs, r.corepyIntoMs)}`;
    console.log(`${r.case.padEnd(22)}${r.size.padStart(10)}${f(r.corepyOpMs)}${f(r.tfjsOpMs)}${ratio(r.tfjsOpMs, r.corepyOpMs)}${f(r.corepyReadMs)}${f(r.tfjsReadMs)}${ratio(r.tfjsReadMs, r.corepyReadMs)}${into}${r.extra ? '  ' + r.extra : ''}`);
  }
}

async function main(): Promise<void> {
  const tf = require('@tensorflow/tfjs-core') as typeof import('@tensorflow/tfjs-core');
  require('@tensorflow/tfjs-backend-wasm');
  const { setWasmPaths } = require('@tensorflow/tfjs-backend-wasm') as { setWasmPaths: (p: string) => void };
  setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep);
  await tf.setBackend('wasm');
  await tf.ready();
  await cp.setBackend(backend);

  if (!json) {
    console.log(`corepy backend: ${cp.getBackend()}; peer: tfjs ${tf.version_core} backend ${tf.getBackend()} (medians of interleaved rounds; ratio = tfjs time / corepy time, >1 means corepy is faster)`);
    console.log('cp+into: corepy reading into a reused array (t.dataSync(out)); its ratio is against tfjs\'s dataSync, tfjs having no such call');
    console.log(`${'case'.padEnd(22)}${'size'.padStart(10)}${'cp op ms'.padStart(9)}${'tf op ms'.padStart(9)}${'ratio'.padStart(8)}${'cp+read'.padStart(9)}${'tf+read'.padStart(9)}${'ratio'.padStart(8)}${'cp+into'.padStart(9)}${'ratio'.padStart(8)}`);
  }

  const sizes = quick ? [1e3, 1e5] : [1e3, 1e4, 1e5, 1e6, 4e6];
  type Case = [string, (x: cp.Tensor, y: cp.Tensor) => cp.Tensor, (x: import('@tensorflow/tfjs-core').Tensor, y: import('@tensorflow/tfjs-core').Tensor) => import('@tensorflow/tfjs-core').Tensor];
  const cases: Case[] = [
    ['add', (x, y) => x.add(y), (x, y) => tf.add(x, y)],
    ['mul', (x, y) => x.mul(y), (x, y) => tf.mul(x, y)],
    ['sum', (x) => x.sum(), (x) => tf.sum(x)],
    ['mean', (x) => x.mean(), (x) => tf.mean(x)],
    ['std', (x) => x.std(), (x) => tf.sqrt(tf.moments(x).variance)],
    ['normalize→sum', (x) => x.sub(x.mean()).div(x.std()).sum(), (x) => { const m = tf.moments(x); return tf.sum(tf.div(tf.sub(x, m.mean), tf.sqrt(m.variance))); }],
    ['arange int32', (x) => cp.arange(x.size), (x) => tf.range(0, x.size, 1, 'int32')],
    ['arange float32', (x) => cp.arange(0, x.size, 1, { dtype: 'float32' }), (x) => tf.range(0, x.size, 1, 'float32')],
  ];
  for (const n of sizes) {
    const host = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 3 + 1);
    const cx = cp.keep(cp.tensor(host)), cy = cp.keep(cp.tensor(host));
    const tx = tf.tensor1d(host), ty = tf.tensor1d(host);
    for (const [name, cfn, tfn] of cases.filter(([name]) => name.includes(only))) {
      let out: Float32Array | Int32Array | null = null;
      const t = interleaved({
        cpOp: () => cp.tidy(() => { cfn(cx, cy); }),
        tfOp: () => tf.tidy(() => { tfn(tx, ty); }),
        cpRead: () => cp.tidy(() => { cfn(cx, cy).dataSync(); }),
        tfRead: () => tf.tidy(() => { tfn(tx, ty).dataSync(); }),
        cpInto: () => cp.tidy(() => { const r = cfn(cx, cy); r.dataSync(out ??= r.dtype === 'int32' ? new Int32Array(r.size) : new Float32Array(r.size)); }),
      }, quick ? 3 : 7);
      emit({ case: name, size: n.toExponential(0), corepyOpMs: t.cpOp!, tfjsOpMs: t.tfOp!, corepyReadMs: t.cpRead!, tfjsReadMs: t.tfRead!, corepyIntoMs: t.cpInto! });
    }
    cx.dispose(); cy.dispose(); tx.dispose(); ty.dispose();
  }

  for (const n of quick ? [64, 256] : [64, 128, 256, 512, 1024]) {
    const host = Float32Array.from({ length: n * n }, (_, i) => Math.cos(i) * 0.5);
    const ca = cp.keep(cp.tensor(host, { shape: [n, n] })), ta = tf.tensor2d(host, [n, n]);
    const t = interleaved({
      cpOp: () => cp.tidy(() => { ca.matmul(ca); }),
      tfOp: () => tf.tidy(() => { tf.matMul(ta, ta); }),
      cpRead: () => cp.tidy(() => { ca.matmul(ca).dataSync(); }),
      tfRead: () => tf.tidy(() => { tf.matMul(ta, ta).dataSync(); }),
    }, n >= 512 ? 3 : 5, n >= 512 ? 200 : 40);
    const gflops = (ms: number) => ((2 * n ** 3) / (ms * 1e6)).toFixed(1);
    emit({ case: 'matmul', size: `${n}²`, corepyOpMs: t.cpOp!, tfjsOpMs: t.tfOp!, corepyReadMs: t.cpRead!, tfjsReadMs: t.tfRead!, extra: `GFLOP/s cp ${gflops(t.cpOp!)} tf ${gflops(t.tfOp!)}` });
    ca.dispose(); ta.dispose();
  }

  {
    const a = cp.keep(cp.rand([100, 1])), b = cp.keep(cp.rand([1, quick ? 10000 : 100000]));
    const ta = tf.randomUniform([100, 1]), tb = tf.randomUniform([1, quick ? 10000 : 100000]);
    let out: Float32Array | null = null;
    const t = interleaved({
      cpOp: () => cp.tidy(() => { a.add(b); }), tfOp: () => tf.tidy(() => { tf.add(ta, tb); }),
      cpRead: () => cp.tidy(() => { a.add(b).dataSync(); }), tfRead: () => tf.tidy(() => { tf.add(ta, tb).dataSync(); }),
      cpInto: () => cp.tidy(() => { const r = a.add(b); r.dataSync(out ??= new Float32Array(r.size)); }),
    }, 3, 100);
    emit({ case: 'broadcast add', size: `[100,1]+[1,${quick ? '1e4' : '1e5'}]`, corepyOpMs: t.cpOp!, tfjsOpMs: t.tfOp!, corepyReadMs: t.cpRead!, tfjsReadMs: t.tfRead!, corepyIntoMs: t.cpInto! });
  }

  for (const n of quick ? [1e5] : [1e4, 1e5, 1e6]) {
    // Building a tensor from a plain JS array (the seed's `cp.tensor([float(i) for i in range(n)])`).
    const values = Array.from({ length: n }, (_, i) => i * 0.5);
    const t = interleaved({
      cpOp: () => { cp.tensor(values).dispose(); },
      tfOp: () => { tf.tensor1d(values).dispose(); },
    }, quick ? 3 : 5);
    if (json) console.log(JSON.stringify({ case: 'tensor from JS array', size: n, corepyMs: t.cpOp!, tfjsMs: t.tfOp!, ratio: t.tfOp! / t.cpOp! }));
    else console.log(`tensor from a JS array of ${n.toExponential(0)} numbers: corepy ${t.cpOp!.toFixed(3)} ms, tfjs-wasm ${t.tfOp!.toFixed(3)} ms (${(t.tfOp! / t.cpOp!).toFixed(2)}×)`);
  }

  {
    const a = cp.keep(cp.ones([1000])), ta = tf.ones([1000]);
    const t = interleaved({
      cpOp: () => { for (let i = 0; i < 100; i++) cp.tidy(() => { a.add(a); }); },
      tfOp: () => { for (let i = 0; i < 100; i++) tf.tidy(() => { tf.add(ta, ta); }); },
    });
    if (json) console.log(JSON.stringify({ case: 'dispatch per small op', size: '1e3', corepyUs: t.cpOp! * 10, tfjsUs: t.tfOp! * 10 }));
    else console.log(`\nper small op (add of 1e3, incl. tidy): corepy ${(t.cpOp! * 10).toFixed(2)} µs, tfjs-wasm ${(t.tfOp! * 10).toFixed(2)} µs`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
