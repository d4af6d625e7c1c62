/**
 * GPU time in the text and Markdown reports (audit 19, F5/F6): a webgpu op's op time is its submit,
 * so when ops reported GPU time the table has a `GPU total (ms)` column, a note says what op time
 * means for GPU ops, the slowest mark and Hot lines rank by the larger of op time and GPU time, and
 * the total line gives the GPU time; a CPU-only report says nothing of it. One-time cost rows name
 * a GPU pipeline by its op, not its cache key, and stay as narrow as the table. Pure formatting
 * on hand-built reports, then a real webgpu run (lavapipe here; skipped when there is no adapter).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { GpuUnavailableError } from '../../runtime/src/backends/webgpu/index.js';
import { pipelineName } from '../../runtime/src/backends/webgpu/pipelines.js';
import type { OneTimeCostRow, ProfileReport, SiteOpStats } from '../../runtime/src/contract/report.js';
import { renderMarkdown, renderText } from '../../runtime/src/profiler/format-text.js';

type Op = ProfileReport['operations'][number];

/** One op row; times in ms. */
function op(name: string, backend: string, count: number, totalMs: number, gpuMs: number, slowest = false): Op {
  return {
    op: name, backends: [backend], count, totalMs, meanMs: totalMs / count, minMs: totalMs / count, maxMs: totalMs / count, stddevMs: 0,
    percent: 0, bytesRead: 0, bytesWritten: 0, elements: 0, gpuMs, uploadBytes: 0, downloadBytes: 0,
    steadyMeanMs: totalMs / count, steadyMedianMs: totalMs / count, steadyMadMs: 0, firstCallCount: 0, firstCallMs: 0, mostlyFirstCall: false, slowest,
  };
}

/** The op at `line` of app.ts in the working directory (shown as `app.ts:line`). */
function site(o: Op, line: number): SiteOpStats {
  const { slowest: _, ...stats } = o;
  return { ...stats, site: line, location: { file: join(process.cwd(), 'app.ts'), line, column: 1 } };
}

/** A report of `ops` (percentages filled in), each op at its own line (10, 11, …). */
function report(ops: Op[], oneTimeCosts: OneTimeCostRow[] = []): ProfileReport {
  const totalTimeMs = ops.reduce((t, o) => t + o.totalMs, 0);
  const rows = ops.map((o) => ({ ...o, percent: (100 * o.totalMs) / totalTimeMs }));
  return {
    schemaVersion: 1, exporter: 'corepy test', generatedAt: '', context: null, totalTimeMs, wallTimeMs: 1590, opCount: ops.reduce((n, o) => n + o.count, 0),
    droppedEvents: 0, callSiteMode: 'all', sampleEvery: 64, threads: [0],
    overhead: { perOpNs: 200, perCaptureNs: 2000, estimatedMs: 0.01, percentOfOpTime: 0.1 },
    operations: rows, callSites: rows.map((o, k) => site(o, 10 + k)), contexts: {}, recommendations: [],
    oneTimeCosts, oneTimeTotalMs: oneTimeCosts.reduce((t, c) => t + c.totalMs, 0),
  } as ProfileReport;
}

/** The audit's figures: matmul submits in 0.66 ms and runs 535 ms on the GPU; read has the most op time. `slowest` as report.ts marks it. */
const gpuOps = (): Op[] => [
  op('randn', 'wasm', 1, 1.2, 0), op('matmul', 'webgpu', 5, 0.66, 535, true), op('tanh', 'webgpu', 5, 0.4, 14.8), op('read', 'webgpu', 4, 9.1, 0),
];

const pipelineCost = (name: string, totalMs: number, during: string): OneTimeCostRow => ({ name, kind: 'pipeline', count: 1, totalMs, bytes: 0, duringOps: [during] });

describe('GPU time in the text and Markdown reports', () => {
  it('a GPU total (ms) column, the slowest mark on the op with the most GPU time, the note on op time, the GPU total', () => {
    const text = renderText(report(gpuOps()), { width: 160, color: false });
    const lines = text.split('\n');
    assert.match(lines.find((l) => l.includes('Operation'))!, /│ Steady \(ms\) │ GPU total \(ms\) │$/);
    assert.match(lines.find((l) => l.startsWith('│ matmul'))!, /│ 535\.0 +│ {2}← Slowest$/);
    assert.match(lines.find((l) => l.startsWith('│ read'))!, /│ — +│$/, 'read: op time only, no marker');
    assert.match(lines.find((l) => l.startsWith('│ randn'))!, /│ — +│$/);
    const note = lines.find((l) => l.startsWith('GPU ops:'));
    assert.ok(note, text);
    assert.match(note, /op time \(Avg, Steady, % Total\) is the CPU's time to encode and submit/);
    assert.match(note, /GPU total \(ms\) is the GPU's own time .*549\.8 ms in all.* await t\.data\(\): wall time, not op time/);
    assert.match(note, /rank by the larger of op time and GPU time/);
    assert.match(text, /^Total Time: 11\.36ms op time \(15 ops; wall time 1590\.0ms; GPU time 549\.8ms\)$/m);
    // Hot lines: matmul's line first (535 ms on the GPU) though read's line has the most op time.
    const at = lines.findIndex((l) => l.startsWith('Hot lines'));
    assert.match(lines[at]!, /op time and GPU time by source line, ranked by the larger/);
    assert.match(lines[at + 1]!, /^ {2}app\.ts:11 +0\.66 ms +\d+(\.\d)?% +GPU 535\.0 ms +matmul ×5$/);
    assert.match(lines[at + 2]!, /^ {2}app\.ts:12 +0\.40 ms .*GPU +14\.80 ms +tanh ×5$/);
    assert.match(lines[at + 3]!, /^ {2}app\.ts:13 +9\.10 ms .*GPU +— +read ×4$/);

    const md = renderMarkdown(report(gpuOps()));
    assert.match(md, /^\| Operation \| Count \| Avg \(ms\) \| Backend \| % Total \| Steady \(ms\) \| GPU total \(ms\) \|\n\|---\|---:\|---:\|---\|---:\|---:\|---:\|$/m);
    assert.match(md, /^\| matmul \| 5 \| 0\.13 \| GPU \(webgpu\) \| 6% \| 0\.13 \| 535\.0 \*\*\(slowest\)\*\* \|$/m);
    assert.match(md, /^\| read \| 4 \| 2\.27 \| GPU \(webgpu\) \| 80% \| 2\.27 \| — \|$/m);
    assert.match(md, /^GPU ops: op time \(Avg, Steady, % Total\)/m);
    assert.match(md, /^## Hot lines \(ranked by the larger of op time and GPU time\)\n\n\| Line \| Op time \(ms\) \| % Total \| GPU \(ms\) \| Ops \|/m);
    assert.match(md, /^\| `app\.ts:11` \| 0\.66 \| 5\.8% \| 535\.0 \| matmul ×5 \|$/m);
    assert.match(md, /\*\*Total Time:\*\* 11\.36 ms op time \(15 ops; wall time 1590\.0 ms; GPU time 549\.8 ms\)/);
  });

  it('GPU ops without GPU time (no timestamp-query): no column, the note says where the time is', () => {
    const ops = gpuOps().map((o) => ({ ...o, gpuMs: 0, slowest: o.op === 'read' }));
    const text = renderText(report(ops), { width: 160, color: false });
    assert.doesNotMatch(text, /GPU total|GPU time \d/);
    assert.match(text, /^GPU ops: op time .* this device reported no GPU time \(no timestamp-query\), so the GPU's own time is only in the wall time/m);
    assert.match(text, /^Hot lines \(op time by source line\):$/m);
  });

  it('Steady (ms) is the median call; the mean, marked †, where the median is not known (audit 24 N2)', () => {
    // A busy machine delayed a few calls: mean 0.72 ms, median 0.196 ms.
    const ops = [{ ...op('mul', 'wasm', 100, 72, 0, true), steadyMeanMs: 0.72, steadyMedianMs: 0.196 }, { ...op('add', 'wasm', 50, 10, 0), steadyMedianMs: undefined, steadyMadMs: undefined }];
    const text = renderText(report(ops), { width: 160, color: false });
    assert.match(text, /^│ mul +│ 100 +│ 0\.72 +│ CPU \(wasm\) +│ \d+% +│ 0\.20 +│/m);
    assert.match(text, /^│ add +│ 50 +│ 0\.20 +│ CPU \(wasm\) +│ \d+% +│ 0\.20 † +│/m);
    assert.match(text, /^Steady \(ms\): median call without each op × shape's first call \(† the mean: not every call was kept/m);
    const only = renderText(report([op('mul', 'wasm', 100, 72, 0, true)]), { width: 160, color: false });
    assert.doesNotMatch(only, /^Steady \(ms\):/m, 'no footnote when every row is a median and none is mostly first calls');
  });

  it('a CPU-only report says nothing of the GPU', () => {
    const ops = [op('matmul', 'wasm', 5, 30, 0, true), op('add', 'js', 100, 2, 0)];
    for (const out of [renderText(report(ops), { width: 120, color: false }), renderMarkdown(report(ops))]) {
      assert.doesNotMatch(out, /GPU/);
      assert.match(out, /Steady \(ms\) [│|]$/m);
    }
  });

  it('one-time cost names are cut at 60 columns; a pipeline is named by its op', () => {
    const long = 'create GPU pipeline fused:sum:0:1:false:0,0,0,0,0,1,1,0,0,0,12,2,0,1,0,1,3,1,0,0,11,4,2,3,0,37,2,4,0,0|r2|float32|float32';
    const r = report(gpuOps(), [pipelineCost('create GPU pipeline for matmul', 8.9, 'matmul'), pipelineCost(long, 64.7, 'fused(mul+sub+relu+sum)')]);
    const rows = renderText(r, { width: 160, color: false }).split('\n').filter((l) => l.startsWith('  create GPU pipeline'));
    assert.equal(rows.length, 2);
    assert.match(rows[0]!, /^ {2}create GPU pipeline for matmul {30} +1× +8\.90 ms {2}during matmul$/);
    assert.equal(rows[1]!.indexOf('…'), 2 + 59, 'cut to 60 columns');
    assert.ok(rows.every((l) => l.length < 120), rows.join('\n'));

    assert.equal(pipelineName('matmul:0'), 'create GPU pipeline for matmul');
    assert.equal(pipelineName('binary:add:int32:2'), 'create GPU pipeline for add');
    assert.equal(pipelineName('map:tanh:float32:float32:1'), 'create GPU pipeline for tanh');
    assert.equal(pipelineName('map:cast:int32:float32:1'), 'create GPU pipeline for cast to float32');
    assert.equal(pipelineName('where:float32:3'), 'create GPU pipeline for where');
    assert.equal(pipelineName('scatter:float32:2'), 'create GPU pipeline for copy into a strided view');
    assert.equal(pipelineName('reduce:sum:float32:0:1:tensor:false'), 'create GPU pipeline for sum');
    assert.equal(pipelineName('reduce:max:float32:0:0:partials:true'), 'create GPU pipeline for max (pass 2)');
    assert.equal(pipelineName(long.slice('create GPU pipeline '.length)), 'create GPU pipeline for fused(mul+sub+relu+sum)');
    assert.equal(pipelineName('fused:store:1:0,0,0,0,0,35,1,0,0,0|r1|float32|float32'), 'create GPU pipeline for fused(tanh)');
    assert.equal(pipelineName('fused:sum:partials'), 'create GPU pipeline for fused sum (pass 2)');
    assert.equal(pipelineName('fused:store:1:not,words|r1|float32|float32'), 'create GPU pipeline for fused kernel');
    assert.equal(pipelineName(`novel:${'x'.repeat(80)}`), `create GPU pipeline for novel:${'x'.repeat(33)}…`);
  });
});

describe('GPU time in the reports of a real webgpu run', function () {
  this.timeout(120_000);
  before(async function () {
    try {
      await cp.initGpu();
    } catch (e) {
      if (!(e instanceof GpuUnavailableError)) throw e;
      console.log(`    skipping webgpu suite: ${e.message}`);
      this.skip();
    }
  });

  it('shows each op\'s GPU time, marks the op costing most, names pipelines by their op', async () => {
    cp.clearProfile();
    cp.enableProfiling({ callSites: 'all' });
    const x = cp.randn([128, 128]).to('gpu');
    try {
      let y = x;
      for (let i = 0; i < 3; i++) y = y.matmul(x).tanh();
      const score = cp.jit((t: cp.Tensor) => t.mul(1.5).sub(0.5).relu().sum());
      for (let i = 0; i < 2; i++) await score(y).data();
      await y.data();
      // Timestamp queries resolve after the GPU finished: wait for them to land.
      let r = cp.profileReport({ format: 'json' });
      for (let k = 0; k < 50 && !r.operations.some((o) => o.op === 'matmul' && o.gpuMs > 0); k++) {
        await new Promise((res) => setTimeout(res, 100));
        r = cp.profileReport({ format: 'json' });
      }
      const matmul = r.operations.find((o) => o.op === 'matmul')!;
      assert.ok(matmul.gpuMs > 0, 'this adapter reported no GPU time: the suite needs timestamp-query');
      const cost = (o: { totalMs: number; gpuMs: number }): number => Math.max(o.totalMs, o.gpuMs);
      const top = r.operations.reduce((a, b) => (cost(b) > cost(a) ? b : a));
      assert.deepEqual(r.operations.filter((o) => o.slowest).map((o) => o.op), [top.op], 'JSON slowest: the most op or GPU time');

      const lines = renderText(r, { width: 200, color: false }).split('\n');
      assert.ok(lines.some((l) => l.includes('│ GPU total (ms) │')), lines.join('\n'));
      const marked = lines.filter((l) => l.endsWith('← Slowest'));
      assert.equal(marked.length, 1);
      assert.ok(marked[0]!.startsWith(`│ ${top.op} `), marked[0]);
      assert.ok(lines.some((l) => l.startsWith('GPU ops: op time')));
      // Pipelines are compiled once per process: an earlier test of the suite may have made these already.
      const costs = lines.filter((l) => l.startsWith('  create GPU pipeline'));
      const made = new Set(r.oneTimeCosts.filter((c) => c.name.startsWith('create GPU pipeline')).map((c) => c.name));
      assert.equal(costs.length, made.size, costs.join('\n'));
      if (made.has('create GPU pipeline for matmul')) assert.ok(costs.some((l) => l.startsWith('  create GPU pipeline for matmul ')), costs.join('\n'));
      assert.ok([...made].every((n) => /^create GPU pipeline for [a-z]/.test(n)), [...made].join('\n'));
      assert.ok(costs.every((l) => !/pipeline \S*:/.test(l) && l.indexOf('×') < 70), costs.join('\n'));
    } finally {
      cp.disableProfiling();
      cp.clearProfile();
      x.dispose();
    }
  });
});
