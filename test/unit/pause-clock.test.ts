/**
 * Debug and Profile's paused time (extension/src/debug/pause-clock.ts), fed the DAP messages of a
 * run's js-debug sessions as its tracker sees them, on a clock the test moves. js-debug sends a
 * `continued` event whenever V8 resumes a thread, also after pauses it makes and ends by itself (seen
 * in code-server: a matmul worker's session said `continued` 5.7 s into the script's pause at a
 * breakpoint, as js-debug attached to it; the script's own session twice with no `stopped` before);
 * audit 33 #1 got 1.7 s for a 25 s pause. The real thing: test/e2e/host/debug-pause.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { PauseClock, type DapMessage } from '../../extension/src/debug/pause-clock.js';

const MAIN = 'session-main';
const WORKER = 'session-worker';
const stopped: DapMessage = { type: 'event', event: 'stopped' };
const continuedEvent: DapMessage = { type: 'event', event: 'continued' };
const request = (command: string): DapMessage => ({ type: 'request', command });

/** A clock at `t` ms that the test sets. */
function clock(): { now: () => number; at(ms: number): void } {
  let t = 0;
  return { now: () => t, at: (ms) => { t = ms; } };
}

describe('PauseClock: time paused in the debugger', () => {
  it('a 25 s pause at a breakpoint counts whole: js-debug\'s `continued` events do not end it, the Continue request does', () => {
    const c = clock();
    const pauses = new PauseClock(c.now);
    c.at(1_000); pauses.observe(MAIN, stopped);
    assert.equal(pauses.paused, true);
    // What js-debug sent about a second into the pause (audit 33's 0.9-1.7 s): a worker's and the script's own `continued`.
    c.at(1_900); assert.equal(pauses.observe(WORKER, { ...continuedEvent }), false);
    c.at(2_000); assert.equal(pauses.observe(MAIN, continuedEvent), false);
    // The requests VS Code sends while the user looks around do not resume either.
    for (const command of ['threads', 'stackTrace', 'scopes', 'variables', 'evaluate']) pauses.observe(MAIN, request(command));
    assert.equal(pauses.paused, true);
    assert.equal(pauses.pausedMs, 0, 'not counted until it ends');
    c.at(26_200); assert.equal(pauses.observe(MAIN, request('continue')), true);
    assert.equal(pauses.paused, false);
    assert.equal(pauses.pausedMs, 25_200);
  });

  it('a stack refresh (`continued` then `stopped` again) keeps the pause\'s start', () => {
    const c = clock();
    const pauses = new PauseClock(c.now);
    c.at(0); pauses.observe(MAIN, stopped);
    c.at(500); pauses.observe(MAIN, continuedEvent); pauses.observe(MAIN, stopped);
    c.at(4_000); pauses.observe(MAIN, request('continue'));
    assert.equal(pauses.pausedMs, 4_000);
  });

  it('steps: each stop to its step request is paused, the running between is not', () => {
    const c = clock();
    const pauses = new PauseClock(c.now);
    c.at(0); pauses.observe(MAIN, stopped);
    c.at(3_000); pauses.observe(MAIN, request('next'));
    c.at(3_200); pauses.observe(MAIN, stopped);
    c.at(5_200); pauses.observe(MAIN, request('stepIn'));
    c.at(9_000); pauses.observe(MAIN, stopped);
    c.at(10_000); pauses.observe(MAIN, request('continue'));
    assert.equal(pauses.pausedMs, 3_000 + 2_000 + 1_000);
  });

  it('two sessions stopped at once: paused until both run again; a session that ends runs no more', () => {
    const c = clock();
    const pauses = new PauseClock(c.now);
    c.at(0); pauses.observe(MAIN, stopped);
    c.at(1_000); pauses.observe(WORKER, stopped);
    c.at(2_000); assert.equal(pauses.observe(MAIN, request('continue')), false, 'the worker is still stopped');
    c.at(3_000); assert.equal(pauses.observe(WORKER, { type: 'event', event: 'terminated' }), true);
    assert.equal(pauses.pausedMs, 3_000);
    // A resume request to a session that was not stopped changes nothing.
    c.at(4_000); assert.equal(pauses.observe(WORKER, request('continue')), false);
    assert.equal(pauses.pausedMs, 3_000);
  });

  it('Stop (or the script\'s end) while paused ends the pause there; the pause is placed on the profile\'s timeline', () => {
    const c = clock();
    const pauses = new PauseClock(c.now);
    c.at(10_000); pauses.observe(MAIN, stopped);
    // The paused script answered 400 ms after the stop, its profile then 2 400 ms in: the pause began 2 000 ms in.
    c.at(10_400); pauses.located(2_400);
    c.at(16_000); assert.equal(pauses.resumedAll(), true);
    assert.equal(pauses.resumedAll(), false, 'nothing left to end');
    assert.equal(pauses.pausedMs, 6_000);
    assert.deepEqual(pauses.placed, [{ startUs: 2_000_000, durationUs: 6_000_000 }]);
  });
});
