/**
 * tutorials/README.md's type-check instructions install every package the tutorials import
 * (audit 19 F9: `npm i -D @types/node` then `npx tsc -p tutorials` failed in a user's folder on
 * the OpenTelemetry SDK that 03_advanced/04_production_monitoring.ts imports). Imports are read
 * with the TypeScript parser: static imports, `import type`, and dynamic `import('…')`.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'mocha';
import ts from 'typescript';

const tutorials = join(__dirname, '..', '..', 'tutorials');

/** Bare package names (`@scope/name` or `name`) every tutorial script imports. */
function importedPackages(): Set<string> {
  const out = new Set<string>();
  const files = readdirSync(tutorials, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.startsWith('assets'));
  for (const f of files) {
    const sf = ts.createSourceFile(f, readFileSync(join(tutorials, f), 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      let spec: ts.Expression | undefined;
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) spec = node.moduleSpecifier;
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) spec = node.arguments[0];
      if (spec && ts.isStringLiteral(spec) && !spec.text.startsWith('.') && !spec.text.startsWith('node:')) {
        const parts = spec.text.split('/');
        out.add(spec.text.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return out;
}

describe('tutorials/README.md', () => {
  it('its type-check `npm i` line installs every package the tutorials import besides corepy and its dependencies', () => {
    const readme = readFileSync(join(tutorials, 'README.md'), 'utf8');
    const line = readme.split('\n').find((l) => l.startsWith('npm i -D @types/node'));
    assert.ok(line, 'the README has an `npm i -D @types/node …` line');
    const installed = new Set(line.split(/\s+/).slice(3).map((p) => p.replace(/(?<=.)@[^@/]*$/, '')));
    const runtimeDeps = Object.keys((JSON.parse(readFileSync(join(__dirname, '..', '..', 'runtime', 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies);
    const needed = [...importedPackages()].filter((p) => p !== 'corepy' && !runtimeDeps.includes(p)).sort();
    assert.ok(needed.includes('@opentelemetry/sdk-metrics'), needed.join(', '));
    assert.deepEqual(needed.filter((p) => !installed.has(p)), []);
    assert.ok(readme.includes('npx tsc -p tutorials'));
  });
});
