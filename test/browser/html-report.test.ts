/**
 * The self-contained HTML report (runtime/src/export/html.ts): round trip of the embedded
 * profile, `</script` safety, the exporter stamp, and that the file opens from file:// in
 * Chromium with every non-file request aborted and still draws the graph.
 */
import { after, before, describe, it } from 'mocha';
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import type { FlameProfile } from '../../webview/src/protocol.js';
import { artifact, ensureBundles, fixture, launchChromium, ROOT } from './harness.js';

type HtmlOptions = Omit<import('../../runtime/src/export/html.js').HtmlReportOptions, 'renderer'>;
type RenderHtmlReport = (profile: FlameProfile, options?: HtmlOptions) => string;

const TRAIN = fixture('flame-train.json');
const BASELINE = fixture('flame-train-baseline.json');
/** An op name that would end the <script> element if embedded naively. */
const EVIL = '</script><script>window.__pwned=1</script><!--';

function withEvilName(p: FlameProfile): FlameProfile {
  const strings = [...p.strings];
  strings[strings.indexOf('relu')] = EVIL;
  return { ...p, strings };
}

describe('HTML report export', function () {
  this.timeout(60000);
  let renderHtmlReport: RenderHtmlReport;
  let browser: { context: BrowserContext; close: () => Promise<void> };
  let dir: string;

  before(async () => {
    ensureBundles();
    // html.ts is an ES module (runtime/ is "type": "module"): load it with import().
    const html = await import('../../runtime/src/export/html.js');
    const { PACKAGE_ASSETS } = await import('../../runtime/src/export/assets.js');
    // The package's own renderer, as cp.exportProfile and the CLI pass it.
    renderHtmlReport = (profile, options = {}) => html.renderHtmlReport(profile, { ...options, renderer: PACKAGE_ASSETS.flameRenderer() });
    browser = await launchChromium();
    dir = mkdtempSync(path.join(tmpdir(), 'corepy-report-'));
  });
  after(async () => { await browser?.close(); rmSync(dir, { recursive: true, force: true }); });

  it('embeds the profile losslessly with an exporter stamp and no way out of <script>', () => {
    const html = renderHtmlReport(withEvilName(TRAIN), { title: 'Run <1>' });
    const version = (JSON.parse(readFileSync(path.join(ROOT, 'runtime', 'package.json'), 'utf8')) as { version: string }).version;
    assert.ok(html.includes(`<meta name="exporter" content="corepy ${version}">`));
    assert.ok(html.includes('<title>Run &#60;1&#62;</title>'));
    assert.ok(!html.includes('__pwned=1</script>'), 'op name cannot close the script element');
    assert.equal(html.match(/<\/script>/g)?.length, 2, 'exactly the JSON and the renderer script');
    const json = /<script type="application\/json" id="corepy-profile">([^]*?)<\/script>/.exec(html)?.[1];
    assert.deepEqual(JSON.parse(json ?? 'null'), withEvilName(TRAIN), 'round trip');
    assert.ok(!/\b(src|href)\s*=\s*["']?https?:/i.test(html), 'no remote resources referenced');
    assert.ok(/default-src 'none'/.test(html), 'CSP forbids fetching anything');
  });

  it('opens from file:// with the network blocked and draws the graph (compare included)', async () => {
    const file = path.join(dir, 'report.html');
    writeFileSync(file, renderHtmlReport(withEvilName(TRAIN), { compare: BASELINE }));
    const page = await browser.context.newPage();
    page.setDefaultTimeout(10000);
    const blocked: string[] = [];
    const errors: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      blocked.push(url);
      return route.abort();
    });
    await page.addInitScript(`window.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));`);
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => window.__corepyFlame !== undefined);
    const frames = await page.evaluate(() => { window.__corepyFlame!.flush(); return window.__corepyFlame!.drawnFrames(); });
    assert.ok(frames.filter((f) => f.name === 'matmul').length >= 3, 'matmul frames drawn');
    assert.ok(frames.some((f) => f.name === EVIL), 'the hostile name is drawn as text');
    const state = await page.evaluate(() => window.__corepyFlame!.state());
    assert.equal(state.hasCompare, true);
    assert.equal(state.message, null);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.ok(await page.locator(`.cf-ops tr[data-op="${EVIL.replace(/"/g, '\\"')}"]`).count() === 1);
    await page.screenshot({ path: artifact('flame-report.png') });
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp), []);
    assert.deepEqual(blocked, [], 'no network request was attempted');
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('a report of an empty profile shows the message, not a blank page', async () => {
    const file = path.join(dir, 'empty.html');
    writeFileSync(file, renderHtmlReport(fixture('flame-empty.json')));
    const page = await browser.context.newPage();
    page.setDefaultTimeout(10000);
    await page.goto(pathToFileURL(file).href);
    const msg = page.locator('.cf-message');
    await msg.waitFor({ state: 'visible' });
    assert.match(await msg.innerText(), /no slices/);
    await page.close();
  });
});
