/**
 * `npm run bench:overhead` (node runtime/dist/bench/overhead.js): the profiler's own cost.
 * (a) disabled vs a dispatch path with no profiler code at all; (b) enabled vs disabled on the
 * seed's Example 1 pipeline at 1e4/1e5/1e6 elements and on 100 small adds; (c) 10,000,000
 * recorded ops: memory bounded, per-op cost at the end vs the start, ns per recorded op with and
 * without call sites; and tf.profile on the same work. Medians of interleaved rounds.
 */
import * as cp from '../index.js';
import { dispatch, getDefaultBackend } from '../engine.js';
import type { Backend } from '../backends/backend.js';
import type { Tensor } from '../tensor.js';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const time = (fn: () => void): number => { const t = performance.now(); fn(); return performance.now() - t; };
const pct = (on: number, off: number): string => `${(((on - off) / off) * 100).toFixed(2)} %`;
const rounds = Number(process.env['ROUNDS'] ?? 15);

/** Runs `a` and `b` alternately `rounds` times after a warm-up; returns their medians (ms). */
function interleave(a: () => void, b: () => void, n = rounds): [number, number] {
  a(); b();
  const ta: number[] = [], tb: number[] = [];
  for (let i = 0; i < n; i++) { ta.push(time(a)); tb.push(time(b)); }
  return [median(ta), median(tb)];
}

// (a) The engine's dispatch with profiling off vs the same call with no observer test at all.
function plainDispatch<T>(_op: string, _inputs: readonly Tensor[], kernel: (b: Backend) => T, backend: Backend): T {
  return kernel(backend);
}
function benchDisabled(): void {
  cp.disableProfiling();
  const b = getDefaultBackend();
  const x = cp.tensor(new Float32Array(64));
  const kernel = (be: Backend) => { const s = be.binary('add', x, x, x.shape); be.free(s); return 0; };
  const N = 200000;
  const [engine, plain] = interleave(
    () => { for (let i = 0; i < N; i++) dispatch('add', [x], kernel, b); },
    () => { for (let i = 0; i < N; i++) plainDispatch('add', [x], kernel, b); });
  console.log(`(a) disabled: engine.dispatch ${(engine / N * 1e6).toFixed(0)} ns/op vs no-profiler path ${(plain / N * 1e6).toFixed(0)} ns/op → overhead ${pct(engine, plain)} (target < 0.5 %)`);
}

function example1(n: number): () => void {
  const values = Float32Array.from({ length: n }, (_, i) => i);
  return () => cp.tidy(() => { const data = cp.tensor(values); data.sub(data.mean()).div(data.std()).sum(); });
}

function benchEnabled(): void {
  const cases: [string, () => void][] = [[ 'Example 1 @ 1e4', example1(1e4)], ['Example 1 @ 1e5', example1(1e5)], ['Example 1 @ 1e6', example1(1e6)],
    ['100 small adds', (() => { const x = cp.tensor(new Float32Array(16)); return () => cp.tidy(() => { for (let i = 0; i < 100; i++) x.add(i); }); })()]];
  for (const mode of ['all', 'off'] as const) {
    for (const [name, fn] of cases) {
      // Same options each time: enableProfiling reuses the recorder (the ring may wrap; statistics stay exact).
      cp.clearProfile();
      const [on, off] = interleave(() => { cp.enableProfiling({ callSites: mode }); fn(); cp.disableProfiling(); }, () => fn());
      console.log(`(b) ${name.padEnd(16)} callSites=${mode.padEnd(4)} enabled ${on.toFixed(3)} ms vs disabled ${off.toFixed(3)} ms → ${pct(on, off)}`);
    }
  }
}

function benchTenMillion(): void {
  const b = getDefaultBackend();
  const noop = (): number => 0;
  const total = Number(process.env['OPS'] ?? 1e7), chunk = 1e6;
  cp.clearProfile();
  cp.enableProfiling({ callSites: 'off' });
  global.gc?.();
  const mem0 = process.memoryUsage();
  const perChunk: number[] = [];
  for (let done = 0; done < total; done += chunk) {
    const t = time(() => { for (let i = 0; i < chunk; i++) dispatch('probe', [], noop, b); });
    const plain = time(() => { for (let i = 0; i < chunk; i++) plainDispatch('probe', [], noop, b); });
    perChunk.push(((t - plain) / chunk) * 1e6);
  }
  global.gc?.();
  const mem1 = process.memoryUsage();
  const r = cp.profileReport({ format: 'json' });
  cp.disableProfiling();
  const first = perChunk[0]!, last = perChunk[perChunk.length - 1]!;
  console.log(`(c) ${total.toExponential(0)} recorded ops: ${median(perChunk).toFixed(0)} ns/op median without call sites (target ≤ 150); ` +
    `first 1e6 ${first.toFixed(0)} ns/op, last 1e6 ${last.toFixed(0)} ns/op (${pct(last, first)}); ` +
    `heap+arrayBuffers ${((mem0.heapUsed + mem0.arrayBuffers) / 1e6).toFixed(1)} → ${((mem1.heapUsed + mem1.arrayBuffers) / 1e6).toFixed(1)} MB; ` +
    `count ${r.operations.find((o) => o.op === 'probe')?.count} exact, ${r.droppedEvents} raw events dropped`);
  cp.clearProfile();
  const n = 20000;
  const sited: number[] = [];
  for (let k = 0; k < 5; k++) {
    cp.enableProfiling({ callSites: 'all' });
    const t = time(() => { for (let i = 0; i < n; i++) dispatch('probe', [], noop, b); });
    cp.disableProfiling(); cp.clearProfile();
    const plain = time(() => { for (let i = 0; i < n; i++) plainDispatch('probe', [], noop, b); });
    sited.push(((t - plain) / n) * 1e6);
  }
  console.log(`(c) with call sites (callSites 'all'): ${median(sited).toFixed(0)} ns per recorded op`);
}

async function benchTf(): Promise<void> {
  let tf: typeof import('@tensorflow/tfjs-core');
  try {
    tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
  } catch (e) {
    console.log(`(c) tf.profile: skipped (${(e as Error).message})`);
    return;
  }
  const adds = (): void => { tf.tidy(() => { const x = tf.zeros([16]); for (let i = 0; i < 100; i++) tf.add(x, i); }); };
  const values = Float32Array.from({ length: 1e5 }, (_, i) => i);
  const ex1 = (): void => { tf.tidy(() => { const d = tf.tensor1d(values); const m = tf.moments(d); tf.sum(tf.div(tf.sub(d, m.mean), tf.sqrt(m.variance))); }); };
  for (const [name, fn] of [['100 small adds', adds], ['Example 1 @ 1e5', ex1]] as const) {
    const [on, off] = interleave(() => { void tf.profile(fn); }, fn);
    console.log(`(c) tf.profile ${name.padEnd(16)} profiled ${on.toFixed(3)} ms vs plain ${off.toFixed(3)} ms → ${pct(on, off)}`);
  }
}

console.log(`corepy profiler overhead — backend ${cp.getBackend()}, node ${process.version}, ${rounds} interleaved rounds, medians`);
benchDisabled();
benchEnabled();
benchTenMillion();
await benchTf();
