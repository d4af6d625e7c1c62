/**
 * The corepy tarball carries the tutorials and PROFILING_GUIDE.md, and the copies run from a user's
 * folder: scripts/pack-runtime.sh (what `npm run package` packs) writes the tarball, its tutorials are
 * copied out of it into a folder whose node_modules holds only corepy and @opentelemetry/api (as
 * `npm install ./corepy-<version>.tgz` leaves it, here links to the built package), and two run there.
 * Without the OpenTelemetry SDK, 04_production_monitoring stops with one line naming the install
 * command instead of a stack trace.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'mocha';

const ROOT = resolve(import.meta.dirname, '..', '..');
// What `--import tsx` loads, by path: the user folder has no tsx of its own here.
const TSX = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

describe('tutorials in the corepy package', function () {
  this.timeout(120_000);
  let tmp = '';
  let pkg = ''; // the unpacked tarball
  let entries: string[] = [];
  before(() => {
    assert.ok(existsSync(join(ROOT, 'runtime', 'dist', 'index.js')), 'run `npm run build` first');
    tmp = mkdtempSync(join(tmpdir(), 'corepy-tutorials-pkg-'));
    const pack = spawnSync('bash', [join(ROOT, 'scripts', 'pack-runtime.sh'), tmp], { encoding: 'utf8', timeout: 90_000 });
    assert.equal(pack.status, 0, pack.stderr);
    const tgz = join(tmp, pack.stdout.trim());
    const list = spawnSync('tar', ['tzf', tgz], { encoding: 'utf8' });
    entries = list.stdout.split('\n').filter(Boolean).map((e) => e.replace(/^package\//, ''));
    spawnSync('tar', ['xzf', tgz, '-C', tmp]);
    pkg = join(tmp, 'package');
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('ships every tutorial script and README, the shared helpers and the guide; not the generated assets', () => {
    const want = ['PROFILING_GUIDE.md', 'tutorials/README.md', 'tutorials/package.json', 'tutorials/tsconfig.json', 'tutorials/shared/measure.ts'];
    for (const level of readdirSync(join(ROOT, 'tutorials')).filter((d) => /^\d\d_/.test(d))) {
      for (const f of readdirSync(join(ROOT, 'tutorials', level))) want.push(`tutorials/${level}/${f}`);
    }
    for (const f of want) assert.ok(entries.includes(f), `${f} missing from the tarball`);
    assert.deepEqual(entries.filter((e) => e.startsWith('tutorials/assets')), []);
    // The repository's tsconfig.base.json is not in a user's folder: the shipped tsconfig stands alone.
    const tsconfig = JSON.parse(readFileSync(join(pkg, 'tutorials', 'tsconfig.json'), 'utf8')) as { extends?: string; compilerOptions: { strict?: boolean } };
    assert.equal(tsconfig.extends, undefined);
    assert.equal(tsconfig.compilerOptions.strict, true);
  });

  describe('copied into a user folder', () => {
    let user = '';
    before(() => {
      user = join(tmp, 'user');
      mkdirSync(join(user, 'node_modules', '@opentelemetry'), { recursive: true });
      symlinkSync(join(ROOT, 'runtime'), join(user, 'node_modules', 'corepy'), 'dir');
      symlinkSync(join(ROOT, 'node_modules', '@opentelemetry', 'api'), join(user, 'node_modules', '@opentelemetry', 'api'), 'dir');
      cpSync(join(pkg, 'tutorials'), join(user, 'tutorials'), { recursive: true });
    });
    const run = (script: string) => spawnSync(process.execPath, ['--import', TSX, join('tutorials', script)], {
      cwd: user, encoding: 'utf8', timeout: 90_000, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });

    it('01_enable_profiling runs and finds profiling off', () => {
      const r = run('01_profiling_basics/01_enable_profiling.ts');
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /profiling before enableProfiling\(\): false\n/);
      assert.match(r.stdout, /ops recorded after clearProfile\(\): 0/);
    });

    it('04_production_monitoring without the OpenTelemetry SDK: exit 1, one line naming the npm i command', () => {
      const r = run('03_advanced/04_production_monitoring.ts');
      assert.equal(r.status, 1, `${r.stdout}${r.stderr}`);
      assert.equal(r.stdout, '');
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, /Cannot find package '@opentelemetry\/exporter-prometheus'/);
      const devDeps = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies;
      const command = `npm i ${['exporter-prometheus', 'sdk-metrics', 'sdk-trace-base'].map((p) => `@opentelemetry/${p}@${devDeps[`@opentelemetry/${p}`]}`).join(' ')}`;
      assert.ok(lines[0]!.endsWith(`install it with: ${command}`), `the message names ${command}:\n${lines[0]}`);
    });
  });
});
