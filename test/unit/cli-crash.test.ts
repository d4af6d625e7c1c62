/**
 * `corepy profile` keeps the profile however the script ends: `process.exit()` (the report is
 * written to the CLI's report file synchronously; the exit status stays the script's own),
 * SIGKILL (the last streamed batch, marked PARTIAL), Ctrl-C while the script waits (forwarded; the
 * full report), during a synchronous loop of ops (the op path finds the stop request: the full report),
 * during a synchronous loop without ops (the stop watcher interrupts it: the full report) and blocked
 * in a native wait (forwarded, then killed after the grace period; the last batch), never leaving the
 * script running.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'mocha';

const root = join(__dirname, '..', '..');
const cli = join(root, 'runtime', 'src', 'cli.ts');
const script = join(root, 'test', 'fixtures', 'profiler', 'crash.mts');
const ADD_ROW = /│ add +│ 10000 +│/;

interface Run { status: number | null; stdout: string; stderr: string }

function corepySync(mode: string, extra: string[] = []): Run {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, 'profile', script, '--backend', 'js', ...extra],
    { cwd: root, env: { ...process.env, CRASH_MODE: mode }, encoding: 'utf8', timeout: 60000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the CLI; once the script prints READY <pid>, calls `act` with the CLI's and the script's pids. */
function corepyThen(mode: string, act: (cliPid: number, scriptPid: number) => void, env: Record<string, string> = {}): Promise<Run & { scriptPid: number }> {
  return new Promise((done, fail) => {
    const p = spawn(process.execPath, ['--import', 'tsx', cli, 'profile', script, '--backend', 'js'],
      { cwd: root, env: { ...process.env, CRASH_MODE: mode, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '', scriptPid = 0;
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /READY (\d+)/.exec(stdout);
      if (m && scriptPid === 0) { scriptPid = Number(m[1]); act(p.pid!, scriptPid); }
    });
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    p.on('error', fail);
    p.on('close', (status) => done({ status, stdout, stderr, scriptPid }));
  });
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

describe('cli: corepy profile keeps the profile when the script exits abruptly', function () {
  this.timeout(120000);

  it('process.exit(0) after 10 000 ops: the full report, exit status 0', () => {
    // The per-line row through the CSV export (written from the full report, not a partial one);
    // the text report names lines only in recommendations, which fire or not with machine load.
    const csv = join(mkdtempSync(join(tmpdir(), 'corepy-crash-')), 'exit0.csv');
    const r = corepySync('exit0', ['--out', csv]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, ADD_ROW);
    assert.match(readFileSync(csv, 'utf8'), /^add,js,[^,]*crash\.mts,13,\d+,10000,/m, 'per-line data from the full report');
    assert.match(r.stdout, /Profiler overhead: .*call sites: (sampled|exact)\)/, 'figures only the full report carries');
    assert.doesNotMatch(r.stderr, /PARTIAL|without sending/);
  });

  it('process.exit(3): the full report, exit status 3', () => {
    const r = corepySync('exit3');
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stdout, ADD_ROW);
  });

  it('SIGKILL: the last streamed batch as a PARTIAL report, exit status 137', async () => {
    const r = await corepyThen('idle', (_cli, pid) => process.kill(pid, 'SIGKILL'));
    assert.equal(r.status, 137, r.stderr);
    assert.match(r.stderr, /killed by SIGKILL.*PARTIAL report from the last streamed batch/);
    assert.match(r.stdout, ADD_ROW);
    assert.doesNotMatch(r.stdout, /Profiler overhead|Call sites:/, 'no figures the batch does not carry');
  });

  it('Ctrl-C (SIGINT to the CLI) while the script waits: forwarded, the full report, exit status 130', async () => {
    const r = await corepyThen('idle', (cliPid) => process.kill(cliPid, 'SIGINT'));
    assert.equal(r.status, 130, r.stderr);
    assert.match(r.stdout, ADD_ROW);
    assert.doesNotMatch(r.stderr, /PARTIAL/);
    assert.ok(!alive(r.scriptPid), 'the script is gone');
  });

  it('SIGTERM during a synchronous loop of ops that never let a timer run: the op path sees the stop request, the full report, exit 143', async () => {
    let signalled = 0;
    const r = await corepyThen('sync-ops', (cliPid) => { setTimeout(() => { signalled = Date.now(); process.kill(cliPid, 'SIGTERM'); }, 1500); });
    // The stop file is looked for with each batch the op path sends itself (every 500 ms), and the script says it is
    // writing its report, so the CLI waits for it past the 5 s grace (a full ring takes seconds at load 9): not killed,
    // and not left to run its endless loop.
    assert.ok(Date.now() - signalled < 30000, `stopped ${Date.now() - signalled} ms after the signal`);
    assert.equal(r.status, 143, r.stderr);
    assert.match(r.stderr, /the script stopped on SIGTERM \(exit 143\); report of what ran until then/);
    assert.doesNotMatch(r.stderr, /PARTIAL|killing it/);
    const adds = /│ add +│ (\d+) +│/.exec(r.stdout);
    assert.ok(adds && Number(adds[1]) > 0, `the loop's adds in the report:\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /Profiler overhead: .*call sites: (sampled|exact)\)/, 'figures only the full report carries');
    assert.ok(!alive(r.scriptPid), 'the script is gone');
  });

  it('Ctrl-C (SIGINT to the CLI) during a synchronous loop of ops: the full report, exit status 130 as for any Ctrl-C', async () => {
    const r = await corepyThen('sync-ops', (cliPid) => { setTimeout(() => process.kill(cliPid, 'SIGINT'), 1500); });
    assert.equal(r.status, 130, r.stderr);
    assert.match(r.stderr, /the script stopped on SIGINT \(exit 130\)/);
    assert.doesNotMatch(r.stderr, /PARTIAL|killing it/);
    assert.ok(!alive(r.scriptPid), 'the script is gone');
  });

  it('SIGTERM to the CLI during a synchronous loop without ops: the stop watcher ends it with the full report, exit 143', async () => {
    let signalled = 0;
    const r = await corepyThen('sync-loop', (cliPid) => { signalled = Date.now(); process.kill(cliPid, 'SIGTERM'); });
    assert.ok(Date.now() - signalled < 30000, `stopped ${Date.now() - signalled} ms after the signal`);
    assert.equal(r.status, 143, r.stderr);
    assert.match(r.stderr, /the script stopped on SIGTERM \(exit 143\); report of what ran until then/);
    assert.doesNotMatch(r.stderr, /PARTIAL|killing it|Waiting for the debugger/);
    assert.match(r.stdout, ADD_ROW);
    assert.match(r.stdout, /Profiler overhead: .*call sites: (sampled|exact)\)/, 'figures only the full report carries');
    assert.ok(!alive(r.scriptPid), 'the script is gone');
  });

  it('a stop asked for while the script could not see it (busy, or paused in a debugger): it ends before its next op, which is not in the report', async () => {
    // The watcher off: the script stands for one paused at a breakpoint, which nothing interrupts until it resumes.
    const r = await corepyThen('gap-then-op', (cliPid) => process.kill(cliPid, 'SIGTERM'), { COREPY_STOP_WATCHER: '0' });
    assert.equal(r.status, 143, r.stderr);
    assert.match(r.stderr, /the script stopped on SIGTERM \(exit 143\)/);
    assert.match(r.stdout, ADD_ROW);
    assert.doesNotMatch(r.stdout, /│ mul +│/, 'the op after the stop request did not run');
  });

  it('Ctrl-C to a script with its own SIGINT listener: its handler runs (a checkpoint saved), then the full report at its exit', async () => {
    // Audit 25: the profiler ended such a script at once, exit 130, and its checkpoint was never written.
    const r = await corepyThen('own-handler', (cliPid) => process.kill(cliPid, 'SIGINT'));
    assert.match(r.stdout, /^checkpoint saved$/m, r.stderr);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /PARTIAL|killing it/);
    assert.match(r.stdout, /│ add +│ \d+ +│/);
  });

  it('SIGTERM to the CLI while the script is blocked in a system call: killed after the grace period, PARTIAL report, no orphan', async () => {
    let signalled = 0;
    const r = await corepyThen('blocked', (cliPid) => { signalled = Date.now(); process.kill(cliPid, 'SIGTERM'); });
    assert.ok(Date.now() - signalled < 20000, `did not wait for the 60 s loop (${Date.now() - signalled} ms)`);
    assert.equal(r.status, 137, r.stderr);
    assert.match(r.stderr, /did not stop; killing it/);
    assert.match(r.stderr, /PARTIAL report/);
    assert.match(r.stdout, ADD_ROW);
    assert.ok(!alive(r.scriptPid), 'the script is gone');
  });
});
