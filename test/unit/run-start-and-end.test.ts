/**
 * The two ends of a run as the editor tells them (audit 29): while the script starts (Node, and tsx
 * for TypeScript: 8–15 s cold) the status bar says "starting…", not the figures of a finished empty
 * run ("0.00 µs op time · 0 ops"), until its first op is counted; and the Debug Console line a run
 * ends with, which Run and Profile and Debug and Profile now share. Real batches on the js backend.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { makeBatch } from '../../runtime/src/profiler/ipc.js';
import { exitLine, stopLine, untoldEndNotice } from '../../extension/src/debug/exit-line.js';
import { ProfileStore } from '../../extension/src/profile-store.js';
import { starting, statusFor, statusTooltip } from '../../extension/src/views/labels.js';

describe('the status bar while a run starts', () => {
  beforeEach(async () => {
    await cp.setBackend('js');
    cp.disableProfiling();
    cp.clearProfile({ segments: true });
  });
  afterEach(() => { cp.disableProfiling(); cp.clearProfile({ segments: true }); });

  it('reads "starting…" with a spinner until the first op, then the live figures; Stop stays the click', () => {
    const store = new ProfileStore();
    store.startRun('/w/quick.mjs', 0);
    const before = statusFor(store.run)!;
    assert.equal(before.text, '$(sync~spin) corepy: quick.mjs · starting…');
    assert.equal(before.command, 'corepy.stop');
    assert.match(statusTooltip(store.run!, before.command), /^Profiling with corepy: no corepy op has run yet .* Click to stop\.$/);
    assert.doesNotMatch(statusTooltip(store.run!, before.command), /µs/);

    // The preload's first batch comes before the script's first op (tsx may still be compiling it): still starting.
    cp.enableProfiling({ callSites: 'all' });
    const empty = makeBatch();
    assert.equal(empty.sites.length, 0);
    store.applyBatch(empty);
    assert.equal(starting(store.run!), true);
    assert.match(statusFor(store.run)!.text, /· starting…$/);

    const a = cp.ones([4]);
    a.add(a).dispose();
    a.dispose();
    store.applyBatch(makeBatch());
    assert.equal(starting(store.run!), false);
    const live = statusFor(store.run)!;
    assert.match(live.text, /^\$\(pulse\) corepy: quick\.mjs · .+ op time · \d+ ops$/);
    assert.equal(live.command, 'corepy.stop');
    assert.match(statusTooltip(store.run!, live.command), /^Profiling with corepy: .+ op time in .+ wall time\. Click to stop\.$/);
  });

  it('a run that ended without an op is not "starting…": it shows its (empty) figures', () => {
    const store = new ProfileStore();
    store.startRun('/w/nocp.mjs', 0);
    store.finishRun({ partial: false, report: null, recommendations: [], flame: null, lastBatch: null, exitCode: 0, signal: null });
    assert.equal(starting(store.run!), false);
    assert.match(statusFor(store.run)!.text, /^\$\(flame\) corepy: nocp\.mjs · .+ op time · 0 ops$/);
  });
});

describe('the Debug Console line a run ends with', () => {
  const end = { exitCode: 0, signal: null, stopped: false, partial: false, recorded: true };
  it('names the script and how it ended, as Run and Profile always wrote it', () => {
    assert.equal(exitLine('/w/main.ts', end), 'corepy: main.ts exited with code 0\n');
    assert.equal(exitLine('/w/throw.ts', { ...end, exitCode: 1 }), 'corepy: throw.ts exited with code 1\n');
    assert.equal(exitLine('/w/long.ts', { ...end, exitCode: 143, stopped: true }), 'corepy: long.ts stopped: it exited with code 143\n');
    assert.equal(stopLine('/w/long.ts'), 'corepy: long.ts stopped: asked to write its report and exit\n');
    assert.equal(exitLine('/w/long.ts', { ...end, exitCode: 137, signal: 'SIGKILL', stopped: true, partial: true }),
      'corepy: long.ts stopped: it was killed by SIGKILL (no report: showing the last recorded batch)\n');
    assert.equal(exitLine(undefined, { ...end, exitCode: 1, partial: true, recorded: false }), 'corepy: program exited with code 1 (nothing was recorded)\n');
  });

  it('the same line as a notice when VS Code had closed the debug session before the script ended (its report took > 2 s after Stop)', () => {
    assert.equal(untoldEndNotice(exitLine('/w/long.ts', { ...end, exitCode: 143, stopped: true })),
      'Corepy: long.ts stopped: it exited with code 143 (after VS Code had closed the debug session).');
  });

  it('Debug and Profile without a report (no exit status from js-debug) says it ended, with no made-up code', () => {
    assert.equal(exitLine('/w/busy.ts', { exitCode: null, signal: null, stopped: true, partial: true, recorded: true }),
      'corepy: busy.ts stopped: it ended (no report: showing the last recorded batch)\n');
  });
});
