/**
 * The baseline comparison judges noise honestly: ops on their steady calls (a slow first call no
 * longer hides a 17× change in the spread), an op or context with one call on a side only on a
 * change beyond SINGLE_CALL_FACTOR (a cold single call varies several-fold between identical runs),
 * files from before the steady figures still compare, and the steady spread the report gives is
 * the population standard deviation of exactly the steady calls' times.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import fc from 'fast-check';
import * as cp from '../../runtime/src/index.js';
import type { OpStats, ProfileReport } from '../../runtime/src/contract/report.js';
import { baselineOf, BUSY_SINGLE_CALL_FACTOR, BUSY_SINGLE_CALL_MIN_MS, compareBaseline, MIN_CHANGE_MS, SINGLE_CALL_FACTOR, type Baseline } from '../../runtime/src/profiler/baseline.js';
import { readBaseline, writeBaseline } from '../../runtime/src/profiler/baseline-file.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { snapshot } from '../../runtime/src/profiler/session.js';
import { steadyMedians } from '../../runtime/src/profiler/steady-medians.js';
import type { RuleColumns } from '../../runtime/src/profiler/rule-columns.js';

const medianOf = (xs: readonly number[]): number => { const t = [...xs].sort((a, b) => a - b), k = t.length >> 1; return t.length % 2 ? t[k]! : (t[k - 1]! + t[k]!) / 2; };

/** An op row from per-call times (ms), the first `first` of them first calls, as the aggregation would give it; `medians`: with the steady median and MAD. */
function opRow(op: string, times: readonly number[], first: number, medians = false): OpStats {
  const n = times.length, total = times.reduce((s, t) => s + t, 0), mean = total / n;
  const sd = (xs: readonly number[]): number => { const m = xs.reduce((s, t) => s + t, 0) / xs.length; return Math.sqrt(xs.reduce((s, t) => s + (t - m) ** 2, 0) / xs.length); };
  const steady = times.slice(first);
  return {
    op, backends: ['wasm'], count: n, totalMs: total, meanMs: mean, minMs: Math.min(...times), maxMs: Math.max(...times), stddevMs: n > 1 ? sd(times) : 0,
    percent: 100, bytesRead: 0, bytesWritten: 0, elements: 0, gpuMs: 0, uploadBytes: 0, downloadBytes: 0,
    steadyMeanMs: steady.length > 0 ? steady.reduce((s, t) => s + t, 0) / steady.length : null, steadyStddevMs: steady.length > 1 ? sd(steady) : null,
    firstCallCount: first, firstCallMs: times.slice(0, first).reduce((s, t) => s + t, 0), mostlyFirstCall: false,
    ...(medians && steady.length > 1 ? { steadyMedianMs: medianOf(steady), steadyMadMs: medianOf(steady.map((t) => Math.abs(t - medianOf(steady)))) } : {}),
  };
}

const report = (ops: OpStats[], contexts: ProfileReport['contexts'] = {}): ProfileReport => ({ operations: ops, contexts } as unknown as ProfileReport);
const repeat = (ms: number, n: number): number[] => Array.from({ length: n }, (_, i) => ms * (1 + 0.02 * Math.sin(i)));

describe('baseline comparison', () => {
  it('steady medians and MADs equal a sort-based reference on random event columns (fast-check)', () => {
    const names = ['add', 'mul', 'add', 'randn']; // a name may repeat under another index
    const shapeLists = [[], [[3]], [[4, 2]], [[5]], [[7]]]; // interned: distinct contents
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 4 }), fc.double({ min: 0, max: 5, noNaN: true })), { maxLength: 200 }),
      fc.boolean(), (evs, dropOne) => {
        const n = evs.length;
        const cols = {
          length: n, names, shapeLists,
          op: Int32Array.from(evs, (e) => e[0]), inShapes: Int32Array.from(evs, (e) => (names[e[0]] === 'randn' ? 0 : e[1])), outShapes: Int32Array.from(evs, (e) => e[1]),
          startMs: new Float64Array(n), endMs: Float64Array.from(evs, (e) => e[2]),
        } as unknown as RuleColumns;
        // The reference: per name, every call but the first of each (input shapes, or output shapes when there are no inputs).
        const want = new Map<string, number[]>(), calls = new Map<string, number>(), seen = new Set<string>();
        evs.forEach(([op, shape, ms], i) => {
          const name = names[op]!, key = `${name}|${JSON.stringify(cols.shapeLists[cols.inShapes[i]!]!.length > 0 ? cols.shapeLists[cols.inShapes[i]!] : ['out', cols.shapeLists[shape]])}`;
          calls.set(name, (calls.get(name) ?? 0) + 1);
          if (seen.has(key)) { if (!want.has(name)) want.set(name, []); want.get(name)!.push(ms); } else seen.add(key);
        });
        const counts = new Map(calls);
        if (dropOne && counts.size > 0) counts.set([...counts.keys()][0]!, counts.get([...counts.keys()][0]!)! + 1); // one call overwritten
        const got = steadyMedians(cols, counts);
        for (const [name, xs] of want) {
          if (xs.length < 2 || counts.get(name) !== calls.get(name)) { assert.equal(got.has(name), false, name); continue; }
          const m = medianOf(xs);
          assert.deepEqual(got.get(name), { n: xs.length, medianMs: m, madMs: medianOf(xs.map((x) => Math.abs(x - m))) }, name);
        }
        for (const name of got.keys()) assert.ok(want.has(name), name);
      }), { numRuns: 300 });
  });

  it('no steady median when the event ring overwrote some of the op\'s calls (the statistics stay exact, the median could not)', () => {
    cp.clearProfile();
    cp.enableProfiling({ callSites: 'off', maxEvents: 16 });
    try {
      const x = cp.keep(cp.ones([64]));
      cp.tidy(() => { for (let i = 0; i < 40; i++) x.mul(2); });
      const row = cp.profileReport({ format: 'json' }).operations.find((o) => o.op === 'mul')!;
      assert.equal(row.count, 40);
      assert.equal(typeof row.steadyMeanMs, 'number');
      assert.equal(row.steadyMedianMs, undefined);
      x.dispose();
    } finally {
      cp.disableProfiling();
      cp.clearProfile();
    }
  });

  it('an 11× slower op is a regression although slow first calls swell its spread (steady calls judged)', () => {
    // The audit's case: 10× the elements; a cold first call of 3 ms in the baseline and 4.2 ms now.
    const before = report([opRow('sum', [3.0, ...repeat(0.0226, 49)], 1)]);
    const now = report([opRow('sum', [4.2, ...repeat(0.25, 49)], 1)]);
    const c = compareBaseline(baselineOf(before), now);
    assert.deepEqual(c.regressions.map((f) => f.name), ['sum']);
    assert.match(c.regressions[0]!.evidence, /steady mean 0\.2\d* ms \(n=49.*first call per input shape left out/);
    // All calls together (what was compared before): the first calls make 3 standard errors larger than the change.
    const all = (o: OpStats) => ({ count: o.count, meanMs: o.meanMs, stddevMs: o.stddevMs });
    const a = all(now.operations[0]!), b = all(before.operations[0]!);
    assert.ok(a.meanMs - b.meanMs < 3 * Math.sqrt(a.stddevMs ** 2 / a.count + b.stddevMs ** 2 / b.count), 'the all-calls test would have missed it');
  });

  it('a 7× slower op is a regression although the scheduler delayed a few calls on both sides (steady medians judged)', () => {
    // A busy machine: 3 of 49 steady calls delayed by ~4 ms in the baseline, 2 now.
    const calls = (ms: number, delayed: number): number[] => repeat(ms, 49).map((t, i) => (i % 17 === 5 && i / 17 < delayed ? t + 4 : t));
    const before = report([opRow('mul', [0.5, ...calls(0.0226, 3)], 1, true)]);
    const now = report([opRow('mul', [0.9, ...calls(0.15, 2)], 1, true)]);
    const c = compareBaseline(baselineOf(before), now);
    assert.deepEqual(c.regressions.map((f) => f.name), ['mul']);
    assert.match(c.regressions[0]!.evidence, /steady median 0\.15\d* ms \(n=49, MAD .*first call per input shape left out/);
    // Without the medians (a file from before them, or events overwritten), the means' spread hides it.
    const strip = (r: ProfileReport) => report(r.operations.map(({ steadyMedianMs: _m, steadyMadMs: _d, ...o }) => o as OpStats));
    assert.equal(compareBaseline(baselineOf(strip(before)), strip(now)).regressions.length, 0, 'steady means and sds would have missed it');
    // And an unchanged op on a busy machine stays unchanged.
    const again = compareBaseline(baselineOf(before), report([opRow('mul', [0.7, ...calls(0.0231, 1)], 1, true)]));
    assert.deepEqual([again.regressions.length, again.improvements.length], [0, 0]);
  });

  it(`one call on a side: a change within ${SINGLE_CALL_FACTOR}× is not judged, beyond it is, both ways`, () => {
    const base = baselineOf(report([opRow('randn', [18.11], 1)], { load: { count: 1, totalTimeMs: 30, meanMs: 30, stddevMs: 0 } as never }));
    const same = compareBaseline(base, report([opRow('randn', [42.77], 1)], { load: { count: 1, totalTimeMs: 70, meanMs: 70, stddevMs: 0 } as never }));
    assert.equal(same.ok, true, 'the audit saw 18 → 43 ms between two identical runs');
    assert.deepEqual([same.regressions.length, same.improvements.length, same.unchanged], [0, 0, 2]);
    assert.deepEqual(same.singleCall, ['op:randn', 'context:load']);
    const faster = compareBaseline(base, report([opRow('randn', [4.1], 1)]));
    assert.equal(faster.improvements.length, 0, '4.4× faster on one call is within the noise of one call');
    const slower = compareBaseline(base, report([opRow('randn', [18.11 * SINGLE_CALL_FACTOR * 1.1], 1)]));
    assert.deepEqual(slower.regressions.map((f) => f.name), ['randn']);
    assert.match(slower.regressions[0]!.evidence, new RegExp(`only a change beyond ${SINGLE_CALL_FACTOR}× counts`));
    const muchFaster = compareBaseline(base, report([opRow('randn', [18.11 / SINGLE_CALL_FACTOR / 1.1], 1)]));
    assert.deepEqual(muchFaster.improvements.map((f) => f.name), ['randn']);
  });

  it(`an op whose calls are all first calls (one per input shape) is judged like one call: only beyond ${SINGLE_CALL_FACTOR}×`, () => {
    // Audit 17: `randn` of two shapes, both calls first calls, mean 3.3 → 57.3 ms between identical runs (load 4–7).
    const base = baselineOf(report([opRow('randn', [3.1, 3.5], 2)]));
    assert.equal(base.ops['randn']!.steadyCount, undefined, 'no steady figures: fewer than two steady calls');
    const same = compareBaseline(base, report([opRow('randn', [55.0, 59.6], 2)]), 0.5);
    assert.deepEqual([same.ok, same.regressions.length, same.singleCall], [false, 1, ['op:randn']], '17× is beyond 10×: still a regression');
    const noisy = compareBaseline(base, report([opRow('randn', [20.1, 24.3], 2)]), 0.5);
    assert.deepEqual([noisy.ok, noisy.singleCall], [true, ['op:randn']], '6.6× on first calls is within their noise');
    assert.equal(compareBaseline(base, report([opRow('randn', [20.1, 24.3], 2)]), 0.5).regressions.length, 0);
    // One steady call each (a first call and one more): still judged on mostly-first calls.
    const mixed = baselineOf(report([opRow('cast', [2.0, 0.2], 1)]));
    assert.deepEqual(compareBaseline(mixed, report([opRow('cast', [9.0, 0.4], 1)]), 0.5).singleCall, ['op:cast']);
    // A file from before `minMs` and the steady figures, against a run with steady calls: judged on all calls' spread, as before.
    const { minMs: _m, ...old } = base.ops['randn']!;
    const legacy = compareBaseline({ ...base, ops: { randn: old } }, report([opRow('randn', [20.1, 3.2, 3.3, 3.4], 1)]), 0.5);
    assert.deepEqual(legacy.singleCall, []);
  });

  it(`one call on a side on a machine with more runnable threads than cores (now or when saved): only beyond ${BUSY_SINGLE_CALL_FACTOR}×, said so`, () => {
    // The third audit's case: randn 64², one call, 1.27 → 16.15 ms (12.7×) between identical runs at load 3–6 on 2 cores.
    const base = baselineOf(report([opRow('randn', [1.27], 1)]));
    const slower = report([opRow('randn', [16.15], 1)]);
    const quiet = compareBaseline(base, slower, 0.5, { cores: 2, loadAverage: 0.6 });
    assert.deepEqual([quiet.regressions.map((f) => f.name), quiet.singleCallFactor], [['randn'], SINGLE_CALL_FACTOR], 'judged beyond 10× on a quiet machine');
    const busy = compareBaseline(base, slower, 0.5, { cores: 2, loadAverage: 4.4 });
    assert.deepEqual([busy.ok, busy.regressions.length, busy.unchanged, busy.singleCall, busy.singleCallFactor], [true, 0, 1, ['op:randn'], BUSY_SINGLE_CALL_FACTOR]);
    assert.match(busy.loadNote ?? '', new RegExp(`one call on a side were judged only on a change beyond ${BUSY_SINGLE_CALL_FACTOR}× and ${BUSY_SINGLE_CALL_MIN_MS} ms: with more runnable threads than cores now`));
    const savedBusy = compareBaseline({ ...base, machine: { cores: 2, loadAverage: 5 } }, slower, 0.5, { cores: 2, loadAverage: 0.6 });
    assert.deepEqual([savedBusy.regressions.length, savedBusy.singleCallFactor], [0, BUSY_SINGLE_CALL_FACTOR]);
    assert.match(savedBusy.loadNote ?? '', /when the baseline was saved/);
    // Audit 18: an unchanged script's one-call add of 17 µs read 45.7 ms at load 5.5 (a scheduler stall, 2700×): on a
    // busy machine a single call must also move by BUSY_SINGLE_CALL_MIN_MS; on a quiet one the factor alone decides.
    const add = baselineOf(report([opRow('add', [0.017], 1)]));
    const stalled = report([opRow('add', [45.7], 1)]);
    const busyAdd = compareBaseline(add, stalled, 0.5, { cores: 2, loadAverage: 5.5 });
    assert.deepEqual([busyAdd.ok, busyAdd.belowMinChange], [true, ['op:add']]);
    assert.deepEqual(compareBaseline(add, stalled, 0.5, { cores: 2, loadAverage: 0.6 }).regressions.map((f) => f.name), ['add']);
    // minChangeMs 0 judges every change, busy or not.
    assert.deepEqual(compareBaseline(add, stalled, 0.5, { cores: 2, loadAverage: 5.5 }, 0).regressions.map((f) => f.name), ['add']);
    // A 1000× change is a regression on any machine.
    assert.deepEqual(compareBaseline(base, report([opRow('randn', [1270], 1)]), 0.5, { cores: 2, loadAverage: 4.4 }).regressions.map((f) => f.name), ['randn']);
  });

  it('typical calls 2.2× slower but the fastest unchanged (a busy machine): unchanged, and said so; both moved: a regression', () => {
    // The second audit's case: the unchanged script's mul, steady median 0.0220 → 0.0481 ms between runs at load 4.7.
    const quiet = repeat(0.022, 49).map((t, i) => (i % 5 === 0 ? 0.016 : t));
    const busy = repeat(0.0481, 49).map((t, i) => (i % 9 === 0 ? 0.0165 : t));
    const c = compareBaseline(baselineOf(report([opRow('mul', [0.3, ...quiet], 1, true)])), report([opRow('mul', [0.4, ...busy], 1, true)]));
    assert.deepEqual([c.regressions.length, c.unchanged, c.fastestUnchanged], [0, 1, ['op:mul']]);
    const slower = compareBaseline(baselineOf(report([opRow('mul', [0.3, ...quiet], 1, true)])), report([opRow('mul', [0.4, ...busy.map((t) => t * 1.5)], 1, true)]));
    assert.deepEqual(slower.regressions.map((f) => f.name), ['mul']);
    assert.match(slower.regressions[0]!.evidence, /fastest call 0\.02\d+ ms vs 0\.0160 ms \(1\.5\d×\)$/);
  });

  it(`a few µs-scale calls that moved by under ${MIN_CHANGE_MS} ms in all are not judged (said so); the same op in a hot loop is`, () => {
    // The third audit's case: an unchanged script's mul, 5 calls, steady median 0.0133 → 0.0445 ms and fastest call 1.89× at load 5.5.
    const few = (ms: number, fastest: number): OpStats => opRow('mul', [0.2, fastest, ...repeat(ms, 3)], 1, true);
    const c = compareBaseline(baselineOf(report([few(0.0133, 0.009)])), report([few(0.0445, 0.017)]));
    assert.deepEqual([c.ok, c.regressions.length, c.unchanged, c.belowMinChange], [true, 0, 1, ['op:mul']]);
    // Judged when asked to count any change, and when the calls add up: 2000 of them.
    const strict = compareBaseline(baselineOf(report([few(0.0133, 0.009)])), report([few(0.0445, 0.017)]), 0.1, undefined, 0);
    assert.deepEqual([strict.regressions.map((f) => f.name), strict.belowMinChange], [['mul'], []]);
    const hot = (ms: number, fastest: number): OpStats => opRow('mul', [0.2, fastest, ...repeat(ms, 1998)], 1, true);
    assert.deepEqual(compareBaseline(baselineOf(report([hot(0.0133, 0.009)])), report([hot(0.0445, 0.017)])).regressions.map((f) => f.name), ['mul']);
    assert.throws(() => compareBaseline(baselineOf(report([few(0.0133, 0.009)])), report([few(0.0133, 0.009)]), 0.1, undefined, -1), /minChangeMs must be ≥ 0 \(ms\), got -1/);
  });

  it('says when the machine\'s load differs from the baseline\'s by half a core per core; a file stores the load it was saved under', () => {
    const r = report([opRow('mul', repeat(0.1, 40), 1, true)]);
    const base = baselineOf(r, { cores: 2, loadAverage: 2.3 });
    assert.match(compareBaseline(base, r, 0.1, { cores: 2, loadAverage: 10.8 }).loadNote ?? '',
      /^load average 10\.8 now against 2\.3 when the baseline was saved \(2 cores\): other work on the machine slows every op alike/);
    const quiet = baselineOf(r, { cores: 2, loadAverage: 0.3 });
    assert.equal(compareBaseline(quiet, r, 0.1, { cores: 2, loadAverage: 0.8 }).loadNote, undefined, '0.25 per core apart, under one per core: no note');
    // More runnable threads than cores: even the fastest calls move by tens of percent, so a 10 % tolerance is said to be too tight.
    assert.match(compareBaseline(baselineOf(r), r, 0.1, { cores: 2, loadAverage: 2.9 }).loadNote ?? '',
      /^more runnable threads than cores now \(load average 2\.9, 2 cores\): .* use a tolerance of 0\.5 \(--tolerance 0\.5\)/);
    assert.equal(compareBaseline(baselineOf(r), r, 0.5, { cores: 2, loadAverage: 2.9 }).loadNote, undefined, 'with the tolerance it suggests');
    const dir = mkdtempSync(join(tmpdir(), 'corepy-baseline-'));
    try {
      writeBaseline(join(dir, 'b.json'), r);
      const saved = readBaseline(join(dir, 'b.json'));
      assert.ok(saved.machine === undefined || (saved.machine.cores >= 1 && saved.machine.loadAverage >= 0), JSON.stringify(saved.machine));
      if (process.platform !== 'win32') assert.ok(saved.machine, 'the load is stored where the platform has one');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a baseline file from before the steady figures compares on all calls, as it did', () => {
    const old: Baseline = { schemaVersion: 1, kind: 'corepy-baseline', exporter: 'corepy 0.1.0', createdAt: '', contexts: {},
      ops: { mul: { count: 40, meanMs: 0.1, stddevMs: 0.001, totalMs: 4 } } };
    const c = compareBaseline(old, report([opRow('mul', repeat(0.2, 40), 1)]));
    assert.deepEqual(c.regressions.map((f) => f.name), ['mul']);
    assert.doesNotMatch(c.regressions[0]!.evidence, /steady/);
    assert.deepEqual(c.singleCall, []);
  });

  it('the report\'s steadyStddevMs is the population standard deviation of exactly the steady calls', () => {
    cp.clearProfile();
    cp.enableProfiling({ callSites: 'off' });
    try {
      const small = cp.keep(cp.ones([64])), large = cp.keep(cp.ones([4096]));
      cp.tidy(() => { for (let i = 0; i < 30; i++) { small.mul(2); if (i % 3 === 0) large.mul(2); } });
      const events = snapshot(false).events.filter((e) => e.op === 'mul');
      const row = cp.profileReport({ format: 'json' }).operations.find((o) => o.op === 'mul')!;
      // Steady: every call but the first of each input shape.
      const seen = new Set<string>(), steady: number[] = [];
      for (const e of events) { const k = JSON.stringify(e.inputShapes); if (seen.has(k)) steady.push(e.endMs - e.startMs); else seen.add(k); }
      const m = steady.reduce((s, t) => s + t, 0) / steady.length;
      assert.equal(row.steadyMedianMs, medianOf(steady), 'steady median');
      assert.equal(row.steadyMadMs, medianOf(steady.map((t) => Math.abs(t - medianOf(steady)))), 'steady MAD');
      const want = Math.sqrt(steady.reduce((s, t) => s + (t - m) ** 2, 0) / steady.length);
      assert.equal(row.count, 40);
      assert.equal(steady.length, 38);
      assert.ok(Math.abs(row.steadyMeanMs! - m) <= 1e-9 * Math.max(1, m), `steady mean ${row.steadyMeanMs} vs ${m}`);
      assert.ok(Math.abs(row.steadyStddevMs! - want) <= 1e-6 * Math.max(1e-3, want), `steady sd ${row.steadyStddevMs} vs ${want}`);
      small.dispose(); large.dispose();
    } finally {
      cp.disableProfiling();
      cp.clearProfile();
    }
  });
});
