/**
 * corepy's `require` entry (runtime/src/require.cts) from a `.cts` script run under tsx: on Node 20 tsx hands
 * such a file to Node's ES-module loader, whose `require` returns only modules loaded already, so corepy
 * cannot load there — the error says how to run it (its own advice used to be "run it under tsx", which
 * the user was doing). The preload it names works; on Node ≥ 22 the script runs as it is.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'mocha';

const ROOT = resolve(import.meta.dirname, '..', '..');
const TSX = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

describe('require(\'corepy\') from a .cts script under tsx', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'corepy-cts-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(join(ROOT, 'runtime'), join(dir, 'node_modules', 'corepy'), 'dir');
  writeFileSync(join(dir, 'q.cts'), "const cp = require('corepy');\nconsole.log(JSON.stringify(cp.tensor([[1, 2], [3, 4]]).mul(2).toArray()));\n");
  const run = (...args: string[]) => spawnSync(process.execPath, [...args, 'q.cts'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  const major = Number(process.versions.node.split('.')[0]);

  it(major < 22 ? 'Node 20: fails with an error naming the preload that works, and the preload works' : `Node ${major}: runs`, () => {
    const plain = run('--import', TSX);
    if (major < 22) {
      assert.notEqual(plain.status, 0);
      assert.match(plain.stderr, /can only `require` modules loaded already: preload it \(`node --import corepy --import tsx script\.cts`\)/);
    } else {
      assert.equal(plain.status, 0, plain.stderr);
      assert.equal(plain.stdout.trim(), '[[2,4],[6,8]]');
    }
    const preloaded = run('--import', 'corepy', '--import', TSX);
    assert.equal(preloaded.status, 0, preloaded.stderr);
    assert.equal(preloaded.stdout.trim(), '[[2,4],[6,8]]');
  });
});
