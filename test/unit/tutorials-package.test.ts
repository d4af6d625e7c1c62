/**
 * The corepy tarball carries the tutorials and PROFILING_GUIDE.md, and the copies run from a user's
 * folder: scripts/pack-runtime.sh (what `npm run package` packs) writes the tarball, its tutorials are
 * copied out of it into a folder whose node_modules holds only corepy and @opentelemetry/api (as
 * `npm install ./corepy-<version>.tgz` leaves it, here links to the built package), and two run there.
 * Without the OpenTelemetry SDK, 04_production_monitoring stops with one line naming the install
 * command instead of a stack trace. The tarball's README.md is the users' one (runtime/PACKAGE-README.md,
 * not the contributors' runtime/README.md), and its quick-start snippets run in that folder.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
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

  it('README.md is the users\' README (runtime/PACKAGE-README.md): no src/ paths, the files it names are shipped', () => {
    const readme = readFileSync(join(pkg, 'README.md'), 'utf8');
    assert.equal(readme, readFileSync(join(ROOT, 'runtime', 'PACKAGE-README.md'), 'utf8'));
    assert.ok(readme.startsWith('# corepy — '), `starts with the package's title, got: ${readme.split('\n')[0]}`);
    assert.deepEqual(readme.match(/[^\s`(]*\bsrc\/\S*/g) ?? [], [], 'src/ is not in the tarball');
    for (const word of ['npm workspaces', 'pack-runtime.sh', 'runtime/']) assert.ok(!readme.includes(word), `a contributor's word: ${word}`);
    const { version } = JSON.parse(readFileSync(join(ROOT, 'runtime', 'package.json'), 'utf8')) as { version: string };
    assert.ok(readme.includes(`npm i ./corepy-${version}.tgz`), `the install line names corepy-${version}.tgz`);
    const named = [...readme.matchAll(/node_modules\/corepy\/([\w./-]+)/g)].map((m) => m[1]!.replace(/\/$/, ''));
    assert.ok(named.length >= 2, 'names the guide and the tutorials inside the package');
    for (const f of named) assert.ok(existsSync(join(pkg, f)), `README names node_modules/corepy/${f}, which the tarball lacks`);
    for (const m of readme.matchAll(/tutorials\/(\d\d_[\w/.-]+\.ts)/g)) assert.ok(existsSync(join(pkg, 'tutorials', m[1]!)), `tutorials/${m[1]} is not shipped`);
  });

  it('PROFILING_GUIDE.md\'s relative links resolve inside the tarball (the benchmarks it cites included)', () => {
    const guide = readFileSync(join(pkg, 'PROFILING_GUIDE.md'), 'utf8');
    const links = [...guide.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
    assert.ok(links.includes('BENCHMARKS.md'), `the guide cites the benchmarks: ${links.join(', ')}`);
    for (const link of links) assert.ok(existsSync(join(pkg, link)), `the guide links ${link}, not in the tarball`);
  });

  it('the tutorials\' READMEs link only inside tutorials/, so their links still work once copied out', () => {
    const readmes = entries.filter((e) => /^tutorials\/(.*\/)?README\.md$/.test(e));
    assert.ok(readmes.length >= 5, `tutorials' READMEs: ${readmes.join(', ')}`);
    for (const readme of readmes) {
      for (const m of readFileSync(join(pkg, readme), 'utf8').matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(m[1]!)) continue; // https:, mailto:
        const target = join(pkg, dirname(readme), m[1]!);
        assert.ok(target.startsWith(join(pkg, 'tutorials') + sep), `${readme} links ${m[1]}, outside tutorials/`);
        assert.ok(existsSync(target), `${readme} links ${m[1]}, not in the tarball`);
      }
    }
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

    it('the README\'s quick-start snippets (TypeScript, ESM, CommonJS) run there and print what their comments say', () => {
      const readme = readFileSync(join(pkg, 'README.md'), 'utf8');
      const blocks = [...readme.matchAll(/```(ts|js)\n([\s\S]*?)```/g)]
        .map((m) => m[2]!)
        .filter((code) => /^(import \* as cp from 'corepy'|const cp = require\('corepy'\))/.test(code));
      const files = blocks.map((code) => (code.startsWith('const cp = require') ? 'quickstart.cjs' : /: cp\.\w+/.test(code) ? 'quickstart.ts' : 'quickstart.mjs'));
      assert.deepEqual([...files].sort(), ['quickstart.cjs', 'quickstart.mjs', 'quickstart.ts']);
      blocks.forEach((code, i) => {
        writeFileSync(join(user, files[i]!), code);
        const r = spawnSync(process.execPath, [...(files[i]!.endsWith('.ts') ? ['--import', TSX] : []), files[i]!], {
          cwd: user, encoding: 'utf8', timeout: 90_000, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
        });
        assert.equal(r.status, 0, `${files[i]}: ${r.stderr}`);
        assert.notEqual(r.stdout.trim(), '', `${files[i]} printed nothing`);
        for (const want of code.matchAll(/^console\.log\(.*\); \/\/ (.+)$/gm)) {
          if (/^[[\d]/.test(want[1]!)) assert.ok(r.stdout.includes(want[1]!), `${files[i]}: expected ${want[1]} in:\n${r.stdout}`);
        }
        if (code.includes('profileReport()')) assert.match(r.stdout, /COREPY PERFORMANCE REPORT/);
      });
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
