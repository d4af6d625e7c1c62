/**
 * Our speedscope, Chrome trace and folded exports opened the way users open them: in speedscope
 * itself (the `speedscope` npm package's release build, in Debian's Chromium), loaded exactly as
 * its own CLI does (`index.html#localProfilePath=<js>` whose script calls
 * `speedscope.loadFileFromBase64`), so the file goes through speedscope's real importers. The
 * import must pick the intended importer, finish without an error or alert, and show our frames
 * in the sandwich table. A file with a mismatched close event shows the check catches a failure.
 */
import { after, before, describe, it } from 'mocha';
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import { AT_LOAD_FRAME } from '../../runtime/src/export/at-load.js';
import { foldedFrameName } from '../../runtime/src/export/folded.js';
import { launchChromium, ROOT } from './harness.js';

type Corepy = typeof import('../../runtime/src/index.js');

const SPEEDSCOPE = path.join(ROOT, 'node_modules', 'speedscope', 'dist', 'release', 'index.html');

/** What speedscope made of a file. */
interface Imported {
  /** speedscope's "Importing as …" log line (which importer it chose). */
  importer: string;
  /** Symbol names of the sandwich table's visible rows. */
  symbols: string[];
  /** Failure messages (console "Failed to load format", alerts, page errors). */
  errors: string[];
  /** The sandwich table's Total cell of each visible symbol, as shown (e.g. "61.23ms (>99%)"). */
  totals: Map<string, string>;
}

describe('speedscope imports our exports (speedscope npm package in Chromium)', function () {
  this.timeout(120000);
  let browser: { context: BrowserContext; close: () => Promise<void> };
  let dir: string;

  /** Opens `file` in speedscope's sandwich view and waits for the import to finish or fail. */
  async function importInSpeedscope(file: string): Promise<Imported> {
    const loader = path.join(dir, `${path.basename(file)}.load.js`);
    const b64 = readFileSync(file).toString('base64');
    writeFileSync(loader, `speedscope.loadFileFromBase64(${JSON.stringify(path.basename(file))}, ${JSON.stringify(b64)})`);
    const page = await browser.context.newPage();
    const out: Imported = { importer: '', symbols: [], errors: [], totals: new Map() };
    let done!: () => void;
    const finished = new Promise<void>((r) => { done = r; });
    page.on('console', (m) => {
      const text = m.text();
      if (text.startsWith('Importing as ')) out.importer = text.slice('Importing as '.length);
      if (text.startsWith('import: ')) done(); // console.timeEnd('import') after a successful import
      if (text.startsWith('Failed to load format')) { out.errors.push(text); done(); }
    });
    page.on('dialog', (d) => { out.errors.push(`alert: ${d.message()}`); void d.dismiss(); done(); });
    page.on('pageerror', (e) => { out.errors.push(e.message); done(); });
    await page.goto(`${pathToFileURL(SPEEDSCOPE).href}#localProfilePath=${loader}&view=sandwich`);
    await Promise.race([finished, page.waitForTimeout(60000)]);
    if (out.errors.length === 0) {
      // Sandwich rows: Total, Self, Symbol Name cells.
      await page.waitForFunction(() => document.body.innerText.includes('Symbol Name'));
      const text = await page.locator('body').innerText();
      const rows = text.slice(text.indexOf('Symbol Name') + 'Symbol Name'.length).split('\n').map((l) => l.trim()).filter(Boolean);
      out.symbols = rows.filter((_, k) => k % 3 === 2);
      for (let k = 2; k < rows.length; k += 3) out.totals.set(rows[k]!, rows[k - 2]!);
    }
    await page.close();
    return out;
  }

  let cp: Corepy;
  // Contexts, the profiled function, ops, and the user call stack's functions: `step` itself (also a
  // profiled span) and the anonymous `before` hook below, named by the line it starts on (the contexts'
  // callbacks are their contexts' frames).
  const HOOK_LINE = readFileSync(__filename, 'utf8').split('\n').findIndex((l) => l === '  before(async () => {') + 1;
  const NAMES = ['outer', 'inner', 'step', 'tensor', 'mul', 'add', 'sub', 'mean', 'sum', `(anonymous at speedscope-import.test.ts:${HOOK_LINE})`];
  /** The report's one-time costs: the exports open with those done at load, before the recording (at-load.ts). */
  let oneTime: string[] = [];

  before(async () => {
    cp = await import('../../runtime/src/index.js');
    browser = await launchChromium();
    dir = mkdtempSync(path.join(tmpdir(), 'corepy-speedscope-'));
    await cp.setBackend('js');
    cp.clearProfile();
    cp.enableProfiling();
    const x = cp.tensor(Array.from({ length: 1000 }, (_, i) => i));
    const step = cp.profiled(function step(t: InstanceType<Corepy['Tensor']>) { return t.mul(2).add(1); });
    cp.profileContext('outer', () => {
      for (let i = 0; i < 5; i++) step(x);
      cp.profileContext('inner', () => x.sub(x.mean()));
    });
    x.sum();
    cp.disableProfiling();
    oneTime = cp.profileReport({ format: 'json' }).oneTimeCosts.map((r) => r.name);
    for (const format of ['speedscope', 'chrome', 'folded'] as const) cp.exportProfile(path.join(dir, `p.${format}`), { format });
  });
  after(async () => { await browser?.close(); rmSync(dir, { recursive: true, force: true }); });

  it('speedscope file format: imported by the speedscope JSON importer with our frames', async () => {
    const r = await importInSpeedscope(path.join(dir, 'p.speedscope'));
    assert.deepEqual(r.errors, []);
    assert.equal(r.importer, 'speedscope json file');
    // Distinct names: frames are keyed by name and location (`step` as a span and as a function).
    assert.deepEqual([...new Set(r.symbols)].sort(), [...NAMES, ...oneTime].sort());
  });

  it('Chrome trace: imported by the Trace Event Format importer with our frames', async () => {
    const r = await importInSpeedscope(path.join(dir, 'p.chrome'));
    assert.deepEqual(r.errors, []);
    assert.equal(r.importer, 'Trace Event Format profile');
    // speedscope names trace frames "<name> <args JSON>": one frame per op × call site.
    assert.deepEqual([...new Set(r.symbols.map((s) => s.replace(/ \{.*$/s, '')))].sort(), [...new Set([...NAMES, ...oneTime])].sort());
  });

  it('folded stacks: imported by the collapsed-stack importer with our frames', async () => {
    const r = await importInSpeedscope(path.join(dir, 'p.folded'));
    assert.deepEqual(r.errors, []);
    assert.equal(r.importer, 'collapsed stack format');
    // Frames with under 0.5 µs of self time everywhere round to no line; all that remain are ours.
    const folded = [...NAMES, ...oneTime, AT_LOAD_FRAME].map(foldedFrameName);
    assert.ok(r.symbols.length >= 4 && r.symbols.every((s) => folded.includes(s)), r.symbols.join(', '));
    assert.ok(r.symbols.includes('outer'));
  });

  it('a profile of 80 000 ops (the old export overflowed the stack from ~70k) exports and imports', async () => {
    cp.clearProfile();
    cp.enableProfiling({ callSites: 'off' });
    const x = cp.tensor([1, 2, 3, 4]);
    cp.profileContext('loop', () => { for (let i = 0; i < 80000; i++) x.add(x).dispose(); });
    cp.disableProfiling();
    assert.ok(cp.profileReport({ format: 'json' }).opCount >= 80000);
    const file = path.join(dir, 'big.speedscope');
    cp.exportProfile(file, { format: 'speedscope' });
    const r = await importInSpeedscope(file);
    assert.deepEqual(r.errors, []);
    assert.ok(r.symbols.includes('loop') && r.symbols.includes('add'), r.symbols.join(', '));
    assert.ok(r.symbols.every((s) => ['loop', 'add', 'tensor', 'dispose'].includes(s)), r.symbols.join(', '));
  });

  it('Chrome trace of two overlapping async contexts: imported, the main track shows A whole with only its own ops', async () => {
    cp.clearProfile();
    cp.enableProfiling({ callSites: 'off' });
    const x = cp.tensor([1, 2, 3, 4]);
    const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
    const job = (name: string, ops: readonly ('add' | 'mul' | 'sub' | 'div' | 'maximum' | 'minimum')[]): Promise<void> => cp.profileContext(name, async () => {
      for (const op of ops) { cp[op](x, x).dispose(); await sleep(30); }
    });
    const a = job('A', ['add', 'mul', 'sub']);
    await sleep(15);
    await Promise.all([a, job('B', ['div', 'maximum', 'minimum'])]);
    cp.disableProfiling();
    const wantMs = cp.profileReport({ format: 'json' }).contexts['A']!.totalTimeMs;
    const file = path.join(dir, 'concurrent.trace.json');
    cp.exportProfile(file, { format: 'chrome' });
    const r = await importInSpeedscope(file);
    assert.deepEqual(r.errors, []);
    assert.equal(r.importer, 'Trace Event Format profile');
    // speedscope opens the first track (main): A and its ops; B and its ops are on B's own track.
    const shown = new Set(r.symbols.map((s) => s.split(' ')[0]));
    for (const n of ['A', 'add', 'mul', 'sub']) assert.ok(shown.has(n), `${n} shown: ${[...shown].join(', ')}`);
    for (const n of ['B', 'div', 'maximum', 'minimum']) assert.ok(!shown.has(n), `${n} is on B's track, not main's`);
    const total = [...r.totals].find(([sym]) => sym.split(' ')[0] === 'A')?.[1] ?? '';
    const m = /^([\d.]+)ms\b/.exec(total); // e.g. "61.23ms (>99%)"
    assert.ok(m, `A's total as shown: ${total}`);
    assert.ok(Math.abs(Number(m[1]) - wantMs) <= 0.01 + 1e-3 * wantMs, `speedscope shows A ${total}, the report ${wantMs} ms`);
  });

  it('a cp.jit fused kernel: each format shows its member lines in speedscope', async () => {
    await cp.setBackend('wasm');
    const fn = cp.jit((t: InstanceType<Corepy['Tensor']>) => {
      const y = t.mul(3); // JIT-MUL
      const z = y.add(1).relu(); // JIT-ADD-RELU
      return z.min(); // JIT-MIN
    }, { name: 'speedscopeFused' });
    const x = cp.tensor(Array.from({ length: 50000 }, (_, i) => i % 13));
    fn(x).dispose(); // traced eagerly, before profiling
    cp.clearProfile();
    cp.enableProfiling();
    for (let i = 0; i < 20; i++) fn(x).dispose();
    cp.disableProfiling();
    x.dispose();
    await cp.setBackend('js');
    const source = readFileSync(new URL(import.meta.url), 'utf8').split('\n');
    const at = (marker: string): string => `${path.basename(new URL(import.meta.url).pathname)}:${source.findIndex((l) => l.includes(marker)) + 1}`;
    const labels = [`mul@${at('// JIT-MUL')}`, `add@${at('// JIT-ADD-RELU')}`, `relu@${at('// JIT-ADD-RELU')}`, `min@${at('// JIT-MIN')}`];
    const kernel = 'fused(mul+add+relu+min)';
    for (const format of ['speedscope', 'chrome', 'folded'] as const) cp.exportProfile(path.join(dir, `fused.${format}`), { format });

    const ss = await importInSpeedscope(path.join(dir, 'fused.speedscope'));
    assert.deepEqual(ss.errors, []);
    assert.ok(ss.symbols.includes(`${kernel} [${labels.join(', ')}]`), ss.symbols.join(' / '));
    // Trace frames are "<name> <args JSON>": the args carry the members and their lines.
    const tr = await importInSpeedscope(path.join(dir, 'fused.chrome'));
    assert.deepEqual(tr.errors, []);
    const traced = tr.symbols.find((sym) => sym.startsWith(`${kernel} `));
    assert.ok(traced, tr.symbols.join(' / '));
    const members = (JSON.parse(traced.slice(kernel.length + 1)) as { fusedMembers: { op: string; file: string; line: number }[] }).fusedMembers;
    assert.deepEqual(members.map((m) => `${m.op}@${path.basename(m.file)}:${m.line}`), labels);
    // Folded: a frame per member under the kernel's.
    const fo = await importInSpeedscope(path.join(dir, 'fused.folded'));
    assert.deepEqual(fo.errors, []);
    for (const l of labels) assert.ok(fo.symbols.includes(l), `${l} in ${fo.symbols.join(', ')}`);
    assert.ok(fo.symbols.includes(kernel));
  });

  it('a malformed file (a close that matches no open frame) is reported as a failed import', async () => {
    const bad = path.join(dir, 'bad.speedscope');
    writeFileSync(bad, JSON.stringify({
      $schema: 'https://www.speedscope.app/file-format-schema.json', shared: { frames: [{ name: 'a' }, { name: 'b' }] },
      profiles: [{ type: 'evented', name: 'x', unit: 'microseconds', startValue: 0, endValue: 2, events: [{ type: 'O', frame: 0, at: 0 }, { type: 'C', frame: 1, at: 2 }] }],
    }));
    const r = await importInSpeedscope(bad);
    assert.ok(r.errors.length > 0, 'speedscope rejected it and the check saw that');
  });
});
