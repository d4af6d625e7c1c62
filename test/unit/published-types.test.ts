/**
 * corepy's published declarations type-check in a user's project on their own (newcomer audit D8):
 * with `{"module":"nodenext","target":"es2022","strict":true}`, no @types/node and skipLibCheck
 * false, `ProfileContext implements Disposable` and its `[Symbol.dispose]` failed (`Cannot find
 * name 'Disposable'`) — they need the esnext.disposable lib, which corepy's .d.ts now references.
 * The declarations are emitted from the sources into a temporary `node_modules/corepy` (as the
 * package ships them, next to its dependencies) and the user's project is checked with this repo's tsc.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'mocha';

const root = join(__dirname, '..', '..');
const runtime = join(root, 'runtime');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

/** Runs tsc with `args`; its status and output. */
function runTsc(args: string[], cwd: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [tsc, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe("corepy's published types in a user's project", function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'corepy-types-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  before(() => {
    const pkg = join(dir, 'node_modules', 'corepy');
    // The package's declarations, emitted from the sources (what `npx tsc -p runtime` writes to dist).
    const emit = runTsc(['-p', runtime, '--emitDeclarationOnly', '--declarationMap', 'false', '--sourceMap', 'false',
      '--composite', 'false', '--incremental', 'false', '--outDir', join(pkg, 'dist')], root);
    assert.equal(emit.status, 0, emit.out);
    copyFileSync(join(runtime, 'package.json'), join(pkg, 'package.json'));
    // Its dependencies beside it, as npm installs them (flat).
    const deps = Object.keys((JSON.parse(readFileSync(join(runtime, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies);
    for (const dep of [...deps, '@types/node']) {
      const from = [join(runtime, 'node_modules', dep), join(root, 'node_modules', dep)].find((p) => existsSync(p));
      assert.ok(from, `${dep} is installed`);
      mkdirSync(dirname(join(dir, 'node_modules', dep)), { recursive: true });
      symlinkSync(from, join(dir, 'node_modules', dep), 'dir');
    }
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'user-project', version: '1.0.0', type: 'module' }));
    writeFileSync(join(dir, 'main.ts'), [
      "import * as cp from 'corepy';",
      '{',
      "  using ctx = new cp.ProfileContext('x');",
      '  cp.ones([2]).dispose();',
      '  void ctx;',
      '}',
      "new cp.ProfileContext('y')[Symbol.dispose]();",
      '',
    ].join('\n'));
  });

  /** Checks main.ts with the audit's options plus `extra`. */
  function check(name: string, extra: Record<string, unknown>): void {
    const config = join(dir, `tsconfig.${name}.json`);
    writeFileSync(config, JSON.stringify({
      compilerOptions: { module: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, ...extra },
      files: ['main.ts'],
    }));
    const r = runTsc(['-p', config], dir);
    assert.equal(r.status, 0, r.out);
  }

  it('target es2022 without @types/node, skipLibCheck false: no missing Disposable', () => {
    check('plain', { types: [] });
  });

  it('the same with @types/node, whose own Disposable declarations merge with the lib', () => {
    check('node', { types: ['node'] });
  });
});
