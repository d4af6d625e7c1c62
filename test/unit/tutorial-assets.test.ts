/**
 * tutorials/assets are generated, never hand-made: regenerate them into a temporary folder with
 * the one command (`tutorials/assets/generate.ts`) and check the committed files match what the
 * code makes now — structurally (frames, keys, modules), not byte for byte (times differ).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { architectureHtml, layers } from '../../tutorials/assets/architecture.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const COMMITTED = join(ROOT, 'tutorials', 'assets');

interface Speedscope { $schema: string; exporter: string; shared: { frames: { name: string }[] }; profiles: { type: string }[] }

const readJson = (path: string): Speedscope => JSON.parse(readFileSync(path, 'utf8')) as Speedscope;
const frameNames = (s: Speedscope): string[] => [...new Set(s.shared.frames.map((f) => f.name))].sort();

/** The parts of a self-contained HTML report (runtime/src/export/html.ts) the checks compare. */
interface Report {
  /** The inline renderer (the one `<script>` without a type). */
  renderer: string;
  /** `sha256-…` the CSP pins the renderer to. */
  cspHash: string;
  exporter: string;
  profile: { strings: string[]; slices: { name: number[] } } & Record<string, unknown>;
  /** The document with every script body, the CSP hash and the exporter version blanked. */
  skeleton: string;
}

function readReport(path: string): Report {
  const html = readFileSync(path, 'utf8');
  const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/gi)];
  const inline = scripts.filter(([, attrs]) => !/\btype=/i.test(attrs));
  assert.equal(inline.length, 1, `${path}: one inline renderer script`);
  const json = scripts.find(([, attrs]) => /id="corepy-profile"/.test(attrs));
  assert.ok(json !== undefined, `${path}: embedded profile`);
  const cspHash = /script-src 'sha256-([A-Za-z0-9+/=]+)'/.exec(html)?.[1];
  assert.ok(cspHash !== undefined, `${path}: CSP pins the script by hash`);
  const exporter = /<meta name="exporter" content="([^"]*)">/.exec(html)?.[1] ?? '';
  const skeleton = html.replace(/(<script[^>]*>)[\s\S]*?(<\/script>)/gi, '$1$2')
    .replace(cspHash, 'HASH').replace(/(<meta name="exporter" content="corepy )[^"]*"/, '$1VERSION"');
  return { renderer: inline[0][2], cspHash, exporter, profile: JSON.parse(json[2]) as Report['profile'], skeleton };
}

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('base64');
const sliceNames = (r: Report): string[] => [...new Set(r.profile.slices.name.map((i) => r.profile.strings[i]))].sort();

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(path: string): { width: number; height: number } {
  const b = readFileSync(path);
  assert.deepEqual([...b.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${path} is not a PNG`);
  assert.equal(b.toString('latin1', 12, 16), 'IHDR');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

describe('tutorial assets', function () {
  this.timeout(120_000);
  let out = '';
  before(() => {
    assert.ok(existsSync(join(ROOT, 'runtime', 'dist', 'index.js')), "the generator imports the built 'corepy' package: run `npm run build` first");
    out = mkdtempSync(join(tmpdir(), 'corepy-assets-'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'tutorials/assets/generate.ts', out], { cwd: ROOT, encoding: 'utf8', timeout: 100_000 });
    assert.equal(r.status, 0, `generate.ts failed:\n${r.stdout}${r.stderr}`);
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('example_flamegraph.json is speedscope JSON with the same frames and keys as the code makes now', () => {
    const fresh = readJson(join(out, 'example_flamegraph.json'));
    const committed = readJson(join(COMMITTED, 'example_flamegraph.json'));
    assert.match(fresh.$schema, /speedscope/);
    assert.match(committed.exporter, /^corepy \d/);
    assert.deepEqual(Object.keys(committed).sort(), Object.keys(fresh).sort());
    assert.deepEqual(frameNames(committed), frameNames(fresh), 'regenerate with: npx tsx tutorials/assets/generate.ts');
    for (const name of ['load', 'clean', 'train', 'evaluate', 'gradientStep', 'matmul', 'dropna']) assert.ok(frameNames(fresh).includes(name), name);
  });

  it('sample_report.html is self-contained and shows the same pipeline', () => {
    for (const path of [join(out, 'sample_report.html'), join(COMMITTED, 'sample_report.html')]) {
      const html = readFileSync(path, 'utf8');
      assert.match(html, /^<!doctype html>/i);
      assert.doesNotMatch(html, /<script[^>]+\bsrc=/i, 'no external scripts');
      assert.doesNotMatch(html, /<link[^>]+\bhref=["']?https?:/i, 'no remote stylesheets');
      assert.doesNotMatch(html, /\b(src|href)=["']?https?:\/\//i, 'no remote content');
      for (const name of ['corepy tutorial pipeline', 'gradientStep', 'dropna']) assert.ok(html.includes(name), `${name} in ${path}`);
    }
  });

  it('sample_report.html embeds the renderer the current webview code builds, and the same profile structure', () => {
    const bundlePath = join(ROOT, 'runtime', 'assets', 'flame-report.js');
    assert.ok(existsSync(bundlePath), 'the report renderer is built by scripts/build.d/30-webview.sh: run `npm run build` first');
    // The inline script is the bundle with `</script` and `<!--` neutralised (html.ts scriptSafeJs).
    const bundle = readFileSync(bundlePath, 'utf8').replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
    const fresh = readReport(join(out, 'sample_report.html'));
    const committed = readReport(join(COMMITTED, 'sample_report.html'));
    const regen = 'stale tutorials/assets/sample_report.html: regenerate with `npx tsx tutorials/assets/generate.ts`';
    assert.equal(sha256(fresh.renderer), sha256(bundle), 'the generator embeds runtime/assets/flame-report.js as built now');
    for (const r of [fresh, committed]) assert.equal(r.cspHash, sha256(r.renderer), 'the CSP hash pins the embedded script');
    // Hashes, not the 100+ kB scripts, so a failure prints two short lines.
    assert.equal(sha256(committed.renderer), sha256(bundle), `${regen} (its renderer is not the current bundle)`);
    assert.equal(committed.skeleton, fresh.skeleton, `${regen} (page template differs)`);
    assert.match(committed.exporter, /^corepy \d/);
    assert.deepEqual(Object.keys(committed.profile).sort(), Object.keys(fresh.profile).sort(), `${regen} (profile keys)`);
    assert.deepEqual(sliceNames(committed), sliceNames(fresh), `${regen} (frame names)`);
    for (const name of ['load', 'clean', 'train', 'gradientStep', 'matmul', 'dropna']) assert.ok(sliceNames(fresh).includes(name), name);
  });

  it('architecture_diagram.png is a PNG of the module map the source tree gives now', () => {
    const fresh = pngSize(join(out, 'architecture_diagram.png'));
    const committed = pngSize(join(COMMITTED, 'architecture_diagram.png'));
    assert.equal(committed.width, fresh.width);
    assert.ok(fresh.height > 400, `height ${fresh.height}`);
    // The page rendered is built from the folders: every module appears in it.
    const html = architectureHtml(ROOT);
    const all = layers(ROOT);
    assert.ok(all.find(([t]) => t === 'profiler')![2].includes('session'));
    assert.ok(all.find(([t]) => t === 'corepy front end')![2].includes('csv'));
    for (const [title, , modules] of all) {
      assert.ok(html.includes(title), title);
      for (const m of modules) assert.ok(html.includes(`<li>${m}</li>`), `${title}: ${m}`);
    }
    assert.doesNotMatch(html, /\b(src|href)=/, 'the diagram page loads nothing');
  });
});
