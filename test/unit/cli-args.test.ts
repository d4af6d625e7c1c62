/**
 * `corepy profile` argument checks and exit statuses: numeric options are validated (a bad value
 * is a usage error, exit 2, instead of silently turning a gate off), and a script killed by a
 * signal exits 128 + that signal's number, like a shell.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'mocha';

const root = join(__dirname, '..', '..');
const cli = join(root, 'runtime', 'src', 'cli.ts');
const script = join(root, 'test', 'fixtures', 'profiler', 'example1.mts');
const dir = mkdtempSync(join(tmpdir(), 'corepy-cli-args-'));

function corepy(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: root, encoding: 'utf8', timeout: 60000, env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli: corepy profile arguments and exit statuses', function () {
  this.timeout(120000);

  it('an option meant for the script says to pass it after --, and after -- the script gets it', () => {
    const echo = join(dir, 'echo-args.mjs');
    writeFileSync(echo, 'console.log(JSON.stringify(process.argv.slice(2)));\n');
    const bad = corepy(['profile', echo, '--epochs', '3']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown option '--epochs'\n\(options for the script go after --: corepy profile script\.ts -- --epochs 3; yarn 1 drops the first --: yarn corepy profile script\.ts -- -- --epochs 3\)/);
    const good = corepy(['profile', echo, '--backend', 'js', '--', '--epochs', '3']);
    assert.equal(good.status, 0, good.stderr);
    assert.match(good.stdout, /\["--epochs","3"\]/);
  });

  it('a script that fails before its first op: its error and one line, no empty report', () => {
    const early = join(dir, 'fails-early.mjs');
    writeFileSync(early, "throw new Error('missing configuration file');\n");
    const r = corepy(['profile', early]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /missing configuration file/);
    assert.match(r.stderr, /corepy: the script failed \(exit 1\) before any corepy op ran: nothing to report/);
    assert.doesNotMatch(r.stdout, /COREPY PERFORMANCE REPORT|partial report/);
  });

  it('a file that is not a script is refused before anything runs (exit 2); a missing baseline names --save-baseline', () => {
    const r = corepy(['profile', join(root, 'package.json')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /cannot run .*package\.json: a script is \.js, \.mjs, \.cjs, \.ts, \.mts, \.cts, \.tsx/);
    assert.doesNotMatch(r.stdout + r.stderr, /partial report|ERR_IMPORT/);
    const missing = corepy(['profile', script, '--baseline', join(dir, 'none.json')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /Baseline file not found: .*none\.json \(create it with --save-baseline .*none\.json\)/);
  });

  for (const [opt, value, want] of [
    ['--tolerance', 'abc', /--tolerance must be a number ≥ 0, got 'abc'/],
    ['--tolerance', '-0.1', /--tolerance must be a number ≥ 0/],
    ['--tolerance', 'Infinity', /--tolerance must be a number ≥ 0/],
    ['--sample-every', 'abc', /--sample-every must be an integer ≥ 1, got 'abc'/],
    ['--sample-every', '0', /--sample-every must be an integer ≥ 1/],
    ['--sample-every', '2.5', /--sample-every must be an integer ≥ 1/],
  ] as const) {
    it(`${opt} ${value} is a usage error (exit 2) before the script runs`, () => {
      const r = corepy(['profile', script, '--backend', 'js', opt, value]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, want);
      assert.doesNotMatch(r.stdout, /COREPY PERFORMANCE REPORT/);
    });
  }

  it('valid --sample-every and --tolerance values are accepted', () => {
    const base = join(dir, 'base.json');
    assert.equal(corepy(['profile', script, '--backend', 'js', '--save-baseline', base]).status, 0);
    // Without static call sites, so the sampling that --sample-every sets is what attributes lines.
    const r = corepy(['profile', script, '--backend', 'js', '--call-sites', 'sampled', '--sample-every', '8', '--baseline', base, '--tolerance', '1e9'], { COREPY_STATIC_SITES: '0' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /~1 in 8/);
    assert.match(r.stdout, /0 regression\(s\)/);
  });

  for (const [args, want] of [
    [['--out', 'report.unknownext'], /cannot tell the export format from 'report\.unknownext'; name it \.json, \.csv, .* or pass --format/],
    [['--format', 'csv', '--out', join('/nonexistent-corepy-dir', 'x.csv')], /cannot write the export to \/nonexistent-corepy-dir\/x\.csv: the folder \/nonexistent-corepy-dir does not exist/],
    [['--save-baseline', join('/nonexistent-corepy-dir', 'b.json')], /cannot write the baseline to .*: the folder \/nonexistent-corepy-dir does not exist/],
  ] as const) {
    it(`${args.join(' ')}: a usage error (exit 2) before the script runs`, () => {
      const r = corepy(['profile', script, '--backend', 'js', ...args]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, want);
      assert.doesNotMatch(r.stdout, /COREPY PERFORMANCE REPORT/);
    });
  }

  it('any name is fine with --format', () => {
    const out = join(dir, 'export.data');
    const r = corepy(['profile', script, '--backend', 'js', '--format', 'csv', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Wrote csv export to .*export\.data/);
  });

  it('a script killed by SIGKILL exits 128 + 9 = 137', () => {
    const killed = join(dir, 'killed.mjs');
    writeFileSync(killed, "process.kill(process.pid, 'SIGKILL');\n");
    const r = corepy(['profile', killed]);
    assert.equal(r.status, 128 + constants.signals.SIGKILL);
    assert.equal(r.status, 137);
    assert.match(r.stderr, /without sending a profile report/);
  });
});
