/**
 * callsite.ts mapPosition, which maps the frames and call positions of user stacks and call sites:
 * a TypeScript module run through tsx (CommonJS, frames named by path) maps to its own lines, as
 * Node's source map for it says, every time it is asked; a module evaluated again under the same
 * name (a watcher that re-requires it) maps through its new map, not the first one; an ES module
 * without a map (frames named by file: URL) reports its path and the generated position.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { findSourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'mocha';
import { framesAbove, mapPosition } from '../../runtime/src/profiler/callsite.js';

type Position = [file: string, line: number, column: number];
type Probe = { probe(cap: () => Position): Position };

/** The generated position of the frame that calls `cap`. */
function cap(): Position {
  const f = framesAbove(cap, 1)![0]!;
  return [f.getFileName()!, f.getLineNumber()!, f.getColumnNumber()!];
}

/** A module whose `probe` calls its argument from the line after `typeLines` type-only lines (gone from the compiled code). */
function moduleText(typeLines: number, ts: boolean): string {
  const types = Array.from({ length: typeLines }, (_, i) => `interface T${i} { x${i}: number }`);
  const probe = ts ? 'export function probe(cap: () => [string, number, number]): [string, number, number] {' : 'export function probe(cap) {';
  return [...types, probe, '  const at = cap();', '  return at;', '}', ''].join('\n');
}

describe('source-mapped call positions (callsite.ts mapPosition)', function () {
  const dir = mkdtempSync(join(tmpdir(), 'corepy-source-map-positions-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'package.json'), '{ "type": "commonjs" }\n');

  /** Requires `file` afresh (out of require's cache) through tsx, and returns where its probe calls. */
  function requireProbe(file: string): Position {
    delete require.cache[file];
    return (require(file) as Probe).probe(cap);
  }

  it('maps a tsx-compiled module by path to its own line, as its source map says, on every call', function () {
    const file = join(dir, 'mod.ts');
    writeFileSync(file, moduleText(3, true));
    const at = requireProbe(file);
    assert.equal(at[0], file, 'tsx runs a CommonJS .ts module under its path');
    const oracle = findSourceMap(file)!.findEntry(at[1] - 1, at[2] - 1) as { originalLine: number; originalColumn: number };
    const expected = { location: { file, line: 5, column: oracle.originalColumn + 1 }, hasMap: true, mapped: true };
    assert.equal(oracle.originalLine + 1, 5, "Node's own map: the call is on line 5 (3 type lines, the function's)");
    assert.notEqual(at[1], 5, 'the compiled line differs, so this checks the mapping');
    assert.deepEqual(mapPosition(...at), expected);
    assert.deepEqual(mapPosition(...at), expected, 'asked again');
  });

  it('maps a module evaluated again under the same name through its new map', function () {
    const file = join(dir, 'again.ts');
    writeFileSync(file, moduleText(1, true));
    const first = requireProbe(file);
    assert.equal(mapPosition(...first).location.line, 3);
    writeFileSync(file, moduleText(6, true));
    const second = requireProbe(file);
    const { location } = mapPosition(...second);
    assert.deepEqual([location.file, location.line], [file, 8], 'the edited module: 6 type lines, the call on line 8');
  });

  it('reports an ES module without a map by its path at the generated position', async function () {
    const file = join(dir, 'plain.mjs');
    writeFileSync(file, moduleText(0, false));
    const at = ((await import(pathToFileURL(file).href)) as Probe).probe(cap);
    assert.equal(at[0], pathToFileURL(file).href, 'V8 names an ES module frame by its URL');
    for (let k = 0; k < 2; k++) assert.deepEqual(mapPosition(...at), { location: { file, line: 2, column: at[2] }, hasMap: false, mapped: false });
  });
});
