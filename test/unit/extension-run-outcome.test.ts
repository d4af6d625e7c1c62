/**
 * Runs started from the extension carry the JSON report's `run` as `corepy profile` writes it
 * (extension/src/debug/run-outcome.ts, the contract's RunOutcome): the real runtime runs
 * test/fixtures/profiler/run-outcome.mts as the launchers run a script (report file, IPC), the end
 * goes through the adapter's report event body into the ProfileStore, and the palette's JSON export
 * of that run (the runtime's export registry) says how it ended, valid against the report schema and
 * equal to what the CLI's runOutcome makes of the same end.
 */
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv from 'ajv';
import { describe, it } from 'mocha';
import { runOutcome } from '../../runtime/src/cli-outcome.js';
import { REPORT_FILE_ENV, type ProfileReport, type ProfileReportMessage } from '../../runtime/src/contract/index.js';
import { profiledNodeArgs } from '../../runtime/src/launch.js';
import { reportEventBody } from '../../extension/src/debug/session.js';
import { runErrorOf, runOutcomeOf } from '../../extension/src/debug/run-outcome.js';
import { exportInput, FORMATS } from '../../extension/src/export/formats.js';
import { ProfileStore } from '../../extension/src/profile-store.js';

const root = join(__dirname, '..', '..');
const script = join(root, 'test', 'fixtures', 'profiler', 'run-outcome.mts');
const schema = JSON.parse(readFileSync(join(root, 'runtime', 'schemas', 'profile-report.schema.json'), 'utf8')) as object;

/** Runs the fixture with RUN_MODE=`mode` as Run and Profile does (report file); its exit and final report message. */
function launch(mode: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; msg: ProfileReportMessage }> {
  const tmp = mkdtempSync(join(tmpdir(), 'corepy-ext-outcome-'));
  const reportFile = join(tmp, 'report.json');
  const { execArgs, env } = profiledNodeArgs({
    autostart: pathToFileURL(join(root, 'runtime', 'src', 'profiler', 'autostart.ts')).href,
    tsx: 'tsx',
    baseEnv: { ...process.env, RUN_MODE: mode, COREPY_RULE_BUDGET_MS: '0' },
    env: { [REPORT_FILE_ENV]: reportFile },
    backend: 'js',
  });
  return new Promise((done, fail) => {
    const child = fork(script, [], { cwd: root, execArgv: execArgs, env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    child.on('message', () => { /* batches */ });
    child.stderr!.resume();
    child.on('error', fail);
    child.on('close', (code, signal) => {
      const msg = existsSync(reportFile) ? JSON.parse(readFileSync(reportFile, 'utf8')) as ProfileReportMessage : null;
      rmSync(tmp, { recursive: true, force: true });
      if (msg === null) fail(new Error(`${mode}: no report (exit ${code}, ${signal})`));
      else done({ code, signal, msg });
    });
  });
}

/** The palette's JSON export of the run that ended as the adapter saw it, parsed and validated against the schema. */
function exportedAfter(code: number | null, signal: NodeJS.Signals | null, msg: ProfileReportMessage, stopped = false): ProfileReport {
  const store = new ProfileStore();
  store.startRun(script, 0);
  store.finishRun(reportEventBody(msg, null, code, signal, stopped));
  const json = FORMATS.find((f) => f.id === 'json')!.render(exportInput(store.run!), { flameRenderer: () => '' });
  const report = JSON.parse(json) as ProfileReport;
  const ajv = new Ajv({ allErrors: true, strict: false });
  assert.ok(ajv.validate(schema, report), ajv.errorsText());
  return report;
}

describe('extension runs: the JSON export says how the run ended', function () {
  this.timeout(120000);

  it('ended normally, by an uncaught error, by process.exit(3): the same `run` as `corepy profile` writes', async () => {
    const [ok, thrown, exit3] = await Promise.all([launch('ok'), launch('throw'), launch('exit3')]);
    const ended = { stoppedBy: null, partial: false };
    const okRun = exportedAfter(ok.code, ok.signal, ok.msg).run;
    assert.deepEqual(okRun, { outcome: 'completed', exitCode: 0 });
    assert.deepEqual(okRun, runOutcome({ ...ended, code: 0, signal: null }));
    const thrownRun = exportedAfter(thrown.code, thrown.signal, thrown.msg).run;
    assert.deepEqual(thrownRun, { outcome: 'failed', exitCode: 1, error: { message: 'Error: boom after 200 adds', location: { file: script, line: 9, column: 31 } } });
    assert.deepEqual(thrownRun, runOutcome({ ...ended, code: 1, signal: null, uncaught: thrown.msg.uncaught }));
    const exitRun = exportedAfter(exit3.code, exit3.signal, exit3.msg).run;
    assert.deepEqual(exitRun, { outcome: 'failed', exitCode: 3 });
  });

  it('stopped (exit 143 after SIGTERM), killed by a signal, and Debug and Profile\'s end without an exit status', () => {
    assert.deepEqual(runOutcomeOf('/w/long.ts', { exitCode: 143, signal: null, stopped: true }), { outcome: 'stopped', exitCode: 143, signal: 'SIGTERM' });
    assert.deepEqual(runOutcomeOf('/w/long.ts', { exitCode: 143, signal: null, stopped: true }),
      runOutcome({ code: 143, signal: null, stoppedBy: 'SIGTERM', partial: false }));
    assert.deepEqual(runOutcomeOf('/w/long.ts', { exitCode: null, signal: 'SIGKILL' }), { outcome: 'failed', exitCode: 137, signal: 'SIGKILL' });
    assert.deepEqual(runOutcomeOf('/w/long.ts', { exitCode: null, signal: null }), { outcome: 'failed', exitCode: 1 });
  });

  it('an uncaught error not placed in the program keeps its message; a syntax error\'s header places it', () => {
    assert.deepEqual(runErrorOf('Error: deep\n    at f (/w/node_modules/x/index.js:3:9)\n', '/w/main.ts'), { message: 'Error: deep' });
    assert.deepEqual(runErrorOf('/w/main.ts:4\n  x = ;\n      ^\n\nSyntaxError: Unexpected token \';\'\n', '/w/main.ts'),
      { message: 'SyntaxError: Unexpected token \';\'', location: { file: '/w/main.ts', line: 4, column: 1 } });
    assert.deepEqual(runErrorOf('boom\n', '/w/main.ts'), { message: 'boom' });
    assert.equal(runErrorOf(undefined, '/w/main.ts'), null);
  });
});
