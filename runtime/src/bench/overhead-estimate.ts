/**
 * (e) of `npm run bench:overhead` (`ONLY=e`; alone: `node runtime/dist/bench/overhead-estimate.js`):
 * what per-line attribution costs on the seed's Example 1, resident @ 1e5, estimated in fresh
 * processes finely enough to tell 1 % from 2 %.
 *
 * Why not the direct A/B of (d) alone: one process's Example 1 median moves by ±20–40 % from one
 * fresh process to the next (heap layout, JIT, the machine), so the difference of two modes'
 * medians over a dozen processes resolves nothing near 1 %. Here each fresh process measures its
 * own difference, so process-to-process variation cancels:
 *
 * Each process first records past the event ring's first touch (see `child`): steady state.
 * - In situ: the recorder on and off (only the engine's dispatch observer switched, the recorder
 *   kept) in blocks rotating among three sides — on, off, and off again (the A/A control: the same
 *   procedure with nothing changed) — the first run after each switch left out, about ESTIMATE_MS
 *   in all; the difference of the per-run medians over the process's off median. This is the real
 *   cost on these ops, cache misses after 400 KB kernels included.
 * - From the per-op cost: the same three-sided blocks on 100 adds of a 16-element tensor (the op
 *   ~1 µs, so the recorder's part stands out) give ns per recorded op with caches warm; times
 *   Example 1's ops per run (counted by the recorder) over the same process's run time. Finer, but a
 *   lower bound: it leaves out the cache misses a 1e5-element op inflicts on the recorder.
 *
 * Processes alternate between `callSites: 'sampled'` (the default: every op attributed, lines
 * sampled), static sites (`--import` static-sites-preload.js with `callSites: 'all'`, what
 * `corepy profile` runs: every op's exact line), 'known': no profiler, an observer that only
 * runs a fixed integer loop per outermost op, whose ns are timed alone in the same process — the
 * accuracy control (the in-situ figure should come out near that, a little above for the call) —
 * and 'floor': no profiler, an observer that times every op (two clock reads, three stores) and
 * does nothing else, the least any recorder that times each op can cost here.
 * Each figure is the median over processes with the range; the A/A figures say what a zero looks
 * like with this procedure.
 * Environment: PROCS (processes per mode, default 9), ESTIMATE_MS (time per process on Example 1,
 * default 2000; half that on the adds), ESTIMATE_MODES (default: all four).
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as cp from '../index.js';
import { getDispatchObserver, setDispatchObserver, type DispatchObserver } from '../engine.js';
import { DEFAULT_MAX_EVENTS, opsRecorded } from '../profiler/session.js';
import { example1 } from './example1.js';
import { median } from './timing.js';

const MODES = ['sampled', 'static', 'known', 'floor'] as const;
type Mode = (typeof MODES)[number];
/** Timed runs per side per block (after the untimed first run). */
const RUNS_PER_BLOCK = 8;

/** What one fresh process measured; times in ms per run (medians over its blocks). */
interface ChildResult {
  mode: Mode;
  /** 'known' only: ns per call of the observer's loop, timed alone (0 otherwise). */
  knownNs: number;
  opsPerRun: number;
  on: number; off: number; aa: number;
  addsOn: number; addsOff: number; addsAa: number;
  blocks: number;
}

/**
 * Runs `fn` under three sides — recorder on, off, off again (A/A) — in blocks whose order rotates,
 * for about `budgetMs`; returns the median ms per run of each side. The first run after each
 * switch is not timed (it would carry the switch itself).
 */
function threeSides(fn: () => void, rec: DispatchObserver, budgetMs: number): { on: number; off: number; aa: number; blocks: number } {
  const sides = [rec, null, null];
  const times: number[][] = [[], [], []];
  let blocks = 0;
  const t0 = performance.now();
  for (; blocks < 100000 && (blocks < 30 || performance.now() - t0 < budgetMs); blocks++) {
    for (let k = 0; k < 3; k++) {
      const s = (blocks + k) % 3;
      setDispatchObserver(sides[s]!);
      fn();
      for (let r = 0; r < RUNS_PER_BLOCK; r++) {
        const a = performance.now();
        fn();
        times[s]!.push(performance.now() - a);
      }
    }
  }
  setDispatchObserver(rec);
  return { on: median(times[0]!), off: median(times[1]!), aa: median(times[2]!), blocks };
}

/** Iterations of the 'known' observer's loop (~300 ns on the dev machine). */
const KNOWN_ITERATIONS = 250;
let knownSink = 0;
/** A dependent chain of integer multiply-adds: compute only, no memory, so its cost does not depend on the caches. */
function knownWork(): void {
  let x = knownSink | 0;
  for (let i = 0; i < KNOWN_ITERATIONS; i++) x = (Math.imul(x, 1664525) + 1013904223) | 0;
  knownSink = x;
}

/** An observer with a known cost per outermost op (nested dispatches run as they are, as in the recorder). */
function knownObserver(): DispatchObserver & { ops: number } {
  let depth = 0;
  return {
    ops: 0,
    observe<T>(_op: string, _inputs: readonly unknown[], backend: Parameters<DispatchObserver['observe']>[2], run: (b: typeof backend) => T): T {
      if (depth !== 0) return run(backend);
      this.ops++;
      knownWork();
      depth = 1;
      try { return run(backend); } finally { depth = 0; }
    },
  };
}

/**
 * The least a recorder that times every op can do: two clock reads and three stores (op, start,
 * end) into a preallocated ring, nothing else — no call site, no statistics. What it costs in situ
 * is the floor under any design of recorder.ts on this workload.
 */
function floorObserver(): DispatchObserver & { ops: number } {
  let depth = 0;
  const ring = new Float64Array(3 * 4096), perf = performance;
  let k = 0;
  return {
    ops: 0,
    observe<T>(op: string, _inputs: readonly unknown[], backend: Parameters<DispatchObserver['observe']>[2], run: (b: typeof backend) => T): T {
      if (depth !== 0) return run(backend);
      this.ops++;
      depth = 1;
      const t0 = perf.now();
      let result: T;
      try { result = run(backend); } finally { depth = 0; }
      const t1 = perf.now();
      ring[k] = op.length; ring[k + 1] = t0; ring[k + 2] = t1;
      k = (k + 3) % ring.length;
      return result;
    },
  };
}

/** ns per call of knownWork, timed alone: median of 21 rounds of 20,000 calls. */
function knownNs(): number {
  const rounds: number[] = [];
  for (let r = 0; r < 21; r++) {
    const t = performance.now();
    for (let i = 0; i < 20000; i++) knownWork();
    rounds.push(((performance.now() - t) * 1e6) / 20000);
  }
  return median(rounds);
}

function child(mode: Mode): void {
  const budget = Number(process.env['ESTIMATE_MS'] ?? 2000);
  const ex1 = example1(1e5, false);
  const x = cp.keep(cp.tensor(new Float32Array(16)));
  const adds = (): void => { cp.tidy(() => { for (let i = 0; i < 100; i++) x.add(i); }); };
  const known = mode === 'known' ? knownObserver() : mode === 'floor' ? floorObserver() : null;
  if (known !== null) setDispatchObserver(known);
  else cp.enableProfiling({ callSites: mode === 'static' ? 'all' : 'sampled' });
  // Warm-up: JIT tiers, the first call-site and stack captures of every line.
  for (let i = 0; i < 200; i++) { ex1(); adds(); }
  // And past the event ring's first touch: its pages are faulted in as the first DEFAULT_MAX_EVENTS events
  // land (ring.ts), ~1 page per 17 events, a one-time cost of a run's start that steady state does not pay
  // (measured beside it: BENCHMARKS.md, "Start-up").
  if (known === null) while (opsRecorded() < DEFAULT_MAX_EVENTS) adds();
  const rec = getDispatchObserver();
  if (rec === null) throw new Error('overhead-estimate: profiling is on but no dispatch observer is installed');
  const count = (): number => (known !== null ? known.ops : opsRecorded());
  const before = count();
  ex1();
  const opsPerRun = count() - before;
  const e = threeSides(ex1, rec, budget);
  const a = threeSides(adds, rec, budget / 2);
  const out: ChildResult = { mode, knownNs: mode === 'known' ? knownNs() : 0, opsPerRun, on: e.on, off: e.off, aa: e.aa, addsOn: a.on, addsOff: a.off, addsAa: a.aa, blocks: e.blocks };
  console.log(JSON.stringify(out));
}

const pctOf = (d: number, base: number): number => (d / base) * 100;
const signed = (v: number, digits = 2): string => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(digits)}`;
const range = (xs: readonly number[], digits = 2): string => `${signed(Math.min(...xs), digits)} … ${signed(Math.max(...xs), digits)}`;

/** Parent side: PROCS rounds, each running every mode once in a fresh process (order alternating). */
export function benchFreshEstimate(): void {
  const procs = Number(process.env['PROCS'] ?? 9);
  const modes = MODES.filter((m) => (process.env['ESTIMATE_MODES'] ?? MODES.join(',')).split(',').includes(m));
  const self = fileURLToPath(import.meta.url);
  const preload = new URL('../profiler/static-sites-preload.js', import.meta.url).href;
  const per = new Map<Mode, ChildResult[]>(modes.map((m) => [m, []]));
  const load0 = loadavg()[0]!;
  for (let r = 0; r < procs; r++) {
    for (let k = 0; k < modes.length; k++) {
      const mode = modes[(r + k) % modes.length]!;
      const args = mode === 'static' ? ['--import', preload, self] : [self];
      const out = execFileSync(process.execPath, args, { env: { ...process.env, OVERHEAD_ESTIMATE_CHILD: mode }, encoding: 'utf8' });
      per.get(mode)!.push(JSON.parse(out.trim().split('\n').pop()!) as ChildResult);
    }
  }
  console.log(`(e) fresh-process estimate, Example 1 resident @ 1e5: ${procs} processes per mode, alternating; load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`);
  for (const mode of modes) {
    const rs = per.get(mode)!;
    const label = mode === 'static' ? 'static sites (callSites=all, preloaded)' : mode === 'known' ? 'known cost (no profiler; a fixed loop per op)'
      : mode === 'floor' ? 'floor (no profiler; two clock reads and three stores per op)' : 'callSites=sampled';
    const inSitu = rs.map((r) => pctOf(r.on - r.off, r.off)), inSituAa = rs.map((r) => pctOf(r.aa - r.off, r.off));
    // ns per recorded op on the adds (100 ops per run), then scaled to Example 1's ops per run and run time.
    const nsPerOp = rs.map((r) => ((r.addsOn - r.addsOff) * 1e6) / 100), nsPerOpAa = rs.map((r) => ((r.addsAa - r.addsOff) * 1e6) / 100);
    const fromOp = rs.map((r, i) => pctOf((nsPerOp[i]! * 1e-6) * r.opsPerRun, r.off)), fromOpAa = rs.map((r, i) => pctOf((nsPerOpAa[i]! * 1e-6) * r.opsPerRun, r.off));
    const inSituNs = rs.map((r) => ((r.on - r.off) * 1e6) / r.opsPerRun);
    console.log(`(e) ${label}: run ${median(rs.map((r) => r.off)).toFixed(4)} ms with the ${mode === 'known' || mode === 'floor' ? 'observer' : 'recorder'} off (processes ${Math.min(...rs.map((r) => r.off)).toFixed(4)}–${Math.max(...rs.map((r) => r.off)).toFixed(4)}), ` +
      `${[...new Set(rs.map((r) => r.opsPerRun))].join('/')} ops per run, ${median(rs.map((r) => r.blocks))} blocks per process`);
    console.log(`(e)   in situ (on vs off in each process):   ${signed(median(inSitu))} % (processes ${range(inSitu)}), ${signed(median(inSituNs), 0)} ns per op;` +
      ` A/A ${signed(median(inSituAa))} % (processes ${range(inSituAa)})`);
    if (mode === 'known') {
      const knownNs = rs.map((r) => r.knownNs);
      console.log(`(e)   accuracy: the loop alone ${median(knownNs).toFixed(0)} ns per call (processes ${Math.min(...knownNs).toFixed(0)}–${Math.max(...knownNs).toFixed(0)}); ` +
        `measured in situ ${signed(median(inSituNs), 0)} ns per op, on the adds ${signed(median(nsPerOp), 0)} ns per op (the call and the try/finally come on top)`);
      continue;
    }
    console.log(`(e)   from the per-op cost (100 small adds): ${signed(median(nsPerOp), 0)} ns per op (A/A ${signed(median(nsPerOpAa), 0)}) × ops ÷ run → ${signed(median(fromOp))} % ` +
      `(processes ${range(fromOp)}); A/A ${signed(median(fromOpAa))} % (processes ${range(fromOpAa)}) — warm caches: a lower bound`);
  }
}

const childMode = process.env['OVERHEAD_ESTIMATE_CHILD'];
if (childMode !== undefined) {
  if (!(MODES as readonly string[]).includes(childMode)) throw new Error(`OVERHEAD_ESTIMATE_CHILD must be one of ${MODES.join(', ')}, got ${JSON.stringify(childMode)}`);
  child(childMode as Mode);
  process.exit(0);
} else if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  benchFreshEstimate();
}
