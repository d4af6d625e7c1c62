/**
 * PROFILING_GUIDE.md's ```ts blocks are real code: each is written to a temporary folder as its
 * own module importing 'corepy' (mapped to runtime/src/index.ts, the real types) and type-checked
 * with the TypeScript compiler API under strict settings. A failure names the block number and
 * its first line in the guide.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'mocha';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** The ```ts blocks of a Markdown text with the 1-based line each starts on. */
export function tsBlocks(markdown: string): { code: string; line: number }[] {
  const out: { code: string; line: number }[] = [];
  const re = /^```ts\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) {
    out.push({ code: m[1]!, line: markdown.slice(0, m.index).split('\n').length });
  }
  return out;
}

describe('PROFILING_GUIDE.md', function () {
  this.timeout(120_000);
  const guide = readFileSync(join(ROOT, 'PROFILING_GUIDE.md'), 'utf8');
  const blocks = tsBlocks(guide);

  it('has TypeScript examples', () => {
    assert.ok(blocks.length >= 6, `only ${blocks.length} ts blocks`);
  });

  it('every ```ts block type-checks against the real corepy types', () => {
    const dir = mkdtempSync(join(tmpdir(), 'corepy-guide-'));
    try {
      const files = blocks.map((b, i) => {
        const file = join(dir, `block${i + 1}.ts`);
        writeFileSync(file, b.code);
        return file;
      });
      const program = ts.createProgram(files, {
        strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler,
        moduleDetection: ts.ModuleDetectionKind.Force, allowImportingTsExtensions: true,
        lib: ['lib.es2023.d.ts', 'lib.esnext.disposable.d.ts', 'lib.esnext.decorators.d.ts', 'lib.dom.d.ts'],
        types: ['node'], typeRoots: [join(ROOT, 'node_modules', '@types')],
        // The OpenTelemetry SDKs a guide example sets up are the project's devDependencies.
        baseUrl: ROOT, paths: { corepy: ['runtime/src/index.ts'], '@opentelemetry/*': ['node_modules/@opentelemetry/*'] },
      });
      const problems = ts.getPreEmitDiagnostics(program)
        .filter((d) => d.file && files.includes(resolve(d.file.fileName)))
        .map((d) => {
          const i = files.indexOf(resolve(d.file!.fileName));
          const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
          return `block ${i + 1} (PROFILING_GUIDE.md line ${blocks[i]!.line + 1 + line}): ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
        });
      assert.deepEqual(problems, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
