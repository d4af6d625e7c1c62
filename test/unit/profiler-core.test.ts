/**
 * Recorder and aggregation: outermost-only events, exact statistics past ring overflow (with the
 * drop counter), aggregation as a pure function of events, contexts across await, the decorator
 * and wrapper, no recommendation on a clean vectorized script, and baseline file errors.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { aggregate, cellsFromEvents } from '../../runtime/src/profiler/aggregate.js';
import { snapshot } from '../../runtime/src/profiler/session.js';

const dir = mkdtempSync(join(tmpdir(), 'corepy-prof-'));

describe('profiler core', () => {
  beforeEach(async () => {
    await cp.setBackend('js');
    cp.clearProfile();
  });
  afterEach(() => cp.disableProfiling());

  it('records nothing while disabled and reports isProfiling()', () => {
    cp.disableProfiling();
    cp.tensor([1, 2]).add(1);
    assert.equal(cp.isProfiling(), false);
    assert.equal(cp.profileReport({ format: 'json' }).opCount, 0);
    cp.enableProfiling();
    assert.equal(cp.isProfiling(), true);
  });

  it('keeps statistics exact when the ring overflows and counts the drops', () => {
    cp.enableProfiling({ maxEvents: 16, callSites: 'off' });
    const x = cp.tensor([1, 2, 3]);
    for (let i = 0; i < 100; i++) x.add(i);
    const r = cp.profileReport({ format: 'json' });
    assert.equal(r.operations.find((o) => o.op === 'add')!.count, 100);
    assert.equal(r.droppedEvents, 101 - 16);
    assert.match(cp.profileReport({ color: false }), /Dropped raw events: 85/);
    assert.equal(snapshot().events.length, 16);
    cp.enableProfiling();
  });

  it('aggregation is a pure function of events: cells rebuilt from events give the same aggregate', () => {
    cp.enableProfiling();
    const x = cp.tensor([1, 2, 3, 4]);
    cp.profileContext('c', () => { x.mul(2); x.sum(); });
    x.std();
    const d = snapshot();
    const fromEvents = aggregate({ ...d, cells: cellsFromEvents(d.events) });
    const fromCells = aggregate(d);
    const strip = (a: typeof fromCells) => a.ops.map((o) => [o.op, o.count, +o.totalMs.toFixed(9), +o.stddevMs.toFixed(9)]);
    assert.deepEqual(strip(fromEvents), strip(fromCells));
  });

  it('only the outermost dispatch is an op event; shapes, bytes and backend are recorded', () => {
    cp.enableProfiling();
    const x = cp.tensor([[1, 2, 3], [4, 5, 6]]);
    x.std(); // std casts/reduces internally: still one event
    const ev = snapshot().events.filter((e) => e.op === 'std');
    assert.equal(ev.length, 1);
    assert.deepEqual(ev[0]!.inputShapes, [[2, 3]]);
    assert.deepEqual(ev[0]!.outputShapes, [[]]);
    assert.equal(ev[0]!.bytesRead, 24);
    assert.equal(ev[0]!.bytesWritten, 4);
    assert.equal(ev[0]!.backend, 'js');
    assert.ok(ev[0]!.endMs >= ev[0]!.startMs);
  });

  it('contexts follow await; profiled() and @profiled() record function spans', async () => {
    cp.enableProfiling();
    class Model {
      @cp.profiled()
      forward(t: cp.Tensor): cp.Tensor { return t.mul(3); }
    }
    const x = cp.tensor([1, 2, 3]);
    await cp.profileContext('load', async () => {
      await new Promise((r) => setTimeout(r, 1));
      x.add(1);
    });
    const fn = cp.profiled((t: cp.Tensor) => t.neg(), 'negate');
    fn(x);
    new Model().forward(x);
    const r = cp.profileReport({ format: 'json' });
    assert.equal(r.contexts['load']!.opCount, 1);
    assert.equal(r.contexts['negate']!.kind, 'function');
    assert.equal(r.contexts['forward']!.opCount, 1);
    assert.deepEqual(cp.profileReport({ format: 'json', context: 'load' }).operations.map((o) => o.op), ['add']);
    assert.throws(() => new cp.ProfileContext(''), /non-empty string/);
  });

  it('no rule fires on a clean, already-vectorized script', () => {
    cp.enableProfiling();
    const data = cp.tensor(Array.from({ length: 100000 }, (_, i) => i));
    const offsets = cp.arange(100);
    const results = data.unsqueeze(0).add(offsets.unsqueeze(1));
    const { mean, variance } = results.moments(1);
    mean.sub(variance.sqrt());
    assert.deepEqual(cp.getRecommendations().map((r) => r.title), []);
  });

  it('rejects bad options', () => {
    assert.throws(() => cp.enableProfiling({ sampleEvery: 0 }), /sampleEvery must be an integer ≥ 1/);
    assert.throws(() => cp.enableProfiling({ callSites: 'some' as 'all' }), /callSites must be 'all', 'sampled' or 'off'/);
  });

  it('baseline errors: missing, corrupt, other kind, other schemaVersion', () => {
    cp.enableProfiling();
    cp.tensor([1]).add(1);
    assert.throws(() => cp.compareToBaseline(join(dir, 'missing.json')), /Baseline file not found: .*missing\.json \(create it with saveBaseline/);
    const corrupt = join(dir, 'corrupt.json');
    writeFileSync(corrupt, '{"schemaVersion": 1,');
    assert.throws(() => cp.compareToBaseline(corrupt), /is corrupt \(not valid JSON/);
    const other = join(dir, 'other.json');
    writeFileSync(other, '{"hello": 1}');
    assert.throws(() => cp.compareToBaseline(other), /not a corepy baseline/);
    const v2 = join(dir, 'v2.json');
    writeFileSync(v2, JSON.stringify({ kind: 'corepy-baseline', schemaVersion: 2, ops: {}, contexts: {} }));
    assert.throws(() => cp.compareToBaseline(v2), /has schemaVersion 2; this corepy reads schemaVersion 1/);
    assert.throws(() => cp.saveBaseline(join(dir, 'no/dir/b.json')), /Cannot write baseline/);
  });
});
