/**
 * A `cp.jit` fused kernel in the profiler's views: one event (`fused(mul+sub+abs+max)`) whose
 * report row carries its member ops and their lines with equal shares of its time; op-time totals
 * count the kernel once. The same run through the JSON report (schema round trip), the live batch
 * and the final report's batch, the partial report, the editor's per-line model, CodeLens, hover
 * and Hot Operations, the flame model and its tooltip (panel and HTML export), the text and Markdown
 * reports, the Chrome trace (event args), speedscope (frame name), folded (member frames) and CSV
 * (member rows, read by Python's csv module), on the js reference, wasm and webgpu (when an adapter is there).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import type { Tensor } from '../../runtime/src/index.js';
import { formatMs } from '../../runtime/src/contract/index.js';
import { parseJsonExport } from '../../runtime/src/export/read-report.js';
import { memberWeights, parseFolded, toFolded } from '../../runtime/src/export/folded.js';
import { renderMarkdown, renderText } from '../../runtime/src/profiler/format-text.js';
import { reportFromBatch } from '../../runtime/src/profiler/batch-report.js';
import { buildFlame } from '../../runtime/src/profiler/flame.js';
import { snapshot } from '../../runtime/src/profiler/session.js';
import { makeBatch } from '../../runtime/src/profiler/ipc.js';
import { fusedShares } from '../../runtime/src/profiler/fused-groups.js';
import { staticSiteRegistry } from '../../runtime/src/profiler/static-sites.js';
import { batchFromReport } from '../../extension/src/debug/report-sites.js';
import { ProfileStore } from '../../extension/src/profile-store.js';
import { hotLineDescription, hoverText, lensTitle, stallNote } from '../../extension/src/views/labels.js';
import { GpuUnavailableError } from '../../runtime/src/backends/webgpu/index.js';
import { layoutTimeOrder } from '../../webview/src/layout.js';
import { buildFlameData } from '../../webview/src/model.js';
import { tooltipLines } from '../../webview/src/tooltip.js';
import { cpuBackendsUnderTest, values } from './helpers.js';

const FILE = new URL(import.meta.url).pathname;
/** Debian's python3 (scripts/setup.d/45-python.sh), else whichever is on PATH. */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
// A chain no other test jits: groups sharing a name in one process share its members (fused-groups.ts).
const KERNEL = 'fused(mul+sub+abs+max)';

/** 1-based line of this file that carries `marker` in a comment. */
const lineOf = (marker: string): number => readFileSync(FILE, 'utf8').split('\n').findIndex((l) => l.includes(marker)) + 1;

const scaled = cp.jit((x: Tensor) => {
  const y = x.mul(1.5); // MEMBER-MUL
  const z = y.sub(0.5).abs(); // MEMBER-SUB-ABS
  return z.max(); // MEMBER-MAX
}, { name: 'scaled' });

describe('cp.jit fused kernels in the profiler views', () => {
  afterEach(() => {
    cp.disableProfiling();
    cp.clearProfile({ segments: true });
  });

  /** Webgpu when an adapter is there (lavapipe on CI), else nothing. */
  const gpu = async (): Promise<boolean> => {
    try {
      await cp.initGpu();
      return true;
    } catch (e) {
      if (!(e instanceof GpuUnavailableError)) throw e;
      console.log(`    skipping the webgpu case: ${e.message}`);
      return false;
    }
  };

  for (const backend of ['js', ...cpuBackendsUnderTest(), 'webgpu'] as const) {
    it(`${backend}: the kernel's row carries its member lines; every view shows them labelled fused; totals count it once`, async function () {
      if (backend === 'webgpu') {
        this.timeout(300_000);
        if (!(await gpu())) this.skip();
        await cp.setBackend('wasm');
      } else {
        await cp.setBackend(backend);
      }
      const host = cp.tensor(values(4096));
      const x = backend === 'webgpu' ? host.to('gpu') : host;
      if (x !== host) host.dispose();
      scaled(x).dispose(); // traced (eager ops) before profiling: only the fused runs are recorded
      cp.clearProfile({ segments: true });
      cp.enableProfiling({ callSites: 'all' });
      for (let i = 0; i < 5; i++) scaled(x).dispose(); // CALLER
      const eager = x.mul(2); // EAGER
      eager.dispose();
      const live = makeBatch();
      const report = cp.profileReport({ format: 'json' });
      cp.disableProfiling();
      x.dispose();

      // One event per call, on the line that called the jitted function; its members on theirs.
      const row = report.callSites.find((s) => s.op === KERNEL);
      assert.ok(row, `no ${KERNEL} row in ${report.callSites.map((s) => s.op).join(', ')}`);
      assert.equal(row.count, 5);
      assert.equal(row.location?.line, lineOf('// CALLER'));
      assert.deepEqual(row.fusedMembers!.map((m) => [m.op, m.location?.line]), [
        ['mul', lineOf('// MEMBER-MUL')], ['sub', lineOf('// MEMBER-SUB-ABS')], ['abs', lineOf('// MEMBER-SUB-ABS')], ['max', lineOf('// MEMBER-MAX')],
      ]);
      // Equal shares that add up to the kernel's time, and totals that count the kernel once.
      for (const m of row.fusedMembers!) assert.ok(Math.abs(m.shareMs - row.totalMs / 4) < 1e-12);
      const sumOf = (xs: readonly { totalMs: number }[]) => xs.reduce((a, s) => a + s.totalMs, 0);
      assert.ok(Math.abs(sumOf(report.callSites) - report.totalTimeMs) < 1e-9);
      assert.ok(Math.abs(sumOf(report.operations) - report.totalTimeMs) < 1e-9);
      assert.ok(Math.abs(report.operations.reduce((a, o) => a + o.percent, 0) - 100) < 1e-9);
      assert.equal(report.callSites.filter((s) => s.fusedMembers !== undefined).length, 1, 'only the kernel row has members');

      // The JSON export keeps them and passes the report schema.
      const reread = parseJsonExport(JSON.stringify(report), 'fused.json');
      assert.deepEqual(reread.callSites.find((s) => s.op === KERNEL)!.fusedMembers, row.fusedMembers);

      // The live stream and the final report give the editor the same members.
      const final = batchFromReport(report, live.seq + 1)!;
      assert.deepEqual(final.sites.find((s) => s.op === KERNEL)!.fusedMembers, live.sites.find((s) => s.op === KERNEL)!.fusedMembers);
      const store = new ProfileStore();
      store.startRun(FILE, 0);
      store.applyBatch(final);
      const mulLine = store.lineAt(FILE, lineOf('// MEMBER-MUL'))!;
      const subLine = store.lineAt(FILE, lineOf('// MEMBER-SUB-ABS'))!;
      assert.deepEqual(subLine.ops.map((o) => [o.op, o.fusedIn, o.count]).sort(), [['abs', KERNEL, 5], ['sub', KERNEL, 5]]);
      assert.ok(Math.abs(subLine.totalMs - row.totalMs / 2) < 1e-12, 'two of four members: half the kernel');
      assert.ok(Math.abs(subLine.share - subLine.totalMs / report.totalTimeMs) < 1e-12);
      assert.equal(lensTitle(mulLine), `⏱ ${formatMs(mulLine.totalMs)}${stallNote(mulLine)} · ${(100 * mulLine.share).toFixed(0)} % of op time · mul ×5 (fused) · ${backend} · share of ${KERNEL}`);
      assert.match(hoverText(subLine), /\| sub \(fused in fused\(mul\+sub\+abs\+max\)\) \| 5 \|/);
      assert.match(hoverText(subLine), /cannot be timed apart: each shows an equal share/);
      // The caller's line keeps the whole kernel; an eager op's line is not labelled fused.
      const caller = store.lineAt(FILE, lineOf('// CALLER'))!;
      assert.ok(Math.abs(caller.totalMs - row.totalMs) < 1e-12);
      assert.ok(!lensTitle(caller).includes('(fused)'), lensTitle(caller));
      assert.doesNotMatch(lensTitle(store.lineAt(FILE, lineOf('// EAGER'))!), /\(fused\)|share of/);
      // Hot Operations: the kernel lists its caller and member lines; the eager mul does not claim the fused one.
      const hot = store.hotOps();
      const kernel = hot.find((o) => o.op === KERNEL)!;
      assert.deepEqual(kernel.lines.map((l) => l.line).sort((a, b) => a - b),
        [lineOf('// CALLER'), lineOf('// MEMBER-MUL'), lineOf('// MEMBER-SUB-ABS'), lineOf('// MEMBER-MAX')].sort((a, b) => a - b));
      assert.ok(Math.abs(kernel.totalMs - row.totalMs) < 1e-12, 'the kernel counted once in Hot Operations');
      assert.deepEqual(hot.find((o) => o.op === 'mul')!.lines.map((l) => l.line), [lineOf('// EAGER')]);
      assert.match(hotLineDescription(subLine, KERNEL), /· ×5 · fused share$/);

      // A PARTIAL report rebuilt from the last live batch (a killed script) keeps them too.
      assert.deepEqual(reportFromBatch(live).callSites.find((s) => s.op === KERNEL)!.fusedMembers, live.sites.find((s) => s.op === KERNEL)!.fusedMembers);

      // The flame graph (panel and HTML export): the kernel's frame lists its members in its tooltip.
      const flame = buildFlame(snapshot(), 'fused');
      assert.deepEqual(flame.fused, [{ name: KERNEL, members: row.fusedMembers!.map((m) => ({ op: m.op, location: m.location })) }]);
      const fd = buildFlameData(flame);
      assert.ok(fd.ok);
      const L = layoutTimeOrder(fd.data, null);
      const frame = [...Array(L.n).keys()].find((f) => flame.strings[L.name[f]!] === KERNEL)!;
      const tip = tooltipLines(L, frame, flame, null, false);
      const short = FILE.split('/').slice(-2).join('/');
      assert.deepEqual(tip.slice(tip.indexOf('fused kernel (cp.jit), one kernel for:')), ['fused kernel (cp.jit), one kernel for:',
        `  mul  ${short}:${lineOf('// MEMBER-MUL')}`, `  sub  ${short}:${lineOf('// MEMBER-SUB-ABS')}`,
        `  abs  ${short}:${lineOf('// MEMBER-SUB-ABS')}`, `  max  ${short}:${lineOf('// MEMBER-MAX')}`]);
      const eagerFrame = [...Array(L.n).keys()].find((f) => flame.strings[L.name[f]!] === 'mul')!;
      assert.ok(!tooltipLines(L, eagerFrame, flame, null, false).some((l) => l.startsWith('fused kernel')));
      const html = join(mkdtempSync(join(tmpdir(), 'corepy-fused-')), 'flame.html');
      cp.exportProfile(html, { format: 'html' });
      assert.ok(readFileSync(html, 'utf8').includes(`"fused":[{"name":"${KERNEL}","members":[{"op":"mul"`), 'the HTML report embeds the members');

      // The timeline exports and the CSV show each member line.
      const dir = mkdtempSync(join(tmpdir(), 'corepy-fused-exports-'));
      for (const format of ['chrome', 'speedscope', 'folded', 'csv'] as const) cp.exportProfile(join(dir, `p.${format}`), { format });
      const readOut = (format: string): string => readFileSync(join(dir, `p.${format}`), 'utf8');
      const lines = (members: readonly { op: string; location: { line: number } | null }[]) => members.map((m) => [m.op, m.location?.line]);
      const expected = lines(row.fusedMembers!);
      // Chrome trace: each kernel event's args carry the members with their lines.
      const events = (JSON.parse(readOut('chrome')) as { traceEvents: { name: string; ph: string; args: { line?: number; fusedMembers?: { op: string; file: string; line: number; column: number }[] } }[] })
        .traceEvents.filter((e) => e.ph === 'X' && e.name === KERNEL);
      assert.ok(events.length >= 5, `${events.length} kernel events`);
      for (const e of events) {
        assert.deepEqual(e.args.fusedMembers!.map((m) => [m.op, m.line]), expected);
        assert.ok(e.args.fusedMembers!.every((m) => m.file === FILE && m.column > 0));
      }
      assert.ok(events.some((e) => e.args.line === lineOf('// CALLER')), 'the event itself stays at its caller line');
      // speedscope: the kernel's frame is named with its members' lines, at its caller's line.
      const base = FILE.split('/').pop()!;
      const memberLabels = row.fusedMembers!.map((m) => `${m.op}@${base}:${m.location!.line}`).join(', ');
      const doc = JSON.parse(readOut('speedscope')) as { shared: { frames: { name: string; file?: string; line?: number }[] } };
      const kernelFrames = doc.shared.frames.filter((f) => f.name.startsWith(KERNEL));
      assert.ok(kernelFrames.length >= 1);
      for (const f of kernelFrames) assert.equal(f.name, `${KERNEL} [${memberLabels}]`);
      assert.ok(kernelFrames.some((f) => f.file === FILE && f.line === lineOf('// CALLER')));
      // folded: one line per member frame under the kernel's, their integer weights summing to the kernel's own.
      const folded = parseFolded(readOut('folded'));
      const withoutMembers = parseFolded(toFolded({ report, flame: { ...flame, fused: undefined } }));
      const kernelStacks = [...withoutMembers.keys()].filter((k) => k.endsWith(`;${KERNEL}`) || k === KERNEL);
      assert.ok(kernelStacks.length >= 1, 'the kernel has a folded stack');
      for (const stack of kernelStacks) {
        const under = [...folded].filter(([k]) => k.startsWith(`${stack};`));
        assert.equal(folded.get(stack), undefined, 'the kernel frame has no weight of its own: its members hold it');
        assert.equal(under.reduce((a, [, w]) => a + w, 0), withoutMembers.get(stack), `${stack}: total unchanged`);
        if (withoutMembers.get(stack)! >= 4) {
          assert.deepEqual(under.map(([k]) => k.slice(stack.length + 1)), row.fusedMembers!.map((m) => `${m.op}@${base}:${m.location!.line}`));
        }
      }
      // CSV: Python's csv module reads the kernel row and one row per member, fused_in naming the kernel.
      const py = `import csv, json, sys
with open(sys.argv[1], newline='') as f:
    rows = list(csv.DictReader(f))
print(json.dumps([{"op": r["op"], "line": int(r["line"]) if r["line"] else None, "count": int(r["count"]), "total_ms": float(r["total_ms"]), "fused_in": r["fused_in"]} for r in rows]))`;
      const csvRows = JSON.parse(execFileSync(PYTHON, ['-c', py, join(dir, 'p.csv')], { encoding: 'utf8' })) as
        { op: string; line: number | null; count: number; total_ms: number; fused_in: string }[];
      const kernelRow = csvRows.findIndex((r) => r.op === KERNEL);
      assert.ok(kernelRow >= 0 && csvRows[kernelRow]!.fused_in === '' && csvRows[kernelRow]!.line === lineOf('// CALLER'));
      const memberRows = csvRows.filter((r) => r.fused_in === KERNEL);
      assert.deepEqual(memberRows, csvRows.slice(kernelRow + 1, kernelRow + 1 + memberRows.length), 'member rows follow the kernel row');
      assert.deepEqual(memberRows.map((r) => [r.op, r.line]), expected);
      assert.ok(memberRows.every((r) => r.count === 5));
      assert.ok(Math.abs(memberRows.reduce((a, r) => a + r.total_ms, 0) - row.totalMs) < 1e-9, 'the shares add up to the kernel row');
      assert.ok(Math.abs(csvRows.filter((r) => r.fused_in === '').reduce((a, r) => a + r.total_ms, 0) - report.totalTimeMs) < 1e-9);

      // The text report lists the members under the kernel (and the Markdown one in a block).
      assert.match(renderMarkdown(report), /Fused kernels \(cp\.jit\)[^\n]*\n\n```\n  fused\(mul\+sub\+abs\+max\) [^\n]*\n    ↳ mul /);
      const text = renderText(report, { color: false, width: 120 });
      assert.match(text, /Fused kernels \(cp\.jit\): each member line's share of its kernel's op time, split equally/);
      assert.match(text, new RegExp(`\\n  fused\\(mul\\+sub\\+abs\\+max\\)  [\\d.]+ ms \\([\\d.]+% of op time\\)\\n    ↳ mul  ${base}:${lineOf('// MEMBER-MUL')} +[\\d.]+ ms  fused\\n    ↳ sub  ${base}:${lineOf('// MEMBER-SUB-ABS')} `));
    });
  }

  it('names a member by its static call site when that call was numbered at load (profiled launches)', async () => {
    await cp.setBackend('wasm');
    const reg = staticSiteRegistry();
    const id = reg.register('/virtual/numbered.ts', [42, 7]);
    // What the load hook makes of `x.mul(2)`: the token set while the call runs, cleared after it.
    const f = cp.jit((x: Tensor) => reg.e(x.mul(reg.s(id, 2))).sub(1).sum(), { warn: false, name: 'numbered' });
    const x = cp.tensor(values(256));
    f(x).dispose();
    x.dispose();
    const members = f.signatures()[0]!.groups[0]!.members;
    assert.deepEqual(members[0], { op: 'mul', location: { file: '/virtual/numbered.ts', line: 42, column: 7 } });
    assert.equal(members[1]!.location?.file, FILE, 'a call with no token: its line from the stack');
  });

  it('folded: member weights are integers summing to the kernel\'s, the remainder to the first, one frame per member line', () => {
    const loc = (line: number) => ({ file: '/w/src/a.ts', line, column: 3 });
    assert.deepEqual([...memberWeights([[{ op: 'mul', location: loc(1) }, { op: 'sub', location: loc(2) }, { op: 'sum', location: null }]], 10)],
      [['mul@a.ts:1', 4], ['sub@a.ts:2', 3], ['sum', 3]]);
    // One line calling mul twice is one frame with both shares; two groups sharing the name split it first.
    assert.deepEqual([...memberWeights([[{ op: 'mul', location: loc(1) }, { op: 'mul', location: loc(1) }], [{ op: 'mul', location: loc(7) }]], 7)],
      [['mul@a.ts:1', 4], ['mul@a.ts:7', 3]]);
    assert.deepEqual([...memberWeights([[{ op: 'add', location: loc(1) }, { op: 'sum', location: loc(2) }]], 1)], [['add@a.ts:1', 1], ['sum@a.ts:2', 0]], 'a zero share (its line is left out of the file)');
  });

  it('splits a name shared by two different groups equally between them, then among their members', () => {
    const loc = (line: number) => ({ file: 'a.ts', line, column: 1 });
    const shares = fusedShares('fused(add+sum)', 8, () => [
      [{ op: 'add', location: loc(1) }, { op: 'sum', location: loc(2) }],
      [{ op: 'add', location: loc(5) }, { op: 'sum', location: loc(6) }],
    ]);
    assert.deepEqual(shares?.map((s) => [s.location?.line, s.shareMs]), [[1, 2], [2, 2], [5, 2], [6, 2]]);
    assert.equal(fusedShares('add', 8, () => [[{ op: 'add', location: null }]]), undefined, 'not a fused op');
    assert.equal(fusedShares('fused(x+y)', 8, () => undefined), undefined, 'members unknown in this process');
  });
});
