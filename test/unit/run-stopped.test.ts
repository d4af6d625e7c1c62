/**
 * A run the user stopped (Stop, the debug toolbar) ends with exit status 143 after writing its report:
 * the editor shows it as stopped, not as a failure (a newcomer saw a red "failed (exit 143)" after Stop).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { ProfileStore } from '../../extension/src/profile-store.js';
import { failed, HOT_OPERATIONS_FOCUS, statusFor, statusTooltip } from '../../extension/src/views/labels.js';
import * as cp from '../../runtime/src/index.js';
describe('a run the user stopped', () => {
  const end = (stopped: boolean) => {
    const store = new ProfileStore();
    store.startRun('/w/long.ts', 0);
    store.finishRun({ partial: false, report: null, recommendations: [], flame: null, lastBatch: null, exitCode: 143, signal: null, ...(stopped ? { stopped } : {}) });
    return store.run!;
  };
  it('exit 143 after Stop is "(stopped)", not a failure; the same exit without Stop is one', () => {
    const stopped = end(true);
    assert.equal(failed(stopped), false);
    assert.match(statusFor(stopped)!.text, /corepy: long\.ts \(stopped\) · /);
    const died = end(false);
    assert.equal(failed(died), true);
    assert.match(statusFor(died)!.text, /long\.ts failed \(exit 143\)/);
  });

  it('a stopped Debug and Profile run (killed by the debugger, no report) is "(stopped, partial)"; its click opens Hot Operations, not a flame graph it lacks', () => {
    // Audit 16: "(partial)", a warning about exit null, and a click promising the flame graph that then said there was none.
    const store = new ProfileStore();
    store.startRun('/w/long.ts', 0, true);
    store.finishRun({ partial: true, report: null, recommendations: [], flame: null, lastBatch: null, exitCode: null, signal: null, stopped: true });
    const run = store.run!;
    const s = statusFor(run)!;
    assert.equal(failed(run), false);
    assert.match(s.text, /corepy: long\.ts \(stopped, partial\) · /);
    assert.equal(s.command, HOT_OPERATIONS_FOCUS);
    const tip = statusTooltip(run, s.command);
    assert.match(tip, /^Last corepy profile, partial \(stopped before its report: per-line counts and times only; no flame graph or exports\)/);
    assert.match(tip, /Click for Hot Operations\.$/);
    assert.doesNotMatch(tip, /flame graph\.$/);
    // Killed before its first batch (blocked in a system call right after its ops): nothing known, not "0 ops in 0 µs" (audit 25).
    assert.match(s.text, /\(stopped, partial\) · nothing recorded$/);
    assert.match(tip, /No profile batch arrived before the script ended .*whether it ran any corepy op, and for how long, is not known\./);
    assert.doesNotMatch(tip, /0\.00 µs wall time/);
  });

  it('a report partial for a worker thread (audit 25 9c: it did not answer the stop) says so in the status and its tooltip', async () => {
    await cp.setBackend('js');
    cp.enableProfiling();
    cp.ones([4]).add(1);
    const report = { ...cp.profileReport({ format: 'json' }), unansweredWorkers: [{ thread: 3, lastShareAgoMs: 1834.2 }] };
    cp.disableProfiling();
    cp.clearProfile({ segments: true });
    for (const stopped of [true, false]) {
      const store = new ProfileStore();
      store.startRun('/w/pool.ts', 0);
      store.finishRun({ partial: false, report, recommendations: [], flame: null, lastBatch: null, exitCode: stopped ? 130 : 0, signal: null, ...(stopped ? { stopped } : {}) });
      const s = statusFor(store.run!)!;
      assert.match(s.text, stopped ? /pool\.ts \(stopped, partial for worker 3\) · / : /pool\.ts \(partial for worker 3\) · /);
      assert.equal(s.command, 'corepy.showFlameGraph', 'the report has its flame graph');
      assert.match(statusTooltip(store.run!, s.command), /Partial for worker thread 3: it did not answer when the script ended .*its ops after its last share, 1\.83 s before the report, are missing\./);
    }
  });
});
