/**
 * The recommendation rules read the retained events as columns (rule-columns.ts) so that a report
 * never builds one object per event. This checks, on a real profile where several rules fire, that
 * the columns the recorder fills from its ring equal the conversion of the event records, and that
 * the rules give the same recommendations from either (the json report and the records path).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { aggregate } from '../../runtime/src/profiler/aggregate.js';
import { inputShapesAt, outputShapesAt, ruleColumnsOf, type RuleColumns } from '../../runtime/src/profiler/rule-columns.js';
import { runRules } from '../../runtime/src/profiler/rules/index.js';
import type { RuleInput } from '../../runtime/src/profiler/rules/types.js';
import { snapshot } from '../../runtime/src/profiler/session.js';
import type { ProfileData } from '../../runtime/src/profiler/types.js';

/** Every event of `c` as the record fields the rules read, names resolved. */
function rows(c: RuleColumns): unknown[] {
  return Array.from({ length: c.length }, (_, i) => ({
    op: c.names[c.op[i]!], backend: c.names[c.backend[i]!], dtype: c.names[c.dtype[i]!] ?? '', site: c.site[i], thread: c.thread[i],
    in0: c.in0[i], in1: c.in1[i], startMs: c.startMs[i], endMs: c.endMs[i], elements: c.elements[i],
    inputShapes: inputShapesAt(c, i), outputShapes: outputShapesAt(c, i),
  }));
}

// Fixed measurements (the rules' timed rewrites) so both runs see the same figures and nothing depends on this machine's load.
const fixed: Partial<RuleInput> = {
  dispatchCostMs: () => 1e-3,
  measureBatch: (_op, _b, _s, _d, k) => ({ loopMs: 3, batchedMs: 1, timedCalls: k, ratio: 3 }),
  measureMoments: () => ({ pairMs: 2, momentsMs: 1 }),
  measureJit: () => ({ eagerMs: 4, jitMs: 1, ratio: 4 }),
  measureStack: (_op, _b, _s, _d, k) => ({ loopMs: 10, stackedMs: 1, ratio: 10, rows: k }),
  measureReads: () => ({ freshMs: 5, intoMs: 1, ratio: 5 }),
};

describe('recommendation rules on event columns', () => {
  let records: ProfileData, columns: ProfileData;
  before(async () => {
    await cp.setBackend('wasm');
    cp.clearProfile();
    const live = cp.memory().tensors;
    cp.enableProfiling({ callSites: 'all' });
    const x = cp.ones([1000]);
    for (let i = 0; i < 300; i++) cp.tidy(() => { x.add(i); }); // batch-loop, tiny-ops (tidy returns nothing: no tensor outlives the test)
    const y = cp.randn([2000]);
    cp.tidy(() => { y.sub(y.mean()).div(y.std()); }); // moments
    const z = cp.randn([20_000]);
    for (let i = 0; i < 3; i++) cp.tidy(() => { z.mul(1.5).sub(0.5).relu().sum(); }); // jit-chain
    for (let i = 0; i < 12; i++) z.dataSync(); // fresh-reads (80 KB per read)
    cp.disableProfiling();
    records = snapshot();
    columns = snapshot(true, { events: 'rules' });
    x.dispose(); y.dispose(); z.dispose();
    assert.equal(cp.memory().tensors, live, 'the test leaves no tensor behind');
  });
  after(() => cp.clearProfile());

  it('the ring fills the same columns as the records convert to, with no record built', () => {
    assert.equal(columns.events.length, 0);
    assert.ok(columns.ruleColumns && records.events.length > 300);
    assert.deepEqual(rows(columns.ruleColumns), rows(ruleColumnsOf(records.events)));
  });

  it('gives the same recommendations from columns as from records, with several rules firing', () => {
    const agg = aggregate(records);
    // Op time taken as tiny so every rule's share threshold is met whatever the ops took on this machine: the
    // comparison, not the figures, is under test (both runs read the same aggregate).
    const small = { ...agg, totalOpMs: 1e-6 };
    const fromRecords = runRules(records, small, fixed);
    const fromColumns = runRules({ ...columns, events: [] }, small, fixed);
    assert.deepEqual(fromColumns, fromRecords);
    const fired = new Set(fromRecords.map((r) => r.rule));
    for (const rule of ['batch-loop', 'moments', 'jit-chain', 'tiny-ops', 'fresh-reads']) assert.ok(fired.has(rule), `${rule} fired (got ${[...fired].join(', ')})`);
  });
});
