/**
 * What `corepy profile` says when a script ends without its final report (audit 19 F7): it never
 * claims that no op ran (it only knows what its last batch held), and a PARTIAL report says, on
 * standard error and after its table, that its figures stop at the last batch and how long before
 * the end that batch came. Real processes: the CLI from source, Ctrl-C during synchronous work
 * without ops (the stop watcher ends it with its full report) and while blocked in a system call
 * (forwarded, not acted on, killed after the 5 s grace).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'mocha';
import { batchAge, lastBatchMissing, partialFigures } from '../../runtime/src/cli-partial.js';
import type { ProfileBatchMessage } from '../../runtime/src/contract/ipc.js';

const root = join(__dirname, '..', '..');
const cli = join(root, 'runtime', 'src', 'cli.ts');

interface Run { status: number | null; stdout: string; stderr: string }

/** Runs `corepy profile <fixture>`; sends SIGINT to the CLI once the script prints READY. */
function ctrlCAfterReady(fixture: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done, fail) => {
    const p = spawn(process.execPath, ['--import', 'tsx', cli, 'profile', join(root, 'test', 'fixtures', 'profiler', fixture), '--backend', 'js'],
      { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '', sent = false;
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!sent && /READY \d+/.test(stdout)) { sent = true; setTimeout(() => p.kill('SIGINT'), 300); }
    });
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    p.on('error', fail);
    p.on('close', (status) => done({ status, stdout, stderr }));
  });
}

const batch = (sites: number): ProfileBatchMessage => ({ sites: Array.from({ length: sites }, () => ({})) } as unknown as ProfileBatchMessage);

describe('cli: what a run without its final report is said to hold', function () {
  this.timeout(120000);

  it('messages: no batch, a batch without ops, a PARTIAL report\'s figures', () => {
    assert.match(lastBatchMissing(null, null)!, /sent no batch before it ended, so whether it ran any corepy op is not known/);
    assert.match(lastBatchMissing(batch(0), 4800)!, /^its last batch \(received 4\.8 s before the script ended\) held no corepy op, and ops it ran after that batch are not known/);
    assert.equal(lastBatchMissing(batch(1), 10), null, 'a batch with ops gives a PARTIAL report');
    assert.equal(batchAge(null), '');
    assert.equal(batchAge(240.4), ' (received 240 ms before the script ended)');
    assert.match(partialFigures(5300), /^counts and times stop at the last batch \(received 5\.3 s before the script ended\); ops after it are not included, so counts may be short$/);
  });

  it('ops, then synchronous work without ops, Ctrl-C: the stop watcher interrupts it; the full report with every op', async () => {
    const r = await ctrlCAfterReady('ops-then-busy.mts');
    assert.equal(r.status, 130, r.stderr);
    assert.match(r.stderr, /the script stopped on SIGINT \(exit 130\); report of what ran until then/);
    assert.doesNotMatch(r.stderr, /killing it|PARTIAL|without sending|Waiting for the debugger/);
    // All 100 adds, although no batch went out after them (the timer could not run).
    assert.match(r.stdout, /│ add +│ 100 +│/);
  });

  it('ops with batches, then blocked in a system call, Ctrl-C: the PARTIAL report says its counts stop at the last batch', async () => {
    const r = await ctrlCAfterReady('crash.mts', { CRASH_MODE: 'blocked' });
    assert.equal(r.status, 137, r.stderr);
    assert.match(r.stderr, /PARTIAL report from the last streamed batch: counts and times stop at the last batch \(received [\d.]+ s before the script ended\); ops after it are not included, so counts may be short/);
    assert.match(r.stdout, /│ add +│ 10000 +│/);
    assert.match(r.stdout, /^PARTIAL: counts and times stop at the last batch \(received [\d.]+ s before the script ended\)/m, 'said with the table too');
  });
});
