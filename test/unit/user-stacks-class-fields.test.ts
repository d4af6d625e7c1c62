/**
 * A class whose field initializer issues an op (newcomer audit D7): V8 places a class's default
 * constructor and its `<instance_members_initializer>` at the same start, so the flame graph,
 * folded and speedscope exports showed the class twice (`train;Model;Model;randn`). They are one
 * function of the user's source: `Model;randn`. Direct recursion (rec → rec, same name and start)
 * stays visible. Checked through `corepy profile` for an ES module TypeScript script, a CommonJS
 * TypeScript script (the audit's shape) and the same class in plain JavaScript.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'mocha';
import { parseFolded } from '../../runtime/src/export/folded.js';

const root = join(__dirname, '..', '..');
const FIXTURE = join(root, 'test', 'fixtures', 'profiler', 'class-fields.mts');
const OPS = new Set(['randn', 'full', 'arange', 'ones', 'zeros']);
/** Every op's stack from the fixture's main on. */
const EXPECTED = [
  'main;Model;randn',
  'main;WithCtor;WithCtor.<instance_members_initializer>;full',
  'main;WithCtor;full',
  'main;Derived;Base;arange',
  'main;Derived;full',
  'main;rec;rec;rec;full',
];

/** Folded lines that end in an op, from `main` on. */
function foldedStacks(text: string): string[] {
  const out = new Set<string>();
  for (const k of parseFolded(text).keys()) {
    const names = k.split(';');
    if (!OPS.has(names.at(-1)!)) continue;
    out.add(names.slice(names.indexOf('main')).join(';'));
  }
  return [...out].sort();
}

describe('user call stacks: class field initializers', function () {
  this.timeout(240_000);
  const dir = mkdtempSync(join(tmpdir(), 'corepy-class-fields-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  function run(args: string[], cwd: string): void {
    const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: 100_000 });
    assert.equal(r.status, 0, r.stderr);
  }

  it('an ES module TypeScript script: folded and speedscope name the class once', () => {
    const cli = join(root, 'runtime', 'src', 'cli.ts');
    const folded = join(dir, 'p.folded'), speedscope = join(dir, 'p.speedscope.json');
    run(['--import', 'tsx', cli, 'profile', FIXTURE, '--backend', 'js', '--format', 'folded', '--out', folded], root);
    assert.deepEqual(foldedStacks(readFileSync(folded, 'utf8')), [...EXPECTED].sort());
    run(['--import', 'tsx', cli, 'profile', FIXTURE, '--backend', 'js', '--format', 'speedscope', '--out', speedscope], root);
    const doc = JSON.parse(readFileSync(speedscope, 'utf8')) as {
      shared: { frames: { name: string; file?: string; line?: number; col?: number }[] };
      profiles: { events: { type: string; frame: number }[] }[];
    };
    // No frame opens directly inside the same frame, except the recursive function's.
    for (const p of doc.profiles) {
      const open: number[] = [];
      for (const e of p.events) {
        if (e.type === 'O') {
          if (open.at(-1) === e.frame) assert.equal(doc.shared.frames[e.frame]!.name, 'rec', `${doc.shared.frames[e.frame]!.name} opens inside itself`);
          open.push(e.frame);
        } else open.pop();
      }
    }
    const model = doc.shared.frames.filter((f) => f.name === 'Model');
    assert.equal(model.length, 1);
    assert.ok(model[0]!.file!.endsWith('class-fields.mts'), model[0]!.file);
  });

  for (const [name, file] of [['a CommonJS TypeScript script', 'script.ts'], ['the same classes in plain JavaScript', 'script.cjs']] as const) {
    it(`${name} (corepy imported by name)`, () => {
      const proj = mkdtempSync(join(dir, 'proj-'));
      writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'user-project', version: '1.0.0', type: 'commonjs' }));
      let src = readFileSync(FIXTURE, 'utf8').replace("'../../../runtime/src/index.js'", "'corepy'");
      if (file.endsWith('.cjs')) {
        src = src.replace("import * as cp from 'corepy';", "const cp = require('corepy');").replace(/: (number|cp\.Tensor|void)/g, '');
      }
      writeFileSync(join(proj, file), src);
      const out = join(proj, 'p.folded');
      run([join(root, 'runtime', 'dist', 'cli.js'), 'profile', file, '--backend', 'js', '--format', 'folded', '--out', out], proj);
      assert.deepEqual(foldedStacks(readFileSync(out, 'utf8')), [...EXPECTED].sort());
    });
  }
});
