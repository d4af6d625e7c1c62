/** The `corepy` command is on the workspace's PATH after `npm install` + build (npx corepy …). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'mocha';

const root = join(__dirname, '..', '..');

describe('cli: the corepy bin', () => {
  it('runs from node_modules/.bin and prints the package version', () => {
    const r = spawnSync(join(root, 'node_modules', '.bin', 'corepy'), ['--version'], { encoding: 'utf8', timeout: 30000 });
    assert.equal(r.status, 0, `${r.error ?? ''} ${r.stderr}`);
    const { version } = JSON.parse(readFileSync(join(root, 'runtime', 'package.json'), 'utf8')) as { version: string };
    assert.equal(r.stdout.trim(), version);
  });
});
