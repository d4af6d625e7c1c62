/**
 * `npm run bench:jit` (also the last part of `npm run bench`): the six pipelines of issue 16,
 * each ending in a scalar read, side by side in one process: corepy eager and `cp.jit` (wasm),
 * tfjs-wasm (XNNPACK), jax-js eager and `jit` (wasm), and a limit column: `memory.copy` inside
 * wasm of the bytes a 1e6 pipeline must read once (4e6). Medians of interleaved rounds (timing.ts).
 * `--json` prints JSON lines; `--quick` fewer rounds; `--rounds N` N rounds; `--limit` only the table of
 * kernels vs the copy limit (printed after the pipelines otherwise); `--only TEXT` the cases whose name
 * contains TEXT; `--cpu` times this process's CPU time (user + system) instead of the wall clock, which on a
 * machine shared with other work excludes the time other processes held the cores (still not a quiet run:
 * they share caches and memory bandwidth; it also adds the matmul worker threads' CPU time to corepy's, so the
 * matmul rows after the table, corepy on 1 and on all threads beside the peers, always use the wall clock).
 * `--paths` instead compares, per pipeline, eager with cp.jit's two
 * wasm paths (generated kernels, and the interpreter kernel alone). A benchmark, not a test.
 */
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import path from 'node:path';
import * as cp from '../index.js';
import { interleaved, median } from './timing.js';
import { arithmeticLimit, EXP4_MIX, opsPerVector } from './arithmetic-limit.js';
import { setFusedCodegen } from '../backends/wasm/fused.js';
import { getBackendImpl } from '../engine.js';
import { createWasmBackend, type WasmBackend } from '../backends/wasm/index.js';
import type { Storage, View } from '../backends/backend.js';
import { uleb } from '../backends/wasm/codegen.js';

const require = createRequire(import.meta.url);
const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
const cpuClock = process.argv.includes('--cpu');
/** The value after `flag` on the command line, if any. */
function argAfter(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const rounds = Number(argAfter('--rounds') ?? (quick ? 3 : 7));
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds takes a whole number ≥ 1, got ${JSON.stringify(argAfter('--rounds'))}`);
const only = argAfter('--only');

/** Milliseconds of CPU time (user + system) this process has used. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** As timing.ts `interleaved`, on the clock `--cpu` picks: ms per call, median over `rounds` interleaved rounds. */
function timeSideBySide(contenders: Record<string, () => void>, budgetMs: number): Record<string, number> {
  if (!cpuClock) return interleaved(contenders, rounds, budgetMs);
  const samples: Record<string, number[]> = {};
  for (const name of Object.keys(contenders)) samples[name] = [];
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(contenders)) {
      fn(); // warm-up, as timePerCall
      let iters = 0;
      const c0 = cpuMs(), t0 = performance.now();
      while (iters < 3 || performance.now() - t0 < budgetMs) {
        fn();
        iters++;
      }
      samples[name]!.push((cpuMs() - c0) / iters);
    }
  }
  const out: Record<string, number> = {};
  for (const [name, xs] of Object.entries(samples)) out[name] = median(xs);
  return out;
}


/**
 * A hand-assembled wasm module exporting `copy(dst, src, n)` = one `memory.copy`, with a memory of
 * 2·`bytes` (rounded up to 64 KiB pages): the bandwidth limit of a pass that reads `bytes` and writes `bytes`, in wasm.
 */
function copyLimit(bytes: number): () => void {
  const mem = [1, 0, ...uleb(Math.ceil((2 * bytes) / 65536))]; // one memory, no maximum, min pages
  const mod = new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0, // magic, version
    1, 7, 1, 0x60, 3, 0x7f, 0x7f, 0x7f, 0, // type: (i32 i32 i32) -> ()
    3, 2, 1, 0, // function 0 has type 0
    5, mem.length, ...mem, // memory section
    7, 8, 1, 4, 99, 111, 112, 121, 0, 0, // export "copy" = func 0
    10, 14, 1, 12, 0, 0x20, 0, 0x20, 1, 0x20, 2, 0xfc, 0x0a, 0, 0, 0x0b, // local.get 0 1 2; memory.copy; end
  ]);
  // The runtime's tsconfig has no DOM/wasm lib types: name the two constructors used.
  const wa = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object) => object } }).WebAssembly;
  const inst = new wa.Instance(new wa.Module(mod)) as { exports: { copy(d: number, s: number, n: number): void } };
  return () => inst.exports.copy(bytes, 0, bytes);
}

/**
 * Issue 16's copy-limit check: each elementwise/reduction kernel at 1e6 float32 (corepy wasm, eager, the op
 * alone, its output block reused from the heap) beside a `memory.copy` that moves the same bytes (reads +
 * writes: a copy of half of them), measured in the same rounds; ratio = kernel / copy, the target is ≤ 1.5.
 * `call` is the wasm backend's own call for the same op (kernel + output block, without the tensor layer:
 * tidy, Tensor, dispatch), so the table shows how much of a row is the kernel and how much the op's fixed cost.
 * cp.jit's rows (`jit …`: the generated kernel, and `interp`: the interpreter kernel) have no `call` (—).
 * `exp` is bound by its arithmetic, not by memory: it is also timed beside its arithmetic limit
 * (arithmetic-limit.ts: exp4's vector ops alone, on this machine), in the same rounds.
 */
function copyLimitRows(): void {
  const n = 1e6;
  const xs = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 3 + 1), ys = Float32Array.from({ length: n }, (_, i) => Math.cos(i) + 2);
  const x = cp.keep(cp.tensor(xs)), y = cp.keep(cp.tensor(ys));
  // A backend of its own (one thread: no matmul workers) for the `call` column, on the same kernel build.
  const w = createWasmBackend({ threads: 1 });
  const view = (data: Float32Array, strides = [1]): View => ({ storage: w.upload(data, 'float32'), dtype: 'float32', shape: [n], strides, offset: 0 });
  const bx = view(xs), by = view(ys), b15 = view(new Float32Array([1.5]), [0]);
  const call = (make: () => Storage) => () => w.free(make());
  // [name, bytes read + written, op, backend call, arithmetic limit when compute bounds it]
  const x2 = cp.keep(x.reshape([1000, 1000])), bx2: View = { ...bx, shape: [1000, 1000], strides: [1000, 1] };
  const kernels: [string, number, () => void, (() => void)?, (() => void)?][] = [
    ['add x + y', 12 * n, () => { cp.tidy(() => { x.add(y); }); }, call(() => w.binary('add', bx, by, [n]))],
    ['mul x * 1.5', 8 * n, () => { cp.tidy(() => { x.mul(1.5); }); }, call(() => w.binary('mul', bx, b15, [n]))],
    ['relu', 8 * n, () => { cp.tidy(() => { x.relu(); }); }, call(() => w.unary('relu', bx))],
    ['neg', 8 * n, () => { cp.tidy(() => { x.neg(); }); }, call(() => w.unary('neg', bx))],
    ['exp', 8 * n, () => { cp.tidy(() => { x.exp(); }); }, call(() => w.unary('exp', bx)), arithmeticLimit(n, EXP4_MIX)],
    ['sum', 4 * n, () => { cp.tidy(() => { x.sum(); }); }, call(() => w.reduce('sum', bx, [0]))],
    ['max', 4 * n, () => { cp.tidy(() => { x.max(); }); }, call(() => w.reduce('max', bx, [0]))],
    ['min', 4 * n, () => { cp.tidy(() => { x.min(); }); }, call(() => w.reduce('min', bx, [0]))],
    // The leading axis of [1000, 1000] (reduce_cols.rs), and cp.jit's epilogues over a flat 1e6 chain: the
    // generated kernel (codegen.ts) and the interpreter (fused.rs); `sum` is the same pass without an extreme.
    ['max axis 0', 4 * n, () => { cp.tidy(() => { x2.max(0); }); }, call(() => w.reduce('max', bx2, [0]))],
    ['min axis 0', 4 * n, () => { cp.tidy(() => { x2.min(0); }); }, call(() => w.reduce('min', bx2, [0]))],
    ...(['sum', 'max', 'min'] as const).flatMap((r): [string, number, () => void][] => {
      const f = cp.jit((t: cp.Tensor) => cp[r](t.mul(1.5)), { warn: false }), g = cp.jit((t: cp.Tensor) => cp[r](t.mul(1.5)), { warn: false });
      return [[`jit ${r}(1.5x)`, 4 * n, () => { cp.tidy(() => { f(x); }); }],
        [`jit ${r} interp`, 4 * n, () => { const before = setFusedCodegen(false); try { cp.tidy(() => { g(x); }); } finally { setFusedCodegen(before); } }]];
    }),
  ];
  if (!json) {
    console.log(`
elementwise and reduction kernels at 1e6 float32 (cp eager, wasm, op alone) vs the copy limit: memory.copy moving the same bytes; ms, ${cpuClock ? 'CPU time' : 'wall clock'}, medians of ${rounds} interleaved rounds`);
    console.log(`${'kernel'.padEnd(14)}${'MB moved'.padStart(10)}${'kernel'.padStart(10)}${'limit'.padStart(10)}${'ratio'.padStart(8)}  (target ≤ 1.5×)${'call'.padStart(10)}${'ratio'.padStart(8)}`);
  }
  let arithNote = false;
  for (const [name, bytes, op, raw, arith] of kernels) {
    if (only !== undefined && !name.includes(only)) continue;
    const t = timeSideBySide({ op, ...(raw ? { raw } : {}), limit: copyLimit(bytes / 2), ...(arith ? { arith } : {}) }, 40);
    const ratio = t.op! / t.limit!, rawRatio = raw ? t.raw! / t.limit! : NaN;
    const arithRatio = arith ? t.op! / t.arith! : undefined;
    if (json) {
      console.log(JSON.stringify({ kernel: name, bytesMoved: bytes, kernelMs: t.op, limitMs: t.limit, kernelOverLimit: ratio, callMs: t.raw, callOverLimit: rawRatio,
        ...(arith ? { arithmeticLimitMs: t.arith, kernelOverArithmeticLimit: arithRatio } : {}) }));
      continue;
    }
    console.log(`${name.padEnd(14)}${(bytes / 1e6).toFixed(0).padStart(10)}${t.op!.toFixed(3).padStart(10)}${t.limit!.toFixed(3).padStart(10)}${`${ratio.toFixed(2)}×`.padStart(8)}${''.padStart(17)}`
      + (raw ? `${t.raw!.toFixed(3).padStart(10)}${`${rawRatio.toFixed(2)}×`.padStart(8)}` : `${'—'.padStart(10)}${'—'.padStart(8)}`)
      + (arith ? `    arithmetic limit ${t.arith!.toFixed(3)} → ${arithRatio!.toFixed(2)}×` : ''));
    if (arith) arithNote = true;
  }
  for (const v of [bx, by, b15]) w.free(v.storage);
  if (!json) console.log('call: the wasm backend\'s call alone (kernel + output block, no Tensor/tidy/dispatch), ratio to the same limit'
    + (arithNote ? `; arithmetic limit: exp4's own ${opsPerVector(EXP4_MIX)} vector ops per 4 floats (math.rs) on independent registers, no memory, same rounds; a compute-bound kernel is measured against it, not the copy` : ''));
}

interface Row { case: string; cpEager: number; cpJit: number; tfjs: number; jaxEager: number; jaxJit: number; limit: number }

/** `--paths`: eager vs cp.jit with generated kernels vs cp.jit with the interpreter kernel only. */
function paths(): void {
  const x = cp.keep(cp.tensor(Float32Array.from({ length: 1e6 }, (_, i) => Math.sin(i) * 3 + 1)));
  const a = cp.keep(cp.rand([100, 1])), b = cp.keep(cp.rand([1, 1e5]));
  const cases: [string, (...t: cp.Tensor[]) => cp.Tensor, cp.Tensor[]][] = [
    ['sum(relu(1.5x−0.5)) 1e6', (t) => t.mul(1.5).sub(0.5).relu().sum(), [x]],
    ['(x + 0) → sum 1e6', (t) => t.add(0).sum(), [x]],
    ['normalize 1e6 → sum', (t) => t.sub(t.mean()).div(t.std()).sum(), [x]],
    ['[100,1]+[1,1e5] → sum', (p, q) => p.add(q).sum(), [a, b]],
  ];
  if (!json) console.log(`${'case'.padEnd(26)}${'eager'.padStart(10)}${'jit'.padStart(10)}${'jit interp'.padStart(12)}  (ms, medians of interleaved rounds)`);
  for (const [name, f, args] of cases) {
    const generated = cp.jit(f), interp = cp.jit(f);
    const t = timeSideBySide({
      eager: () => { cp.tidy(() => f(...args).item()); },
      jit: () => { cp.tidy(() => generated(...args).item()); },
      interp: () => { const before = setFusedCodegen(false); try { cp.tidy(() => interp(...args).item()); } finally { setFusedCodegen(before); } },
    }, 40);
    if (json) console.log(JSON.stringify({ case: name, eagerMs: t.eager, jitMs: t.jit, interpreterMs: t.interp }));
    else console.log(`${name.padEnd(26)}${t.eager!.toFixed(3).padStart(10)}${t.jit!.toFixed(3).padStart(10)}${t.interp!.toFixed(3).padStart(12)}`);
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--paths')) {
    await cp.setBackend('wasm');
    paths();
    return;
  }
  if (process.argv.includes('--limit')) {
    await cp.setBackend('wasm');
    copyLimitRows();
    return;
  }
  const tf = require('@tensorflow/tfjs-core') as typeof import('@tensorflow/tfjs-core');
  require('@tensorflow/tfjs-backend-wasm');
  const { setWasmPaths } = require('@tensorflow/tfjs-backend-wasm') as { setWasmPaths: (p: string) => void };
  setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep);
  await tf.setBackend('wasm');
  await tf.ready();
  const jax = await import('@jax-js/jax');
  await jax.init('wasm');
  const np = jax.numpy;
  await cp.setBackend('wasm');
  type JA = import('@jax-js/jax').Array;

  const n = 1e6;
  const host = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 3 + 1);
  const cx = cp.keep(cp.tensor(host)), tx = tf.tensor1d(host), jx = np.array(host);
  const rowHost = Float32Array.from({ length: 100 }, (_, i) => Math.cos(i)), colHost = Float32Array.from({ length: 1e5 }, (_, i) => Math.sin(i));
  const ca = cp.keep(cp.tensor(rowHost, { shape: [100, 1] })), cb = cp.keep(cp.tensor(colHost, { shape: [1, 1e5] }));
  const ta = tf.tensor2d(rowHost, [100, 1]), tb = tf.tensor2d(colHost, [1, 1e5]);
  const ja = np.array(rowHost, { shape: [100, 1] }), jb = np.array(colHost, { shape: [1, 1e5] });
  const mHost = Float32Array.from({ length: 512 * 512 }, (_, i) => Math.cos(i) * 0.5);
  const cm = cp.keep(cp.tensor(mHost, { shape: [512, 512] })), tm = tf.tensor2d(mHost, [512, 512]), jm = np.array(mHost, { shape: [512, 512] });
  const small = Float32Array.from({ length: 1000 }, (_, i) => i);
  const cs = cp.keep(cp.tensor(small)), ts = tf.tensor1d(small), js = np.array(small);

  const jaxNorm = (x: JA) => { const m = np.mean(x.ref); const s = np.std(x.ref); return np.sum(np.divide(np.subtract(x, m), s)); };
  const jaxRelu = (x: JA) => np.sum(np.maximum(np.subtract(np.multiply(x, 1.5), 0.5), 0));
  const jaxSum = (x: JA) => np.sum(x);
  const jaxBroadcast = (a: JA, b: JA) => np.sum(np.add(a, b));
  const jaxMatmul = (a: JA) => np.sum(np.matmul(a.ref, a));
  const jaxAdd = (a: JA) => np.add(a.ref, a);
  const jit = jax.jit as unknown as <F>(f: F) => F;

  const cpNorm = (x: cp.Tensor) => x.sub(x.mean()).div(x.std()).sum();
  const cpRelu = (x: cp.Tensor) => x.mul(1.5).sub(0.5).relu().sum();
  const cpSum = (x: cp.Tensor) => x.sum();
  const cpBroadcast = (a: cp.Tensor, b: cp.Tensor) => a.add(b).sum();
  const cpMatmul = (a: cp.Tensor) => a.matmul(a).sum();
  const cpAdd = (a: cp.Tensor) => a.add(a);

  type Case = { name: string; bytes: number; cp: () => void; cpj: () => void; tf: () => void; jx: () => void; jxj: () => void };
  const pipe = (name: string, bytes: number, cpf: (...a: cp.Tensor[]) => cp.Tensor, cpArgs: cp.Tensor[],
    tff: () => import('@tensorflow/tfjs-core').Tensor, jf: (...a: JA[]) => JA, jArgs: JA[]): Case => {
    const cpjf = cp.jit(cpf);
    const jjf = jit(jf);
    return {
      name, bytes,
      cp: () => { cp.tidy(() => cpf(...cpArgs).item()); },
      cpj: () => { cp.tidy(() => cpjf(...cpArgs).item()); },
      tf: () => { tf.tidy(() => tff().dataSync()[0]); },
      jx: () => { jf(...jArgs.map((a) => a.ref)).dataSync(); },
      jxj: () => { jjf(...jArgs.map((a) => a.ref)).dataSync(); },
    };
  };
  const hundred = (f: () => void) => () => { for (let i = 0; i < 100; i++) f(); };
  const cpAddJ = cp.jit(cpAdd), jaxAddJ = jit(jaxAdd);
  const cases: Case[] = [
    pipe('normalize 1e6 → sum', 4 * n, cpNorm, [cx], () => { const m = tf.moments(tx); return tf.sum(tf.div(tf.sub(tx, m.mean), tf.sqrt(m.variance))); }, jaxNorm, [jx]),
    pipe('sum(relu(1.5x−0.5)) 1e6', 4 * n, cpRelu, [cx], () => tf.sum(tf.relu(tf.sub(tf.mul(tx, 1.5), 0.5))), jaxRelu, [jx]),
    pipe('sum 1e6', 4 * n, cpSum, [cx], () => tf.sum(tx), jaxSum, [jx]),
    pipe('[100,1]+[1,1e5] → sum', 0, cpBroadcast, [ca, cb], () => tf.sum(tf.add(ta, tb)), jaxBroadcast, [ja, jb]),
    pipe('matmul 512 → sum', 0, cpMatmul, [cm], () => tf.sum(tf.matMul(tm, tm)), jaxMatmul, [jm]),
    {
      name: '100 small adds (1e3)', bytes: 0,
      cp: hundred(() => cp.tidy(() => { cpAdd(cs); })), cpj: hundred(() => cp.tidy(() => { cpAddJ(cs); })),
      tf: hundred(() => tf.tidy(() => { tf.add(ts, ts); })),
      jx: hundred(() => jaxAdd(js.ref).dispose()), jxj: hundred(() => jaxAddJ(js.ref).dispose()),
    },
  ];
  // The CPU clock adds the matmul workers' time to corepy's: on it, the table runs on one thread
  // (as the peers do here) and the matmul rows after it show threads on the wall clock.
  const wasm = getBackendImpl('wasm') as WasmBackend, allThreads = wasm.threads;
  if (cpuClock) wasm.setThreads(1);
  if (!json) {
    console.log(`\ncp.jit pipelines (wasm${cpuClock ? ', matmul on 1 thread' : `, matmul on ${allThreads} threads`}), each ending in a scalar read; ms (${cpuClock ? 'CPU time of this process' : 'wall clock'}), medians of ${rounds} interleaved rounds. Peers: tfjs-wasm ${tf.version_core}, jax-js (wasm).`);
    console.log('limit: memory.copy inside wasm of the 4e6 bytes a 1e6 pipeline reads once (— where compute, not a pass over memory, bounds it); ratio: best peer / cp jit');
    console.log(`${'case'.padEnd(26)}${'cp eager'.padStart(10)}${'cp jit'.padStart(10)}${'tfjs'.padStart(10)}${'jax'.padStart(10)}${'jax jit'.padStart(10)}${'limit'.padStart(10)}${'ratio'.padStart(8)}`);
  }
  for (const c of cases) {
    if (only !== undefined && !c.name.includes(only)) continue;
    const contenders: Record<string, () => void> = { cp: c.cp, cpj: c.cpj, tf: c.tf, jx: c.jx, jxj: c.jxj };
    if (c.bytes > 0) contenders.limit = copyLimit(c.bytes);
    const t = timeSideBySide(contenders, 40);
    const row: Row = { case: c.name, cpEager: t.cp!, cpJit: t.cpj!, tfjs: t.tf!, jaxEager: t.jx!, jaxJit: t.jxj!, limit: t.limit ?? NaN };
    const best = Math.min(row.tfjs, row.jaxEager, row.jaxJit);
    if (json) console.log(JSON.stringify({ ...row, bestPeerOverJit: best / row.cpJit }));
    else {
      const f = (x: number) => (x < 1 ? x.toFixed(3) : x.toFixed(2)).padStart(10);
      console.log(`${c.name.padEnd(26)}${f(row.cpEager)}${f(row.cpJit)}${f(row.tfjs)}${f(row.jaxEager)}${f(row.jaxJit)}${Number.isNaN(row.limit) ? '—'.padStart(10) : f(row.limit)}${`${(best / row.cpJit).toFixed(2)}×`.padStart(8)}`);
    }
  }
  wasm.setThreads(allThreads);
  if (only === undefined || 'matmul threads'.includes(only)) {
    const tfThreads = (require('@tensorflow/tfjs-backend-wasm') as { getThreadsCount: () => number }).getThreadsCount();
    const mm: MatmulContenders = {
      cp: (x) => { cp.tidy(() => cpMatmul(x).item()); },
      tf: (h, n) => { const t = tf.tensor2d(h, [n, n]); return () => { tf.tidy(() => tf.sum(tf.matMul(t, t)).dataSync()[0]); }; },
      jax: (h, n) => { const a = np.array(h, { shape: [n, n] }); const f = jit(jaxMatmul); return [() => { jaxMatmul(a.ref).dataSync(); }, () => { f(a.ref).dataSync(); }]; },
      // jax-js starts wasm workers only where a global Worker exists (browsers); Node 20 has none.
      peers: `tfjs-wasm ${tfThreads} thread${tfThreads > 1 ? 's' : ''} (its threaded build is off in Node), jax-js ${typeof (globalThis as { Worker?: unknown }).Worker === 'undefined' ? '1 thread (no global Worker in Node)' : 'its worker pool'}`,
    };
    await matmulThreadRows(mm);
  }
  copyLimitRows();
}

/** How each runtime's matmul → sum is made for {@link matmulThreadRows}. */
interface MatmulContenders {
  cp: (x: cp.Tensor) => void;
  tf: (host: Float32Array, n: number) => () => void;
  jax: (host: Float32Array, n: number) => [() => void, () => void];
  /** How many threads the peers use here, for the header. */
  peers: string;
}

/**
 * matmul n×n → sum on the wall clock (threads save wall time; `--cpu` would add the workers' CPU time
 * to corepy's), corepy on one thread and on every thread the wasm backend has (matmul-threads.ts),
 * beside the peers. GFLOP/s = 2·n³ / time.
 */
async function matmulThreadRows(m: MatmulContenders): Promise<void> {
  const w = getBackendImpl('wasm') as WasmBackend;
  const threads = w.threads;
  const ready = await w.startThreads();
  if (!json) {
    console.log(`
matmul n×n → sum, wall clock whatever the flag, medians of ${rounds} interleaved rounds; corepy on 1 and on ${threads} threads (${ready} workers ready; COREPY_WASM_THREADS), peers: ${m.peers}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    console.log(`${'n'.padEnd(6)}${'cp 1 thr'.padStart(10)}${`cp ${threads} thr`.padStart(10)}${'tfjs'.padStart(10)}${'jax'.padStart(10)}${'jax jit'.padStart(10)}${'GFLOP/s'.padStart(10)}${'ratio'.padStart(8)}${'1 thr'.padStart(8)}  (ms; GFLOP/s of cp ${threads} thr; ratio: best peer / cp ${threads} thr; 1 thr: best peer / cp 1 thr)`);
  }
  for (const n of [512, 1024]) {
    const host = Float32Array.from({ length: n * n }, (_, i) => Math.cos(i) * 0.5);
    const x = cp.keep(cp.tensor(host, { shape: [n, n] }));
    const [jx, jxj] = m.jax(host, n);
    const t = interleaved({
      one: () => { w.setThreads(1); try { m.cp(x); } finally { w.setThreads(threads); } },
      many: () => m.cp(x),
      tf: m.tf(host, n), jx, jxj,
    }, rounds, n >= 1024 ? 300 : 100);
    const best = Math.min(t.tf!, t.jx!, t.jxj!);
    if (json) console.log(JSON.stringify({ case: `matmul ${n} → sum, wall`, threads, cpOneThread: t.one, cpThreads: t.many, tfjs: t.tf, jaxEager: t.jx, jaxJit: t.jxj, bestPeerOverThreads: best / t.many!, bestPeerOverOneThread: best / t.one! }));
    else {
      const f = (v: number) => v.toFixed(2).padStart(10);
      console.log(`${String(n).padEnd(6)}${f(t.one!)}${f(t.many!)}${f(t.tf!)}${f(t.jx!)}${f(t.jxj!)}${(2 * n ** 3 / t.many! / 1e6).toFixed(1).padStart(10)}${`${(best / t.many!).toFixed(2)}×`.padStart(8)}${`${(best / t.one!).toFixed(2)}×`.padStart(8)}`);
    }
    x.dispose();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
