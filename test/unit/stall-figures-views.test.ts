/**
 * Machine stalls in the editor's views and the flame graph (audit 33 #5): a read whose steady calls took 0.01 ms read
 * "⏱ 120 ms · 27 % of op time · read ×30" in its lens while the recommendations left its stalls out, and the flame
 * graph's widest frame was a first touch of wasm memory whose 1664 ms held 910 ms of the machine stalling, which the
 * text report said and the graph did not. Recorded time stays (it was spent); each view says which part stalled:
 * the report's site rows carry `stallMs` (the rules' own per-call figures), the lens and hover quote it, and a stalled
 * one-time cost has a child frame of its stalled time. The stalls are injected into a real recording (every call set
 * to a fixed time first, so the machine's own noise is out): load-robust.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'mocha';
import Ajv from 'ajv';
import * as cp from '../../runtime/src/index.js';
import { formatMs, SliceKind, stallSliceName } from '../../runtime/src/contract/index.js';
import { cellsFromEvents } from '../../runtime/src/profiler/aggregate.js';
import { buildFlame } from '../../runtime/src/profiler/flame.js';
import { buildReport } from '../../runtime/src/profiler/report.js';
import { snapshot } from '../../runtime/src/profiler/session.js';
import type { ProfileData, ProfileEvent } from '../../runtime/src/profiler/types.js';
import { batchFromReport } from '../../extension/src/debug/report-sites.js';
import { ProfileStore } from '../../extension/src/profile-store.js';
import { hoverText, lensTitle, lensTooltip } from '../../extension/src/views/labels.js';

const FILE = new URL(import.meta.url).pathname;
const root = join(__dirname, '..', '..');
const lineOf = (marker: string): number => readFileSync(FILE, 'utf8').split('\n').findIndex((l) => l.includes(marker) && !l.includes('lineOf(')) + 1;

/** Every call of `data` laid out again to take `callMs`, plus `stallMs(i)` for event `i`; gaps kept. */
function relaid(data: ProfileData, stallMs: (i: number) => number, callMs = 0.01): ProfileData {
  const events: ProfileEvent[] = [];
  data.events.forEach((e, i) => {
    const gap = i === 0 ? 0 : Math.max(0, e.startMs - data.events[i - 1]!.endMs);
    const startMs = i === 0 ? e.startMs : events[i - 1]!.endMs + gap;
    events.push({ ...e, startMs, endMs: startMs + callMs + stallMs(i) });
  });
  const last = events[events.length - 1]?.endMs ?? data.endMs;
  return { ...data, events, cells: cellsFromEvents(events), ruleColumns: undefined, columns: undefined, gcPauses: [], endMs: Math.max(data.endMs, last) + 1 };
}

describe('machine stalls in the lens, the hover and the flame graph (audit 33 #5)', () => {
  let data: ProfileData;
  beforeEach(async () => {
    await cp.setBackend('wasm');
    cp.clearProfile({ segments: true });
    const x = cp.keep(cp.ones([100]));
    cp.enableProfiling({ callSites: 'all' });
    for (let i = 0; i < 40; i++) {
      x.mul(2).dispose(); // STALLED
      x.add(1).dispose(); // STEADY
    }
    cp.disableProfiling();
    data = snapshot();
    x.dispose();
  });
  afterEach(() => { cp.disableProfiling(); cp.clearProfile({ segments: true }); });

  /** The profile with one 80 ms stall in the 20th mul. */
  const stalled = (): ProfileData => {
    const muls = data.events.map((e, i) => (e.op === 'mul' ? i : -1)).filter((i) => i >= 0);
    return relaid(data, (i) => (i === muls[20] ? 80 : 0));
  };

  it('the report\'s site rows carry their stalls (schema-valid); a steady site and a context\'s report carry none', () => {
    const report = buildReport(stalled(), { recommendations: false });
    const mul = report.callSites.find((s) => s.op === 'mul')!, add = report.callSites.find((s) => s.op === 'add')!;
    assert.equal(mul.location?.line, lineOf('// STALLED'));
    assert.ok(mul.stallMs !== undefined && Math.abs(mul.stallMs - 80) < 1e-6, `mul stallMs ${mul.stallMs}`);
    assert.ok(mul.totalMs > mul.stallMs, 'inside its op time');
    assert.equal(add.stallMs, undefined);
    const schema = JSON.parse(readFileSync(join(root, 'runtime', 'schemas', 'profile-report.schema.json'), 'utf8'));
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    assert.ok(validate(JSON.parse(JSON.stringify(report))), JSON.stringify(validate.errors));
    assert.equal(buildReport(relaid(data, () => 0), { recommendations: false }).callSites.filter((s) => s.stallMs !== undefined).length, 0, 'no stall, no field');
  });

  it('the lens keeps the recorded time and says how much of it the machine stalled; its tooltip and the hover explain', () => {
    const report = buildReport(stalled(), { recommendations: false });
    const store = new ProfileStore();
    store.startRun(FILE, 0);
    store.applyBatch(batchFromReport(report, 0)!);
    const line = store.lineAt(FILE, lineOf('// STALLED'))!, steady = store.lineAt(FILE, lineOf('// STEADY'))!;
    assert.ok(Math.abs(line.stallMs - 80) < 1e-6, `line stallMs ${line.stallMs}`);
    assert.equal(lensTitle(line), `⏱ ${formatMs(line.totalMs)} (${formatMs(line.stallMs)} machine stalls) · ${(100 * line.share).toFixed(0)} % of op time · mul ×40 · wasm`);
    assert.ok(Math.abs(line.share - line.totalMs / report.totalTimeMs) < 1e-12, 'the share is of the recorded op time, as every view\'s');
    assert.match(lensTooltip(line), /80\.0 ms of it was the machine stalling/);
    assert.match(hoverText(line), /80\.0 ms of it was the machine stalling: .*recommendations leave it out/);
    assert.equal(steady.stallMs, 0);
    assert.doesNotMatch(lensTitle(steady), /stall/);
    assert.doesNotMatch(lensTooltip(steady) + hoverText(steady), /stall/);
  });

  it('a one-time cost the machine stalled in has a child frame of the stalled time; one that did not, none', () => {
    const d = stalled(), at = d.endMs + 1, name = 'first touch of new wasm memory';
    const withCosts: ProfileData = {
      ...d, endMs: at + 300,
      oneTimeCosts: [
        { name, kind: 'memory', startMs: at, endMs: at + 100, bytes: 1 << 20, duringOp: null, stallMs: 60 },
        { name, kind: 'memory', startMs: at + 150, endMs: at + 160, bytes: 1 << 20, duringOp: null },
      ],
    };
    const flame = buildFlame(withCosts), s = flame.slices;
    const named = (n: string): number[] => s.name.map((id, i) => (flame.strings[id] === n ? i : -1)).filter((i) => i >= 0);
    const costs = named(name), stalls = named(stallSliceName(name));
    assert.equal(costs.length, 2);
    assert.equal(stalls.length, 1, 'only the stalled cost has one');
    const [cost] = costs, stall = stalls[0]!;
    assert.equal(s.kind[stall], SliceKind.OneTime);
    assert.equal(s.parent[stall], cost, 'inside the cost');
    assert.equal(s.depth[stall], s.depth[cost!]! + 1);
    assert.ok(Math.abs(s.duration[cost!]! - 100_000) < 1, 'the cost keeps its recorded time, µs');
    assert.ok(Math.abs(s.duration[stall]! - 60_000) < 1, 'the child is the stalled part, µs');
    assert.equal(stallSliceName(name), '(first touch of new wasm memory: the machine stalling)');
  });
});
