/**
 * A script whose ops are all in an ended segment (tutorial 1.1: ops, then clearProfile() at the
 * end): the live batch, the final report and the store keep that segment, so the editor shows its
 * lines, Hot Operations and status, and the run does not count as one that ran no op (audit 20,
 * 9b). Also the status text of a run that recorded no op (one-time costs are corepy's start-up,
 * 8b), of a run without call sites (10a) and of a failed run (its start time, 8c), and the
 * statement the no-op notice suggests (8b). Real ops on the js backend.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { makeBatch } from '../../runtime/src/profiler/ipc.js';
import { reportFromBatch } from '../../runtime/src/profiler/batch-report.js';
import type { OneTimeCostRow, ProfileReport } from '../../runtime/src/contract/report.js';
import { batchFromReport, keepsSegments } from '../../extension/src/debug/report-sites.js';
import { opCountOf, ProfileStore, type RunSnapshot } from '../../extension/src/profile-store.js';
import { CALL_SITES_OFF, clockTime, corepyImportFor, noOpsNotice, oneTimeCostsOf, statusFor, statusTooltip } from '../../extension/src/views/labels.js';

const FILE = new URL(import.meta.url).pathname;
/** 1-based line of this file that carries `marker` in a comment. */
const lineOf = (marker: string): number => readFileSync(FILE, 'utf8').split('\n').findIndex((l) => l.includes(marker)) + 1;

describe('a run whose ops are all in an ended segment (clearProfile() after the last op)', () => {
  let a: cp.Tensor;
  beforeEach(async () => {
    await cp.setBackend('js');
    a = cp.ones([8]);
    cp.disableProfiling();
    cp.clearProfile({ segments: true });
  });
  afterEach(() => { cp.disableProfiling(); cp.clearProfile({ segments: true }); });

  /** Tutorial 1.1's shape: ops, disableProfiling(), clearProfile(). */
  function tutorialShape(): void {
    cp.enableProfiling({ callSites: 'all' });
    for (let i = 0; i < 3; i++) a.add(a).dispose(); // ENDED-ADD
    a.mul(a).dispose(); // ENDED-MUL
    cp.disableProfiling();
    cp.clearProfile();
  }

  it('the live batch, the final report and the store keep the segment; lenses, Hot Operations and status show its 4 ops', () => {
    tutorialShape();
    const live = makeBatch();
    assert.deepEqual(live.sites, [], 'the top level is since the clear: empty');
    assert.deepEqual(live.segments?.map((s) => [s.index, s.cause, s.current, s.sites.reduce((n, x) => n + x.count, 0)]), [[0, 'start', false, 4]]);

    const store = new ProfileStore();
    store.startRun(FILE, 0);
    store.applyBatch(live);
    assert.equal(store.lineAt(FILE, lineOf('// ENDED-ADD'))?.count, 3, 'live: the ended segment\'s lines');

    const report = cp.profileReport({ format: 'json' });
    assert.equal(report.opCount, 0, 'the report\'s top level is empty');
    const final = batchFromReport(report, live.seq + 1)!;
    assert.deepEqual(final.sites, []);
    assert.equal(final.segments?.length, 1, 'the report\'s one ended segment reaches the final batch');
    store.finishRun({ partial: false, report, recommendations: [], flame: null, lastBatch: final, exitCode: 0, signal: null });
    const run = store.run!;
    assert.equal(opCountOf(run), 4, 'the run counts the ended segment\'s ops (no "ran no corepy ops" notice)');
    assert.equal(store.lineAt(FILE, lineOf('// ENDED-ADD'))?.count, 3);
    assert.equal(store.lineAt(FILE, lineOf('// ENDED-MUL'))?.count, 1);
    assert.deepEqual(store.hotOps().map((o) => `${o.op}×${o.count}`).sort(), ['add×3', 'mul×1']);
    assert.equal(store.lineAt(FILE, lineOf('// ENDED-ADD'))!.share + store.lineAt(FILE, lineOf('// ENDED-MUL'))!.share, 1, 'shares of the segment\'s op time');
    assert.match(statusFor(run)!.text, / · 4 ops · 1 segment$/);
    assert.match(statusTooltip(run, 'corepy.showFlameGraph'), /op time, all of it in a segment that ended before the script did \(a clearProfile\(\) after the last op/);
  });

  it('Debug and Profile: a streamed batch from before the clear and the report give the segment too', () => {
    cp.enableProfiling({ callSites: 'all' });
    a.add(a).dispose(); // STALE-ADD
    const streamed = makeBatch(); // before the clear: top-level sites, no segments
    assert.equal(streamed.segments, undefined);
    cp.disableProfiling();
    cp.clearProfile();
    const report = cp.profileReport({ format: 'json' });
    const store = new ProfileStore();
    store.startRun(FILE, 0, true);
    store.applyBatch(streamed);
    // debug-and-profile.ts keeps its streamed batch when the report's top level is empty.
    store.finishRun({ partial: false, report, recommendations: [], flame: null, lastBatch: streamed, exitCode: 0, signal: null });
    assert.deepEqual(store.segments.map((s) => [s.index, s.current]), [[0, false]], 'the report\'s segment');
    assert.equal(store.lineAt(FILE, lineOf('// STALE-ADD'))?.count, 1);
    assert.equal(opCountOf(store.run!), 1);
  });

  it('a killed script\'s partial report (from its last batch) keeps the segment', () => {
    tutorialShape();
    const partial = reportFromBatch(makeBatch());
    assert.equal(partial.opCount, 0);
    assert.deepEqual(partial.segments?.map((s) => [s.cause, s.current, s.opCount]), [['start', false, 4]]);
  });

  it('one segment still recording is no kept segment: batches carry none, the run\'s sites are what it shows', () => {
    cp.enableProfiling({ callSites: 'all' });
    a.add(a).dispose();
    assert.equal(makeBatch().segments, undefined);
    const final = batchFromReport(cp.profileReport({ format: 'json' }), 0)!;
    assert.equal(final.segments, undefined);
    assert.equal(keepsSegments([{ current: true }]), false);
    assert.equal(keepsSegments([{ current: false }]), true);
    assert.equal(keepsSegments([{ current: false }, { current: true }]), true);
    assert.equal(keepsSegments(undefined), false);
  });
});

describe('status and notices of runs with nothing per line', () => {
  const cost = (name: string, totalMs: number): OneTimeCostRow => ({ name, kind: 'compile', count: 1, totalMs, bytes: 0, duringOps: [] });
  /** A finished run with `sites` and a report that has these one-time costs and call-site mode. */
  function run(counts: number[], report: Partial<ProfileReport>, over: Partial<RunSnapshot> = {}): RunSnapshot {
    const sites = counts.map((count) => ({ op: 'add', backend: 'wasm', location: null, count, totalMs: count, minMs: 1, maxMs: 1, bytes: 0 }));
    return {
      version: 2, program: '/w/nocp.js', startedAt: new Date(2026, 0, 2, 14, 3, 7).getTime(), status: 'finished', exitCode: 0,
      opTimeMs: sites.reduce((t, s) => t + s.totalMs, 0), wallTimeMs: 50, sites, recommendations: [], flame: null,
      report: { oneTimeCosts: [cost('compile wasm kernels', 41.9), cost('warm up corepy ops', 61.9)], callSiteMode: 'sampled', ...report } as ProfileReport,
      droppedEvents: 0, ...over,
    };
  }

  it('a run with no op: its one-time costs are corepy\'s start-up, not the run\'s (no Hot Operations group)', () => {
    const none = run([], {});
    assert.deepEqual(oneTimeCostsOf(none), []);
    const tip = statusTooltip(none, 'corepy.showFlameGraph');
    assert.ok(!tip.includes('One-time costs'), tip);
    assert.match(tip, /No corepy op ran: the 104 ms of one-time work \(compile wasm kernels 41\.9 ms; warm up corepy ops 61\.9 ms\) is corepy's own start-up/);
    // A run with ops keeps them as its own.
    const some = run([2], {});
    assert.equal(oneTimeCostsOf(some).length, 2);
    assert.match(statusTooltip(some, 'corepy.showFlameGraph'), /One-time costs 104 ms, not in op time: compile wasm kernels/);
  });

  it('call sites off: the tooltip says why no line has a lens', () => {
    const off = run([5], { callSiteMode: 'off' });
    assert.ok(statusTooltip(off, 'corepy.showFlameGraph').includes(CALL_SITES_OFF));
    assert.match(CALL_SITES_OFF, /^Per-line figures are off \(corepy\.callSites: off/);
    assert.ok(!statusTooltip(run([5], {}), 'corepy.showFlameGraph').includes(CALL_SITES_OFF), 'sampled: nothing said');
  });

  it('a failed run names the time it started (its notification cannot be closed by a later run)', () => {
    assert.equal(clockTime(new Date(2026, 0, 2, 14, 3, 7).getTime()), '14:03:07');
    const failed = run([1], {}, { exitCode: 1 });
    assert.match(statusTooltip(failed, statusFor(failed)!.command), /^The script failed \(the run started at 14:03:07\)/);
  });

  it('the no-op notice suggests require for CommonJS, import for ES modules and TypeScript', () => {
    assert.equal(corepyImportFor('/w/nocp.js', 'commonjs'), "const cp = require('corepy')");
    assert.equal(corepyImportFor('/w/nocp.js', undefined), "const cp = require('corepy')", 'no "type": CommonJS');
    assert.equal(corepyImportFor('/w/nocp.cjs', 'module'), "const cp = require('corepy')");
    assert.equal(corepyImportFor('/w/nocp.js', 'module'), "import * as cp from 'corepy'");
    assert.equal(corepyImportFor('/w/nocp.mjs', undefined), "import * as cp from 'corepy'");
    assert.equal(corepyImportFor('/w/nocp.ts', 'commonjs'), "import * as cp from 'corepy'");
    assert.equal(noOpsNotice('nocp.js', "const cp = require('corepy')"),
      "Corepy: nocp.js ran no corepy ops, so there is nothing to profile. Import it (`const cp = require('corepy')`) and run tensor ops.");
  });
});
