/**
 * `@profiled` as user code bases compile it (audit 19 F1, F2): one class source compiled by the
 * TypeScript compiler API with TypeScript 5 standard decorators and with `experimentalDecorators`
 * (the legacy `__decorate` call that NestJS, Angular and TypeORM projects use), and transformed by
 * esbuild (what tsx runs) in both modes. Each program must type-check against corepy's declarations
 * and record the same contexts: named, unnamed, without parentheses, async, static. A function-valued
 * field is wrapped under standard decorators; under legacy ones it fails at class definition with
 * an error naming `profiled(fn, name)`, and tsc rejects it too.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { transformSync } from 'esbuild';
import { afterEach, beforeEach, describe, it } from 'mocha';
import ts from 'typescript';
import * as cp from '../../runtime/src/index.js';

const index = join(__dirname, '..', '..', 'runtime', 'src', 'index.ts');

/** A user's class: every decorated member records a 'function' context when called. */
const MODEL = `
import * as cp from 'corepy';
import { profiled } from 'corepy';
export class Model {
  @profiled('Model.forward')
  forward(x: cp.Tensor): cp.Tensor { return x.matmul(x).relu(); }
  @profiled()
  plain(x: cp.Tensor): cp.Tensor { return x.add(1); }
  @profiled
  bare(x: cp.Tensor): cp.Tensor { return x.neg(); }
  @profiled('Model.asyncStep')
  async asyncStep(x: cp.Tensor): Promise<number> {
    const a = x.mul(2);
    await new Promise((r) => setTimeout(r, 2));
    return a.sum().item();
  }
  @profiled()
  static sfn(x: cp.Tensor): cp.Tensor { return x.exp(); }
}
export async function drive(): Promise<void> {
  const m = new Model();
  const x = cp.ones([4, 4]);
  for (let i = 0; i < 3; i++) m.forward(x);
  m.plain(x);
  m.bare(x);
  Model.sfn(x);
  await Promise.all([m.asyncStep(x), m.asyncStep(x)]);
}
`;

/** A function-valued field (an arrow function), decorated. */
const FIELD = `
import * as cp from 'corepy';
import { profiled } from 'corepy';
export class M {
  @profiled('M.arrow')
  arrow = (x: cp.Tensor) => x.add(1);
}
export async function drive(): Promise<void> { new M().arrow(cp.ones([2])); }
`;

/** The contexts (name → calls, ops inside) MODEL records. */
const EXPECTED = {
  'Model.forward': [3, 6], plain: [1, 1], bare: [1, 1], 'Model.asyncStep': [2, 6], sfn: [1, 1],
};

/** Type-checks `source` as a user's file importing corepy; its diagnostics and its CommonJS emit. */
function compileWithTsc(source: string, experimentalDecorators: boolean): { errors: string[]; js: string } {
  const file = join(__dirname, '__user-model.ts');
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, strict: true,
    lib: ['lib.es2023.d.ts', 'lib.esnext.disposable.d.ts', 'lib.esnext.decorators.d.ts'], types: [], skipLibCheck: true,
    experimentalDecorators, paths: { corepy: [index] }, noEmitOnError: false,
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host), exists = host.fileExists.bind(host), getSource = host.getSourceFile.bind(host);
  host.readFile = (f) => (f === file ? source : read(f));
  host.fileExists = (f) => f === file || exists(f);
  host.getSourceFile = (f, lang, ...rest) => (f === file ? ts.createSourceFile(f, source, lang) : getSource(f, lang, ...rest));
  let js = '';
  host.writeFile = (name, text) => { if (name.endsWith('.js')) js = text; };
  const program = ts.createProgram([file], options, host);
  const sf = program.getSourceFile(file)!;
  // Only the user's file is checked: corepy's own sources are checked by its build.
  const errors = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]
    .map((d) => `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  program.emit(sf);
  return { errors, js };
}

/** The same source through esbuild (tsx's transform) in either decorator mode. */
function compileWithEsbuild(source: string, experimentalDecorators: boolean): string {
  return transformSync(source, { loader: 'ts', format: 'cjs', target: 'es2022', tsconfigRaw: { compilerOptions: { experimentalDecorators } } }).code;
}

/** Runs emitted CommonJS whose `corepy` is this process's runtime; its exports. */
function load(js: string): { drive: () => Promise<void> } {
  const module = { exports: {} as Record<string, unknown> };
  const require = (id: string): unknown => {
    if (id === 'corepy') return cp;
    throw new Error(`unexpected require(${id})`);
  };
  new Function('require', 'module', 'exports', js)(require, module, module.exports);
  return module.exports as { drive: () => Promise<void> };
}

/** Contexts recorded: name → [calls, op count inside]. */
function recorded(): Record<string, number[]> {
  const r = cp.profileReport({ format: 'json' });
  return Object.fromEntries(Object.values(r.contexts).map((c) => [c.name, [c.count, c.opCount]]));
}

describe('@profiled under standard and legacy decorators (compiled as users compile it)', function () {
  this.timeout(120_000);
  beforeEach(async () => {
    await cp.setBackend('js');
    cp.clearProfile();
    cp.enableProfiling();
  });
  afterEach(() => cp.disableProfiling());

  for (const legacy of [false, true]) {
    const mode = legacy ? 'experimentalDecorators' : 'standard decorators';

    it(`tsc, ${mode}: type-checks and records every decorated method`, async () => {
      const { errors, js } = compileWithTsc(MODEL, legacy);
      assert.deepEqual(errors, []);
      // The emit is the mode's: the legacy __decorate helper, or the standard __esDecorate one.
      assert.match(js, legacy ? /__decorate\(/ : /__esDecorate\(/);
      await load(js).drive();
      assert.deepEqual(recorded(), EXPECTED);
    });

    it(`esbuild (tsx), ${mode}: records every decorated method`, async () => {
      const js = compileWithEsbuild(MODEL, legacy);
      assert.match(js, legacy ? /__decorateClass\(/ : /__decorateElement\(/);
      await load(js).drive();
      assert.deepEqual(recorded(), EXPECTED);
    });
  }

  it('standard decorators: a field holding a function is wrapped (tsc and esbuild)', async () => {
    const { errors, js } = compileWithTsc(FIELD, false);
    assert.deepEqual(errors, []);
    for (const code of [js, compileWithEsbuild(FIELD, false)]) {
      cp.clearProfile();
      await load(code).drive();
      assert.deepEqual(recorded(), { 'M.arrow': [1, 1] });
    }
  });

  it('experimentalDecorators: a decorated field is a type error and fails at class definition, naming profiled(fn, name)', () => {
    const { errors, js } = compileWithTsc(FIELD, true);
    assert.ok(errors.length > 0, 'tsc rejects a legacy field decorator');
    for (const code of [js, compileWithEsbuild(FIELD, true)]) {
      assert.throws(() => load(code), /@profiled on the field M\.arrow cannot work under experimentalDecorators .*arrow = profiled\(\(…\) => …, 'M\.arrow'\)/);
    }
  });

  it('misuse gives errors that say what to write', () => {
    assert.throws(() => cp.profiled(42 as unknown as string), /profiled: expected a function or a name, got 42/);
    const deco = cp.profiled('x') as unknown as (t: unknown, c: unknown) => unknown;
    assert.throws(() => deco(() => 1, 7), /not called as a decorator .* profiled\(fn, 'name'\)/);
    assert.throws(() => deco(class {}, { kind: 'class', name: 'C' }), /@profiled goes on a method .*not on a class \('C'\)/);
    // A standard field decorator on a field that does not hold a function: at initialisation.
    const init = deco(undefined, { kind: 'field', name: 'n' }) as (v: unknown) => unknown;
    assert.throws(() => init(3), /@profiled on the field 'n': its value is 3, not a function/);
    // Babel's legacy field descriptor (with an initializer) is wrapped.
    const d = (cp.profiled('babel.field') as unknown as (t: object, k: string, d: object) => { initializer(): () => cp.Tensor })(
      {}, 'f', { configurable: true, enumerable: true, writable: true, initializer: () => () => cp.ones([2]).neg() });
    d.initializer()();
    assert.deepEqual(recorded(), { 'babel.field': [1, 2] }); // ones and neg
  });

  it('a generator function is a span per resume, holding the ops its body runs as it is iterated (audit 21 N3)', async () => {
    const x = cp.ones([4]);
    const gen = cp.profiled(function* (t: cp.Tensor) { yield t.add(1); yield t.add(2); }, 'gen');
    for (const t of gen(x)) t.dispose();
    // Three resumes: two yields and the one that finds it done.
    assert.deepEqual(recorded(), { gen: [3, 2] });
    const agen = cp.profiled(async function* (t: cp.Tensor) {
      yield t.mul(2);
      await new Promise((r) => setTimeout(r, 1));
      yield t.mul(3);
    }, 'agen');
    const seen: number[] = [];
    for await (const t of agen(x)) seen.push(t.dataSync()[0]!);
    assert.deepEqual(seen, [2, 3]);
    assert.deepEqual(recorded().agen, [3, 2]);
    // return() and throw() are resumes too; the wrapper is still a generator to its callers.
    const g = gen(x);
    assert.equal(Object.prototype.toString.call(g), '[object Generator]');
    g.next().value!.dispose();
    assert.deepEqual(g.return(undefined), { value: undefined, done: true });
    assert.throws(() => gen(x).throw(new Error('stop')), /stop/);
    assert.deepEqual(recorded().gen, [3 + 3, 3]);
  });
});
