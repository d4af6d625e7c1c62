/**
 * Segments (issue 14, Build 5): clearProfile() and enableProfiling() after disableProfiling()
 * start a new segment; the report keeps every segment of the run with its own ops and call sites,
 * and the text report prints each. Real ops on the js backend, and the training-loop tutorial's
 * before/after loops through the built `corepy profile`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { snapshot } from '../../runtime/src/profiler/session.js';
import { makeBatch, makeReportMessage } from '../../runtime/src/profiler/ipc.js';
import { batchFromReport } from '../../extension/src/debug/report-sites.js';
import { ProfileStore } from '../../extension/src/profile-store.js';
import { statusFor, statusTooltip } from '../../extension/src/views/labels.js';
import { reportFromBatch } from '../../runtime/src/profiler/batch-report.js';
import { renderText } from '../../runtime/src/profiler/format-text.js';
import type { ProfileReport, ReportSegment } from '../../runtime/src/contract/report.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const FILE = new URL(import.meta.url).pathname;
/** 1-based line of this file that carries `marker` in a comment. */
const lineOf = (marker: string): number => readFileSync(FILE, 'utf8').split('\n').findIndex((l) => l.includes(marker)) + 1;

/** The last `n` segments of a report (segments of earlier tests in this process come before them). */
function last(r: ProfileReport, n: number): ReportSegment[] {
  assert.ok(r.segments && r.segments.length >= n, `at least ${n} segments, got ${r.segments?.length}`);
  return r.segments.slice(-n);
}

const opsOf = (s: { operations: { op: string; count: number }[] }): string[] => s.operations.map((o) => `${o.op}×${o.count}`);

describe('profiler segments', () => {
  let a: cp.Tensor;
  beforeEach(async () => {
    await cp.setBackend('js');
    a = cp.ones([8]);
    cp.disableProfiling();
    // A run of its own: earlier tests in this process leave segments (and a cause) behind.
    cp.clearProfile({ segments: true });
  });
  afterEach(() => { cp.disableProfiling(); cp.clearProfile({ segments: true }); });

  it('clearProfile between a before and an after loop: both segments reach the report, the top level is the after loop', () => {
    cp.enableProfiling({ callSites: 'all' });
    for (let i = 0; i < 5; i++) a.add(a); // before
    cp.disableProfiling();
    cp.clearProfile();
    cp.enableProfiling({ callSites: 'all' });
    for (let i = 0; i < 3; i++) a.mul(a); // after
    const r = cp.profileReport({ format: 'json' });
    const [before, after] = last(r, 2);
    assert.deepEqual(opsOf(before!), ['add×5']);
    assert.deepEqual(opsOf(after!), ['mul×3']);
    assert.equal(before!.cause, 'start');
    assert.equal(after!.cause, 'clear');
    assert.deepEqual([before!.current, after!.current], [false, true]);
    assert.ok(before!.endMs <= after!.startMs, 'segments are in time order');
    // Each segment's call sites are its own lines (the two loops are on different lines).
    const lineOf = (s: ReportSegment): number => s.callSites[0]!.location!.line;
    assert.equal(lineOf(after!), lineOf(before!) + 4);
    assert.deepEqual(r.operations.map((o) => `${o.op}×${o.count}`), ['mul×3'], 'the top level is since the last clearProfile');
    assert.equal(r.segments!.at(-1)!.index, r.segments!.at(-2)!.index + 1);
  });

  it('disable … enable starts a segment; the top level keeps both; raw events keep their op names', () => {
    cp.enableProfiling({ callSites: 'off' });
    a.exp(); a.exp();
    cp.disableProfiling();
    a.neg(); // not recorded
    cp.enableProfiling({ callSites: 'off' });
    a.abs();
    const r = cp.profileReport({ format: 'json' });
    const [first, second] = last(r, 2);
    assert.deepEqual(opsOf(first!), ['exp×2']);
    assert.deepEqual(opsOf(second!), ['abs×1']);
    assert.equal(second!.cause, 'enable');
    assert.deepEqual(r.operations.map((o) => `${o.op}×${o.count}`), ['exp×2', 'abs×1']);
    // Events of the first segment resolve through its own cell table.
    assert.deepEqual(snapshot().events.map((e) => e.op), ['exp', 'exp', 'abs']);
    // A kernel warmed in the first segment is not a first call again in the second.
    assert.equal(cp.profileReport({ format: 'json' }).operations.find((o) => o.op === 'exp')!.firstCallCount, 1);
  });

  it('a segment with no op is not one: clear right after enable, enable twice', () => {
    cp.enableProfiling({ callSites: 'off' });
    cp.clearProfile();
    cp.enableProfiling({ callSites: 'off' });
    a.sqrt();
    const segs = cp.profileReport({ format: 'json' }).segments!;
    assert.deepEqual(segs.map((s) => [s.index, s.cause, s.current]), [[0, 'start', true]]);
    assert.deepEqual(opsOf(segs[0]!), ['sqrt×1']);
  });

  it('the text report prints each segment with its ops', () => {
    cp.enableProfiling({ callSites: 'all' });
    a.add(a);
    cp.clearProfile();
    a.mul(a); a.mul(a);
    const text = cp.profileReport({ color: false });
    assert.match(text, /^SEGMENTS \(\d+/m);
    assert.match(text, /Segment \d+ — after clearProfile\(\) \(current\): 2 ops/);
    assert.match(text, /^ {4}mul +2× .* line \d+$/m);
  });

  it('each segment keeps its own contexts (audit 21 N8): the JSON and the text name them per segment', () => {
    cp.enableProfiling({ callSites: 'off' });
    for (let i = 0; i < 3; i++) cp.profileContext('load', () => { a.add(a); a.add(a); });
    cp.clearProfile();
    for (let i = 0; i < 2; i++) cp.profileContext('train', () => a.mul(a));
    const r = cp.profileReport({ format: 'json' });
    const [before, after] = last(r, 2);
    assert.deepEqual(Object.keys(before!.contexts ?? {}), ['load']);
    assert.equal(before!.contexts!['load']!.count, 3);
    assert.equal(before!.contexts!['load']!.opCount, 6);
    assert.deepEqual(Object.keys(after!.contexts ?? {}), ['train']);
    assert.equal(after!.contexts!['train']!.opCount, 2);
    const text = cp.profileReport({ color: false });
    assert.match(text, /Segment \d+ — [^\n]*: 6 ops[^\n]*\n(?: {4}.*\n)*? {4}contexts: load ×3 [\d.]+ ms\n/);
    assert.match(text, /\(current\): 2 ops[^\n]*\n(?: {4}.*\n)*? {4}contexts: train ×2 [\d.]+ ms/);
  });

  it('a report restricted to a context restricts every segment (segments without it have no ops)', () => {
    cp.enableProfiling({ callSites: 'off' });
    a.add(a);
    cp.clearProfile();
    cp.profileContext('step', () => a.mul(a));
    const segs = cp.profileReport({ format: 'json', context: 'step' }).segments!;
    assert.deepEqual(segs.slice(-2).map((s) => s.opCount), [0, 1]);
    assert.ok(segs.every((s) => s.recommendations === undefined), 'a context\'s report runs no rule on segments');
  });

  it('a cleared segment keeps its own recommendations; the final message carries every segment\'s, each once', async () => {
    // wasm: on the js backend one batched call is not measured faster than 50 small ones, and batch-loop stays silent.
    await cp.setBackend('wasm');
    const data = cp.arange(1000).cast('float32');
    cp.enableProfiling({ callSites: 'all' });
    for (let i = 0; i < 50; i++) data.add(i).dispose(); // SEG-RECS-BEFORE
    cp.clearProfile();
    data.unsqueeze(0).add(cp.arange(50).unsqueeze(1)).dispose();
    const id = `batch-loop:${FILE}:${lineOf('// SEG-RECS-BEFORE')}`;
    const r = cp.profileReport({ format: 'json' });
    const [before, after] = last(r, 2);
    assert.deepEqual(before!.recommendations?.map((x) => x.id), [id], 'the before loop\'s finding survives clearProfile()');
    assert.equal(after!.recommendations, undefined, 'the current segment\'s are the top level\'s');
    assert.ok(!r.recommendations.some((x) => x.id === id), 'the top level is since the last clearProfile()');
    const msg = makeReportMessage('segments');
    const ids = msg.recommendations.map((x) => x.id);
    assert.ok(ids.includes(id), `the editor gets the before loop's: ${ids}`);
    assert.equal(new Set(ids).size, ids.length, 'no recommendation twice');
    // Once computed with everything timed, an ended segment's findings are kept, not recomputed at every report.
    const again = cp.profileReport({ format: 'json' });
    if (!before!.recommendations![0]!.speedupBasis.startsWith('not timed yet')) assert.equal(last(again, 2)[0]!.recommendations, before!.recommendations);
    assert.match(renderText(r, { color: false }), new RegExp(`Segment \\d+ — from the start: 50 ops[^\\n]*\\n(?: {4}.*\\n)*? {4}⚡ \\[\\w+\\] Batch repeated operations \\(.*:${lineOf('// SEG-RECS-BEFORE')}\\)`));
  });
});

describe('segments reach the editor: live batches, the final report, the store', () => {
  afterEach(() => { cp.disableProfiling(); cp.clearProfile({ segments: true }); });

  it('both loops have lines under "all"; picking a segment shows only its lines; the final report keeps them', async () => {
    await cp.setBackend('js');
    const a = cp.ones([8]);
    cp.disableProfiling();
    cp.clearProfile({ segments: true });
    cp.enableProfiling({ callSites: 'all' });
    for (let i = 0; i < 4; i++) a.add(a).dispose(); // BEFORE-LOOP
    cp.disableProfiling();
    cp.clearProfile();
    cp.enableProfiling({ callSites: 'all' });
    for (let i = 0; i < 2; i++) a.mul(a).dispose(); // AFTER-LOOP
    const before = lineOf('// BEFORE-LOOP'), after = lineOf('// AFTER-LOOP');

    const live = makeBatch();
    assert.deepEqual(live.segments?.map((s) => [s.index, s.cause, s.current]), [[0, 'start', false], [1, 'clear', true]]);
    assert.deepEqual(live.sites.map((s) => s.location?.line), [after], 'the top-level sites stay the last clear onwards');
    const store = new ProfileStore();
    store.startRun(FILE, 0);
    store.applyBatch(live);
    assert.equal(store.segment, 'all');
    assert.equal(store.lineAt(FILE, before)?.count, 4);
    assert.equal(store.lineAt(FILE, after)?.count, 2);
    assert.deepEqual(store.hotOps().map((o) => `${o.op}×${o.count}`).sort(), ['add×4', 'mul×2']);

    store.selectSegment(0);
    assert.equal(store.lineAt(FILE, before)?.count, 4);
    assert.equal(store.lineAt(FILE, after), undefined);
    assert.equal(store.lineAt(FILE, before)?.share, 1, 'shares are of the shown segment\'s op time');
    store.selectSegment(1);
    assert.equal(store.lineAt(FILE, before), undefined);
    assert.equal(store.lineAt(FILE, after)?.count, 2);
    store.selectSegment(7);
    assert.equal(store.segment, 'all', 'an unknown segment shows all');
    // The status bar counts what the lenses show: both segments under "all", one when picked.
    assert.match(statusFor(store.run, 'all')!.text, / · 6 ops · 2 segments$/);
    assert.match(statusFor(store.run, 0)!.text, / · segment 1 of 2 · .+ op time · 4 ops$/);
    assert.match(statusTooltip(store.run!, 'corepy.stop'), /op time in 2 segments .*; the last segment: /);

    // The end of the run: the final report's segments replace the live ones; the pick survives.
    store.selectSegment(0);
    const report = cp.profileReport({ format: 'json' });
    const final = batchFromReport(report, live.seq + 1)!;
    assert.equal(final.segments?.length, 2);
    store.finishRun({ partial: false, report, recommendations: report.recommendations, flame: null, lastBatch: final, exitCode: 0, signal: null });
    assert.equal(store.segment, 0);
    assert.equal(store.lineAt(FILE, before)?.count, 4);
    assert.equal(store.run?.segments?.length, 2);
    // A new run shows all again.
    store.startRun(FILE, 1);
    assert.equal(store.segment, 'all');
  });

  it('a killed script\'s PARTIAL report (from its last batch) still has both segments', () => {
    cp.enableProfiling({ callSites: 'all' });
    const a = cp.ones([8]);
    for (let i = 0; i < 3; i++) a.add(a).dispose(); // BEFORE-PARTIAL
    cp.clearProfile();
    a.mul(a).dispose();
    const partial = reportFromBatch(makeBatch());
    assert.deepEqual(partial.segments?.map((s) => [s.cause, s.opCount, s.operations.map((o) => o.op).join()]), [['start', 4, 'full,add'], ['clear', 1, 'mul']]);
    assert.ok(partial.segments![0]!.callSites.some((c) => c.location?.line === lineOf('// BEFORE-PARTIAL')));
    assert.match(renderText(partial, { color: false }), /Segment 1 — from the start: 4 ops/);
  });

  it('clearProfile({ segments: true }) starts a new run: index 0, cause start', () => {
    cp.enableProfiling({ callSites: 'off' });
    cp.ones([2]).dispose();
    cp.clearProfile();
    cp.ones([2]).dispose();
    cp.clearProfile({ segments: true });
    cp.ones([3]).dispose();
    const segs = cp.profileReport({ format: 'json' }).segments!;
    assert.deepEqual(segs.map((s) => [s.index, s.cause, s.opCount]), [[0, 'start', 1]]);
    assert.equal(makeBatch().segments, undefined, 'a single segment is not repeated in batches');
  });
});

describe('segments through corepy profile: the training-loop tutorial', function () {
  this.timeout(120_000);

  it('the before loop (cleared before the after loop) and the after loop both reach the JSON report and the text', () => {
    const cli = join(ROOT, 'runtime', 'dist', 'cli.js');
    assert.ok(existsSync(cli), 'the tutorial imports the built corepy: run `npm run build` first');
    const script = join(ROOT, 'tutorials', '04_case_studies', '01_slow_training_loop.ts');
    const dir = mkdtempSync(join(tmpdir(), 'corepy-segments-'));
    try {
      const out = join(dir, 'report.json');
      const r = spawnSync(process.execPath, [cli, 'profile', script, '--format', 'json', '--out', out], {
        cwd: ROOT, encoding: 'utf8', timeout: 100_000, env: { ...process.env, NO_COLOR: '1' },
      });
      assert.equal(r.status, 0, r.stderr);
      const source = readFileSync(script, 'utf8').split('\n');
      const lineOf = (text: string): number => source.findIndex((l) => l.includes(text)) + 1;
      const beforeLine = lineOf('const p = xi.matmul(w).sigmoid();');
      const afterLine = lineOf('const grad = Xt.matmul(p.sub(y));');
      assert.ok(beforeLine > 0 && afterLine > 0, 'the tutorial still has both loops');
      const report = JSON.parse(readFileSync(out, 'utf8')) as ProfileReport;
      const lines = (s: { callSites: { location: { line: number } | null }[] }): number[] => s.callSites.map((c) => c.location?.line ?? 0);
      assert.equal(report.segments?.length, 2);
      const [before, after] = report.segments!;
      assert.equal(before!.cause, 'start');
      assert.equal(after!.cause, 'clear');
      assert.ok(lines(before!).includes(beforeLine), `before segment lines ${lines(before!)} include ${beforeLine}`);
      assert.ok(lines(after!).includes(afterLine), `after segment lines ${lines(after!)} include ${afterLine}`);
      assert.ok(!lines(after!).includes(beforeLine));
      assert.ok(!lines(report).includes(beforeLine), 'the top level is since clearProfile');
      assert.match(r.stdout, /SEGMENTS \(2;/);
      // Some op's row points at the before loop's line (each row names its op's hottest line: matmul's can be a
      // slower single call elsewhere on a busy machine, so no particular op is asked for).
      assert.match(r.stdout, new RegExp(`Segment 1 — from the start: \\d+ ops[^\\n]*\\n(?: {4}.*\\n)*? {4}\\w+ .* line ${beforeLine}\\n`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
