/**
 * What the editor shows of a run beyond op time: time paused in the debugger taken out of the
 * wall time (store and report) and named in the status tooltip; one-time costs (kernel
 * compilation, memory growth) as their own Hot Operations rows and tooltip line, never in op time.
 * The one-time rows come from a real recording on the wasm backend.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { useFreshWasmBackend } from './fresh-wasm-backend.js';
import * as cp from '../../runtime/src/index.js';
import { formatBytes, formatMs, listedHeldSites, stallSliceName } from '../../runtime/src/contract/index.js';
import { buildFlame } from '../../runtime/src/profiler/flame.js';
import { makeBatch } from '../../runtime/src/profiler/ipc.js';
import { buildReport } from '../../runtime/src/profiler/report.js';
import { snapshot } from '../../runtime/src/profiler/session.js';
import { batchFromReport } from '../../extension/src/debug/report-sites.js';
import { ProfileStore } from '../../extension/src/profile-store.js';
import { buildFlameData } from '../../webview/src/model.js';
import { aggregateOps } from '../../webview/src/ops-table.js';
import { heldLineDescription, memoryDescription, memoryOf, oneTimeCostsOf, oneTimeGroupDescription, oneTimeRowDescription, statusTooltip,
  UNDER_DEBUGGER } from '../../extension/src/views/labels.js';

/** A wasm run on a fresh backend whose first op must grow linear memory (a one-time cost), and a pause. */
async function record(): Promise<ReturnType<typeof buildReport>> {
  cp.enableProfiling({ callSites: 'all' });
  const n = Math.ceil(cp.memory().backends['wasm']!.bytesReserved / 4) + 4096; // larger than the heap
  const x = cp.zeros([n]);
  x.add(1).dispose();
  x.dispose();
  await new Promise((r) => setTimeout(r, 40));
  cp.disableProfiling();
  return buildReport(snapshot());
}

describe('the editor\'s run figures', function () {
  this.timeout(60000);
  useFreshWasmBackend();

  it('takes time paused in the debugger out of the wall time, and says so', async () => {
    const report = await record();
    const data = snapshot();
    const live = makeBatch();
    const store = new ProfileStore();
    store.startRun('/w/x.ts', 0);
    store.applyBatch(live);
    const wallBefore = store.run!.wallTimeMs;
    assert.ok(Math.abs(wallBefore - live.wallTimeMs) < 1e-9, 'no pause: the batch\'s wall time');
    const paused = Math.min(30, live.wallTimeMs - live.opTimeMs) / 2; // half the time between ops
    store.setPausedMs(paused);
    assert.equal(store.run!.wallTimeMs, wallBefore, 'a batch from before the pause keeps its wall time');
    store.applyBatch(live);
    assert.ok(Math.abs(store.run!.wallTimeMs - (live.wallTimeMs - paused)) < 1e-9, 'a batch after it has the pause taken out');
    const final = batchFromReport(report, live.seq + 1)!;
    store.finishRun({ partial: false, report, recommendations: report.recommendations, flame: buildFlame(data, 'x'), lastBatch: final, exitCode: 0, signal: null });
    const run = store.run!;
    assert.equal(run.pausedMs, paused);
    assert.ok(Math.abs(run.report!.wallTimeMs - (report.wallTimeMs - paused)) < 1e-9, 'the report\'s wall time leaves the pause out');
    assert.ok(run.report!.wallTimeMs >= run.opTimeMs);
    assert.ok(statusTooltip(run, 'corepy.showFlameGraph').includes(`Paused in the debugger ${formatMs(paused)} (not in the wall time).`));
    assert.ok(!statusTooltip(run, 'corepy.showFlameGraph').includes(UNDER_DEBUGGER), 'a run not under the debugger');
    // Debug and Profile's run says what the debugger does to wasm op times.
    store.startRun('/w/x.ts', 0, true);
    store.applyBatch(live);
    assert.ok(statusTooltip(store.run!, 'corepy.stop').includes(UNDER_DEBUGGER));
  });

  it('lists one-time costs apart from op time: their own rows and a tooltip line', async () => {
    const report = await record();
    const store = new ProfileStore();
    store.startRun('/w/x.ts', 0);
    const final = batchFromReport(report, 0)!;
    store.finishRun({ partial: false, report, recommendations: report.recommendations, flame: buildFlame(snapshot(), 'x'), lastBatch: final, exitCode: 0, signal: null });
    const rows = oneTimeCostsOf(store.run);
    assert.ok(rows.length > 0, 'the wasm run recorded one-time work');
    assert.deepEqual(rows, report.oneTimeCosts);
    const total = rows.reduce((a, r) => a + r.totalMs, 0);
    assert.equal(oneTimeGroupDescription(rows), `${formatMs(total)} · not in op time`);
    for (const r of rows) assert.ok(oneTimeRowDescription(r).startsWith(`${formatMs(r.totalMs)} · ×${r.count} · `));
    // Not in op time: the op total is the sum of the sites' op times alone.
    assert.ok(Math.abs(store.run!.opTimeMs - report.totalTimeMs) < 1e-9);
    const tip = statusTooltip(store.run!, 'corepy.showFlameGraph');
    assert.ok(tip.includes(`One-time costs ${formatMs(total)}, not in op time: ${rows.map((r) => `${r.name} ${formatMs(r.totalMs)}`).join('; ')}.`), tip);
    assert.deepEqual(oneTimeCostsOf(undefined), []);
    // The flame graph's ops table keeps them as rows of their own, flagged one-time, not as ops.
    const fd = buildFlameData(store.run!.flame!);
    assert.ok(fd.ok);
    const table = aggregateOps(fd.data, null);
    const flagged = table.filter((r) => r.oneTime).map((r) => r.name).sort();
    // A cost the machine stalled in (stallMs, on a busy machine) may add a row of its stalled part, named after it.
    const stallRows = new Set(rows.filter((r) => r.stallMs).map((r) => stallSliceName(r.name)));
    assert.deepEqual(flagged.filter((n) => !stallRows.has(n)), rows.map((r) => r.name).sort());
    assert.ok(table.some((r) => r.name === 'add' && !r.oneTime));
  });

  it('shows the report\'s memory: live and peak bytes, and the lines still holding many of their results', () => {
    cp.clearProfile({ segments: true });
    cp.enableProfiling({ callSites: 'all' });
    const a = cp.randn([8, 8]);
    for (let i = 0; i < 200; i++) a.add(1); // results never released: held at this line
    cp.disableProfiling();
    const report = buildReport(snapshot());
    const store = new ProfileStore();
    assert.equal(memoryOf(store.run), undefined, 'nothing before a run');
    store.startRun('/w/x.ts', 0);
    store.finishRun({ partial: false, report, recommendations: report.recommendations, flame: buildFlame(snapshot(), 'x'), lastBatch: batchFromReport(report, 0)!, exitCode: 0, signal: null });
    const m = memoryOf(store.run)!;
    assert.deepEqual(m, report.memory);
    assert.equal(memoryDescription(m), `${formatBytes(m.liveBytes)} live · peak ${formatBytes(m.peakBytes)}`);
    const lines = listedHeldSites(m);
    assert.deepEqual(lines.map((h) => [h.ops, h.calls]), [[['add'], 200]], 'the add line; randn holds one result, below the listing threshold');
    assert.match(heldLineDescription(lines[0]!), /^add · [\d.]+ KB · up to ≈\d+ of 200 results · \d+ now$/);
    cp.clearProfile({ segments: true });
  });
});
