/**
 * Static call sites (issue 14, Build 3): the load-time instrumentation of corepy calls
 * (site-transform.ts) keeps the program's meaning and lines, sets each call's token exactly while
 * that call runs, and — under `corepy profile` — attributes every op to its exact line with no
 * stack capture, for ES modules (load hook) and CommonJS (Module#_compile) alike.
 */
import { callSiteLine, renderMarkdown, renderText } from '../../runtime/src/profiler/format-text.js';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'mocha';
import { parse } from 'acorn';
import { instrumentSource } from '../../runtime/src/profiler/site-transform.js';
import { isUserModule } from '../../runtime/src/profiler/site-hooks.js';
import { corepyCallNames } from '../../runtime/src/profiler/static-sites-install.js';
import type { ProfileReport } from '../../runtime/src/contract/report.js';
import * as cp from '../../runtime/src/index.js';
import { staticSiteRegistry } from '../../runtime/src/profiler/static-sites.js';

const root = join(__dirname, '..', '..');
const NAMES = new Set(['add', 'mul', 'sum', 'ones']);

/**
 * Runs instrumented `code` (a script) with a private registry and objects whose methods record
 * the token they see; returns what each call saw and the token afterwards.
 */
function runInstrumented(code: string): { seen: [string, number][]; after: number } {
  const seen: [string, number][] = [];
  const reg = { token: -1, s: (id: number, v: unknown) => { reg.token = id; return v; }, e: (v: unknown) => { reg.token = -1; return v; },
    register: () => 100 };
  const t = (name: string): Record<string, (...a: unknown[]) => unknown> => ({
    add: (..._a) => { seen.push([`${name}.add`, reg.token]); return t(`${name}+`); },
    mul: () => { seen.push([`${name}.mul`, reg.token]); return t(`${name}*`); },
    sum: () => { seen.push([`${name}.sum`, reg.token]); return 0; },
  });
  const key = Symbol.for('corepy.sites');
  const g = globalThis as unknown as Record<symbol, unknown>;
  const before = g[key];
  g[key] = reg;
  try {
    new Function('a', 'b', 'xs', code)(t('a'), t('b'), [1, 2]);
  } finally {
    g[key] = before;
  }
  return { seen, after: reg.token };
}

describe('static call sites: the transform', () => {
  it('each corepy call sees its own id while it runs; nested and chained calls included; cleared afterwards', () => {
    const src = 'a.add(b.mul(a)).sum();\nb.add(...xs);\n';
    const out = instrumentSource(src, '/x.js', NAMES, false)!;
    // ids in source order of the calls' start: sum (0), add (1), mul (2), then line 2's add (3) — registered at base 100;
    // positions are the instrumented code's, where each call's name now is.
    const lines = out.code.split('\n');
    const names = [0, 2, 4, 6].map((k) => /^\w+/.exec(lines[out.positions[k]! - 1]!.slice(out.positions[k + 1]! - 1))?.[0]);
    assert.deepEqual([names, [0, 2, 4, 6].map((k) => out.positions[k])], [['sum', 'add', 'mul', 'add'], [1, 1, 1, 2]]);
    const r = runInstrumented(out.code);
    assert.deepEqual(r.seen, [['b.mul', 102], ['a.add', 101], ['a+.sum', 100], ['b.add', 103]]);
    assert.equal(r.after, -1);
  });

  it('keeps every line where it was, the directive prologue first and a hashbang line intact', () => {
    const src = '#!/usr/bin/env node\n"use strict";\nconst x = a.add(b);\n\nx.sum();\n';
    const out = instrumentSource(src, '/x.js', NAMES, false)!;
    const lines = out.code.split('\n');
    assert.equal(lines.length, src.split('\n').length);
    assert.equal(lines[0], '#!/usr/bin/env node');
    assert.ok(lines[1]!.startsWith('"use strict";var __cpR='), lines[1]);
    assert.match(lines[2]!, /^const x = __cpE\(a\.add\(__cpS\(__cpB\+0,b\)\)\);$/);
    assert.match(lines[4]!, /^__cpE\(__cpS\(__cpB\+1,x\)\.sum\(\)\);$/);
    parse(out.code, { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: true });
  });

  it('leaves optional chains, super calls without arguments and other names alone; keeps minified keywords apart', () => {
    assert.equal(instrumentSource('a?.add(b); a.push(1); f();', '/x.js', NAMES, false), null);
    const sup = instrumentSource('class K extends T { f() { return super.sum(); } g() { return super.add(1); } }', '/x.js', NAMES, false)!;
    assert.deepEqual(sup.positions.length, 2, 'only super.add(1) (its argument carries the token)');
    const min = instrumentSource('for(const s of[a].add(b))x.add(s);function f(){return[a].mul(b)}', '/x.js', NAMES, false)!;
    parse(min.code, { ecmaVersion: 'latest', sourceType: 'script' });
    assert.match(min.code, /for\(const s of __cpE\(\[a\]\.add/);
    assert.match(min.code, /return __cpE\(\[a\]\.mul/);
  });

  it('a module that does not parse, or already uses the header names, is left as it is (stack capture applies)', () => {
    assert.equal(instrumentSource('a.add(', '/x.js', NAMES, false), null);
    assert.equal(instrumentSource('var __cpS = 1; a.add(b);', '/x.js', NAMES, false), null);
    assert.equal(instrumentSource('@dec class K { m() { a.add(b); } }', '/x.js', NAMES, true), null);
  });

  it('instruments corepy names (exports and Tensor methods) in user modules only', () => {
    const names = corepyCallNames();
    for (const n of ['add', 'matmul', 'sum', 'tensor', 'ones', 'dispose', 'reshape']) assert.ok(names.has(n), n);
    assert.ok(!names.has('constructor'));
    const rt = 'file:///r/runtime/dist/';
    assert.equal(isUserModule('file:///home/u/train.ts', rt), true);
    assert.equal(isUserModule('file:///home/u/node_modules/lib/x.js', rt), false);
    assert.equal(isUserModule(`${rt}ops/binary.js`, rt), false);
    assert.equal(isUserModule(`${rt}bench/overhead.js`, rt), true, 'the benchmarks use corepy as a user would');
    assert.equal(isUserModule('node:fs', rt), false);
  });
});

describe('static call sites in the recorder', () => {
  it('an op issued with a token takes its static site; calls without one are still captured (sampling counts only those)', async () => {
    await cp.setBackend('js');
    cp.disableProfiling();
    cp.clearProfile({ segments: true });
    cp.enableProfiling({ callSites: 'sampled' });
    try {
      const reg = staticSiteRegistry();
      const id = reg.register('/virtual/user.js', [7, 3]);
      const a = cp.ones([4]);
      for (let i = 0; i < 40; i++) { reg.token = id; a.add(a).dispose(); reg.token = -1; }
      a.add(a).dispose(); // UNTOKENIZED
      const adds = cp.profileReport({ format: 'json' }).callSites.filter((c) => c.op === 'add');
      const at = (file: string, line: number): number => adds.filter((c) => c.location?.file === file && c.location.line === line).reduce((n, c) => n + c.count, 0);
      assert.equal(at('/virtual/user.js', 7), 40);
      const here = readFileSync(__filename, 'utf8').split('\n').findIndex((l) => l.includes('// UNTOKENIZED')) + 1;
      assert.equal(at(__filename, here), 1, `the call without a token was captured: ${JSON.stringify(adds.map((c) => c.location))}`);
      cp.disableProfiling();
      cp.enableProfiling({ callSites: 'off' });
      reg.token = id; a.mul(a).dispose(); reg.token = -1;
      assert.equal(cp.profileReport({ format: 'json' }).callSites.find((c) => c.op === 'mul')!.location, null, "callSites 'off' records no line, token or not");
    } finally {
      cp.disableProfiling();
      cp.clearProfile({ segments: true });
    }
  });
});

describe('static call sites under corepy profile', function () {
  this.timeout(120_000);
  const cli = join(root, 'runtime', 'src', 'cli.ts');

  /** Profiles a fixture (js backend, sampled call sites) and returns its JSON report. */
  function profile(fixture: string, env: NodeJS.ProcessEnv = {}): ProfileReport {
    const dir = mkdtempSync(join(tmpdir(), 'corepy-static-'));
    try {
      const out = join(dir, 'r.json');
      const r = spawnSync(process.execPath, ['--import', 'tsx', cli, 'profile', join(root, 'test', 'fixtures', 'profiler', fixture), '--backend', 'js', '--format', 'json', '--out', out],
        { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 100_000 });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(readFileSync(out, 'utf8')) as ProfileReport;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const lineOf = (fixture: string, marker: string): number =>
    readFileSync(join(root, 'test', 'fixtures', 'profiler', fixture), 'utf8').split('\n').findIndex((l) => l.includes(marker)) + 1;

  for (const fixture of ['static-sites.mts', 'static-sites.cjs']) {
    it(`${fixture}: every add is on its exact line (500 + 500) with sampled call sites, and no stack was captured for them`, () => {
      const r = profile(fixture);
      const adds = r.callSites.filter((s) => s.op === 'add');
      const count = (line: number): number => adds.filter((s) => s.location?.line === line).reduce((n, s) => n + s.count, 0);
      assert.equal(count(lineOf(fixture, 'LINE-A')), 500);
      assert.equal(count(lineOf(fixture, 'LINE-B')), 500);
      assert.ok(adds.every((s) => s.location !== null && s.location.file.endsWith(fixture)), JSON.stringify(adds.map((s) => s.location)));
      // Only calls the transform did not see (none here) would be captured: the estimate has no call-site
      // capture cost (the user call stacks' sampled captures are counted apart, in callStacks).
      assert.ok(r.overhead.estimatedMs - r.callStacks!.captureMs < (r.overhead.perOpNs * r.opCount) / 1e6 + 1e-9, JSON.stringify(r.overhead));
      // The report says so, instead of calling per-line figures sampled estimates.
      assert.equal(r.staticSiteOps, r.opCount);
      // The JSON says what the text and Markdown say (audit 31: `callSiteMode: "sampled"` beside "Call sites: exact").
      assert.equal(r.callSiteMode, 'exact');
      assert.match(callSiteLine(r), /^Call sites: exact \(every corepy call numbered/);
      for (const shown of [renderText(r, { color: false }), renderMarkdown(r)]) {
        assert.match(shown, /^Call sites: exact \(/m);
        assert.match(shown, /call sites: exact\)/);
      }
    });
  }

  it('COREPY_STATIC_SITES=0 falls back to stack capture: the same op totals, captures made', () => {
    const r = profile('static-sites.mts', { COREPY_STATIC_SITES: '0' });
    assert.equal(r.operations.find((o) => o.op === 'add')!.count, 1000);
    assert.ok(r.overhead.estimatedMs > (r.overhead.perOpNs * r.opCount) / 1e6, 'captures were made and counted');
    assert.equal(r.staticSiteOps, 0);
    assert.equal(r.callSiteMode, 'sampled');
    assert.match(callSiteLine(r), /^Call sites: sampled \(first 32 calls/);
  });
});

describe('static call sites: positions V8 reports in instrumented code', () => {
  /** The inline source map an instrumented module ends with. */
  const mapOf = (code: string): SourceMap => {
    const m = /\/\/# sourceMappingURL=data:application\/json;base64,(\S+)\s*$/.exec(code);
    assert.ok(m, 'no inline source map at the end');
    return new SourceMap(JSON.parse(Buffer.from(m[1]!, 'base64').toString('utf8')) as SourceMapPayload);
  };

  it('a site and any other position map back to their original column through the source map the code ends with', () => {
    const src = 'const y = a.add(b); function f() { return a.mul(a).sum(); }\nfunction g() { return b.add(a); }\n';
    const out = instrumentSource(src, '/x.js', NAMES, false)!;
    const map = mapOf(out.code);
    const genLines = out.code.split('\n'), srcLines = src.split('\n');
    let moved = 0;
    for (const [line, needle] of [[1, 'const y'], [1, 'function f'], [1, 'mul('], [2, 'function g'], [2, '{ return'], [2, 'add(']] as const) {
      const generated = genLines[line - 1]!.indexOf(needle), original = srcLines[line - 1]!.indexOf(needle);
      if (generated !== original) moved++;
      const e = map.findEntry(line - 1, generated) as { originalLine: number; originalColumn: number; originalSource: string };
      assert.deepEqual([e.originalSource, e.originalLine, e.originalColumn], ['file:///x.js', line - 1, original], needle);
    }
    assert.equal(moved, 4, "line 1's positions after the header, and line 2's after its first insertion");
    // The registered positions are the instrumented code's: the name of each call is there.
    for (let k = 0; k < out.positions.length; k += 2) {
      const [line, column] = [out.positions[k]!, out.positions[k + 1]!];
      assert.match(genLines[line - 1]!.slice(column - 1), /^(add|mul|sum)\(/, `site ${k / 2} at ${line}:${column}`);
    }
  });

  it("composes with the module's own source map (a compiler's), which it replaces", () => {
    // A "compiled" module whose map sends every generated line L to line L + 10 of /src/orig.ts, column for column.
    const gen = 'const y = a.add(b);\nconst z = y.sum();\n';
    const mappings = 'AAUA,IAAI,IAAI,EAAE,IAAI;AACJ,IAAI,IAAI,EAAE';
    const input = { version: 3, sources: ['/src/orig.ts'], names: [], mappings };
    const code = `${gen}//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(input)).toString('base64')}\n`;
    const out = instrumentSource(code, '/out/x.js', NAMES, false)!;
    assert.equal(out.code.match(/sourceMappingURL/g)!.length, 1, 'the input map comment is replaced, not kept beside ours');
    const map = mapOf(out.code), want = new SourceMap(input as SourceMapPayload);
    const genLines = out.code.split('\n');
    for (const [line, needle] of [[1, 'a.add'], [1, 'b)'], [2, 'sum('], [2, 'const z']] as const) {
      const e = map.findEntry(line - 1, genLines[line - 1]!.indexOf(needle)) as { originalLine: number; originalColumn: number; originalSource: string };
      const w = want.findEntry(line - 1, gen.split('\n')[line - 1]!.indexOf(needle)) as { originalLine: number; originalColumn: number; originalSource: string };
      assert.deepEqual([e.originalSource.replace(/^file:\/\//, ''), e.originalLine, e.originalColumn], [w.originalSource, w.originalLine, w.originalColumn], needle);
    }
    // A map it cannot read: the module is left as it is (stack capture applies), so nothing it maps moves.
    assert.equal(instrumentSource(`${gen}//# sourceMappingURL=missing.js.map\n`, '/nowhere/x.js', NAMES, false), null);
    // A map file in another folder, its sources relative to it: the inline composed map names them absolutely.
    const dir = mkdtempSync(join(tmpdir(), 'corepy-map-file-'));
    try {
      mkdirSync(join(dir, 'out')); mkdirSync(join(dir, 'maps'));
      writeFileSync(join(dir, 'maps', 'x.js.map'), JSON.stringify({ ...input, sources: ['../src/orig.ts'] }));
      const fromFile = instrumentSource(`${gen}//# sourceMappingURL=../maps/x.js.map\n`, join(dir, 'out', 'x.js'), NAMES, false)!;
      assert.deepEqual(mapOf(fromFile.code).payload.sources, [pathToFileURL(join(dir, 'src', 'orig.ts')).href]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('under corepy profile, an error thrown from an instrumented TypeScript line is reported at its own line and column', () => {
    const dir = mkdtempSync(join(tmpdir(), 'corepy-static-throw-'));
    try {
      writeFileSync(join(dir, 'throws.ts'), [
        "import * as cp from 'corepy';",
        '',
        "const a = cp.arange(1000).cast('float32');",
        'for (let i = 0; i < 50; i++) a.add(i);',
        'const b = cp.ones([3, 4]);',
        'const c = cp.ones([5, 6]);',
        'const d = b.matmul(c);',
        "console.log('unreachable', d.shape);",
        '',
      ].join('\n'));
      const r = spawnSync(process.execPath, [join(root, 'runtime', 'dist', 'cli.js'), 'profile', 'throws.ts', '--backend', 'js'], { cwd: dir, encoding: 'utf8', timeout: 100_000 });
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /RangeError: matmul/);
      const first = /\(([^()]*throws\.ts):(\d+):(\d+)\)/.exec(r.stderr);
      assert.ok(first, r.stderr);
      assert.equal(`${first[2]}:${first[3]}`, '7:13', `the first user frame: ${first[0]}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
