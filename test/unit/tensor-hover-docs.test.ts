/**
 * Every public member of `Tensor` shows documentation on hover in a user's editor (newcomer audit
 * F2: the methods, declared by module augmentation in tensor-methods.ts, had none, so `t.item()`
 * never said "CPU only; use `await t.data()` on the GPU"). The check is the editor's: corepy's
 * declarations are emitted from the sources in memory (what `npx tsc -p runtime` writes to
 * dist/, without depending on a build being there or fresh), and TypeScript's language service
 * answers quick info for `x.<member>` in a user module that imports them.
 */
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { before, describe, it } from 'mocha';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '..', '..');
// A virtual folder: the emitted declarations and the user's module live only in `files`.
const VIRTUAL = resolve('/corepy-hover-virtual');
const DIST = join(VIRTUAL, 'corepy', 'dist');
const USER = join(VIRTUAL, 'user.mts');
const HEADER = [
  "declare const x: import('./corepy/dist/index.js').Tensor;",
  "declare const report: import('./corepy/dist/index.js').ProfileReport;",
  "declare const rec: import('./corepy/dist/index.js').Recommendation;",
  '',
].join('\n');

/** corepy's .d.ts files as tsc emits them from runtime/, keyed by their path under {@link DIST}. */
function emitDeclarations(): Map<string, string> {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'runtime', 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); },
  });
  assert.ok(parsed, 'runtime/tsconfig.json parses');
  const options: ts.CompilerOptions = {
    ...parsed.options, outDir: DIST, emitDeclarationOnly: true, declarationMap: false, sourceMap: false,
    composite: false, incremental: false, tsBuildInfoFile: undefined,
  };
  const out = new Map<string, string>();
  const result = ts.createProgram({ rootNames: parsed.fileNames, options }).emit(undefined, (f, text) => out.set(resolve(f), text), undefined, true);
  assert.equal(result.emitSkipped, false, 'declarations emitted');
  return out;
}

/** A language service over the user module `text` and the emitted declarations (lib files from disk). */
function languageService(files: Map<string, string>, text: () => string): ts.LanguageService {
  const read = (f: string): string | undefined => (resolve(f) === USER ? text() : files.get(resolve(f)) ?? ts.sys.readFile(f));
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022,
    strict: true, noEmit: true, types: [],
  };
  return ts.createLanguageService({
    getScriptFileNames: () => [USER],
    getScriptVersion: () => String(text().length),
    getScriptSnapshot: (f) => { const t = read(f); return t === undefined ? undefined : ts.ScriptSnapshot.fromString(t); },
    getCurrentDirectory: () => VIRTUAL,
    getCompilationSettings: () => options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: (f) => read(f) !== undefined,
    readFile: read,
    directoryExists: (d) => resolve(d).startsWith(VIRTUAL) || ts.sys.directoryExists(d),
    getDirectories: (d) => (resolve(d).startsWith(VIRTUAL) ? [] : ts.sys.getDirectories(d)),
  });
}

/** Public members of `x`'s type: not private/protected, not marked `@internal`. */
function publicMembers(ls: ts.LanguageService): string[] {
  const program = ls.getProgram()!;
  const checker = program.getTypeChecker();
  const decl = (program.getSourceFile(USER)!.statements[0] as ts.VariableStatement).declarationList.declarations[0]!;
  return checker.getPropertiesOfType(checker.getTypeAtLocation(decl.name))
    .filter((p) => !(p.declarations ?? []).some((d) => ts.getCombinedModifierFlags(d) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)))
    .filter((p) => !p.getJsDocTags(checker).some((t) => t.name === 'internal'))
    .map((p) => p.name);
}

describe('Tensor hover documentation (published declarations)', function () {
  this.timeout(120_000);
  let text = HEADER;
  let ls: ts.LanguageService;
  let members: string[];

  before(() => {
    const files = emitDeclarations();
    ls = languageService(files, () => text);
    members = publicMembers(ls);
    // One expression statement per member (and the two contract fields), each on its own line.
    text = `${HEADER}${members.map((m) => `x.${m};`).join('\n')}\nreport.overhead;\nrec.fix;\n`;
  });

  /** The documentation quick info shows for the identifier after `prefix` on its own line. */
  function hover(prefix: string): string {
    const at = text.indexOf(`\n${prefix};`);
    assert.ok(at >= 0, `${prefix} is in the user module`);
    const dot = prefix.lastIndexOf('.') + 1;
    const info = ls.getQuickInfoAtPosition(USER, at + 1 + dot);
    return ts.displayPartsToString(info?.documentation ?? []).trim();
  }

  it('finds the methods users call, from both the class and the augmentation', () => {
    for (const m of ['item', 'toArray', 'dataSync', 'data', 'matmul', 'to', 'moments', 'sum', 'mean', 'std', 'relu', 'cast', 'unsqueeze', 'dispose', 'shape', 'dtype']) {
      assert.ok(members.includes(m), `${m} is a public member of Tensor (found: ${members.join(', ')})`);
    }
  });

  it('every public member has non-empty documentation', () => {
    const undocumented = members.filter((m) => hover(`x.${m}`) === '');
    assert.deepEqual(undocumented, [], `members of Tensor without hover documentation: ${undocumented.join(', ')}`);
  });

  it('synchronous reads say they are CPU-only and name the asynchronous alternative', () => {
    for (const [m, alternative] of [['item', 'await t.data()'], ['dataSync', 'await t.data()'], ['toArray', 'await t.array()'], ['to', "await t.toAsync('cpu')"]] as const) {
      const doc = hover(`x.${m}`);
      assert.match(doc, /CPU|GPU/, `x.${m}: ${doc}`);
      assert.ok(doc.includes(alternative), `x.${m} names \`${alternative}\`: ${doc}`);
    }
  });

  it('ProfileReport.overhead and Recommendation.fix are documented', () => {
    assert.notEqual(hover('report.overhead'), '');
    assert.notEqual(hover('rec.fix'), '');
  });
});
