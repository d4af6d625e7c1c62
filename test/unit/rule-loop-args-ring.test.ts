/**
 * Loop rules past the event ring (audit 21 N6). Events hold no scalar argument values, and once a
 * loop overflows `maxEvents` only its last calls are kept: `x.add(1.5)` in such a loop must not get
 * batch-loop's broadcast over `arange` (that computes x+0 … x+k−1, not x+1.5). loop-invariant fires
 * from the retained tail where the source shows the receiver is never reassigned in the loop, also in
 * an ended segment; batch-loop fires only where the scalar is the loop counter, ring or not. With the
 * loop in a caller (a helper `step(t)` doing `t.mul(1.5)`) no loop shows in the line's source: the
 * kept tail decides when it is a large sample the site's exact statistics agree with, and says so.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { TAIL_MIN_CALLS } from '../../runtime/src/profiler/rules/loop-invariant.js';

const LOOPS = 3000, MAX_EVENTS = 1000;
const SOURCE = readFileSync(import.meta.filename, 'utf8').split('\n');
/** The 1-based line of this file ending with `// tag`. */
const lineOf = (tag: string): number => SOURCE.findIndex((l) => l.endsWith(`// ${tag}`)) + 1;
const at = (recs: readonly cp.Recommendation[], rule: string, line: number): cp.Recommendation | undefined =>
  recs.find((r) => r.rule === rule && r.location?.line === line);
const listed = (recs: readonly cp.Recommendation[]): string => recs.map((r) => `${r.rule}@${r.location?.line}`).join(', ');

/** A helper whose line has no loop around it: the loop that repeats it is its caller's. */
function step(t: cp.Tensor): void {
  cp.tidy(() => { t.mul(1.5); }); // LINE-STEP
}

/** Three ops per call: a 1000-event ring keeps at most 334 calls of each line. */
function step3(t: cp.Tensor): void {
  cp.tidy(() => { t.mul(2.5); t.add(1); t.sub(3); }); // LINE-STEP3
}

describe('loop rules past the event ring', () => {
  let x: cp.Tensor;
  beforeEach(async () => {
    // batch-loop stays silent on the js reference (its broadcast is measured slower there): set the backend.
    await cp.setBackend('wasm');
    cp.clearProfile({ segments: true });
    x = cp.keep(cp.randn([16]));
  });
  afterEach(() => { cp.disableProfiling(); cp.clearProfile({ segments: true }); x.dispose(); });

  it('x.add(1.5) past the ring: loop-invariant from the kept tail, no broadcast over arange; undisposed-tensors stays', () => {
    cp.enableProfiling({ maxEvents: MAX_EVENTS });
    for (let i = 0; i < LOOPS; i++) x.add(1.5); // LINE-CONST
    const report = cp.profileReport({ format: 'json' });
    cp.disableProfiling();
    assert.ok(report.droppedEvents > 0, 'the loop overflowed the ring');
    const line = lineOf('LINE-CONST');
    const recs = report.recommendations;
    assert.equal(recs.some((r) => r.rule === 'batch-loop'), false, `no batch-loop: ${listed(recs)}`);
    assert.equal(recs.some((r) => /arange/.test(r.codeExample.after)), false, 'no arange anywhere');
    const rec = at(recs, 'loop-invariant', line);
    assert.ok(rec, `loop-invariant fired: ${listed(recs)}`);
    assert.match(rec.description, new RegExp(`^'add\\(1\\.5\\)' ran ${LOOPS} times from this line on the same input tensor \\(the profile kept its last \\d+ calls`));
    assert.equal(rec.evidence['calls'], LOOPS);
    // The batch-loop suppression dropped it before (audit 21: it "disappeared" at 110 000): every result is still held.
    assert.ok(at(recs, 'undisposed-tensors', line), `undisposed-tensors fired: ${listed(recs)}`);
  });

  it('the same loop in an ended segment: loop-invariant there too, no batch-loop', () => {
    cp.enableProfiling({ maxEvents: MAX_EVENTS });
    cp.tidy(() => { for (let i = 0; i < LOOPS; i++) x.add(1.5); }); // LINE-SEGMENT
    cp.clearProfile();
    cp.tidy(() => { for (let i = 0; i < 20; i++) x.sub(i); });
    const report = cp.profileReport({ format: 'json' });
    cp.disableProfiling();
    const ended = report.segments?.[0];
    assert.ok(ended, 'an ended segment');
    const recs = ended.recommendations ?? [];
    assert.equal(recs.some((r) => r.rule === 'batch-loop'), false, `no batch-loop in the segment: ${listed(recs)}`);
    assert.ok(at(recs, 'loop-invariant', lineOf('LINE-SEGMENT')), `loop-invariant in the segment: ${listed(recs)}`);
  });

  it('x.add(i), the loop counter, past the ring: still batch-loop, over the counter\'s range', () => {
    cp.enableProfiling({ maxEvents: MAX_EVENTS });
    let count = 0;
    // Two statements in the body: no quick fix, so the example is the rule's own, from the loop's bounds.
    cp.tidy(() => { for (let i = 0; i < LOOPS; i++) { x.add(i); count++; } }); // LINE-COUNTER
    const recs = cp.getRecommendations();
    cp.disableProfiling();
    const rec = at(recs, 'batch-loop', lineOf('LINE-COUNTER'));
    assert.ok(rec, `batch-loop fired: ${listed(recs)}`);
    assert.equal(at(recs, 'loop-invariant', lineOf('LINE-COUNTER')), undefined);
    assert.equal(count, LOOPS);
    assert.equal(rec.fix, undefined);
    assert.match(rec.codeExample.after, /\nconst offsets = cp\.arange\(LOOPS\);\nconst results = x\.unsqueeze\(0\)\.add\(offsets\.unsqueeze\(1\)\);$/);
  });

  it('a receiver the loop reassigns, past the ring: the kept tail proves nothing, so neither rule', () => {
    const other = cp.keep(cp.randn([16]));
    cp.enableProfiling({ maxEvents: MAX_EVENTS });
    cp.tidy(() => {
      let y = other;
      for (let i = 0; i < LOOPS; i++) { if (i === 100) y = x; y.add(1.5); } // LINE-REASSIGNED
    });
    const recs = cp.getRecommendations();
    cp.disableProfiling();
    other.dispose();
    assert.equal(at(recs, 'loop-invariant', lineOf('LINE-REASSIGNED')), undefined, listed(recs));
    assert.equal(at(recs, 'batch-loop', lineOf('LINE-REASSIGNED')), undefined, listed(recs));
  });

  it('the loop in a caller, past the ring: loop-invariant decided from the kept tail, which the evidence and basis name', () => {
    cp.enableProfiling({ maxEvents: MAX_EVENTS });
    for (let i = 0; i < LOOPS; i++) step(x);
    const report = cp.profileReport({ format: 'json' });
    cp.disableProfiling();
    assert.ok(report.droppedEvents > 0, 'the loop overflowed the ring');
    const rec = at(report.recommendations, 'loop-invariant', lineOf('LINE-STEP'));
    assert.ok(rec, `loop-invariant fired: ${listed(report.recommendations)}`);
    const kept = rec.evidence['decidedFromLastCalls'];
    assert.equal(typeof kept, 'number');
    assert.ok((kept as number) >= TAIL_MIN_CALLS && (kept as number) <= MAX_EVENTS, `kept ${kept}`);
    assert.equal(rec.evidence['calls'], LOOPS);
    assert.equal(rec.evidence['decidedFrom'], `the last ${kept} of ${LOOPS} calls (past the event ring; the loop is in a caller)`);
    assert.match(rec.description, new RegExp(`^'mul\\(1\\.5\\)' ran ${LOOPS} times from this line on the same input tensor \\(decided from the last ${kept} of its ${LOOPS} calls`));
    assert.match(rec.speedupBasis, new RegExp(`saves ${LOOPS - 1} of them \\(the same input decided from the last ${kept} of the ${LOOPS} calls`));
    // The estimate is the measured site time (every call, exact) for all calls but one, stalls left out.
    const site = report.callSites.find((c) => c.op === 'mul' && c.location?.line === lineOf('LINE-STEP'))!;
    assert.equal(site.count, LOOPS);
    const steadyMs = site.totalMs - Number(rec.evidence['stalledMs'] ?? 0);
    assert.ok(Math.abs(rec.savedMs! - steadyMs * (LOOPS - 1) / LOOPS) <= 1e-9 * Math.max(1, site.totalMs), `saved ${rec.savedMs} of ${steadyMs} ms`);
    assert.ok(rec.estimatedSpeedup > 1, `speedup ${rec.estimatedSpeedup}`);
  });

  it('the loop in a caller, past the ring: silent where the tail or the exact statistics cannot decide', () => {
    const other = cp.keep(cp.randn([16])), wide = cp.keep(cp.randn([32]));
    const line = lineOf('LINE-STEP'), line3 = lineOf('LINE-STEP3');
    const loopInvariantAt = (run: () => void, where: number): cp.Recommendation | undefined => {
      cp.clearProfile({ segments: true });
      cp.enableProfiling({ maxEvents: MAX_EVENTS });
      run();
      const report = cp.profileReport({ format: 'json' });
      cp.disableProfiling();
      assert.ok(report.droppedEvents > 0, 'the loop overflowed the ring');
      return at(report.recommendations, 'loop-invariant', where);
    };
    // Two tensors in turn: the kept calls show two ids.
    assert.equal(loopInvariantAt(() => { for (let i = 0; i < LOOPS; i++) step(i % 2 === 0 ? x : other); }, line), undefined);
    // Another size before the ring's tail: the exact element count over all calls disagrees with the tail's.
    assert.equal(loopInvariantAt(() => { for (let i = 0; i < LOOPS; i++) step(i < 100 ? wide : x); }, line), undefined);
    // Fewer than TAIL_MIN_CALLS calls kept: too small a sample for the dropped ones.
    assert.equal(loopInvariantAt(() => { for (let i = 0; i < LOOPS; i++) step3(x); }, line3), undefined);
    // The control: the same three ops with every call kept fire.
    cp.clearProfile({ segments: true });
    cp.enableProfiling();
    for (let i = 0; i < 300; i++) step3(x);
    const recs = cp.getRecommendations();
    cp.disableProfiling();
    assert.ok(at(recs, 'loop-invariant', line3), `every call kept: ${listed(recs)}`);
    other.dispose(); wide.dispose();
  });

  it('every call kept: a scalar the source does not show as the counter (a constant name, i * 2) gets no batch-loop', () => {
    const scale = Number(process.env['COREPY_TEST_SCALE'] ?? '1.5');
    cp.enableProfiling({ callSites: 'all' });
    cp.tidy(() => {
      for (let i = 0; i < 200; i++) x.mul(scale); // LINE-NAME
      for (let i = 0; i < 200; i++) x.add(i * 2); // LINE-EXPR
      for (let i = 0; i < 200; i++) x.sub(i); // LINE-SUB
    });
    const recs = cp.getRecommendations();
    cp.disableProfiling();
    assert.equal(at(recs, 'batch-loop', lineOf('LINE-NAME')), undefined, listed(recs));
    assert.equal(at(recs, 'batch-loop', lineOf('LINE-EXPR')), undefined, listed(recs));
    assert.ok(at(recs, 'batch-loop', lineOf('LINE-SUB')), `batch-loop for x.sub(i): ${listed(recs)}`);
  });
});
