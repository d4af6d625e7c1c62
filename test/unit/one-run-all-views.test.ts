/**
 * One recorded run rendered through every view that shows a time or a percentage — CodeLens,
 * hover, Hot Operations, status bar (live and final), flame-graph tooltip (and so the HTML
 * export, which draws the same webview), CSV and the text report — and compared: every figure
 * agrees with the others on op time, or is labelled with its other base (wall time).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { formatMs, shareOf } from '../../runtime/src/contract/index.js';
import { CSV_COLUMNS, toCsv } from '../../runtime/src/export/csv.js';
import { buildFlame } from '../../runtime/src/profiler/flame.js';
import { renderText } from '../../runtime/src/profiler/format-text.js';
import { makeBatch } from '../../runtime/src/profiler/ipc.js';
import { buildReport } from '../../runtime/src/profiler/report.js';
import { snapshot } from '../../runtime/src/profiler/session.js';
import { batchFromReport } from '../../extension/src/debug/report-sites.js';
import { ProfileStore } from '../../extension/src/profile-store.js';
import { hotOpDescription, hoverText, lensTitle, statusFor } from '../../extension/src/views/labels.js';
import { layoutTimeOrder } from '../../webview/src/layout.js';
import { buildFlameData } from '../../webview/src/model.js';
import { tooltipLines } from '../../webview/src/tooltip.js';

const FILE = new URL(import.meta.url).pathname;

/** The run: a hot line (20 muls), a cold line (one matmul), and a pause that is wall time but no op time. */
async function record(): Promise<void> {
  await cp.setBackend('js');
  // A run of its own: earlier tests' segments in this process would otherwise be part of the editor's "all segments".
  cp.clearProfile({ segments: true });
  cp.enableProfiling({ callSites: 'all' });
  const x = cp.rand([64, 64]);
  for (let i = 0; i < 20; i++) x.mul(2).dispose(); // HOT
  x.matmul(x).dispose(); // COLD
  await new Promise((r) => setTimeout(r, 30));
  cp.disableProfiling();
}

/** 1-based line of this file that carries `marker` in a comment. */
const lineOf = (marker: string): number => readFileSync(FILE, 'utf8').split('\n').findIndex((l) => l.includes(marker)) + 1;

describe('one run, every view', () => {
  it('agrees on op time across views and labels each percentage with its base', async () => {
    await record();
    const data = snapshot();
    const report = buildReport(data);
    const flame = buildFlame(data, 'views');
    const live = makeBatch();
    const final = batchFromReport(report, live.seq + 1)!;

    // One site-statistics function: the live stream and the final report give the same rows and op time.
    const rows = (b: typeof live) => b.sites.map((s) => [s.op, s.backend, s.location?.line, s.count, s.totalMs, s.bytes]);
    assert.deepEqual(rows(final), rows(live));
    assert.equal(final.opTimeMs, live.opTimeMs);
    assert.equal(live.opTimeMs, report.totalTimeMs);
    assert.ok(report.wallTimeMs > report.totalTimeMs + 20, 'the pause is wall time, not op time');

    // Status bar: the same figure, named "op time", while live and after the run.
    const store = new ProfileStore();
    store.startRun(FILE, 0);
    store.applyBatch(live);
    const liveStatus = statusFor(store.run)!.text;
    store.finishRun({ partial: false, report, recommendations: report.recommendations, flame, lastBatch: final, exitCode: 0, signal: null });
    const finalStatus = statusFor(store.run)!.text;
    const opTime = `${formatMs(report.totalTimeMs)} op time`;
    assert.ok(liveStatus.includes(opTime), liveStatus);
    assert.ok(finalStatus.includes(opTime), finalStatus);

    const hot = lineOf('// HOT');
    const cold = lineOf('// COLD');
    const csv = toCsv({ report, flame }).trim().split('\n').slice(2).map((l) => l.split(','));
    const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    for (const line of [hot, cold]) {
      const l = store.lineAt(FILE, line)!;
      assert.ok(l, `line ${line} has figures`);
      // CSV's percent column (per op × site, % of op time) summed over the line = the line's share.
      const csvPercent = csv.filter((r) => r[col('file')] === FILE && Number(r[col('line')]) === line)
        .reduce((a, r) => a + Number(r[col('percent')]), 0);
      assert.ok(Math.abs(csvPercent - 100 * l.share) < 1e-9, `line ${line}: CSV ${csvPercent} % vs store ${100 * l.share} %`);
      assert.ok(Math.abs(l.share - shareOf(l.totalMs, report.totalTimeMs)) < 1e-12);
      // CodeLens and hover print that share, named as "% of op time".
      assert.ok(lensTitle(l).includes(`${(100 * l.share).toFixed(0)} % of op time`), lensTitle(l));
      assert.ok(hoverText(l).includes(`${formatMs(l.totalMs)} op time on this line (${(100 * l.share).toFixed(1)} % of op time)`), hoverText(l));
    }

    // Hot Operations and the text report: the per-op share of op time is the report's `percent`.
    const text = renderText(report, { color: false, width: 120 });
    for (const op of store.hotOps()) {
      const row = report.operations.find((o) => o.op === op.op)!;
      assert.ok(Math.abs(100 * op.share - row.percent) < 1e-9, `${op.op}: hot ops ${100 * op.share} vs report ${row.percent}`);
      assert.ok(hotOpDescription(op).includes(`${(100 * op.share).toFixed(0)} % of op time`), hotOpDescription(op));
      const pct = row.percent < 1 && row.percent > 0 ? row.percent.toFixed(1) : row.percent.toFixed(0);
      assert.match(text, new RegExp(`│ ${op.op} .*│ +${pct}% +│`), `text report row of ${op.op}`);
    }
    assert.match(text, new RegExp(`Total Time: [\\d.]+ms op time \\(${report.opCount} ops; wall time [\\d.]+ms\\)`));

    // Flame graph (panel and HTML export): a timeline, so its percentage is of wall time, and says so.
    const fd = buildFlameData(flame);
    assert.ok(fd.ok);
    const L = layoutTimeOrder(fd.data, null);
    const mul = [...Array(L.n).keys()].find((f) => flame.strings[L.name[f]!] === 'mul')!;
    const tip = tooltipLines(L, mul, flame, null, false).join('\n');
    const wallPct = (100 * L.w[mul]!) / flame.totalUs;
    assert.ok(tip.includes(`(${wallPct.toFixed(1)} % of wall time)`), tip);
    assert.ok(Math.abs(flame.totalUs / 1000 - report.wallTimeMs) < 1e-6 * Math.max(1, report.wallTimeMs), 'the flame graph spans the wall time');
  });
});
