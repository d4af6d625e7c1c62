/** A CommonJS-mode script shares the runtime the profiler preloaded (one runtime per process). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'mocha';

const root = join(__dirname, '..', '..');

describe('cli: CommonJS-mode TypeScript scripts', function () {
  this.timeout(120000);
  it('records the ops of a script that reaches corepy through require', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'runtime', 'src', 'cli.ts'), 'profile', join(root, 'test', 'fixtures', 'cjs', 'loop.ts'), '--backend', 'js'],
      { cwd: root, encoding: 'utf8', timeout: 60000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /profiling: true/);
    assert.match(r.stdout, /│ add +│ 5 +│/);
  });
});
