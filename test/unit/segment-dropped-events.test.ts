/**
 * A segment that overflowed the event ring says so (audit 21 N7): `segments[i].droppedEvents` counts
 * the segment's own raw events the ring no longer held when it ended, and the text and Markdown
 * reports' segment line says how many and what its recommendations saw. Real ops on the js backend
 * with a 1000-event ring: a segment ended by clearProfile() (its recorder's count is its own), and a
 * pause/resume on one recorder, where the ring's count also holds the earlier segment's events
 * overwritten during the later one, which are not the later segment's.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import { afterEach, beforeEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import type { ProfileReport, ReportSegment } from '../../runtime/src/contract/report.js';
import { renderMarkdown, renderText } from '../../runtime/src/profiler/format-text.js';
import { snapshot } from '../../runtime/src/profiler/session.js';

const RING = 1000;
const segs = (r: ProfileReport): ReportSegment[] => r.segments ?? [];
const segmentLine = (text: string, n: number): string => text.split('\n').find((l) => l.startsWith(`  Segment ${n} — `)) ?? '';

describe('segments that overflowed the event ring', function () {
  this.timeout(60_000);
  let x: cp.Tensor;
  beforeEach(async () => {
    await cp.setBackend('js');
    cp.disableProfiling();
    cp.clearProfile({ segments: true });
    x = cp.keep(cp.ones([4]));
  });
  afterEach(() => { cp.disableProfiling(); cp.clearProfile({ segments: true }); x.dispose(); });

  /** `n` ops, each result released. */
  const ops = (n: number, op: 'add' | 'mul' = 'add'): void => { for (let i = 0; i < n; i++) cp.tidy(() => { x[op](1); }); };

  it('clearProfile() after 1500 ops: the ended segment dropped 500, the next none; the text says what its recommendations saw', () => {
    cp.enableProfiling({ maxEvents: RING, callSites: 'all' });
    ops(1500);
    cp.clearProfile();
    ops(10, 'mul');
    const r = cp.profileReport({ format: 'json' });
    const [before, after] = segs(r);
    assert.equal(before!.opCount, 1500);
    assert.equal(before!.droppedEvents, 500);
    assert.equal(after!.droppedEvents, 0);
    assert.equal(r.droppedEvents, 0, 'the top level is the recording since the clear');
    // What the segment's recommendations are computed on: exactly the events it did not drop.
    assert.equal(snapshot(true, { events: false }).segments![0]!.data.ruleColumns?.length, 1500 - 500);
    const text = renderText(r, { width: 120, color: false });
    assert.match(segmentLine(text, 1), /: 1500 ops, [\d.]+ ms op time \(500 raw events dropped: its recommendations see the last 1000\)$/);
    assert.match(segmentLine(text, 2), /: 10 ops, [\d.]+ ms op time$/);
    assert.match(renderMarkdown(r), /\n {2}Segment 1 — from the start: 1500 ops, [\d.]+ ms op time \(500 raw events dropped: its recommendations see the last 1000\)\n/);
    const schema = JSON.parse(readFileSync(new URL('../../runtime/schemas/profile-report.schema.json', import.meta.url), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false });
    assert.ok(ajv.validate(schema, JSON.parse(JSON.stringify(r))), ajv.errorsText());
  });

  it("pause and resume on one recorder: a segment counts only its own events, not the earlier segment's it overwrote", () => {
    cp.enableProfiling({ maxEvents: RING, callSites: 'all' });
    ops(600);
    cp.disableProfiling();
    cp.enableProfiling({ maxEvents: RING, callSites: 'all' });
    ops(700, 'mul');
    // The ring has dropped 300 events, all of them the first segment's (copied out when it ended).
    let r = cp.profileReport({ format: 'json' });
    assert.equal(r.droppedEvents, 300);
    assert.deepEqual(segs(r).map((s) => [s.opCount, s.droppedEvents]), [[600, 0], [700, 0]]);
    assert.doesNotMatch(renderText(r, { width: 120, color: false }), /raw events dropped/);
    ops(500, 'mul');
    cp.disableProfiling();
    cp.enableProfiling({ maxEvents: RING, callSites: 'all' });
    ops(5);
    // 1800 written before the third segment, 800 dropped: 200 of them the second segment's (1200 ops, a 1000-event ring).
    r = cp.profileReport({ format: 'json' });
    assert.equal(r.droppedEvents, 805);
    assert.deepEqual(segs(r).map((s) => [s.opCount, s.droppedEvents]), [[600, 0], [1200, 200], [5, 0]]);
    assert.deepEqual(snapshot(true, { events: false }).segments!.slice(0, 2).map((s) => s.data.ruleColumns?.length), [600, 1000]);
  });

  it("a context's report gives the whole segment's figure and says so", () => {
    cp.enableProfiling({ maxEvents: RING, callSites: 'all' });
    cp.profileContext('loop', () => ops(1200));
    ops(300, 'mul');
    cp.clearProfile();
    cp.profileContext('loop', () => ops(3));
    const r = cp.profileReport({ format: 'json', context: 'loop' });
    // The first segment's 1500 events overflowed the ring by 500, of which 1200 were inside `loop`.
    assert.deepEqual(segs(r).map((s) => [s.opCount, s.droppedEvents]), [[1200, 500], [3, 0]]);
    assert.match(segmentLine(renderText(r, { width: 120, color: false }), 1), /: 1200 ops, [\d.]+ ms op time \(500 raw events dropped in the whole segment\)$/);
  });
});
