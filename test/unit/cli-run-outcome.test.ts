/**
 * The JSON export of `corepy profile` says how the script ended (report `run`, cli-outcome.ts): a tool
 * reading the file of a script that threw midway can tell its figures stop there, as the CLI's text says.
 * The real CLI on a fixture that ends normally, by an uncaught error and by process.exit(3); every export
 * validated against runtime/schemas/profile-report.schema.json. Plus the parsing of the runtime's
 * uncaught-error text (Node's format, and the syntax-error report uncaught-text.ts makes).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, it } from 'mocha';
import { runError, runOutcome } from '../../runtime/src/cli-outcome.js';
import type { ProfileReport } from '../../runtime/src/contract/report.js';

const root = join(__dirname, '..', '..');
const cli = join(root, 'runtime', 'src', 'cli.ts');
const script = join(root, 'test', 'fixtures', 'profiler', 'run-outcome.mts');
const schema = JSON.parse(readFileSync(join(root, 'runtime', 'schemas', 'profile-report.schema.json'), 'utf8')) as object;

/** Runs `corepy profile <fixture> -f json -o <tmp>` with RUN_MODE=`mode`; the exit status, stderr and the export, validated. */
function profileJson(mode: string): { status: number | null; stderr: string; report: ProfileReport } {
  const out = join(mkdtempSync(join(tmpdir(), 'corepy-outcome-')), 'out.json');
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, 'profile', script, '--backend', 'js', '-f', 'json', '-o', out],
    { cwd: root, env: { ...process.env, RUN_MODE: mode, COREPY_RULE_BUDGET_MS: '0' }, encoding: 'utf8', timeout: 90000 });
  const report = JSON.parse(readFileSync(out, 'utf8')) as ProfileReport;
  const ajv = new Ajv({ allErrors: true, strict: false });
  assert.ok(ajv.validate(schema, report), `${mode}: ${ajv.errorsText()}`);
  return { status: r.status, stderr: r.stderr, report };
}

describe('cli: the JSON export says how the run ended', function () {
  this.timeout(120000);

  it('a script that ends normally: outcome completed, exit status 0, no error', () => {
    const { status, report } = profileJson('ok');
    assert.equal(status, 0);
    assert.deepEqual(report.run, { outcome: 'completed', exitCode: 0 });
    assert.equal(report.operations.find((o) => o.op === 'add')?.count, 200);
  });

  it('a script that throws midway: outcome failed, exit status 1, the error and the line that threw', () => {
    const { status, stderr, report } = profileJson('throw');
    assert.equal(status, 1);
    assert.match(stderr, /the script failed \(exit 1\)/, 'the CLI text says so too');
    assert.equal(report.run?.outcome, 'failed');
    assert.equal(report.run?.exitCode, 1);
    assert.equal(report.run?.partial, undefined, 'the final report, not a batch');
    assert.equal(report.run?.error?.message, 'Error: boom after 200 adds');
    assert.equal(report.run?.error?.location?.file, script);
    assert.equal(report.run?.error?.location?.line, 9);
    assert.equal(report.operations.find((o) => o.op === 'add')?.count, 200, 'what ran before the error');
  });

  it('process.exit(3): outcome failed, exit status 3, no error', () => {
    const { status, report } = profileJson('exit3');
    assert.equal(status, 3);
    assert.deepEqual(report.run, { outcome: 'failed', exitCode: 3 });
  });
});

describe('cli-outcome: the uncaught-error text', () => {
  it('takes the message line and the first frame outside corepy and node_modules', () => {
    const text = 'Error: shapes [2] and [3] do not broadcast\n' +
      '    at broadcast (/home/u/p/node_modules/corepy/dist/shape.js:10:11)\n' +
      `    at add (${join(root, 'runtime', 'src', 'ops', 'binary.ts')}:4:2)\n` +
      '    at node:internal/modules/run_main:1:1\n' +
      '    at step (file:///home/u/p/train.ts:42:7)\n' +
      '    at file:///home/u/p/train.ts:50:1\n';
    assert.deepEqual(runError(text), { message: 'Error: shapes [2] and [3] do not broadcast', location: { file: '/home/u/p/train.ts', line: 42, column: 7 } });
  });
  it('takes a syntax error\'s place from its first line', () => {
    const text = '/home/u/p/bad.ts:3:5\nconst = 1;\n    ^\n\nSyntaxError: Unexpected "="\n';
    assert.deepEqual(runError(text), { message: 'SyntaxError: Unexpected "="', location: { file: '/home/u/p/bad.ts', line: 3, column: 5 } });
  });
  it('a thrown non-Error: its text, no place', () => {
    assert.deepEqual(runError('Uncaught exception: 42\n'), { message: 'Uncaught exception: 42' });
  });
  it('stopped by the CLI: stopped whatever the status; killed: failed and partial', () => {
    assert.deepEqual(runOutcome({ code: 130, signal: null, stoppedBy: 'SIGINT', partial: false }), { outcome: 'stopped', exitCode: 130, signal: 'SIGINT' });
    assert.deepEqual(runOutcome({ code: 137, signal: 'SIGKILL', stoppedBy: null, partial: true }), { outcome: 'failed', exitCode: 137, signal: 'SIGKILL', partial: true });
  });
});
