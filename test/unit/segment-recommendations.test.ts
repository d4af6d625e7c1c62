/**
 * Corepy: Show Segment… picks the recommendations too: the store ties each of the run's
 * recommendations to its segment through the report (`segments[i].recommendations` for an ended
 * segment, the top-level `recommendations` for the current one), keeps its file and line, shows
 * them all under "All segments" and for a run with one segment, and a new run shows all again.
 * Hand-made report and batch (no rule has to fire).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { everyRecommendation, type BatchSegment, type ProfileBatchMessage, type ProfileReport, type Recommendation } from '../../runtime/src/contract/index.js';
import { ProfileStore, recommendationsOf } from '../../extension/src/profile-store.js';

const FILE = '/work/segments.ts';

function rec(rule: string, line: number, estimatedSpeedup = 2): Recommendation {
  return {
    id: `${rule}:${FILE}:${line}`, rule, priority: 'HIGH', title: `${rule} at ${line}`, description: '',
    estimatedSpeedup, speedupBasis: '', codeExample: { before: '', after: '' },
    location: { file: `file://${FILE}`, line, column: 3 }, evidence: {},
  };
}

function segment(index: number, current: boolean, line: number): BatchSegment {
  return {
    index, cause: index === 0 ? 'start' : 'clear', current, opTimeMs: 1,
    sites: [{ site: index, op: 'add', backend: 'js', location: { file: FILE, line, column: 1 }, count: 1, totalMs: 1, minMs: 1, maxMs: 1, bytes: 0 }],
  };
}

/** A finished run of two segments (before loop on line 5, after on line 8) with these report recommendations. */
function twoSegmentRun(top: Recommendation[], ended: Recommendation[] | undefined): ProfileStore {
  const segments = [segment(0, false, 5), segment(1, true, 8)];
  const report = {
    totalTimeMs: 1, wallTimeMs: 1, opCount: 1, droppedEvents: 0, callSites: [], recommendations: top,
    segments: [
      { index: 0, cause: 'start', current: false, operations: [], callSites: [], ...(ended ? { recommendations: ended } : {}) },
      { index: 1, cause: 'clear', current: true, operations: [], callSites: [] },
    ],
  } as unknown as ProfileReport;
  const lastBatch: ProfileBatchMessage = { type: 'corepyProfile', seq: 3, opTimeMs: 1, wallTimeMs: 1, sites: segments[1]!.sites, droppedEvents: 0, segments };
  const store = new ProfileStore();
  store.startRun(FILE, 0);
  store.finishRun({ partial: false, report, recommendations: everyRecommendation(report), flame: null, lastBatch, exitCode: 0, signal: null });
  return store;
}

const lines = (rs: readonly { location: { line: number } }[]): number[] => rs.map((r) => r.location.line).sort();

describe('Show Segment picks the recommendations', () => {
  it('all: every segment\'s; an ended segment: its own; the current one: the top level\'s; files stay paths, lines stay', () => {
    const store = twoSegmentRun([rec('held', 8)], [rec('batch-loop', 5)]);
    assert.deepEqual(lines(store.shownRecommendations), [5, 8], 'all segments by default');
    assert.equal(store.recommendationsFor(FILE).length, 2);
    store.selectSegment(0);
    assert.deepEqual(store.shownRecommendations.map((r) => [r.id, r.location.file, r.location.line, r.location.column]), [[`batch-loop:${FILE}:5`, FILE, 5, 3]]);
    assert.equal(store.recommendationsFor(FILE).length, 2, 'the line tracker still follows every segment\'s');
    store.selectSegment(1);
    assert.deepEqual(store.shownRecommendations.map((r) => r.id), [`held:${FILE}:8`]);
    store.selectSegment('all');
    assert.deepEqual(lines(store.shownRecommendations), [5, 8]);
    store.selectSegment(1);
    store.startRun(FILE, 1);
    assert.equal(store.segment, 'all');
    assert.deepEqual(store.shownRecommendations, [], 'a new run has none until it ends, whatever was picked');
  });

  it('a finding in two segments: each segment shows its own estimate, "all" the top level\'s (as the runtime sends it)', () => {
    const store = twoSegmentRun([rec('batch-loop', 5, 1.2)], [rec('batch-loop', 5, 3)]);
    assert.deepEqual(store.shownRecommendations.map((r) => r.estimatedSpeedup), [1.2]);
    store.selectSegment(0);
    assert.deepEqual(store.shownRecommendations.map((r) => r.estimatedSpeedup), [3]);
    store.selectSegment(1);
    assert.deepEqual(store.shownRecommendations.map((r) => r.estimatedSpeedup), [1.2]);
  });

  it('an ended segment the runtime kept no recommendations for shows none; a run with one segment shows its own', () => {
    const store = twoSegmentRun([rec('held', 8)], undefined);
    store.selectSegment(0);
    assert.deepEqual(store.shownRecommendations, []);
    const run = store.run!;
    const single = { ...run, segments: undefined };
    assert.deepEqual(recommendationsOf(single, 0), run.recommendations, 'one segment: nothing to pick');
    assert.deepEqual(recommendationsOf({ ...run, report: null }, 0), [], 'no report (killed run): none');
    assert.deepEqual(recommendationsOf(run, 7), run.recommendations, 'an unknown segment: all');
  });
});
