/**
 * A callback written on the line that passes it (audit 33 #8): long.ts line 7, `cp.tidy(() => x.matmul(x)…)`,
 * carried "⏱ 18.7 s · 100 % of op time" and "⏱ ≈18.7 s in calls (sampled) · 100 % of op time · 44,237 ops", and the
 * text report listed it under "Calling lines" too: its ops are its own (issued on that line), not ops of its calls.
 * test/fixtures/profiler/call-lines-inline.mts has such a line, a callback whose ops are on the next line, and a
 * callback that issues an op on its line and calls a function whose op is elsewhere. Each run is its own process
 * (the recorder's stack sampling is per process). Counts only, no times: load-robust.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'mocha';
import type { CallLineStats, ProfileReport } from '../../runtime/src/contract/report.js';
import { shortPath } from '../../runtime/src/profiler/format-lines.js';
import { renderText } from '../../runtime/src/profiler/format-text.js';
import { batchFromReport } from '../../extension/src/debug/report-sites.js';
import { ProfileStore } from '../../extension/src/profile-store.js';

const root = join(__dirname, '..', '..');
const MAIN = join(root, 'test', 'fixtures', 'profiler', 'call-lines-inline.mts');
const ROUNDS = 40;

interface Run { report: ProfileReport; fromEvents: CallLineStats[] | undefined; live: CallLineStats[] | undefined }

const lineOf = (marker: string): number => readFileSync(MAIN, 'utf8').split('\n').findIndex((l) => l.includes(marker)) + 1;

function run(maxEvents?: number): Run {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: root, encoding: 'utf8', timeout: 100_000, maxBuffer: 64 << 20,
    env: { ...process.env, INLINE_ROUNDS: String(ROUNDS), ...(maxEvents ? { INLINE_MAX_EVENTS: String(maxEvents) } : {}) },
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Run;
}

/** The rows of `lines` at `marker`'s line. */
const at = (lines: readonly CallLineStats[] | undefined, marker: string): CallLineStats[] =>
  (lines ?? []).filter((c) => c.location.file === MAIN && c.location.line === lineOf(marker));

/** Ops of the report's own rows (callSites) at `marker`'s line. */
const ownOps = (r: Run, marker: string): number =>
  r.report.callSites.filter((s) => s.location?.file === MAIN && s.location.line === lineOf(marker)).reduce((n, s) => n + s.count, 0);

describe('call lines: a callback on the line that passes it (audit 33 #8)', function () {
  this.timeout(120_000);

  for (const maxEvents of [undefined, 50]) {
    describe(maxEvents ? `a ring of ${maxEvents} events (the recorder's totals count every op)` : 'every event retained', () => {
      let r: Run;
      before(() => { r = run(maxEvents); });

      it('a line whose callback issues its ops on that line has them as its own ops only', () => {
        assert.equal(ownOps(r, '// INLINE'), 3 * ROUNDS, 'matmul, relu and sum on the line, each round');
        for (const [what, lines] of [['report', r.report.callLines], ['live batch', r.live]] as const) {
          assert.deepEqual(at(lines, '// INLINE'), [], `${what}: no calling-line row for the line's own ops: ${JSON.stringify(at(lines, '// INLINE'))}`);
        }
      });

      it('a line whose calls issue ops elsewhere keeps its row, without the ops on itself', () => {
        for (const [what, lines] of [['report', r.report.callLines], ['live batch', r.live]] as const) {
          // The callback's ops are on the next line: all of them are the calling line's.
          assert.equal(at(lines, '// MULTI')[0]?.ops, 2 * ROUNDS, `${what}: MULTI`);
          // The callback issues abs on the line itself (its own op) and calls helper, whose add is elsewhere.
          assert.equal(ownOps(r, '// MIXED'), ROUNDS);
          assert.equal(at(lines, '// MIXED')[0]?.ops, ROUNDS, `${what}: MIXED counts helper's add only`);
          // main() is called from a line with no ops of its own: every op of the run is in its calls.
          assert.equal(at(lines, '// CALL_MAIN')[0]?.ops, r.report.opCount, `${what}: CALL_MAIN`);
        }
      });
    });
  }

  it('the retained events alone (a snapshot without per-node totals) give the same rows', () => {
    const r = run();
    const key = (c: CallLineStats): string => `${c.location.line}:${c.ops}`;
    assert.deepEqual(r.fromEvents?.map(key), r.report.callLines?.map(key));
  });

  it('the text report and the editor show one row for such a line, the calling lines for the others', () => {
    const r = run();
    const text = renderText(r.report, { color: false, width: 200 });
    const where = (marker: string): string => `${shortPath(MAIN)}:${lineOf(marker)} `;
    const section = text.slice(text.indexOf('Calling lines'));
    assert.ok(!section.split('\n').some((l) => l.trimStart().startsWith(where('// INLINE'))), section);
    assert.ok(section.split('\n').some((l) => l.trimStart().startsWith(where('// MULTI'))), section);
    const store = new ProfileStore();
    store.startRun(MAIN, 0);
    store.applyBatch(batchFromReport(r.report, 0)!);
    const calls = store.callLinesFor(MAIN).map((c) => c.line);
    assert.ok(!calls.includes(lineOf('// INLINE')), `calling lines ${calls}`);
    assert.ok(calls.includes(lineOf('// MULTI')) && calls.includes(lineOf('// MIXED')), `calling lines ${calls}`);
    assert.ok(store.lineAt(MAIN, lineOf('// INLINE')) !== undefined, 'the line keeps its own lens');
  });
});
