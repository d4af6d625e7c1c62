/**
 * `exportProfile(path, { format, context })` restricts every format to that context's subtree
 * (audit 19 F11: chrome, speedscope, folded and html wrote the whole recording). One recording: ops
 * at top level before and after, the context `A` (a matmul, a @profiled function, a nested context
 * `B`), and `A` again inside another context `X` (so "at any depth" is exercised). Each format,
 * exported with `{ context: 'A' }`, holds the ops issued inside `A` and nothing else; the timeline
 * formats hold `A`'s spans as their outermost slices, with `B` and the function nested inside.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { HTML_REPORT_IDS } from '../../runtime/src/contract/names.js';
import { SliceKind, type FlameProfile } from '../../runtime/src/contract/flame.js';
import { parseFolded } from '../../runtime/src/export/folded.js';
import { FORMATS } from '../../runtime/src/export/formats.js';
import { parseJsonExport } from '../../runtime/src/export/read-report.js';
import { restrictToContext } from '../../runtime/src/export/context-timeline.js';
import { buildFlame } from '../../runtime/src/profiler/flame.js';
import { snapshot } from '../../runtime/src/profiler/session.js';

const dir = mkdtempSync(join(tmpdir(), 'corepy-export-ctx-'));
const read = (f: string): string => readFileSync(join(dir, f), 'utf8');

/** Ops issued inside `A` (both times), by name; top-level ops are randn and tanh, X's own op is sigmoid. */
const INSIDE = ['abs', 'exp', 'matmul', 'neg', 'sum'];
const OUTSIDE = ['randn', 'tanh', 'sigmoid'];

describe('exportProfile with a context: every format holds that context only', function () {
  this.timeout(60_000);
  after(() => rmSync(dir, { recursive: true, force: true }));

  before(async () => {
    await cp.setBackend('js');
    cp.clearProfile();
    cp.enableProfiling();
    const x = cp.randn([16, 16]);
    const layer = cp.profiled((t: cp.Tensor) => t.abs(), 'layer');
    const a = (): void => {
      cp.profileContext('A', () => {
        x.matmul(x);
        layer(x);
        cp.profileContext('B', () => x.exp().sum());
      });
    };
    a();
    cp.profileContext('X', () => { x.sigmoid(); cp.profileContext('A', () => x.neg()); });
    x.tanh();
    cp.disableProfiling();
    for (const { id } of FORMATS) cp.exportProfile(join(dir, `a.${id}`), { format: id, context: 'A' });
  });

  it('json, csv, text and markdown: the ops inside A only', () => {
    assert.deepEqual(parseJsonExport(read('a.json')).operations.map((o) => o.op).sort(), INSIDE);
    const csvOps = new Set(read('a.csv').split('\r\n').slice(1, -1).map((l) => l.split(',')[0]));
    assert.deepEqual([...csvOps].sort(), INSIDE);
    for (const f of ['a.text', 'a.markdown']) {
      const text = read(f);
      for (const op of INSIDE) assert.match(text, new RegExp(`\\b${op}\\b`), `${f} lists ${op}`);
      for (const op of OUTSIDE) assert.doesNotMatch(text, new RegExp(`\\b${op}\\b`), `${f} leaves out ${op}`);
    }
  });

  it('chrome: the ops inside A, under A (or B or the function), nothing of X or the top level', () => {
    const trace = JSON.parse(read('a.chrome')) as { traceEvents: { name: string; ph: string; ts: number; dur?: number; cat?: string; args?: Record<string, unknown> }[] };
    const slices = trace.traceEvents.filter((e) => e.ph === 'X');
    const names = new Set(slices.map((e) => e.name));
    for (const op of INSIDE) assert.ok(names.has(op), `has ${op}`);
    for (const n of [...OUTSIDE, 'X']) assert.ok(!names.has(n), `leaves out ${n}`);
    assert.ok(names.has('A') && names.has('B') && names.has('layer'));
    // Every op lies within one of A's two spans.
    const spans = slices.filter((e) => e.name === 'A');
    assert.equal(spans.length, 2);
    for (const e of slices.filter((s) => INSIDE.includes(s.name))) {
      assert.ok(spans.some((s) => e.ts >= s.ts && e.ts + (e.dur ?? 0) <= s.ts + s.dur! + 1e-6), `${e.name} inside A`);
    }
    assert.match(JSON.stringify(trace.traceEvents.filter((e) => e.ph === 'M')), /context \\"A\\"/);
  });

  it('speedscope: frames of A and inside it only; every stack starts at A', () => {
    const file = JSON.parse(read('a.speedscope')) as {
      shared: { frames: { name: string }[] };
      profiles: { events?: { type: 'O' | 'C'; frame: number }[] }[];
    };
    const names = file.shared.frames.map((f) => f.name);
    for (const n of [...OUTSIDE, 'X', '(top level)']) assert.ok(!names.includes(n), `leaves out ${n}`);
    for (const op of INSIDE) assert.ok(names.includes(op), `has ${op}`);
    for (const p of file.profiles) {
      let depth = 0;
      for (const e of p.events ?? []) {
        if (e.type === 'O' && depth === 0) assert.equal(names[e.frame], 'A', 'outermost frame is A');
        depth += e.type === 'O' ? 1 : -1;
      }
    }
  });

  it('folded: every stack starts at A; the ops inside it only', () => {
    const stacks = [...parseFolded(read('a.folded')).keys()];
    assert.ok(stacks.length > 0);
    assert.ok(stacks.every((s) => s.split(';')[0] === 'A'), stacks.join('\n'));
    const leaves = new Set(stacks.map((s) => s.split(';').pop()!));
    for (const op of INSIDE) assert.ok(leaves.has(op), `has ${op}`);
    assert.ok(stacks.some((s) => s.startsWith('A;B;')) && stacks.some((s) => s.startsWith('A;layer;')));
  });

  it("html: the embedded flame model is A's subtree", () => {
    const html = read('a.html');
    const m = new RegExp(`<script type="application/json" id="${HTML_REPORT_IDS.profile}">([\\s\\S]*?)</script>`).exec(html);
    assert.ok(m);
    const flame = JSON.parse(m[1]!) as FlameProfile;
    const named = (k: number): string[] => flame.slices.name.filter((_, i) => flame.slices.kind[i] === k).map((n) => flame.strings[n]!);
    assert.deepEqual([...new Set(named(SliceKind.Op))].sort(), INSIDE);
    assert.deepEqual(named(SliceKind.Context).sort(), ['A', 'A', 'B']);
    assert.equal(flame.title, 'corepy profile: context "A"');
    // A's spans are the outermost slices.
    flame.slices.depth.forEach((d, i) => { if (d === 0 && flame.slices.kind[i] !== SliceKind.Gpu && flame.slices.kind[i] !== SliceKind.OneTime) assert.equal(flame.strings[flame.slices.name[i]!], 'A'); });
  });

  it('restrictToContext keeps the subtree from record snapshots as from column snapshots', () => {
    const cols = buildFlame(restrictToContext(snapshot(true, { events: 'columns' }), 'B'));
    const recs = buildFlame(restrictToContext(snapshot(true), 'B'));
    const ops = (f: FlameProfile): string[] => f.slices.name.filter((_, i) => f.slices.kind[i] === SliceKind.Op).map((n) => f.strings[n]!);
    assert.deepEqual(ops(cols), ['exp', 'sum']);
    assert.deepEqual(ops(recs), ops(cols));
  });

  it('an unknown context throws for the timeline formats too, listing the recorded ones', () => {
    for (const format of ['chrome', 'speedscope', 'folded', 'html'] as const) {
      assert.throws(() => cp.exportProfile(join(dir, `nope.${format}`), { format, context: 'nope' }), /Unknown profile context "nope"; recorded contexts: .*"A"/);
    }
  });
});
