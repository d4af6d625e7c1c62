/**
 * How a TypeScript program is started: through tsx on every Node, even one that strips types itself
 * (runtime/src/launch.ts, ProfiledNodeOptions.tsx, says why). Node 22's stripping fails on a script
 * with `import` statements in a folder whose package.json says "type": "commonjs" (what `npm init -y`
 * writes) and on enums; `corepy profile` runs both, with the source's line numbers.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'mocha';
import { profiledNodeArgs } from '../../runtime/src/launch.js';
import type { ProfileReport } from '../../runtime/src/contract/report.js';

const root = join(__dirname, '..', '..');

describe('TypeScript launch (tsx)', () => {
  it('puts Node flags before the preloads, tsx before autostart', () => {
    const { execArgs } = profiledNodeArgs({ autostart: 'file:///rt/autostart.js', nodeFlags: ['--enable-source-maps'], baseEnv: {} });
    assert.deepEqual(execArgs, ['--enable-source-maps', '--import', 'file:///rt/autostart.js']);
    const withTsx = profiledNodeArgs({ autostart: 'file:///rt/autostart.js', tsx: 'file:///t/loader.mjs', baseEnv: {} });
    assert.deepEqual(withTsx.execArgs, ['--import', 'file:///t/loader.mjs', '--import', 'file:///rt/autostart.js']);
  });

  it('corepy profile runs a .ts with imports and an enum in a "type": "commonjs" folder, lines as in the source', () => {
    const dir = mkdtempSync(join(tmpdir(), 'corepy-ts-cjs-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'user-project', version: '1.0.0', type: 'commonjs' }));
    writeFileSync(join(dir, 'script.ts'), [
      "import * as cp from 'corepy';",
      'enum Scale { One = 1, Two = 2 }',
      'const x: cp.Tensor = cp.ones([8]);',
      'const y = x.mul(Scale.Two);',
      "console.log('sum', y.sum().item());",
      '',
    ].join('\n'));
    const out = join(dir, 'report.json');
    const r = spawnSync(process.execPath, [join(root, 'runtime', 'dist', 'cli.js'), 'profile', 'script.ts', '--format', 'json', '--out', out, '--backend', 'js'],
      { cwd: dir, encoding: 'utf8', timeout: 120000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /sum 16/);
    const report = JSON.parse(readFileSync(out, 'utf8')) as ProfileReport;
    const mul = report.callSites.find((s) => s.op === 'mul');
    assert.ok(mul, JSON.stringify(report.callSites));
    assert.equal(mul.location?.line, 4);
    assert.match(mul.location?.file ?? '', /script\.ts$/);
  });
});
