/**
 * corepy's published declarations type-check in a user's project on their own, with the TypeScript
 * `npm i typescript` installs today (7.x, from the test/typescript7 workspace) and with this
 * repository's 5.9:
 * - newcomer audit D8: with `{"module":"nodenext","target":"es2022","strict":true}`, no @types/node
 *   and skipLibCheck false, `ProfileContext implements Disposable` failed (`Cannot find name
 *   'Disposable'`); corepy's .d.ts now reference the esnext.disposable lib.
 * - audit 14 F1: the webgpu backend's device.d.ts referenced @webgpu/types, so every user's program
 *   loaded it: TypeScript 7's lib.dom declares the GPU* names itself and clashed with it (182 errors
 *   with no options), without the DOM lib it missed DOM names, and TypeScript 5.9 with no options
 *   (target ES5) failed in lib.esnext.disposable (Symbol.toStringTag). Only skipLibCheck hid it.
 * - audit 19 F8: in a CommonJS project (no `"type"`), `module: node16` rejected
 *   `import * as cp from 'corepy'` (TS1479: the only `types` was the ES-module index.d.ts); the
 *   `require` condition has its own dist/require.d.cts now. The same file type-checks with module
 *   commonjs, node16, nodenext and bundler resolution, and require.d.cts declares every value the
 *   ES-module entry exports.
 * The declarations are emitted from the sources, packed with `npm pack` (so the package's "files"
 * decide what ships) and unpacked into a temporary node_modules/corepy beside links to its
 * dependencies, as `npm i ./corepy-<version>.tgz` leaves them: no @types/node unless a case asks.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'mocha';

const root = join(__dirname, '..', '..');
const runtime = join(root, 'runtime');

/** The compilers a user may have: the repository's (5.9) and what `npm i typescript` gives (7.x). */
const compilers = [
  { name: 'TypeScript 5.9', major: 5, tsc: join(root, 'node_modules', 'typescript', 'bin', 'tsc') },
  { name: 'TypeScript 7', major: 7, tsc: join(root, 'test', 'typescript7', 'node_modules', 'typescript', 'bin', 'tsc') },
];

/** Runs `tsc` with `args`; its status and output. */
function run(tsc: string, args: string[], cwd: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [tsc, ...args], { cwd, encoding: 'utf8', timeout: 90_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Asserts a clean type check; on failure the message counts the errors and shows the first few. */
function assertClean(r: { status: number | null; out: string }, what: string): void {
  const errors = r.out.split('\n').filter((l) => l.includes('error TS'));
  assert.ok(r.status === 0 && errors.length === 0,
    `${what}: exit ${r.status}, ${errors.length} errors\n${(errors.length > 0 ? errors : [r.out]).slice(0, 8).join('\n')}`);
}

describe("corepy's published types in a user's project", function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'corepy-types-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  before(() => {
    // The package's declarations, emitted from the sources (what `npx tsc -p runtime` writes to dist)…
    const stage = join(dir, 'stage');
    const emit = run(compilers[0]!.tsc, ['-p', runtime, '--emitDeclarationOnly', '--declarationMap', 'false', '--sourceMap', 'false',
      '--composite', 'false', '--incremental', 'false', '--outDir', join(stage, 'dist')], root);
    assert.equal(emit.status, 0, emit.out);
    copyFileSync(join(runtime, 'package.json'), join(stage, 'package.json'));
    // …packed as npm packs them and unpacked where npm installs them.
    const pack = spawnSync('npm', ['pack', '--pack-destination', dir, '--loglevel=error'], { cwd: stage, encoding: 'utf8', timeout: 60_000 });
    assert.equal(pack.status, 0, pack.stderr);
    const pkg = join(dir, 'node_modules', 'corepy');
    mkdirSync(pkg, { recursive: true });
    const untar = spawnSync('tar', ['xzf', join(dir, pack.stdout.trim().split('\n').pop()!), '-C', pkg, '--strip-components=1']);
    assert.equal(untar.status, 0, String(untar.stderr));
    // Its dependencies beside it, as npm installs them (flat).
    const deps = Object.keys((JSON.parse(readFileSync(join(runtime, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies);
    for (const dep of deps) {
      const from = [join(runtime, 'node_modules', dep), join(root, 'node_modules', dep)].find((p) => existsSync(p));
      assert.ok(from, `${dep} is installed`);
      mkdirSync(dirname(join(dir, 'node_modules', dep)), { recursive: true });
      symlinkSync(from, join(dir, 'node_modules', dep), 'dir');
    }
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'user-project', version: '1.0.0', type: 'module' }));
    // Uses `using` and Symbol.dispose (audit D8) and no console, so it also checks without DOM or Node types.
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
    // The package README's quick start, as the audit checked it (F1).
    writeFileSync(join(dir, 'quickstart.ts'), [
      "import * as cp from 'corepy';",
      'cp.enableProfiling();',
      'const x: cp.Tensor = cp.randn([256, 256]);',
      'const y = x.matmul(x).relu();',
      'console.log(y.shape, y.mean().item());',
      'console.log(cp.profileReport());',
      '',
    ].join('\n'));
  });

  it("the require entry's declarations declare every value the ES-module entry exports", () => {
    // TypeScript 5.9's API over the packed declarations: value exports (functions, consts, classes) of each entry.
    const ts = require(join(root, 'node_modules', 'typescript')) as typeof import('typescript');
    const dist = join(dir, 'node_modules', 'corepy', 'dist');
    const files = [join(dist, 'index.d.ts'), join(dist, 'require.d.cts')];
    const program = ts.createProgram(files, { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, types: [], noEmit: true });
    const checker = program.getTypeChecker();
    // `export { type X }` of a class is no value at run time, though its aliased symbol is one.
    const typeOnly = (s: import('typescript').Symbol): boolean => (s.declarations ?? []).some((d) =>
      ts.isExportSpecifier(d) && (d.isTypeOnly || d.parent.parent.isTypeOnly));
    const values = (file: string): string[] => checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(file)!)!)
      .filter((s) => !typeOnly(s) && ((s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s).flags & ts.SymbolFlags.Value) !== 0)
      .map((s) => s.name).sort();
    const esm = values(files[0]!), cjs = values(files[1]!);
    assert.ok(esm.length > 50 && esm.includes('profiled'), esm.join(', '));
    assert.deepEqual(esm.filter((n) => !cjs.includes(n)), [], 'values missing from runtime/src/require.cts');
    assert.deepEqual(cjs.filter((n) => !esm.includes(n)), [], 'values require.cts declares that index.ts does not export');
  });

  for (const { name, major, tsc } of compilers) {
    describe(name, () => {
      const tag = `ts${major}`;

      /** Checks main.ts with the audit's options plus `extra`. */
      function check(config: string, extra: Record<string, unknown>): void {
        const file = join(dir, `tsconfig.${tag}.${config}.json`);
        writeFileSync(file, JSON.stringify({
          compilerOptions: { module: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, ...extra },
          files: ['main.ts'],
        }));
        assertClean(run(tsc, ['-p', file], dir), `${name}, ${config}`);
      }

      it('is installed and is that version', () => {
        assert.ok(existsSync(tsc), `${tsc} is missing: run npm install (scripts/setup.sh)`);
        assert.match(run(tsc, ['--version'], dir).out, new RegExp(`^Version ${major}\\.`));
      });

      it('the program never loads @webgpu/types', () => {
        const r = run(tsc, ['--listFilesOnly', '--strict', '--module', 'nodenext', 'quickstart.ts'], dir);
        assert.equal(r.status, 0, r.out);
        assert.ok(r.out.includes('node_modules/corepy/dist/index.d.ts'), r.out);
        assert.deepEqual(r.out.split('\n').filter((f) => f.includes('@webgpu')), []);
      });

      it('no options: `tsc --noEmit quickstart.ts`', () => {
        assertClean(run(tsc, ['--noEmit', 'quickstart.ts'], dir), `${name}, no options`);
      });

      it('`tsc --noEmit --strict --module nodenext quickstart.ts` (runtime/README.md says so)', () => {
        assertClean(run(tsc, ['--noEmit', '--strict', '--module', 'nodenext', 'quickstart.ts'], dir), `${name}, --strict --module nodenext`);
      });

      it("`tsc --init`'s defaults, and the same with skipLibCheck false", () => {
        const init = join(dir, `init-${tag}`);
        mkdirSync(init);
        for (const f of ['package.json', 'main.ts', 'quickstart.ts']) copyFileSync(join(dir, f), join(init, f));
        assert.equal(run(tsc, ['--init'], init).status, 0);
        assertClean(run(tsc, ['--noEmit', '-p', '.'], init), `${name}, tsc --init`);
        const config = readFileSync(join(init, 'tsconfig.json'), 'utf8');
        assert.match(config, /"skipLibCheck": true/);
        writeFileSync(join(init, 'tsconfig.json'), config.replace('"skipLibCheck": true', '"skipLibCheck": false'));
        assertClean(run(tsc, ['--noEmit', '-p', '.'], init), `${name}, tsc --init with skipLibCheck false`);
      });

      it(`a CommonJS project (no "type"): module node16, nodenext${major === 7 ? ', commonjs and bundler resolution' : ''}`, () => {
        const cjs = join(dir, `cjs-${tag}`);
        mkdirSync(cjs);
        writeFileSync(join(cjs, 'package.json'), JSON.stringify({ name: 'user-cjs', version: '1.0.0' }));
        // Values, types, a class as a type and as a value, and `var` (declared under another name).
        writeFileSync(join(cjs, 'main.ts'), [
          "import * as cp from 'corepy';",
          'const x: cp.Tensor = cp.randn([4, 4]);',
          "const r: cp.ProfileReport = cp.profileReport({ format: 'json' });",
          "const c = new cp.ProfileContext('c');",
          'const ok: boolean = x instanceof cp.Tensor && c instanceof cp.ProfileContext;',
          'const v: cp.Tensor = cp.var(x);',
          'void r; void ok; void v;',
          '',
        ].join('\n'));
        // node16 and nodenext read require.d.cts; commonjs (node10) and bundler read index.d.ts, checked with
        // TypeScript 7 only (5.9 takes ~6 s a run).
        const configs = {
          node16: { module: 'node16' }, nodenext: { module: 'nodenext' },
          ...(major === 7 ? { commonjs: { module: 'commonjs' }, bundler: { module: 'esnext', moduleResolution: 'bundler' } } : {}),
        };
        for (const [config, options] of Object.entries(configs)) {
          writeFileSync(join(cjs, `tsconfig.${config}.json`), JSON.stringify({
            compilerOptions: { target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: [], ...options }, files: ['main.ts'],
          }));
          assertClean(run(tsc, ['-p', `tsconfig.${config}.json`], cjs), `${name}, CommonJS project, ${config}`);
        }
      });

      it('target es2022 without @types/node, skipLibCheck false: no missing Disposable', () => {
        check('plain', { types: [] });
      });

      it('with @types/node, whose own Disposable declarations merge with the lib', () => {
        check('node', { types: ['node'], typeRoots: [join(root, 'node_modules', '@types')] });
      });

      // Without @types/node too, @opentelemetry/api's own declarations miss `console`.
      it('with @types/node and without the DOM lib (lib es2022 only)', () => {
        check('nodom', { types: ['node'], typeRoots: [join(root, 'node_modules', '@types')], lib: ['es2022'] });
      });
    });
  }
});
