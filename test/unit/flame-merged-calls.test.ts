/**
 * Calls the stack captures cannot tell apart (audit 23, 6a) and one-time work at load in the timeline
 * exports (audit 24, N3), on one real run of test/fixtures/profiler/merged-calls.mts (wasm kernels,
 * its own process): `outer`, called 15 times from a loop with no op of the loop's between the calls,
 * is one run of ops — it was shown as "outer, count 1" with the loop's time as its self time, the
 * largest in the table. Now the run is named as possibly merging calls, the time between ops where a
 * new call may have begun is a gap slice of its own (14 of them), not outer's self time, and a
 * function called once is not marked. The Chrome trace, speedscope and folded exports open with the
 * one-time work done at load, so their one-time events sum to the report's one-time total.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'mocha';
import Ajv from 'ajv';
import { gapSliceName, MERGED_CALLS_SUFFIX, SliceKind, stallSliceName, type FlameProfile } from '../../runtime/src/contract/flame.js';
import type { ProfileReport } from '../../runtime/src/contract/report.js';
import type { TraceEvent } from '../../runtime/src/export/chrome-trace.js';
import { AT_LOAD_FRAME } from '../../runtime/src/export/at-load.js';
import { foldedFrameName, parseFolded } from '../../runtime/src/export/folded.js';
import { mergedCallsNote } from '../../webview/src/tooltip.js';

const root = join(__dirname, '..', '..');
const FIXTURE = join(root, 'test', 'fixtures', 'profiler', 'merged-calls.mts');
const CALLS = 15;
const OUTER = `outer${MERGED_CALLS_SUFFIX}`, GAP = gapSliceName('outer');
/** The fixture's line with the anonymous callback of `cp.tidy(() => …)` in a loop (1-based). */
const ANON_LINE = readFileSync(FIXTURE, 'utf8').split('\n').findIndex((l) => l.endsWith('// ANON')) + 1;

interface Run { report: ProfileReport; flame: FlameProfile; chrome: string; speedscope: string; folded: string; text: string }

/** Per slice name: slices and self time (µs: duration less its children's, GPU apart). */
function table(f: FlameProfile): Map<string, { count: number; selfUs: number }> {
  const s = f.slices, self = s.duration.slice(), out = new Map<string, { count: number; selfUs: number }>();
  for (let i = 0; i < self.length; i++) if (s.parent[i]! >= 0 && s.kind[i] !== SliceKind.Gpu) self[s.parent[i]!]! -= s.duration[i]!;
  for (let i = 0; i < self.length; i++) {
    const r = out.get(f.strings[s.name[i]!]!) ?? { count: 0, selfUs: 0 };
    r.count++; r.selfUs += self[i]!;
    out.set(f.strings[s.name[i]!]!, r);
  }
  return out;
}

describe('merged calls and one-time work at load in the flame model and the timeline exports', function () {
  this.timeout(120_000);
  let run: Run;

  before(() => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', FIXTURE], { cwd: root, encoding: 'utf8', timeout: 100_000, maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, r.stderr);
    run = JSON.parse(r.stdout) as Run;
  });

  it('outer: one run marked as merging calls, with a gap slice where each later call may begin; middle and inner: one slice per call', () => {
    const t = table(run.flame);
    assert.equal(t.get('outer'), undefined, 'not shown as a plain function called once');
    // One run, or two where one-time work during an op (wasm memory growth) cuts it: frames never straddle it.
    const runs = t.get(OUTER)?.count ?? 0;
    assert.ok(runs >= 1 && runs <= 2, `${runs} runs`);
    assert.equal(t.get(GAP)?.count, CALLS - 1);
    // One slice per call (a call cut by that one-time work: two).
    for (const fn of ['middle', 'inner']) {
      const n = t.get(fn)?.count ?? 0;
      assert.ok(n >= CALLS && n <= CALLS + runs - 1, `${fn}: ${n} slices`);
    }
    const s = run.flame.slices, outerName = run.flame.strings.indexOf(OUTER);
    for (let i = 0; i < s.name.length; i++) {
      if (run.flame.strings[s.name[i]!] !== GAP) continue;
      // Inside outer's run, no source location (the time is nobody's line), between two ops.
      assert.equal(s.name[s.parent[i]!], outerName);
      assert.equal(s.location[i], -1);
      assert.equal(s.kind[i], SliceKind.Function);
      const next = s.start.findIndex((st, k) => k !== i && s.kind[k] === SliceKind.Op && st >= s.start[i]! + s.duration[i]! - 1e-6);
      assert.ok(next > 0 && run.flame.strings[s.name[next]!] === 'matmul', 'a gap ends where the next call\'s first op starts');
    }
    // The time between calls is no longer outer's self: outer keeps only what lies between ops of one call.
    assert.ok(t.get(GAP)!.selfUs > 0);
    let outerUs = 0;
    for (let i = 0; i < s.name.length; i++) if (s.name[i] === outerName) outerUs += s.duration[i]!;
    assert.ok(t.get(OUTER)!.selfUs + t.get(GAP)!.selfUs <= outerUs + 1e-6);
  });

  it('a function called once, with ops and calls on distinct lines, is not marked; the module body never is', () => {
    const t = table(run.flame);
    assert.equal(t.get('once')?.count, 1);
    assert.equal(t.get(`once${MERGED_CALLS_SUFFIX}`), undefined);
    assert.ok(!run.flame.strings.some((n) => n.startsWith('(top level)') && n !== '(top level)'));
  });

  it('an anonymous callback is named by where it starts, the same in the flame model, Chrome trace, speedscope and folded', () => {
    // It was "(anonymous) [merged calls?]": which function, and what the brackets meant, users could not tell.
    assert.ok(ANON_LINE > 0, 'the fixture marks its anonymous callback');
    const anon = `(anonymous at merged-calls.mts:${ANON_LINE}) [may be several calls]`;
    assert.equal(anon, `(anonymous at merged-calls.mts:${ANON_LINE})${MERGED_CALLS_SUFFIX}`);
    assert.ok(run.flame.strings.includes(anon), run.flame.strings.filter((n) => n.includes('anonymous')).join(', '));
    assert.ok(!run.flame.strings.some((n) => n.startsWith('(anonymous)')), 'no frame is a bare "(anonymous)"');
    // Its slice's location is where the callback starts, the line its name gives.
    const s = run.flame.slices, k = s.name.findIndex((n) => run.flame.strings[n] === anon);
    assert.equal(run.flame.locations[s.location[k]!]!.line, ANON_LINE);
    // Its three calls (mul, add each) are one run; the ops inside it are the loop's.
    const ops = new Set<string>();
    for (let i = 0; i < s.name.length; i++) if (s.parent[i] === k) ops.add(run.flame.strings[s.name[i]!]!);
    assert.ok(ops.has('mul') && ops.has('add'), [...ops].join(', '));
    const chrome = (JSON.parse(run.chrome) as { traceEvents: TraceEvent[] }).traceEvents;
    assert.ok(chrome.some((e) => e.ph === 'X' && e.name === anon), 'Chrome trace');
    const speedscope = JSON.parse(run.speedscope) as { shared: { frames: { name: string }[] } };
    assert.ok(speedscope.shared.frames.some((f) => f.name === anon), 'speedscope');
    assert.ok([...parseFolded(run.folded).keys()].some((k) => k.endsWith(`;${foldedFrameName(anon)};mul`)), 'folded');
    assert.equal(foldedFrameName(anon), `(anonymous_at_merged-calls.mts:${ANON_LINE})_[may_be_several_calls]`);
  });

  it('the editor labels the merged row: its count is a lower bound, its gaps are not its self time', () => {
    assert.match(mergedCallsNote(OUTER) ?? '', /calls unknown.*lower bound/);
    // A profile saved before the suffix was renamed still gets the note.
    assert.match(mergedCallsNote('outer [merged calls?]') ?? '', /calls unknown.*lower bound/);
    assert.equal(mergedCallsNote('outer'), null);
    assert.equal(mergedCallsNote('middle'), null);
  });

  it('Chrome trace: the same names and counts; at-load one-time events first, summing with the rest to the report\'s one-time total', () => {
    const doc = JSON.parse(run.chrome) as { traceEvents: (TraceEvent & { ts: number; dur: number })[]; otherData: { recordingStartUs: number } };
    const xs = doc.traceEvents.filter((e) => e.ph === 'X');
    assert.equal(xs.filter((e) => e.name === OUTER).length, table(run.flame).get(OUTER)!.count);
    assert.equal(xs.filter((e) => e.name === GAP).length, CALLS - 1);
    const atLoad = xs.filter((e) => e.args?.['atLoad'] === true);
    // The fixture's process enabled profiling for the first time: the warm-up ran at load, before the recording.
    assert.ok(atLoad.some((e) => e.name.startsWith('warm up corepy ops')), xs.filter((e) => e.cat === 'one-time').map((e) => e.name).join(', '));
    assert.ok(atLoad.every((e) => e.cat === 'one-time' && e.tid === 1 && e.ts >= 0));
    const atLoadUs = atLoad.reduce((t, e) => t + e.dur, 0);
    assert.ok(Math.abs(doc.otherData.recordingStartUs - atLoadUs) <= 1e-6 * atLoadUs);
    // Every event of the recording comes after them (Perfetto takes no negative timestamps).
    assert.ok(xs.every((e) => e.args?.['atLoad'] === true || e.ts >= atLoadUs - 1e-6 * atLoadUs));
    // A cost's stalled part is a child event inside the cost's (flame.ts oneTimeSlices): counted once, in its cost.
    const stallNames = new Set(run.report.oneTimeCosts.map((r) => stallSliceName(r.name)));
    const oneTimeMs = xs.filter((e) => e.cat === 'one-time' && !stallNames.has(e.name)).reduce((t, e) => t + e.dur, 0) / 1000;
    assert.ok(Math.abs(oneTimeMs - run.report.oneTimeTotalMs) <= 1e-6 * run.report.oneTimeTotalMs, `${oneTimeMs} vs ${run.report.oneTimeTotalMs}`);
    // The text report's one-time line states that same total.
    const shown = /One-time costs \(([\d.]+) ms/.exec(run.text);
    assert.ok(shown, 'the text lists the one-time costs');
    assert.ok(Math.abs(Number(shown[1]) - oneTimeMs) <= 0.005 * oneTimeMs, `text ${shown[1]} ms, trace ${oneTimeMs} ms`);
    // Every track still nests properly after the move.
    const byTid = new Map<number, typeof xs>();
    for (const e of xs) (byTid.get(e.tid) ?? byTid.set(e.tid, []).get(e.tid)!).push(e);
    for (const [tid, events] of byTid) {
      events.sort((p, q) => p.ts - q.ts || q.dur - p.dur);
      const open: number[] = [];
      for (const e of events) {
        while (open.length && open[open.length - 1]! <= e.ts) open.pop();
        if (open.length) assert.ok(e.ts + e.dur <= open[open.length - 1]! + 1e-6, `tid ${tid}: ${e.name} overlaps its enclosing slice`);
        open.push(e.ts + e.dur);
      }
    }
  });

  it('speedscope: validates; the main profile opens with the at-load frames; the merged and gap frames are there', () => {
    const doc = JSON.parse(run.speedscope) as { shared: { frames: { name: string }[] }; profiles: { name: string; events: { type: string; frame: number; at: number }[] }[] };
    const schema = JSON.parse(readFileSync(join(root, 'runtime', 'schemas', 'speedscope-file-format.schema.json'), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false });
    assert.ok(ajv.validate(schema, doc), ajv.errorsText());
    const names = doc.shared.frames.map((f) => f.name);
    assert.ok(names.includes(OUTER) && names.includes(GAP));
    const main = doc.profiles.find((p) => p.name === 'main')!;
    const rows = run.report.oneTimeCosts.filter((r) => r.name.startsWith('warm up corepy ops'));
    assert.equal(rows.length, 1);
    const first = main.events.slice(0, 2 * 2).map((e) => names[e.frame]);
    assert.ok(first.includes(rows[0]!.name), first.join(', '));
    assert.equal(main.events[0]!.at, 0);
  });

  it("folded: at-load lines under their own frame; one-time lines sum to the report's total; the gaps are outer's children", () => {
    const lines = parseFolded(run.folded);
    // A cost the machine stalled in has a child frame of the stalled part (flame.ts oneTimeSlices): its lines count too.
    const oneTimeNames = new Set(run.report.oneTimeCosts.flatMap((r) => [foldedFrameName(r.name), foldedFrameName(stallSliceName(r.name))]));
    let oneTimeUs = 0;
    for (const [stack, us] of lines) if (oneTimeNames.has(stack.split(';').pop()!)) oneTimeUs += us;
    // Integer µs per line: within half a µs per line of the report's total.
    assert.ok(Math.abs(oneTimeUs / 1000 - run.report.oneTimeTotalMs) <= 0.0005 * lines.size + 1e-9, `${oneTimeUs / 1000} vs ${run.report.oneTimeTotalMs}`);
    assert.ok([...lines.keys()].some((k) => k.startsWith(`${foldedFrameName(AT_LOAD_FRAME)};${foldedFrameName('warm up corepy ops')}`)));
    assert.ok([...lines.keys()].some((k) => k.endsWith(`${foldedFrameName(OUTER)};${foldedFrameName(GAP)}`)));
  });
});
