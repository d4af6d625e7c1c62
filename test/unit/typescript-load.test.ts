/**
 * The rules' TypeScript compiler is compiled past tsx's require hook with a V8 code cache
 * (rules/typescript-load.ts): fresh processes, as a profiled run loads it once per process. Asserted:
 * the first run writes the cache after its first parse, the next one's V8 accepts it, the trees are
 * the same as `require('typescript')` builds, `require('typescript')` afterwards is the same module,
 * and `COREPY_CODE_CACHE=off` writes nothing. No timings: what it saves is in BENCHMARKS.md.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { codeCacheDir } from '../../runtime/src/profiler/rules/typescript-load.js';

const root = new URL('../../', import.meta.url);
/** A child under tsx (as a profiled .ts script runs): parses a loop through rules/ast.ts and says what it found. */
const CHILD = `
import { createRequire } from 'node:module';
const { parse } = await import(${JSON.stringify(new URL('runtime/src/profiler/rules/ast.ts', root).href)});
const { codeCacheState } = await import(${JSON.stringify(new URL('runtime/src/profiler/rules/typescript-load.ts', root).href)});
const text = 'const x = cp.ones([4]);\\nfor (let i = 0; i < 3; i++) { x.add(i).dispose(); }\\n';
const p = parse('loop.ts', text);
const plain = createRequire(${JSON.stringify(new URL('runtime/src/profiler/rules/ast.ts', root).href)})('typescript');
const tree = (ts, sf) => { const out = []; const walk = (n) => { out.push(ts.SyntaxKind[n.kind] + '@' + n.pos + '-' + n.end); ts.forEachChild(n, walk); }; walk(sf); return out.join(' '); };
console.log(JSON.stringify({ ...codeCacheState(), sameModule: plain === p.ts, tree: tree(p.ts, p.sf) }));
`;

describe('rules: the TypeScript compiler loaded with a code cache', function () {
  this.timeout(120_000);
  let dir: string;
  let script: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'corepy-ts-load-'));
    script = join(dir, 'child.mjs');
    writeFileSync(script, CHILD);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  type Child = { found: string; written: boolean; sameModule: boolean; tree: string };
  const run = (cache: string): Child =>
    JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', script], {
      cwd: new URL('.', root), encoding: 'utf8', env: { ...process.env, COREPY_CODE_CACHE: cache },
    }).trim().split('\n').pop()!) as Child;

  it('writes the cache once, then V8 accepts it; the trees match require(\'typescript\')', () => {
    const cache = join(dir, 'cache');
    const first = run(cache);
    assert.deepEqual([first.found, first.written], ['absent', true]);
    assert.equal(first.sameModule, true, 'require(\'typescript\') after the load returns the same module');
    assert.match(readdirSync(cache).join(' '), /^typescript-\d+\.\d+\.\d+-[0-9a-f]{16}\.v8cache$/);
    const second = run(cache);
    assert.deepEqual([second.found, second.written], ['accepted', false]);
    assert.equal(second.tree, first.tree);
    // The same tree as the compiler loaded by plain require builds, in this (mocha) process.
    const ts = execFileSync(process.execPath, ['-e', `
      const ts = require('typescript');
      const sf = ts.createSourceFile('loop.ts', 'const x = cp.ones([4]);\\nfor (let i = 0; i < 3; i++) { x.add(i).dispose(); }\\n', ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
      const out = []; const walk = (n) => { out.push(ts.SyntaxKind[n.kind] + '@' + n.pos + '-' + n.end); ts.forEachChild(n, walk); }; walk(sf);
      console.log(out.join(' '));`], { cwd: new URL('.', root), encoding: 'utf8' }).trim();
    assert.equal(second.tree, ts);
  });

  it('a cache V8 rejects (corrupt, or made under other V8 flags) is written again', () => {
    const cache = join(dir, 'cache-bad');
    run(cache);
    const [name] = readdirSync(cache);
    writeFileSync(join(cache, name!), Buffer.alloc(4096, 7));
    const again = run(cache);
    assert.deepEqual([again.found, again.written], ['rejected', true]);
    assert.equal(run(cache).found, 'accepted');
  });

  it('COREPY_CODE_CACHE=off compiles without one and writes nothing', () => {
    const off = run('off');
    assert.deepEqual([off.found, off.written], ['off', false]);
    assert.equal(codeCacheDir({ COREPY_CODE_CACHE: 'off' }), null);
    assert.equal(codeCacheDir({ XDG_CACHE_HOME: '/x' }), join('/x', 'corepy'));
  });
});
