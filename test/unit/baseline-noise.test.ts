/**
 * Baselines on a busy machine (audit 24): contexts are judged on the median and MAD of their entries,
 * so one scheduler-stalled entry neither hides a 3× slower context nor fails an unchanged one (N5);
 * a context whose mean moved past the tolerance but was judged within noise is named; and an op with
 * one call on a side that moved past the single-call factor fails only when its change moves the
 * run's op time past the tolerance, else it is a warning (N4). Synthetic inputs: deterministic.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import type { ContextStats, OpStats, ProfileReport } from '../../runtime/src/contract/report.js';
import { baselineOf, BUSY_SINGLE_CALL_FACTOR, compareBaseline, type Baseline } from '../../runtime/src/profiler/baseline.js';
import { readBaseline, writeBaseline } from '../../runtime/src/profiler/baseline-file.js';
import { buildReport } from '../../runtime/src/profiler/report.js';
import { snapshot } from '../../runtime/src/profiler/session.js';
import { contextMedians } from '../../runtime/src/profiler/steady-medians.js';

const medianOf = (xs: readonly number[]): number => { const t = [...xs].sort((a, b) => a - b), k = t.length >> 1; return t.length % 2 ? t[k]! : (t[k - 1]! + t[k]!) / 2; };
const sdOf = (xs: readonly number[]): number => { const m = xs.reduce((s, t) => s + t, 0) / xs.length; return Math.sqrt(xs.reduce((s, t) => s + (t - m) ** 2, 0) / xs.length); };
/** `n` times around `ms`, ±3 % (deterministic). */
const around = (ms: number, n: number): number[] => Array.from({ length: n }, (_, i) => ms * (1 + 0.03 * Math.sin(1.7 * i)));

/** A context row from its entries' wall times (ms), as the report gives it; `medians`: with the entries' median and MAD. */
function contextRow(name: string, times: readonly number[], medians = true): ContextStats {
  const total = times.reduce((s, t) => s + t, 0), m = medianOf(times);
  return {
    name, kind: 'context', count: times.length, totalTimeMs: total, selfTimeMs: total, meanMs: total / times.length, minMs: Math.min(...times),
    maxMs: Math.max(...times), stddevMs: sdOf(times), percent: 50, opCount: 0, opTimeMs: 0, selfOpTimeMs: 0,
    ...(medians && times.length > 1 ? { medianMs: m, madMs: medianOf(times.map((t) => Math.abs(t - m))) } : {}),
  };
}

/** An op row of `n` calls of `ms` each (the first a first call), or one call (all first). */
function opRow(op: string, ms: number, n: number): OpStats {
  return {
    op, backends: ['wasm'], count: n, totalMs: ms * n, meanMs: ms, minMs: ms, maxMs: ms, stddevMs: 0, percent: 0, bytesRead: 0, bytesWritten: 0,
    elements: 0, gpuMs: 0, uploadBytes: 0, downloadBytes: 0, steadyMeanMs: n > 1 ? ms : null, steadyStddevMs: n > 2 ? 0 : null,
    firstCallCount: 1, firstCallMs: ms, mostlyFirstCall: n === 1, ...(n > 2 ? { steadyMedianMs: ms, steadyMadMs: 0 } : {}),
  };
}

const report = (ops: OpStats[], contexts: ContextStats[] = []): ProfileReport =>
  ({ operations: ops, contexts: Object.fromEntries(contexts.map((c) => [c.name, c])) } as unknown as ProfileReport);
const busy = { cores: 2, loadAverage: 13 };

describe('baselines under load: contexts on medians, one-call ops as warnings (audit 24 N4, N5)', () => {
  it('contextMedians: a stalled entry among fast ones leaves the median and MAD; only names whose every entry was retained', () => {
    const names = ['', 'step', 'load', 'step']; // node 3 is another `step` node (nested elsewhere): merged by name
    const durations = [[1, 9.0], [1, 9.2], [3, 8.9], [1, 300], [3, 9.1], [2, 40], [2, 44], [1, 9.3]];
    let t = 0;
    const spans = { length: durations.length, context: durations.map((d) => d[0]!), startMs: [] as number[], endMs: [] as number[] };
    for (const [, ms] of durations) { spans.startMs.push(t); spans.endMs.push((t += ms!)); t += 1; }
    const got = contextMedians(spans, (id) => names[id], new Map([['step', 6], ['load', 3]]));
    // The durations as the spans give them (end − start, with the float rounding of the clock's values).
    const step = durations.map((d, i) => [d[0], spans.endMs[i]! - spans.startMs[i]!] as const).filter(([id]) => id === 1 || id === 3).map(([, ms]) => ms);
    assert.deepEqual(got.get('step'), { n: 6, medianMs: medianOf(step), madMs: medianOf(step.map((x) => Math.abs(x - medianOf(step)))) });
    assert.ok(Math.abs(got.get('step')!.medianMs - 9.15) < 1e-9 && got.get('step')!.madMs < 0.2, 'the 300 ms entry moves neither');
    assert.equal(got.has('load'), false, 'two spans retained of three entries: no median');
    assert.equal(contextMedians(spans, (id) => names[id], new Map([['load', 2]])).get('load')?.n, 2);
  });

  it('a 3× slower context with one stalled entry is a regression (on means it passed); an unchanged rerun with one is not, and is named', () => {
    // The audit's run 6: `step` 20 entries of ~9.1 ms in the baseline; now the loop inside is 3× longer and one entry stalled.
    const base = baselineOf(report([], [contextRow('step', around(9.12, 20))]));
    assert.ok(base.contexts['step']!.medianMs! > 9 && base.contexts['step']!.madMs! < 0.3, 'the baseline stores the median and MAD');
    const slower = report([], [contextRow('step', [...around(27.4, 19), 300])]);
    const c = compareBaseline(base, slower, 0.5, busy);
    assert.deepEqual([c.ok, c.regressions.map((f) => f.name)], [false, ['step']]);
    assert.match(c.regressions[0]!.evidence, /^context 'step': median 27\.\d+ ms \(n=20, MAD .* of all entries; difference/);
    // The same run judged on means and standard deviations (a baseline from before the medians): within 3 standard errors.
    const { medianMs: _m, madMs: _d, ...oldStep } = base.contexts['step']!;
    const old = compareBaseline({ ...base, contexts: { step: oldStep } }, slower, 0.5, busy);
    assert.deepEqual([old.ok, old.regressions.length, old.unchanged], [true, 0, 1], 'means: one 300 ms entry widens the threshold past the change');
    assert.deepEqual(old.withinNoise.map((f) => f.name), ['step'], 'but it is named');
    assert.match(old.withinNoise[0]!.evidence, /^context 'step': mean 4\d\.\d+ ms .* vs baseline 9\.1\d+ ms .*, 4\.\d+×, beyond the tolerance, but judged within noise on mean .*re-save it/);
    // An unchanged rerun with one stalled entry: no regression, and the moved mean is named with its reason.
    const same = compareBaseline(base, report([], [contextRow('step', [...around(9.3, 19), 310])]), 0.5, busy);
    assert.deepEqual([same.ok, same.regressions.length, same.improvements.length, same.unchanged], [true, 0, 0, 1]);
    assert.deepEqual(same.withinNoise.map((f) => f.name), ['step']);
    assert.match(same.withinNoise[0]!.evidence, /mean 24\.\d+ ms .* 2\.\d+×, beyond the tolerance, but judged within noise on median 9\.\d+ ms .* move a mean, not a median$/);
    // A quiet rerun: nothing named.
    assert.deepEqual(compareBaseline(base, report([], [contextRow('step', around(9.2, 20))]), 0.5).withinNoise, []);
    // One side without medians (an older baseline, or spans overwritten now): means, as before.
    const noMedianNow = compareBaseline(base, report([], [contextRow('step', [...around(27.4, 19), 300], false)]), 0.5, busy);
    assert.equal(noMedianNow.regressions.length, 0);
    assert.match(noMedianNow.withinNoise[0]!.evidence, /judged within noise on mean .* this run did not keep every entry's span/);
  });

  it(`a one-call op 67× slower under the busy rule (beyond ${BUSY_SINGLE_CALL_FACTOR}× and 50 ms) is a warning, not a regression, unless it moves the run's op time past the tolerance`, () => {
    // The audit's bl.ts: randn once (0.78 ms in the baseline), mul/tanh/sum/read 200× each, 150 ms of op time in all.
    const rest = (scale: number): OpStats[] => [opRow('mul', 0.083 * scale, 200), opRow('tanh', 0.62 * scale, 200), opRow('sum', 0.038 * scale, 200), opRow('read', 0.0033 * scale, 200)];
    const base = baselineOf(report([opRow('randn', 0.7755, 1), ...rest(1)]), busy);
    // Rerun on the busy machine: everything slower, the single randn call 52 ms (67×).
    const rerun = compareBaseline(base, report([opRow('randn', 52.1, 1), ...rest(1.1)]), 0.5, busy);
    assert.deepEqual([rerun.ok, rerun.regressions.length, rerun.singleCall], [true, 0, ['op:randn']]);
    assert.deepEqual(rerun.singleCallWarnings.map((f) => [f.kind, f.name]), [['op', 'randn']]);
    assert.ok(rerun.singleCallWarnings[0]!.ratio > BUSY_SINGLE_CALL_FACTOR);
    assert.match(rerun.singleCallWarnings[0]!.evidence,
      /^op 'randn': mean 52\.1000 ms \(n=1.*only a change beyond 50× counts\); not counted: that call moved the run's op time by 51\.3 ms, not more than 50% of it \(2\d\d\.\d ms, the larger of the baseline's and now\)/);
    // Same figures with the old rule's premise (a script of that one op): the change is the run's, and counts.
    const alone = compareBaseline(baselineOf(report([opRow('randn', 0.7755, 1)]), busy), report([opRow('randn', 52.1, 1)]), 0.5, busy);
    assert.deepEqual([alone.ok, alone.regressions.map((f) => f.name), alone.singleCallWarnings], [false, ['randn'], []]);
    // In bl.ts, a one-call op that now takes longer than the rest of the run together is a regression.
    const huge = compareBaseline(base, report([opRow('randn', 400, 1), ...rest(1.1)]), 0.5, busy);
    assert.deepEqual([huge.ok, huge.regressions.map((f) => f.name), huge.singleCallWarnings], [false, ['randn'], []]);
    // Within the factor: neither (as before).
    const within = compareBaseline(base, report([opRow('randn', 30, 1), ...rest(1)]), 0.5, busy);
    assert.deepEqual([within.ok, within.singleCallWarnings, within.singleCall], [true, [], ['op:randn']]);
    // Tolerance 0 judges every change: the warning becomes a regression.
    assert.deepEqual(compareBaseline(base, report([opRow('randn', 52.1, 1), ...rest(1.1)]), 0, busy).regressions.map((f) => f.name).includes('randn'), true);
  });

  it('the report gives each context the median and MAD of its entries from the retained spans (report, saveBaseline and compareToBaseline paths)', () => {
    cp.clearProfile();
    cp.enableProfiling({ callSites: 'all' }); // captures inside the contexts: their time is left out of the entries' wall times
    try {
      const x = cp.keep(cp.ones([256]));
      for (let i = 0; i < 12; i++) cp.profileContext('step', () => cp.tidy(() => { for (let k = 0; k < (i === 5 ? 40 : 4); k++) x.mul(2).sum().item(); }));
      cp.profileContext('once', () => cp.tidy(() => x.add(1)));
      const spans = snapshot(true).spans, contexts = snapshot(true).contexts;
      // Wall time less the profiler's own (captures), as the context's other statistics.
      const step = spans.filter((s) => contexts[s.context]!.name === 'step').map((s) => s.endMs - s.startMs - (s.profilerMs ?? 0));
      assert.equal(step.length, 12);
      assert.ok(spans.some((s) => (s.profilerMs ?? 0) > 0), 'the spans carry the profiler\'s own time');
      const want = { medianMs: medianOf(step), madMs: medianOf(step.map((t) => Math.abs(t - medianOf(step)))) };
      const json = cp.profileReport({ format: 'json' }); // span columns (`events: 'rules'`)
      assert.deepEqual({ medianMs: json.contexts['step']!.medianMs, madMs: json.contexts['step']!.madMs }, want);
      assert.equal(json.contexts['once']!.medianMs, undefined, 'entered once: no median');
      const fromRecords = buildReport(snapshot(), { recommendations: false }); // span records (saveBaseline, compareToBaseline)
      assert.deepEqual({ medianMs: fromRecords.contexts['step']!.medianMs, madMs: fromRecords.contexts['step']!.madMs }, want);
      assert.equal(cp.profileReport({ format: 'json', context: 'step' }).contexts['step']!.medianMs, want.medianMs, 'a context\'s report: the same entries');
      const row = json.contexts['step']!;
      assert.ok(row.minMs <= row.medianMs! && row.medianMs! <= row.maxMs, `median within min..max: ${row.minMs} ${row.medianMs} ${row.maxMs}`);
      const dir = mkdtempSync(join(tmpdir(), 'corepy-baseline-noise-'));
      try {
        cp.saveBaseline(join(dir, 'b.json'));
        const saved = readBaseline(join(dir, 'b.json'));
        assert.deepEqual({ medianMs: saved.contexts['step']!.medianMs, madMs: saved.contexts['step']!.madMs }, want);
        assert.equal(cp.compareToBaseline(join(dir, 'b.json'), { tolerance: 0.5 }).regressions.filter((f) => f.kind === 'context').length, 0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      x.dispose();
    } finally {
      cp.disableProfiling();
      cp.clearProfile();
    }
  });

  it('no context median when the span ring overwrote some entries', () => {
    cp.clearProfile();
    cp.enableProfiling({ callSites: 'off', maxEvents: 16 }); // spans kept: max(1024, maxEvents / 4)
    try {
      for (let i = 0; i < 1100; i++) cp.profileContext('tick', () => undefined);
      const c = cp.profileReport({ format: 'json' }).contexts['tick']!;
      assert.equal(c.count, 1100);
      assert.equal(c.medianMs, undefined);
    } finally {
      cp.disableProfiling();
      cp.clearProfile();
    }
  });

  it('baseline files: the contexts\' medians are optional and checked (older files still read and compare on means)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'corepy-baseline-noise-'));
    try {
      const path = join(dir, 'b.json');
      writeBaseline(path, report([opRow('mul', 0.1, 40)], [contextRow('step', around(9.12, 20))]));
      const saved = readBaseline(path);
      assert.equal(typeof saved.contexts['step']!.medianMs, 'number');
      const raw = JSON.parse(readFileSync(path, 'utf8')) as Baseline & { contexts: Record<string, Record<string, unknown>> };
      delete raw.contexts['step']!['medianMs']; delete raw.contexts['step']!['madMs'];
      writeFileSync(path, JSON.stringify(raw));
      const old = readBaseline(path);
      assert.equal(old.contexts['step']!.medianMs, undefined);
      assert.equal(compareBaseline(old, report([opRow('mul', 0.1, 40)], [contextRow('step', around(9.12, 20))])).ok, true);
      raw.contexts['step']!['medianMs'] = 9;
      writeFileSync(path, JSON.stringify(raw));
      assert.throws(() => readBaseline(path), /does not match the baseline schema: \/contexts\/step must have property madMs/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
