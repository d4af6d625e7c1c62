/**
 * A run the user stopped (Stop, the debug toolbar) ends with exit status 143 after writing its report:
 * the editor shows it as stopped, not as a failure (a newcomer saw a red "failed (exit 143)" after Stop).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { ProfileStore } from '../../extension/src/profile-store.js';
import { failed, statusFor } from '../../extension/src/views/labels.js';
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
});
