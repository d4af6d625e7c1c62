/**
 * `npm run bench:overhead` (node --expose-gc runtime/dist/bench/overhead.js): the profiler's own cost.
 * (a) disabled vs a dispatch path with no profiler code at all; (b) enabled vs disabled (toggled
 * outside the timed block) on the seed's Example 1 at 1e4/1e5/1e6 elements — as written (the tensor
 * built from a JS array, then the pipeline) and with the tensor already resident — and on 100
 * small adds, for callSites 'sampled' (default), 'all' and 'off', on the default backend; (c) 10,000,000
 * recorded ops: memory bounded, per-op cost at the end vs the start, ns per recorded op with and
 * without call sites; and tf.profile on the same work. Medians of interleaved rounds. (d) the same
 * comparison as (b) for Example 1 resident @ 1e5, in fresh processes: every process runs one mode
 * (profiler never enabled, enabled then disabled, each call-site mode), the modes rotating process by
 * process, so JIT state, heap layout and the machine's drift are not shared between the sides as they
 * are in-process; medians over processes. (otel) OpenTelemetry on (real SDKs registered) beside the
 * profiler alone. (e) overhead-estimate.ts: the same Example 1 in fresh processes, each measuring
 * its own on/off difference with an A/A control (fine enough for 1 %).
 * Environment: OPS (ops of the long run, default 1e7), ROUNDS, BUDGET_MS (time per case of (a)/(b)),
 * PROCS (processes per mode in (d) and (e), default 9), MODES (the modes of (d) besides 'never', default all),
 * ESTIMATE_MS, ESTIMATE_MODES (overhead-estimate.ts), ONLY=a,b,c,d,e,otel,tf.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as cp from '../index.js';
import { snapshot } from '../profiler/session.js';
import { dispatch, getDefaultBackend } from '../engine.js';
import type { Backend } from '../backends/backend.js';
import type { Tensor } from '../tensor.js';
import { example1 } from './example1.js';
import { benchFreshEstimate } from './overhead-estimate.js';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const time = (fn: () => void): number => { const t = performance.now(); fn(); return performance.now() - t; };
const pct = (on: number, off: number): string => `${(((on - off) / off) * 100).toFixed(2)} %`;
const rounds = Number(process.env['ROUNDS'] ?? 41);
/** Time spent per case of (a) and (b), ms. */
const BUDGET_MS = Number(process.env['BUDGET_MS'] ?? 1500);
/** Op name the dispatch probes are recorded under (any op-table name: the kernel is a no-op). */
const PROBE = 'clone';

/** Runs `a` and `b` alternately `rounds` times after a warm-up; returns their medians (ms). */
function interleave(a: () => void, b: () => void, n = rounds): [number, number] {
  a(); b();
  const ta: number[] = [], tb: number[] = [];
  // ABBA order: neither side always runs first.
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) { ta.push(time(a)); tb.push(time(b)); } else { tb.push(time(b)); ta.push(time(a)); }
  }
  return [median(ta), median(tb)];
}

// (a) The engine's dispatch with profiling off vs the same function without the observer test:
// identical but for `observer === null`, so the difference is the disabled profiler's whole cost.
function plainDispatch<T>(_op: string, _inputs: readonly Tensor[], kernel: (b: Backend) => T, backend?: Backend): T {
  const b = backend ?? getDefaultBackend();
  return kernel(b);
}
/** An identical copy of plainDispatch: timing the two against each other (A/A) shows this benchmark's resolution. */
function plainDispatchCopy<T>(_op: string, _inputs: readonly Tensor[], kernel: (b: Backend) => T, backend?: Backend): T {
  const b = backend ?? getDefaultBackend();
  return kernel(b);
}
function benchDisabled(): void {
  cp.disableProfiling();
  const b = getDefaultBackend();
  const x = cp.tensor(new Float32Array(64));
  const kernel = (be: Backend) => { const s = be.binary('add', x, x, x.shape); be.free(s); return 0; };
  const N = 10000;
  const engine = (): void => { for (let i = 0; i < N; i++) dispatch('add', [x], kernel, b); };
  const plain = (): void => { for (let i = 0; i < N; i++) plainDispatch('add', [x], kernel, b); };
  const copy = (): void => { for (let i = 0; i < N; i++) plainDispatchCopy('add', [x], kernel, b); };
  // dispatch's `kernel(b)` call site has seen every op's kernel (megamorphic, never inlined); give the
  // stand-ins the same history, or the comparison measures V8's inlining, not the observer test.
  for (let k = 0; k < 16; k++) {
    // new Function: each kernel its own function (closures of one arrow would share their code).
    const other = new Function('b', `return ${k};`) as (b: Backend) => number;
    for (let i = 0; i < 100; i++) { plainDispatch('add', [x], other, b); plainDispatchCopy('add', [x], other, b); dispatch('add', [x], other, b); }
  }
  engine(); plain(); copy();
  // Short blocks (~1 ms) in rotating order for BUDGET_MS: a shared machine's drift hits every side.
  const sides = [engine, plain, copy], times: number[][] = [[], [], []];
  const t0 = performance.now();
  for (let r = 0; r < 100000 && (r < 100 || performance.now() - t0 < BUDGET_MS); r++) {
    for (let k = 0; k < 3; k++) { const i = (r + k) % 3; times[i]!.push(time(sides[i]!)); }
  }
  const [e, p, c] = times.map(median) as [number, number, number];
  console.log(`(a) disabled: engine.dispatch ${(e / N * 1e6).toFixed(1)} ns/op vs no-profiler path ${(p / N * 1e6).toFixed(1)} ns/op → overhead ${pct(e, p)} ` +
    `(target < 0.5 %); resolution: the no-profiler path against an identical copy of itself ${pct(c, p)} (${times[0]!.length} blocks of ${N} each)`);
}

/**
 * (b) Enabled vs disabled, interleaved run by run: each round runs `fn` once with profiling off and
 * once with it on (toggled outside the timed region; ABBA order, so neither side always follows
 * the other), for about BUDGET_MS per case; the figure compares the medians of the per-run times.
 * Interleaving single runs cancels the drift of a shared machine that made block-by-block figures
 * swing by ±3 %; toggling every run leaves the recorder's data a little colder than in continuous
 * use, so if anything it overstates the cost. The recorder is created (and its first
 * SAMPLE_FIRST captures per op made) before timing, so 'sampled' shows its steady state.
 */
function benchEnabled(): void {
  const adds = (() => { const x = cp.keep(cp.tensor(new Float32Array(16))); return () => { cp.tidy(() => { for (let i = 0; i < 100; i++) x.add(i); }); }; })();
  const cases: [string, () => void][] = [];
  for (const n of [1e4, 1e5, 1e6]) {
    const label = n.toExponential(0).replace('+', '');
    cases.push([`Example 1 as written @ ${label}`, example1(n, true)], [`Example 1, resident @ ${label}`, example1(n, false)]);
  }
  cases.push(['100 small adds', adds]);
  for (const mode of ['sampled', 'all', 'off'] as const) {
    for (const [name, fn] of cases) {
      cp.disableProfiling(); cp.clearProfile();
      cp.enableProfiling({ callSites: mode }); for (let i = 0; i < 40; i++) fn();
      cp.disableProfiling(); for (let i = 0; i < 10; i++) fn();
      const on: number[] = [], off: number[] = [];
      const timeOn = (): void => { cp.enableProfiling({ callSites: mode }); on.push(time(fn)); cp.disableProfiling(); };
      const timeOff = (): void => { off.push(time(fn)); };
      const t0 = performance.now();
      for (let r = 0; r < 20000 && (r < 200 || performance.now() - t0 < BUDGET_MS); r++) {
        if (r % 2 === 0) { timeOn(); timeOff(); } else { timeOff(); timeOn(); }
      }
      const a = median(on), b = median(off);
      console.log(`(b) ${name.padEnd(30)} callSites=${mode.padEnd(7)} enabled ${a.toFixed(4)} ms vs disabled ${b.toFixed(4)} ms → ${pct(a, b)} (${on.length} runs each)`);
    }
  }
  cp.clearProfile();
}

function benchTenMillion(): void {
  const b = getDefaultBackend();
  const noop = (): number => 0;
  const total = Number(process.env['OPS'] ?? 1e7), chunk = 1e6;
  cp.clearProfile();
  cp.enableProfiling({ callSites: 'off' });
  // Warm-up (not counted): the first chunk would otherwise carry the JIT's tiering of the hot path.
  for (let i = 0; i < 200000; i++) { dispatch(PROBE, [], noop, b); plainDispatch(PROBE, [], noop, b); }
  global.gc?.();
  const mem0 = process.memoryUsage();
  const perChunk: number[] = [];
  for (let done = 0; done < total; done += chunk) {
    const t = time(() => { for (let i = 0; i < chunk; i++) dispatch(PROBE, [], noop, b); });
    const plain = time(() => { for (let i = 0; i < chunk; i++) plainDispatch(PROBE, [], noop, b); });
    perChunk.push(((t - plain) / chunk) * 1e6);
  }
  global.gc?.();
  const mem1 = process.memoryUsage();
  const r = cp.profileReport({ format: 'json' });
  cp.disableProfiling();
  // Start vs end as medians of three chunks each: one chunk (~0.2 s) can catch a GC or a neighbour's burst.
  const first = median(perChunk.slice(0, 3)), last = median(perChunk.slice(-3));
  console.log(`(c) ${total.toExponential(0)} recorded ops: ${median(perChunk).toFixed(0)} ns/op median without call sites (target ≤ 150); ` +
    `first three 1e6 chunks ${first.toFixed(0)} ns/op, last three ${last.toFixed(0)} ns/op (${pct(last, first)}); ` +
    `heap+arrayBuffers ${((mem0.heapUsed + mem0.arrayBuffers) / 1e6).toFixed(1)} → ${((mem1.heapUsed + mem1.arrayBuffers) / 1e6).toFixed(1)} MB` +
    `${global.gc ? ' after GC' : ' (no GC forced: run node with --expose-gc, as npm run bench:overhead does, for comparable figures)'}; ` +
    `count ${r.operations.find((o) => o.op === PROBE)?.count} exact, ${r.droppedEvents} raw events dropped`);
  cp.clearProfile();
  const n = 20000;
  const sited: number[] = [];
  for (let k = 0; k < 5; k++) {
    cp.enableProfiling({ callSites: 'all' });
    const t = time(() => { for (let i = 0; i < n; i++) dispatch(PROBE, [], noop, b); });
    cp.disableProfiling(); cp.clearProfile();
    const plain = time(() => { for (let i = 0; i < n; i++) plainDispatch(PROBE, [], noop, b); });
    sited.push(((t - plain) / n) * 1e6);
  }
  console.log(`(c) with call sites (callSites 'all'): ${median(sited).toFixed(0)} ns per recorded op`);
}

/** Per recorded op on a real 16-element `a.add(a)` (the lead's yardstick), each call-site mode. */
function benchSmallAdd(): void {
  const a = cp.keep(cp.ones([16]));
  const n = 50000;
  const run = (): number => time(() => { for (let i = 0; i < n; i++) a.add(a).dispose(); }) / n * 1e6;
  for (const mode of ['off', 'sampled', 'all'] as const) {
    cp.disableProfiling(); cp.clearProfile(); cp.enableProfiling({ callSites: mode }); run(); cp.disableProfiling(); run();
    const on: number[] = [], off: number[] = [];
    for (let r = 0; r < rounds; r++) { cp.enableProfiling({ callSites: mode }); on.push(run()); cp.disableProfiling(); off.push(run()); }
    console.log(`(c) a.add(a), 16 elements, callSites=${mode.padEnd(7)} enabled ${median(on).toFixed(0)} ns vs disabled ${median(off).toFixed(0)} ns → +${(median(on) - median(off)).toFixed(0)} ns per recorded op (in situ, a real op; the ≤ 150 ns target is the 1e7-op figure above)`);
  }
  cp.clearProfile();
}

/**
 * (d) OpenTelemetry on, with the real SDKs registered globally (a MeterProvider whose periodic
 * reader collects every second into an in-memory exporter, a BasicTracerProvider), against the
 * profiler alone and against nothing, on Example 1 and 100 small adds; durations either into the
 * SDK's histograms (the default) or into corepy's own (createMetricProducer, on the same reader). Op durations reach the SDK
 * in batches of BUFFER_SIZE, so a per-run median would miss the batches: each side runs blocks
 * of at least BUFFER_SIZE ops (every block pays about one batch) in rotating order, and the
 * figure is the median over blocks of the mean time per run. The collections on the reader's
 * timer fall inside the timed blocks, as they would in production.
 */
async function benchOtel(): Promise<void> {
  const [{ metrics, trace }, sdkMetrics, sdkTrace, { BUFFER_SIZE }] = await Promise.all([
    import('@opentelemetry/api'), import('@opentelemetry/sdk-metrics'), import('@opentelemetry/sdk-trace-base'), import('../otel/op-metrics.js'),
  ]);
  const exporter = new sdkMetrics.InMemoryMetricExporter(sdkMetrics.AggregationTemporality.CUMULATIVE);
  const producer = cp.createMetricProducer();
  const meterProvider = new sdkMetrics.MeterProvider({
    readers: [new sdkMetrics.PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 1000, metricProducers: [producer as unknown as import('@opentelemetry/sdk-metrics').MetricProducer] })],
  });
  const tracerProvider = new sdkTrace.BasicTracerProvider({ spanProcessors: [new sdkTrace.SimpleSpanProcessor(new sdkTrace.InMemorySpanExporter())] });
  metrics.setGlobalMeterProvider(meterProvider);
  trace.setGlobalTracerProvider(tracerProvider);
  const adds = (() => { const x = cp.keep(cp.tensor(new Float32Array(16))); return () => { cp.tidy(() => { for (let i = 0; i < 100; i++) x.add(i); }); }; })();
  const cases: [string, () => void, number][] = [
    ['Example 1 as written @ 1e5', example1(1e5, true), 7], ['Example 1, resident @ 1e5', example1(1e5, false), 6], ['100 small adds', adds, 100],
  ];
  const budget = Number(process.env['OTEL_BUDGET_MS'] ?? 6000);
  for (const [name, fn, opsPerRun] of cases) {
    const runs = Math.ceil(BUFFER_SIZE / opsPerRun);
    const block = (): number => time(() => { for (let i = 0; i < runs; i++) fn(); }) / runs;
    const sides: [string, () => void, () => void][] = [
      ['off', () => undefined, () => undefined],
      ['profiler', () => cp.enableProfiling(), () => cp.disableProfiling()],
      ['profiler+otel', () => { cp.enableProfiling(); cp.enableOpenTelemetry(); }, () => { cp.disableOpenTelemetry(); cp.disableProfiling(); }],
      ['profiler+otel producer', () => { cp.enableProfiling(); cp.enableOpenTelemetry({ metricProducer: producer }); }, () => { cp.disableOpenTelemetry(); cp.disableProfiling(); }],
    ];
    const times: number[][] = [[], [], [], []];
    for (const [, on, off] of sides) { on(); block(); off(); } // warm-up, not counted
    const t0 = performance.now();
    for (let r = 0; r < 200 && (r < 6 || performance.now() - t0 < budget); r++) {
      for (let k = 0; k < 4; k++) {
        const i = (r + k) % 4, [, on, off] = sides[i]!;
        on(); times[i]!.push(block()); off();
      }
      cp.clearProfile();
    }
    const [off, prof, otel, prod] = times.map(median) as [number, number, number, number];
    console.log(`(d) ${name.padEnd(30)} off ${off.toFixed(4)} ms, profiler ${prof.toFixed(4)} ms (${pct(prof, off)}); with OpenTelemetry, SDK histograms ` +
      `${otel.toFixed(4)} ms (${pct(otel, off)} over off, ${pct(otel, prof)} over the profiler), createMetricProducer ${prod.toFixed(4)} ms ` +
      `(${pct(prod, off)} over off, ${pct(prod, prof)} over the profiler) — ${times[0]!.length} blocks of ${runs} runs each`);
  }
  // What one op costs in the SDK: Histogram.record with the three attributes (medians of 9 rounds of 1e5 calls).
  const h = meterProvider.getMeter('bench').createHistogram('bench.duration', { unit: 's' });
  const attributes = { 'corepy.op': 'add', 'corepy.backend': 'wasm', 'corepy.dtype': 'float32' };
  const perCall: number[] = [];
  for (let r = 0; r < 10; r++) {
    const n = 1e5, t = time(() => { for (let i = 0; i < n; i++) h.record(i * 1e-9, attributes); });
    if (r > 0) perCall.push((t / n) * 1e6); // the first round warms the JIT
  }
  console.log(`(d) sdk-metrics Histogram.record with 3 attributes: ${median(perCall).toFixed(0)} ns per call (what each op costs when its duration reaches the SDK)`);
  await meterProvider.shutdown();
  metrics.disable(); trace.disable();
  cp.clearProfile();
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

/**
 * Modes of (d): which profiler state a fresh process times Example 1 under. 'static' is callSites
 * 'all' in a process started with static call sites (profiler/static-sites-preload.js, as
 * `corepy profile` starts scripts): every op gets its exact line from a token, no stack captured.
 * 'preloaded-off' is its control: the same preload with COREPY_STATIC_SITES=0 (nothing instrumented)
 * and callSites 'off' — a process whose runtime was loaded by `--import` times Example 1 differently
 * from one that imports it itself (measured: +10–40 % at load 4–5 with nothing installed), and every
 * `corepy profile` run is such a process.
 */
const FRESH_MODES = ['never', 'disabled', 'off', 'sampled', 'all', 'static', 'preloaded-off'] as const;
type FreshMode = (typeof FRESH_MODES)[number];

/** (d), child side: Example 1 resident @ 1e5 under `mode`; prints the median ms per run. */
function freshChild(mode: FreshMode): void {
  const fn = example1(1e5, false);
  if (mode !== 'never') cp.enableProfiling({ callSites: mode === 'disabled' ? 'sampled' : mode === 'static' ? 'all' : mode === 'preloaded-off' ? 'off' : mode });
  for (let i = 0; i < 200; i++) fn(); // warm-up: JIT tiers, the recorder's first captures
  if (mode === 'disabled') cp.disableProfiling();
  const times: number[] = [];
  const t0 = performance.now();
  for (let r = 0; r < 20000 && (r < 300 || performance.now() - t0 < 400); r++) times.push(time(fn));
  // Stack captures made: 0 in 'static' when every op of the timed code carried its static site.
  const cost = mode === 'never' ? null : snapshot(false, { events: false }).selfCost;
  // User call stacks (stacks.ts) are captured apart from call sites: sampled per line, their time measured.
  console.log(JSON.stringify({ mode, ms: median(times), runs: times.length, captures: cost?.captures ?? 0,
    stackCaptures: cost?.stackCaptures ?? 0, stackMs: cost?.stackCaptureMs ?? 0 }));
}

/** (d), parent side: PROCS rounds, each running every mode once in a fresh process (order rotated per round). */
function benchFresh(): void {
  const procs = Number(process.env['PROCS'] ?? 9);
  const self = fileURLToPath(import.meta.url);
  // MODES=never,off,static narrows (d) to the modes being compared (more processes per mode in the same time).
  const modes = FRESH_MODES.filter((m) => m === 'never' || (process.env['MODES'] ?? FRESH_MODES.join(',')).split(',').includes(m));
  const per = new Map<FreshMode, number[]>(modes.map((m) => [m, []]));
  const preload = new URL('../profiler/static-sites-preload.js', import.meta.url).href;
  let staticCaptures = 0, stackCaptures = 0, stackMs = 0;
  for (let r = 0; r < procs; r++) {
    for (let k = 0; k < modes.length; k++) {
      const mode = modes[(r + k) % modes.length]!;
      const args = mode === 'static' || mode === 'preloaded-off' ? ['--import', preload, self] : [self];
      const env = { ...process.env, OVERHEAD_CHILD: mode, ...(mode === 'preloaded-off' ? { COREPY_STATIC_SITES: '0' } : {}) };
      const out = execFileSync(process.execPath, args, { env, encoding: 'utf8' });
      const res = JSON.parse(out.trim().split('\n').pop()!) as { ms: number; captures: number; stackCaptures: number; stackMs: number };
      per.get(mode)!.push(res.ms);
      if (mode === 'static') { staticCaptures += res.captures; stackCaptures += res.stackCaptures; stackMs += res.stackMs; }
    }
  }
  const base = median(per.get('never')!);
  for (const mode of modes) {
    const xs = per.get(mode)!, m = median(xs);
    const label = mode === 'never' ? 'profiler never enabled' : mode === 'disabled' ? 'enabled, then disabled'
      : mode === 'static' ? 'static sites, callSites=all' : mode === 'preloaded-off' ? 'preloaded, callSites=off' : `enabled, callSites=${mode}`;
    console.log(`(d) fresh processes, Example 1 resident @ 1e5: ${label.padEnd(26)} ${m.toFixed(4)} ms` +
      (mode === 'never' ? ` (baseline; ${procs} processes per mode)` : ` → ${pct(m, base)} (process medians ${Math.min(...xs).toFixed(4)}–${Math.max(...xs).toFixed(4)} ms)`));
  }
  if (per.has('static') && per.has('preloaded-off')) {
    const st = median(per.get('static')!), po = median(per.get('preloaded-off')!);
    console.log(`(d) static sites (every op's exact line) against the same preload without them (callSites=off, no lines): ${pct(st, po)}`);
  }
  if (per.has('static')) {
    console.log(`(d) static sites: ${staticCaptures} stack captures in ${procs} processes (0: every op's exact line came from its static site)`);
    console.log(`(d) static sites: user call stacks sampled — ${(stackCaptures / procs).toFixed(0)} captures, ${(stackMs / procs).toFixed(2)} ms per process (warm-up included)`);
  }
}

const child = process.env['OVERHEAD_CHILD'] as FreshMode | undefined;
if (child !== undefined) {
  if (!FRESH_MODES.includes(child)) throw new Error(`OVERHEAD_CHILD must be one of ${FRESH_MODES.join(', ')}, got ${JSON.stringify(child)}`);
  freshChild(child);
  process.exit(0);
}

console.log(`corepy profiler overhead — backend ${cp.getBackend()}, node ${process.version}; medians: (a), (b) ${BUDGET_MS} ms per case, (c) ${rounds} rounds`);
// ONLY=a,b,c,d,e,otel,tf runs a subset (default: all).
const only = new Set((process.env['ONLY'] ?? 'a,b,c,d,e,otel,tf').split(','));
if (only.has('a')) benchDisabled();
if (only.has('b')) benchEnabled();
if (only.has('c')) { benchTenMillion(); benchSmallAdd(); }
if (only.has('d')) benchFresh();
if (only.has('e')) benchFreshEstimate();
if (only.has('otel')) await benchOtel();
if (only.has('tf')) await benchTf();
