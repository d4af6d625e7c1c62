/**
 * `corepy profile` stopped (Ctrl-C) while a worker thread is busy: the worker's ops since its last
 * share reach the final report (audit 25 9c: a worker that ran 3000 ops and then computed without
 * ops had shared nothing since its start — its interval timer cannot run — and the report, not
 * marked partial, had none of them). The main thread asks each live worker through the inspector,
 * which V8 serves inside the worker's synchronous code (workers.ts); a worker blocked in a system
 * call cannot answer, and the report says it is PARTIAL for that thread.
 * The fixture is JavaScript on runtime/dist (a worker does not get tsx's loader): build first.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'mocha';

const root = join(__dirname, '..', '..');
const cli = join(root, 'runtime', 'dist', 'cli.js');
const script = join(root, 'test', 'fixtures', 'profiler', 'worker-busy.mjs');
/** The worker's 3000 muls before it gets busy, on their line in "Hot lines". */
const WORKER_MULS = /worker-busy\.mjs:38 .* mul ×3000$/m;

interface Run { status: number | null; stdout: string; stderr: string; thread: number; elapsedMs: number }

/** Runs the fixture under the CLI and sends the CLI SIGINT (Ctrl-C) once the worker's muls are done. */
function ctrlCWhenReady(workerMode: string, mainMode = 'wait'): Promise<Run> {
  return new Promise((done, fail) => {
    const p = spawn(process.execPath, [cli, 'profile', script, '--backend', 'js'],
      { cwd: root, env: { ...process.env, WORKER_MODE: workerMode, MAIN_MODE: mainMode }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '', thread = 0, signalledAt = 0;
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /READY \d+ worker (\d+)/.exec(stdout);
      if (m && thread === 0) {
        thread = Number(m[1]);
        // A little later: the worker is past its last op and busy (or blocked).
        setTimeout(() => { signalledAt = Date.now(); p.kill('SIGINT'); }, 300);
      }
    });
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    p.on('error', fail);
    p.on('close', (status) => done({ status, stdout, stderr, thread, elapsedMs: Date.now() - signalledAt }));
  });
}

describe('cli: Ctrl-C while a worker thread is busy keeps its ops', function () {
  this.timeout(120000);

  it('a worker computing without ops after 3000 muls: all 3000 in the report, nothing marked partial', async () => {
    const r = await ctrlCWhenReady('spin');
    assert.equal(r.status, 130, r.stderr);
    assert.match(r.stdout, /│ mul +│ 3000 +│/, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, WORKER_MULS);
    assert.match(r.stdout, /│ add +│ 100 +│/, 'the main thread\'s ops too');
    assert.doesNotMatch(r.stdout + r.stderr, /PARTIAL|killing it/);
  });

  it('both threads busy (the stop watcher interrupts the main thread, which then asks the worker): all 3000', async () => {
    const r = await ctrlCWhenReady('spin', 'spin');
    assert.equal(r.status, 130, r.stderr);
    assert.match(r.stdout, WORKER_MULS, `${r.stdout}\n${r.stderr}`);
    assert.doesNotMatch(r.stdout + r.stderr, /PARTIAL|killing it/);
  });

  it('a worker in an endless synchronous loop of ops: its ops up to the stop, every one on its line', async () => {
    const r = await ctrlCWhenReady('ops');
    assert.equal(r.status, 130, r.stderr);
    assert.match(r.stdout, WORKER_MULS, `${r.stdout}\n${r.stderr}`);
    const loop = /worker-busy\.mjs:40 .* mul ×(\d+)$/m.exec(r.stdout);
    assert.ok(loop && Number(loop[1]) > 0, 'the loop\'s muls are in the report');
    const total = /│ mul +│ (\d+) +│/.exec(r.stdout);
    assert.equal(Number(total?.[1]), 3000 + Number(loop![1]), 'the op table and the lines agree');
    assert.doesNotMatch(r.stdout + r.stderr, /PARTIAL|killing it/);
  });

  it('a worker blocked in a system call cannot answer: the report is PARTIAL for that thread, with the age of its last share', async () => {
    const r = await ctrlCWhenReady('blocked');
    assert.equal(r.status, 130, r.stderr);
    assert.ok(r.elapsedMs < 30000, `ended ${r.elapsedMs} ms after Ctrl-C (the launcher kills at 60 s)`);
    assert.match(r.stdout, new RegExp(`^PARTIAL for worker thread ${r.thread}: it did not answer .*its ops after its last share, [\\d.]+ ms before this report, are missing$`, 'm'), r.stdout);
    assert.match(r.stdout, /│ add +│ 100 +│/, 'the main thread\'s ops are all there');
  });
});
