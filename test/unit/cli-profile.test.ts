/**
 * `corepy profile`: runs a script in a child Node with the profiler preloaded, prints the report,
 * writes exports, fails on a baseline regression, and on a throwing script prints the partial
 * report and exits non-zero.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'mocha';

const root = join(__dirname, '..', '..');
const cli = join(root, 'runtime', 'src', 'cli.ts');
const script = join(root, 'test', 'fixtures', 'profiler', 'example1.mts');
const dir = mkdtempSync(join(tmpdir(), 'corepy-cli-'));

function corepy(args: string[], env: NodeJS.ProcessEnv = {}, cwd = root): { status: number | null; stdout: string; stderr: string } {
  // tsx by path: `--import tsx` resolves from the working directory, which a test may move out of the repository.
  const tsx = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  const r = spawnSync(process.execPath, ['--import', tsx, cli, ...args], { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli: corepy profile', function () {
  this.timeout(120000);

  it('--help documents every option', () => {
    const r = corepy(['profile', '--help']);
    for (const opt of ['--format', '--out', '--backend', '--baseline', 'chrome', 'speedscope', 'folded', 'Exit status']) assert.match(r.stdout, new RegExp(opt));
  });

  it('prints the report table and writes a speedscope export', () => {
    const out = join(dir, 'p.speedscope.json');
    const r = corepy(['profile', script, '--backend', 'js', '--format', 'speedscope', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /COREPY PERFORMANCE REPORT/);
    assert.match(r.stdout, /│ std +│ 1 +│/);
    assert.match(r.stdout, /example1\.mts:4/);
    assert.ok(existsSync(out));
    assert.match(JSON.parse(readFileSync(out, 'utf8')).exporter, /^corepy /);
  });

  it('--format json without --out writes corepy-profile.json (on standard output it followed the script\'s own output)', () => {
    const here = mkdtempSync(join(dir, 'json-'));
    const r = corepy(['profile', script, '--backend', 'js', '--format', 'json'], {}, here);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /COREPY PERFORMANCE REPORT/);
    assert.match(r.stdout, /Wrote json export to corepy-profile\.json/);
    const report = JSON.parse(readFileSync(join(here, 'corepy-profile.json'), 'utf8')) as { exporter: string; opCount: number };
    assert.match(report.exporter, /^corepy /);
    assert.ok(report.opCount > 0);
  });

  it('--json is --format json: the JSON report to corepy-profile.json, or to --out; with --format json as well, the same', () => {
    const help = corepy(['profile', '--help']);
    assert.match(help.stdout, /--json +shorthand for --format json/);
    const here = mkdtempSync(join(dir, 'json-short-'));
    const r = corepy(['profile', script, '--backend', 'js', '--json'], {}, here);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Wrote json export to corepy-profile\.json/);
    const report = JSON.parse(readFileSync(join(here, 'corepy-profile.json'), 'utf8')) as { exporter: string; opCount: number; operations: { op: string }[] };
    assert.match(report.exporter, /^corepy /);
    assert.ok(report.operations.some((o) => o.op === 'std'), JSON.stringify(report.operations.map((o) => o.op)));
    const out = join(here, 'named.json');
    const both = corepy(['profile', script, '--backend', 'js', '--json', '--format', 'json', '--out', out], {}, here);
    assert.equal(both.status, 0, both.stderr);
    assert.ok((JSON.parse(readFileSync(out, 'utf8')) as { opCount: number }).opCount > 0);
  });

  it('--json with a different --format is a usage error (exit 2) that names both, before the script runs', () => {
    const here = mkdtempSync(join(dir, 'json-conflict-'));
    for (const args of [['--json', '--format', 'csv'], ['-f', 'html', '--json']]) {
      const r = corepy(['profile', script, '--backend', 'js', ...args], {}, here);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^error: option '--json' \\(--format json\\) cannot be used with option '--format ${args.includes('csv') ? 'csv' : 'html'}'`));
      assert.doesNotMatch(r.stdout, /COREPY PERFORMANCE REPORT/);
    }
    assert.deepEqual(readdirSync(here), [], 'nothing written');
  });

  it('warms up every op before the script, as its own one-time cost: nothing recorded, the random stream untouched', () => {
    const file = join(dir, 'warm.mjs'), out = join(dir, 'warm.json');
    writeFileSync(file, [
      `import * as cp from ${JSON.stringify(join(root, 'runtime', 'src', 'index.ts'))};`,
      'console.log(JSON.stringify(Array.from(cp.randn([3]).dataSync())));',
      'cp.tensor([1, 2, 3]).mean();',
    ].join('\n'));
    const r = corepy(['profile', file, '--format', 'json', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(readFileSync(out, 'utf8')) as { opCount: number; operations: { op: string }[]; oneTimeCosts: { name: string; kind: string }[] };
    const warm = report.oneTimeCosts.filter((c) => /^warm up corepy ops \(\d+ calls on tiny tensors\)$/.test(c.name));
    assert.equal(warm.length, 1, JSON.stringify(report.oneTimeCosts));
    assert.equal(warm[0]!.kind, 'compile');
    assert.equal(report.opCount, 4, 'only the script\'s ops: randn, read, tensor, mean');
    const plain = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8' });
    assert.equal(r.stdout.split('\n')[0], plain.stdout.split('\n')[0], 'the same random values with and without the profiler');
  });

  it('a throwing script: partial report printed, exit status non-zero', () => {
    const r = corepy(['profile', script, '--backend', 'js'], { FIXTURE_THROW: '1' });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /fixture failure after the pipeline/);
    assert.match(r.stderr, /partial report/);
    assert.match(r.stdout, /│ sum +│ 1 +│/);
  });

  it('baselines: saved, then a regression makes the exit status 1; bad files are usage errors', () => {
    // Ops called many times: entries with one call are not judged on a busy machine (baseline.ts), whatever the test
    // machine's load is now.
    const loop = join(dir, 'loop.mts');
    writeFileSync(loop, `import * as cp from ${JSON.stringify(pathToFileURL(join(root, 'runtime', 'src', 'index.js')).href)};\n` +
      'const x = cp.ones([100000]);\nfor (let i = 0; i < 30; i++) x.add(x).dispose();\n');
    const base = join(dir, 'base.json');
    assert.equal(corepy(['profile', loop, '--backend', 'js', '--save-baseline', base]).status, 0);
    const b = JSON.parse(readFileSync(base, 'utf8'));
    for (const e of Object.values(b.ops) as { meanMs: number; stddevMs: number; steadyMeanMs?: number; steadyStddevMs?: number; steadyMedianMs?: number; steadyMadMs?: number; minMs?: number }[]) {
      e.meanMs /= 1e6; e.stddevMs = 0;
      if (e.steadyMeanMs !== undefined) { e.steadyMeanMs /= 1e6; e.steadyStddevMs = 0; }
      if (e.steadyMedianMs !== undefined) { e.steadyMedianMs /= 1e6; e.steadyMadMs = 0; }
      if (e.minMs !== undefined) e.minMs /= 1e6;
    }
    writeFileSync(base, JSON.stringify(b));
    const r = corepy(['profile', loop, '--backend', 'js', '--baseline', base]);
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stdout, /REGRESSION  op 'add'/);
    const missing = corepy(['profile', script, '--baseline', join(dir, 'none.json')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /Baseline file not found/);
  });

  it('bad usage: unknown format, missing script', () => {
    assert.equal(corepy(['profile', script, '--format', 'pdf']).status, 2);
    const r = corepy(['profile', join(dir, 'nope.mts')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /script not found/);
  });
});
