/**
 * callSites: 'sampled' (the default): the first 32 calls of each op are captured exactly, later
 * calls are attributed to the op's most recently captured line, per-line figures add up to the
 * op totals, a two-line loop gets counts roughly proportional to its lines' calls, an op whose
 * line never changes is captured less and less often while a change of line is still picked up
 * quickly, and the report says which mode it used. No assertion here is about timings.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { snapshot } from '../../runtime/src/profiler/session.js';

type Report = ReturnType<typeof json>;
const json = () => cp.profileReport({ format: 'json' });
/** Per-line call counts of `op`, keyed by line (sites without a location under -1). */
function countsByLine(r: Report, op: string): Map<number, number> {
  const m = new Map<number, number>();
  for (const s of r.callSites.filter((x) => x.op === op)) {
    const line = s.location?.line ?? -1;
    m.set(line, (m.get(line) ?? 0) + s.count);
  }
  return m;
}

describe('profiler: sampled call sites', () => {
  beforeEach(async () => {
    await cp.setBackend('js');
    cp.disableProfiling();
    cp.clearProfile();
  });
  afterEach(() => { cp.disableProfiling(); cp.clearProfile(); });

  it("is the default mode, with sampleEvery 64, and the report says so", () => {
    cp.enableProfiling();
    cp.tensor([1, 2]).add(1);
    const r = json();
    assert.equal(r.callSiteMode, 'sampled');
    assert.equal(r.sampleEvery, 64);
    const text = cp.profileReport({ color: false });
    assert.match(text, /Call sites: sampled \(first 32 calls of each op captured; after that ~1 in 64, down to 1 in 1024 while an op's line does not change/);
    assert.match(text, /per-line figures beyond the first 32 calls are sampled estimates/);
    assert.match(cp.profileReport({ format: 'markdown' }), /Call sites: sampled/);
  });

  it("states 'all' and 'off' too", () => {
    cp.enableProfiling({ callSites: 'all' });
    cp.tensor([1]).add(1);
    assert.match(cp.profileReport({ color: false }), /Call sites: all \(every call captured; per-line figures exact\)/);
    cp.enableProfiling({ callSites: 'off' });
    cp.tensor([1]).add(1);
    assert.match(cp.profileReport({ color: false }), /Call sites: off/);
  });

  it('captures the first 32 calls of each op exactly, even when lines alternate', () => {
    // A huge period: after the first 32 calls, no further capture happens in this test.
    cp.enableProfiling({ sampleEvery: 1_000_000 });
    const x = cp.tensor([1, 2, 3]);
    for (let i = 0; i < 16; i++) {
      x.mul(2);
      x.mul(3);
    }
    const byLine = countsByLine(json(), 'mul');
    assert.equal(byLine.size, 2, `two lines expected, got ${JSON.stringify([...byLine])}`);
    assert.deepEqual([...byLine.values()], [16, 16]);
  });

  it('attributes every call of a single-line loop to that line (exact beyond the first 32)', () => {
    cp.enableProfiling({ sampleEvery: 16 });
    const x = cp.tensor([1, 2, 3]);
    for (let i = 0; i < 500; i++) x.sub(1);
    const r = json();
    const byLine = countsByLine(r, 'sub');
    assert.equal(byLine.size, 1);
    assert.equal([...byLine.values()][0], 500);
    assert.ok([...byLine.keys()][0]! > 0, 'the site has a location');
  });

  it("keeps per-op totals equal to the sum over the op's sites", () => {
    cp.enableProfiling({ sampleEvery: 8 });
    const x = cp.tensor([1, 2, 3, 4]);
    for (let i = 0; i < 600; i++) {
      x.add(i);
      if (i % 3 === 0) x.add(1);
      x.mul(2);
    }
    const r = json();
    for (const op of ['add', 'mul']) {
      const total = r.operations.find((o) => o.op === op)!;
      const sites = r.callSites.filter((s) => s.op === op);
      assert.equal(sites.reduce((n, s) => n + s.count, 0), total.count, `${op} counts`);
      const ms = sites.reduce((n, s) => n + s.totalMs, 0);
      assert.ok(Math.abs(ms - total.totalMs) <= 1e-9 * Math.max(1, total.totalMs), `${op} times: ${ms} vs ${total.totalMs}`);
      assert.equal(sites.reduce((n, s) => n + s.elements, 0), total.elements, `${op} elements`);
    }
    assert.equal(r.operations.find((o) => o.op === 'add')!.count, 800);
  });

  it('gives a two-line alternating loop counts roughly proportional to its lines (2:1)', () => {
    cp.enableProfiling({ sampleEvery: 16 });
    const x = cp.tensor([1, 2, 3]);
    const N = 6000;
    for (let i = 0; i < N; i++) {
      x.div(2); x.div(4);
      x.div(8);
    }
    const byLine = countsByLine(json(), 'div');
    assert.equal(byLine.size, 2, `two lines expected, got ${JSON.stringify([...byLine])}`);
    const [first, second] = [...byLine.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => n);
    assert.equal(first! + second!, 3 * N);
    // True share of the first line: 2/3. ~1100 captures; the bound is many standard deviations wide.
    const share = first! / (3 * N);
    assert.ok(share > 0.55 && share < 0.78, `share of the two-call line ${share.toFixed(3)} (expected ≈ 0.667)`);
  });

  it('captures a single-line op less often once its line is stable (period grows up to 16× sampleEvery)', () => {
    cp.enableProfiling({ sampleEvery: 16 });
    const x = cp.tensor([1, 2, 3]);
    const N = 40000;
    for (let i = 0; i < N; i++) x.neg();
    assert.equal(countsByLine(json(), 'neg').size, 1);
    // Fixed 1-in-16 sampling would capture ~2500 times; a period grown to 256 needs ~160 + the first 32.
    const { captures } = snapshot(false, { events: false }).selfCost;
    assert.ok(captures < 400, `captures ${captures}`);
  });

  it('still follows a loop that moves to another line, within a few periods', () => {
    cp.enableProfiling({ sampleEvery: 16 });
    const x = cp.tensor([1, 2, 3]);
    const N = 20000;
    for (let i = 0; i < N; i++) x.exp();
    for (let i = 0; i < N; i++) x.exp();
    const counts = [...countsByLine(json(), 'exp').entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => n);
    assert.equal(counts.length, 2);
    assert.equal(counts[0]! + counts[1]!, 2 * N);
    // At the switch the first line keeps the calls of one hold at most: < 2 · 16 · 16 calls.
    assert.ok(Math.abs(counts[0]! - N) < 2 * 16 * 16, `first line ${counts[0]} of ${N}`);
  });
});
