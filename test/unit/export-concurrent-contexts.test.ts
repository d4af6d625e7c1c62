/**
 * Two async contexts that overlap without nesting (B starts while A awaits, A ends while B awaits):
 * the Chrome trace puts B on a track of its own, each context's slice lasts what the report says
 * (nothing clamped), and every op lies inside its own context's slice on that context's track. The
 * flame model nests by identity (each op's parent is its context's slice) and speedscope gets one
 * profile per track; the editor's flame graph draws each track in a band of rows of its own. Before
 * tracks, B was clamped to A's end and B's later ops fell outside it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { CONCURRENT_TID_BASE, type TraceEvent } from '../../runtime/src/export/chrome-trace.js';
import type { FlameProfile } from '../../runtime/src/contract/flame.js';
import type { ProfileReport } from '../../runtime/src/contract/report.js';
import { layoutTimeOrder } from '../../webview/src/layout.js';
import { buildFlameData } from '../../webview/src/model.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** The ops each context issues (distinct names, so each op's context is known from its name). */
const OPS = { A: ['add', 'mul', 'sub'], B: ['div', 'maximum', 'minimum'] } as const;

describe('concurrent async contexts in the timeline exports', () => {
  const dir = mkdtempSync(join(tmpdir(), 'corepy-concurrent-'));
  let report: ProfileReport, flame: FlameProfile, trace: TraceEvent[];

  before(async () => {
    await cp.setBackend('js');
    cp.clearProfile();
    cp.enableProfiling({ callSites: 'off' });
    const x = cp.tensor([1, 2, 3, 4]);
    const job = (name: 'A' | 'B'): Promise<void> => cp.profileContext(name, async () => {
      const [o1, o2, o3] = OPS[name];
      cp[o1](x, x).dispose();
      await sleep(30);
      cp[o2](x, x).dispose();
      await sleep(30);
      cp[o3](x, x).dispose();
    });
    // A: [0, ~60 ms]; B: [~15, ~75 ms] — overlapping, neither inside the other.
    const a = job('A');
    await sleep(15);
    await Promise.all([a, job('B')]);
    cp.disableProfiling();
    report = cp.profileReport({ format: 'json' });
    flame = cp.getFlameProfile();
    cp.exportProfile(join(dir, 'p.trace.json'), { format: 'chrome' });
    trace = (JSON.parse(readFileSync(join(dir, 'p.trace.json'), 'utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  });
  // The recording stays for the tests above; the next suite must not find it (a later enableProfiling starts a segment after it).
  after(() => cp.clearProfile());

  const slice = (name: string): TraceEvent => {
    const found = trace.filter((e) => e.ph === 'X' && e.cat === 'context' && e.name === name);
    assert.equal(found.length, 1, `one ${name} slice`);
    return found[0]!;
  };

  it('the recording really overlaps without nesting', () => {
    const a = slice('A'), b = slice('B');
    assert.ok(b.ts! > a.ts! && b.ts! < a.ts! + a.dur!, 'B starts inside A');
    assert.ok(b.ts! + b.dur! > a.ts! + a.dur!, 'B ends after A');
  });

  it("each context's duration in the trace equals the report's", () => {
    for (const name of ['A', 'B']) {
      const ms = slice(name).dur! / 1000, want = report.contexts[name]!.totalTimeMs;
      assert.ok(Math.abs(ms - want) <= 1e-9 * Math.max(1, want), `${name}: trace ${ms} ms, report ${want} ms`);
    }
  });

  it("puts B on its own named track and every op inside its own context's slice, on that track", () => {
    const a = slice('A'), b = slice('B');
    assert.notEqual(a.tid, b.tid);
    assert.ok(b.tid >= CONCURRENT_TID_BASE, `B on a concurrent track (tid ${b.tid})`);
    const meta = trace.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.tid === b.tid);
    assert.equal(meta?.args?.['name'], 'main · concurrent 1');
    for (const [name, ops] of Object.entries(OPS)) {
      const ctx = slice(name);
      for (const op of ops) {
        const e = trace.filter((t) => t.ph === 'X' && t.cat === 'op' && t.name === op);
        assert.equal(e.length, 1, op);
        assert.equal(e[0]!.tid, ctx.tid, `${op} on ${name}'s track`);
        assert.ok(e[0]!.ts! >= ctx.ts! && e[0]!.ts! + e[0]!.dur! <= ctx.ts! + ctx.dur!, `${op} inside ${name}`);
      }
    }
  });

  it('every track of the trace nests properly (what Perfetto and speedscope require)', () => {
    const byTid = new Map<number, TraceEvent[]>();
    for (const e of trace) if (e.ph === 'X') (byTid.get(e.tid) ?? byTid.set(e.tid, []).get(e.tid)!).push(e);
    for (const [tid, events] of byTid) {
      events.sort((p, q) => p.ts! - q.ts! || q.dur! - p.dur!);
      const open: number[] = [];
      for (const e of events) {
        while (open.length && open[open.length - 1]! <= e.ts!) open.pop();
        if (open.length) assert.ok(e.ts! + e.dur! <= open[open.length - 1]!, `tid ${tid}: ${e.name} overlaps its enclosing slice`);
        open.push(e.ts! + e.dur!);
      }
    }
  });

  it("the flame model: each op's parent is its context's slice; B on track 1", () => {
    const s = flame.slices, name = (i: number): string => flame.strings[s.name[i]!]!;
    for (let i = 0; i < s.name.length; i++) {
      const ctx = Object.entries(OPS).find(([, ops]) => (ops as readonly string[]).includes(name(i)))?.[0];
      if (ctx === undefined) continue;
      assert.equal(name(s.parent[i]!), ctx, `${name(i)}'s parent`);
      assert.equal(s.track![i], ctx === 'B' ? 1 : 0);
    }
  });

  it('speedscope: one evented profile per track, with B whole on its own', () => {
    cp.exportProfile(join(dir, 'p.speedscope.json'), { format: 'speedscope' });
    const doc = JSON.parse(readFileSync(join(dir, 'p.speedscope.json'), 'utf8')) as {
      profiles: { name: string; events: { type: string; frame: number; at: number }[] }[]; shared: { frames: { name: string }[] };
    };
    assert.deepEqual(doc.profiles.map((p) => p.name), ['main', 'main · concurrent 1']);
    const events = doc.profiles[1]!.events;
    const b = doc.shared.frames.findIndex((f) => f.name === 'B');
    const open = events.find((e) => e.type === 'O' && e.frame === b)!, close = events.find((e) => e.type === 'C' && e.frame === b)!;
    const ms = (close.at - open.at) / 1000;
    assert.ok(Math.abs(ms - report.contexts['B']!.totalTimeMs) <= 1e-9 * ms, `B lasts ${ms} ms in speedscope`);
  });

  it("the editor's flame graph (time order) draws B in a band of its own: no row holds overlapping frames", () => {
    const d = buildFlameData(flame);
    assert.ok(d.ok);
    const L = layoutTimeOrder(d.data, null);
    const nameOf = (f: number): string => flame.strings[L.name[f]!]!;
    const rowOf = (n: string): number => L.depth[[...Array(L.n).keys()].find((f) => nameOf(f) === n)!]!;
    assert.ok(rowOf('B') > rowOf('A'), `B (row ${rowOf('B')}) below A (row ${rowOf('A')})`);
    for (const op of OPS.B) assert.ok(rowOf(op) > rowOf('B'), `${op} under B`);
    for (let f = 0; f < L.n; f++) {
      for (let g = f + 1; g < L.n; g++) {
        if (L.depth[f] !== L.depth[g]) continue;
        const overlap = Math.min(L.x[f]! + L.w[f]!, L.x[g]! + L.w[g]!) - Math.max(L.x[f]!, L.x[g]!);
        assert.ok(overlap <= 1e-6, `${nameOf(f)} and ${nameOf(g)} overlap by ${overlap} µs on row ${L.depth[f]}`);
      }
    }
  });
});
