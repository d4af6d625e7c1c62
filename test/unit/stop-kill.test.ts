/**
 * killAfterGrace (runtime/src/stop-kill.ts): the kill every launcher arms after asking a profiled
 * script to stop. Real timers and a real ack file in a temporary folder; the waits are short.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopAckFile } from '../../runtime/src/contract/ipc.js';
import { killAfterGrace } from '../../runtime/src/stop-kill.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('killAfterGrace: the kill after a stop request', () => {
  let dir: string;
  let stopFile: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'corepy-stop-kill-'));
    stopFile = join(dir, 'stop');
    writeFileSync(stopFile, 'SIGTERM');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('kills after the grace when the script has neither ended nor acknowledged', async () => {
    let kills = 0;
    killAfterGrace({ graceMs: 50, stopFile, exists: existsSync, kill: () => { kills++; } });
    await sleep(20);
    assert.equal(kills, 0, 'killed before the grace ran out');
    await sleep(200);
    assert.equal(kills, 1);
  });

  it('does not kill a script that ended, nor after cancel', async () => {
    let kills = 0;
    killAfterGrace({ graceMs: 30, stopFile, exists: existsSync, ended: () => true, kill: () => { kills++; } });
    const pending = killAfterGrace({ graceMs: 30, stopFile, exists: existsSync, kill: () => { kills++; } });
    pending.cancel();
    await sleep(150);
    assert.equal(kills, 0);
  });

  it('waits while the script says it is writing its report, and kills once it stops saying so', async () => {
    writeFileSync(stopAckFile(stopFile), '');
    let kills = 0, waits = 0;
    killAfterGrace({ graceMs: 30, stopFile, exists: existsSync, onWaiting: () => { waits++; }, kill: () => { kills++; } });
    await sleep(700); // the grace and two ack polls
    assert.equal(kills, 0, 'killed while the script was reporting');
    assert.equal(waits, 1, 'onWaiting is called once, however long the wait');
    rmSync(stopAckFile(stopFile));
    await sleep(600);
    assert.equal(kills, 1, 'not killed after the ack went while the script still ran');
  });

  it('gives up waiting for a report after maxWaitMs', async () => {
    writeFileSync(stopAckFile(stopFile), '');
    let kills = 0;
    killAfterGrace({ graceMs: 30, maxWaitMs: 100, stopFile, exists: existsSync, kill: () => { kills++; } });
    await sleep(800);
    assert.equal(kills, 1);
  });

  it('without a stop file there is no ack to wait for', async () => {
    let kills = 0;
    killAfterGrace({ graceMs: 30, exists: () => true, kill: () => { kills++; } });
    await sleep(200);
    assert.equal(kills, 1);
  });
});
