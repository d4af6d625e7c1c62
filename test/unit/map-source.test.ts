/**
 * Source files named by source maps: tsx 4.23 maps a `.mts` module in a folder whose path has
 * non-ASCII characters to a `.ts` file that does not exist; corepy's call sites, stacks and exports
 * name the module's real file (map-source.ts), both in the unit and through `corepy profile`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'mocha';
import { mappedSourceFile } from '../../runtime/src/profiler/map-source.js';

const root = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'corepy-map-source-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('source files named by source maps', function () {
  this.timeout(120000);

  it('a missing source that differs from the module only by extension is the module; anything else is kept', () => {
    const mts = join(dir, 'k.mts'), ts = join(dir, 'other.ts');
    writeFileSync(mts, '');
    writeFileSync(ts, '');
    assert.equal(mappedSourceFile(join(dir, 'k.ts'), mts), mts);
    assert.equal(mappedSourceFile(mts, mts), mts);
    assert.equal(mappedSourceFile(ts, mts), ts, 'an existing source is kept');
    assert.equal(mappedSourceFile(join(dir, 'gone.ts'), mts), join(dir, 'gone.ts'), 'another stem is kept');
    assert.equal(mappedSourceFile(join(dir, 'x.ts'), join(dir, 'x.mts')), join(dir, 'x.ts'), 'a missing module file changes nothing');
  });

  it('corepy profile on a .mts script under "ü dir/" names that .mts file in every call site and speedscope frame', () => {
    const folder = join(dir, 'my proj ü');
    mkdirSync(folder);
    const script = join(folder, 'k.mts');
    writeFileSync(script, [
      `import * as cp from ${JSON.stringify(pathToFileURL(join(root, 'runtime', 'src', 'index.js')).href)};`,
      'function work(x: cp.Tensor): cp.Tensor {',
      '  return x.mul(2).add(1);',
      '}',
      'const a = cp.randn([64, 64]);',
      'for (let i = 0; i < 5; i++) work(a).sum().item();',
    ].join('\n'));
    const run = (format: string, out: string) => spawnSync(process.execPath, ['--import', 'tsx', join(root, 'runtime', 'src', 'cli.ts'), 'profile', '-f', format, '-o', out, script],
      { cwd: root, encoding: 'utf8', timeout: 90000 });
    const json = run('json', join(dir, 'r.json'));
    assert.equal(json.status, 0, json.stderr);
    const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as { callSites: { location: { file: string } | null }[] };
    const files = new Set(report.callSites.map((c) => c.location?.file));
    assert.deepEqual([...files], [script]);
    const speedscope = run('speedscope', join(dir, 'r.speedscope.json'));
    assert.equal(speedscope.status, 0, speedscope.stderr);
    const frames = (JSON.parse(readFileSync(join(dir, 'r.speedscope.json'), 'utf8')) as { shared: { frames: { file?: string }[] } }).shared.frames;
    const frameFiles = new Set(frames.map((f) => f.file).filter((f) => f !== undefined));
    assert.deepEqual([...frameFiles], [script]);
  });
});
