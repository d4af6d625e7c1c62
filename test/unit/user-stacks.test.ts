/**
 * The user's call stack (issue 14, item 4): a script with nested functions (main → step → forward
 * → ops, and a helper called from both forward and loss) shows those functions as frames above its
 * ops in the flame model, speedscope, the Chrome trace and folded stacks — through `corepy profile`
 * and through the API. Stacks are read back from each format the way its viewer nests them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'mocha';
import Ajv from 'ajv';
import * as cp from '../../runtime/src/index.js';
import { gapSliceName, MERGED_CALLS_SUFFIX, SliceKind, type FlameProfile } from '../../runtime/src/contract/flame.js';
import type { ProfileReport } from '../../runtime/src/contract/report.js';
import { renderExport } from '../../runtime/src/export/index.js';
import { foldedFrameName, parseFolded } from '../../runtime/src/export/folded.js';
import type { TraceEvent } from '../../runtime/src/export/chrome-trace.js';
import { STACK_FIRST } from '../../runtime/src/contract/names.js';
import { callStackLine } from '../../runtime/src/profiler/format-text.js';
import { layoutLeftHeavy } from '../../webview/src/layout.js';
import { buildFlameData, type FlameData } from '../../webview/src/model.js';

const root = join(__dirname, '..', '..');
const FIXTURE = join(root, 'test', 'fixtures', 'profiler', 'nested-stacks.mts');
/** Steps the fixture runs: helper's line then sees 2·STEPS ops, all within STACK_FIRST (exact, not sampled). */
const STEPS = 4;
const OPS = new Set(['full', 'mul', 'add', 'sum']);
/**
 * `step`, called STEPS times by main with no op of main's between the calls: one run of ops, which
 * stack captures cannot tell from one call that loops, so it is named as possibly merging calls.
 */
const STEP = `step${MERGED_CALLS_SUFFIX}`;
/** Every op's stack, outermost first, joined with ';' (the fixture's own structure). */
const EXPECTED = [
  '(top level);main;full',
  `(top level);main;${STEP};forward;helper;mul`,
  `(top level);main;${STEP};forward;add`,
  `(top level);main;${STEP};loss;helper;mul`,
  `(top level);main;${STEP};loss;sum`,
];
const fixtureLine = (marker: string): number => readFileSync(FIXTURE, 'utf8').split('\n').findIndex((l) => l.includes(marker)) + 1;

/** A stack from the fixture's own top level on (whoever imported it — a test's hook — may be on the stack too). */
function fromFixture(names: readonly string[]): string {
  let from = names.length - 1;
  while (from >= 0 && !(names[from] === '(top level)' && names[from + 1] === 'main')) from--;
  return names.slice(Math.max(0, from)).join(';');
}

/** Each op slice's stack in the flame model (its ancestors' names), with how many ops had it. */
function flameStacks(f: FlameProfile): Map<string, number> {
  const s = f.slices, out = new Map<string, number>();
  for (let i = 0; i < s.name.length; i++) {
    if (s.kind[i] !== SliceKind.Op) continue;
    const names: string[] = [];
    for (let k = i; k >= 0; k = s.parent[k]!) names.push(f.strings[s.name[k]!]!);
    const key = fromFixture(names.reverse());
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

/** The op stacks speedscope draws: frames open at each op's 'O' event of its evented profile. */
function speedscopeStacks(doc: { shared: { frames: { name: string }[] }; profiles: { events: { type: string; frame: number }[] }[] }): Set<string> {
  const out = new Set<string>();
  for (const p of doc.profiles) {
    const open: string[] = [];
    for (const e of p.events) {
      const name = doc.shared.frames[e.frame]!.name;
      if (e.type === 'O') {
        open.push(name);
        if (OPS.has(name)) out.add(fromFixture(open));
      } else assert.equal(open.pop(), name, 'frames close in order');
    }
    assert.equal(open.length, 0);
  }
  return out;
}

/** The op stacks a trace viewer nests: on the op's thread, the X events enclosing it (ts, ts + dur), outermost first. */
function chromeStacks(events: TraceEvent[]): Set<string> {
  const xs = events.filter((e) => e.ph === 'X') as (TraceEvent & { ts: number; dur: number; tid: number; cat: string })[];
  const out = new Set<string>();
  for (const op of xs.filter((e) => e.cat === 'op')) {
    // Ends compared to 1e-6 µs: start + duration is rounded differently for a frame and its last op.
    const around = xs.filter((e) => e.cat === 'function' && e.tid === op.tid && e.ts <= op.ts && e.ts + e.dur >= op.ts + op.dur - 1e-6)
      .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
    out.add(fromFixture([...around.map((e) => e.name), op.name]));
  }
  return out;
}

/** Folded lines that end in an op (the others carry the functions' own time between ops). */
function foldedStacks(text: string): Set<string> {
  return new Set([...parseFolded(text).keys()].filter((k) => OPS.has(k.split(';').pop()!)).map((k) => fromFixture(k.replaceAll('(top_level)', '(top level)').replaceAll(foldedFrameName(MERGED_CALLS_SUFFIX), MERGED_CALLS_SUFFIX).split(';'))));
}

function checkFlame(flame: FlameProfile): void {
  const stacks = flameStacks(flame);
  assert.deepEqual([...stacks.keys()].sort(), [...EXPECTED].sort());
  // Exact per op while each line has had at most STACK_FIRST ops (after that, sampled: see the recorder).
  assert.ok(2 * STEPS <= STACK_FIRST);
  assert.equal(stacks.get(`(top level);main;${STEP};forward;helper;mul`), STEPS);
  assert.equal(stacks.get(`(top level);main;${STEP};loss;helper;mul`), STEPS);
  // Where a new call of step may have begun (it calls forward again), the time since its last op is
  // a gap slice inside it, not its self time: one per later call.
  const s0 = flame.slices;
  const gaps = [...s0.name.keys()].filter((i) => flame.strings[s0.name[i]!] === gapSliceName('step'));
  assert.equal(gaps.length, STEPS - 1);
  assert.ok(gaps.every((i) => flame.strings[s0.name[s0.parent[i]!]!] === STEP && s0.location[i] === -1));
  // main issues an op of its own and calls step once: not marked.
  assert.ok(flame.strings.includes('main') && !flame.strings.includes(`main${MERGED_CALLS_SUFFIX}`));
  // Function frames carry their function's source location (where it starts), source-mapped to the .mts.
  const s = flame.slices;
  const helper = [...s.name.keys()].filter((i) => s.kind[i] === SliceKind.Function && flame.strings[s.name[i]!] === 'helper');
  assert.ok(helper.length >= 2);
  const loc = flame.locations[s.location[helper[0]!]!]!;
  assert.ok(loc.file.endsWith('nested-stacks.mts'), loc.file);
  assert.equal(loc.line, fixtureLine('function helper'));
  // helper runs under both of its callers.
  const callers = new Set(helper.map((i) => flame.strings[s.name[s.parent[i]!]!]));
  assert.deepEqual([...callers].sort(), ['forward', 'loss']);
  // A frame spans its ops: it starts with its first op and ends with its last.
  for (const i of helper) {
    const kids = [...s.parent.keys()].filter((k) => s.parent[k] === i);
    assert.ok(kids.length > 0);
    assert.equal(s.start[i], s.start[kids[0]!]);
    assert.ok(Math.abs(s.start[i]! + s.duration[i]! - (s.start[kids.at(-1)!]! + s.duration[kids.at(-1)!]!)) < 1e-6);
  }
}

describe('user call stacks through corepy profile', function () {
  this.timeout(240_000);
  const cli = join(root, 'runtime', 'src', 'cli.ts');
  const dir = mkdtempSync(join(tmpdir(), 'corepy-stacks-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Profiles the fixture (js backend) into `format`; returns the file's text. */
  function profile(format: string): string {
    const out = join(dir, `p.${format}`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', cli, 'profile', FIXTURE, '--backend', 'js', '--format', format, '--out', out],
      { cwd: root, env: { ...process.env, NESTED_STEPS: String(STEPS) }, encoding: 'utf8', timeout: 100_000 });
    assert.equal(r.status, 0, r.stderr);
    return readFileSync(out, 'utf8');
  }

  it('folded: one line per user stack, helper under both callers', () => {
    assert.deepEqual([...foldedStacks(profile('folded'))].sort(), [...EXPECTED].sort());
  });

  it("a TypeScript script in a CommonJS folder: tsx's wrapper around its body is not a frame of its own", () => {
    // tsx compiles such a script to CommonJS with the body inside a function of its own, which the source
    // map leaves unmapped; a user saw "(top level);(anonymous)" above every op.
    const cjs = mkdtempSync(join(tmpdir(), 'corepy-stacks-cjs-'));
    try {
      writeFileSync(join(cjs, 'package.json'), JSON.stringify({ name: 'user-project', version: '1.0.0', type: 'commonjs' }));
      writeFileSync(join(cjs, 'nested.ts'), readFileSync(FIXTURE, 'utf8').replace("'../../../runtime/src/index.js'", "'corepy'"));
      const out = join(cjs, 'p.folded');
      const r = spawnSync(process.execPath, [join(root, 'runtime', 'dist', 'cli.js'), 'profile', 'nested.ts', '--backend', 'js', '--format', 'folded', '--out', out],
        { cwd: cjs, env: { ...process.env, NESTED_STEPS: String(STEPS) }, encoding: 'utf8', timeout: 100_000 });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual([...foldedStacks(readFileSync(out, 'utf8'))].sort(), [...EXPECTED].sort());
    } finally {
      rmSync(cjs, { recursive: true, force: true });
    }
  });

  it('speedscope: validates, and its frames nest the functions over the ops', () => {
    const doc = JSON.parse(profile('speedscope'));
    const schema = JSON.parse(readFileSync(join(root, 'runtime', 'schemas', 'speedscope-file-format.schema.json'), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false });
    assert.ok(ajv.validate(schema, doc), ajv.errorsText());
    assert.deepEqual([...speedscopeStacks(doc)].sort(), [...EXPECTED].sort());
    const step = doc.shared.frames.find((f: { name: string }) => f.name === STEP);
    assert.ok(step.file.endsWith('nested-stacks.mts'));
    assert.equal(step.line, fixtureLine('function step'));
  });

  it('chrome trace: function events enclose their ops', () => {
    assert.deepEqual([...chromeStacks(JSON.parse(profile('chrome')).traceEvents)].sort(), [...EXPECTED].sort());
  });

  it('json: the report says how stacks were captured and counts them in the overhead', () => {
    const r = JSON.parse(profile('json')) as ProfileReport;
    assert.ok(r.callStacks!.captures > 0 && r.callStacks!.captures <= r.opCount);
    assert.ok(r.overhead.estimatedMs >= r.callStacks!.captureMs);
    assert.match(callStackLine(r), new RegExp(`^Call stacks: sampled per line \\(first ${STACK_FIRST} ops of each line captured`));
  });
});

describe('user call stacks through the API', function () {
  this.timeout(120_000);
  let flame: FlameProfile, report: ProfileReport;

  before(async () => {
    // The ES module copy of the runtime, the one the fixture (an ES module) imports; this file's
    // `cp` is the CommonJS copy mocha loaded, with a profiler of its own.
    const esm = (await import(pathToFileURL(join(root, 'runtime', 'src', 'index.ts')).href)) as typeof cp;
    await esm.setBackend('js');
    esm.clearProfile();
    esm.enableProfiling();
    process.env['NESTED_STEPS'] = String(STEPS);
    try {
      await import(pathToFileURL(FIXTURE).href);
    } finally {
      delete process.env['NESTED_STEPS'];
    }
    flame = esm.getFlameProfile('nested');
    report = esm.profileReport({ format: 'json' });
    esm.disableProfiling();
    esm.clearProfile();
  });

  it('flame model: user functions → ops, helper under both callers, exact counts, source locations', () => {
    checkFlame(flame);
  });

  it('folded, speedscope and chrome trace show the same stacks', () => {
    const input = { report, flame };
    assert.deepEqual([...foldedStacks(renderExport(input, 'folded'))].sort(), [...EXPECTED].sort());
    assert.deepEqual([...speedscopeStacks(JSON.parse(renderExport(input, 'speedscope')))].sort(), [...EXPECTED].sort());
    assert.deepEqual([...chromeStacks(JSON.parse(renderExport(input, 'chrome')).traceEvents)].sort(), [...EXPECTED].sort());
  });

  it("the editor's left-heavy view merges identical stacks: one helper → mul per caller, counting every step", () => {
    const d = buildFlameData(flame);
    assert.ok(d.ok);
    const data = (d as { ok: true; data: FlameData }).data;
    const l = layoutLeftHeavy(data, null);
    const name = (f: number): string => flame.strings[l.name[f]!]!;
    const pathOf = (f: number): string => { const out: string[] = []; for (let k = f; k >= 0; k = l.parent[k]!) out.push(name(k)); return fromFixture(out.reverse()); };
    const muls = [...Array(l.n).keys()].filter((f) => name(f) === 'mul').map((f) => [pathOf(f), l.count[f]] as const);
    assert.deepEqual(muls.sort(), [[`(top level);main;${STEP};forward;helper;mul`, STEPS], [`(top level);main;${STEP};loss;helper;mul`, STEPS]]);
  });

  it('contexts stay whole: frames nest inside the context their ops were issued in, less its caller chain', async () => {
    await cp.setBackend('js');
    cp.clearProfile();
    cp.enableProfiling();
    const x = cp.ones([8]);
    function inner(): void { x.add(x).dispose(); }
    function other(): void { x.sub(x).dispose(); }
    function outer(): void { cp.profileContext('stacks-ctx', () => { inner(); other(); inner(); }); x.mul(x).dispose(); }
    outer();
    x.dispose();
    const f = cp.getFlameProfile();
    cp.disableProfiling();
    cp.clearProfile();
    const s = f.slices;
    const chain = (i: number): string[] => { const out: string[] = []; for (let k = i; k >= 0; k = s.parent[k]!) out.push(f.strings[s.name[k]!]!); return out; };
    const ops = (name: string): number[] => [...s.name.keys()].filter((i) => s.kind[i] === SliceKind.Op && f.strings[s.name[i]!] === name);
    const ctx = [...s.name.keys()].find((i) => s.kind[i] === SliceKind.Context && f.strings[s.name[i]!] === 'stacks-ctx')!;
    // add: inner's frame, then the context slice itself — the frames every op in the context shares
    // (outer, the callback that opened it, the test's) are the context's caller's and left out.
    assert.equal(ops('add').length, 2);
    for (const a of [...ops('add'), ...ops('sub')]) {
      const c = chain(a);
      assert.equal(c[1], c[0] === 'add' ? 'inner' : 'other', c.join(' ← '));
      assert.equal(c[2], 'stacks-ctx', c.join(' ← '));
    }
    // mul, issued by outer after the context closed: under outer's frame, not in the context.
    const mul = chain(ops('mul')[0]!);
    assert.equal(mul[1], 'outer', mul.join(' ← '));
    assert.ok(!mul.includes('stacks-ctx'));
    assert.equal(s.parent[ctx], -1, 'the context is not split by frames around it');
  });
});
