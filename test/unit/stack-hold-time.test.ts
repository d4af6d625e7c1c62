/**
 * Holds between stack captures are bounded in run time (recorder.ts STACK_HOLD_TIME_SHARE): a
 * function called thousands of times from one line, then a few times from another after waits
 * longer than the report's holdMs, has the later calls' ops on the later line, although its lines
 * were in holds of hundreds of ops when the caller changed (without the bound, all of them went to
 * the first line). And the report's Call stacks line says how paced capture time stood against its
 * budget (audit 31: "73.85 ms for 253 captures" against ~7 ms read as normal). Counts ops and
 * captures, not times: the waits are set from the run's own holdMs.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { before, describe, it } from 'mocha';
import type { ProfileReport } from '../../runtime/src/contract/report.js';
import { STACK_HOLD_SLACK } from '../../runtime/src/contract/names.js';
import { callStackLine, renderMarkdown } from '../../runtime/src/profiler/format-text.js';

const root = join(__dirname, '..', '..');
const FIXTURE = join(root, 'test', 'fixtures', 'profiler', 'stack-hold-time.mts');
const ROUNDS = 6000, LATE = 10, OPS_PER_CALL = 3;

interface Run { report: ProfileReport; holdMsBefore: number; early: number; late: number }

describe('stack holds bounded in run time', function () {
  this.timeout(120_000);
  let run: Run;
  before(() => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', FIXTURE], {
      cwd: root, encoding: 'utf8', timeout: 110_000, maxBuffer: 64 << 20,
      env: { ...process.env, HOLD_TIME_ROUNDS: String(ROUNDS), HOLD_TIME_LATE: String(LATE) },
    });
    assert.equal(r.status, 0, r.stderr);
    run = JSON.parse(r.stdout) as Run;
  });

  it('a caller that takes over after a long hold gets its ops', () => {
    const s = run.report.callStacks!;
    assert.equal(run.early + run.late, OPS_PER_CALL * (ROUNDS + LATE), JSON.stringify(run));
    assert.ok(run.holdMsBefore >= 10, `holdMs is at least 10 ms: ${run.holdMsBefore}`);
    // Every later call comes after a wait of 3× holdMs: its ops are past the bound at all three lines
    // (holdMs may grow while they run, a margin for that: one call in five may still be held).
    assert.ok(run.late >= 0.8 * OPS_PER_CALL * LATE, `later line: ${run.late} of ${OPS_PER_CALL * LATE} ops (${JSON.stringify(s)})`);
    assert.ok(s.timedOut! >= 1, JSON.stringify(s));
    assert.ok(s.captures < OPS_PER_CALL * (ROUNDS + LATE) / 4, `sampled, not every op captured: ${JSON.stringify(s)}`);
  });

  it('the Call stacks line says how paced capture time stood against the budget', () => {
    const r = run.report, s = r.callStacks!;
    assert.ok(s.budgetMs! > 0 && s.pacedMs! > 0 && s.pacedMs! <= s.captureMs, JSON.stringify(s));
    assert.match(callStackLine(r), / ms of them paced(, within the |: OVER )/);
    const withStacks = (pacedMs: number): ProfileReport => ({ ...r, callStacks: { ...s, pacedMs, budgetMs: 7, timedOut: 12, holdMs: 25 } });
    assert.match(callStackLine(withStacks(3)), /3\.00 ms of them paced, within the 7\.00 ms budget\)$/);
    assert.match(callStackLine(withStacks(10)), /10\.00 ms of them paced: OVER the 7\.00 ms budget \(captures were slower than the pace assumed; it slowed\); 12 holds ended/);
    const over = callStackLine(withStacks(30));
    assert.match(over, new RegExp(`30\\.00 ms of them paced: OVER ${STACK_HOLD_SLACK}× the 7\\.00 ms budget`));
    assert.match(over, /later caller is still seen within ~25\.00 ms\); 12 holds ended for their length in time\)$/);
    assert.ok(renderMarkdown(withStacks(30)).includes(over), 'the Markdown report has the same line');
    // A report from before these fields: the counts alone, as before.
    const { pacedMs: _p, budgetMs: _b, timedOut: _t, holdMs: _h, ...old } = s;
    assert.match(callStackLine({ ...r, callStacks: old }), new RegExp(`; ${s.captures} captures, [0-9.]+ ms\\)$`));
  });
});
