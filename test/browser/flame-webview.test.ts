/**
 * The flame-graph panel page (out/webview/flame.js) in Debian's Chromium, served with the exact
 * HTML and CSP the extension uses and a stubbed acquireVsCodeApi. Fixtures: test/fixtures/
 * flame-train*.json (made by make-flame-fixtures.ts).
 */
import { after, afterEach, before, describe, it } from 'mocha';
import * as assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import {
  artifact, centreOf, drawn, ensureBundles, fixture, flameState, launchChromium, openPanel, readLog, send, type PageLog,
} from './harness.js';

const TRAIN = fixture('flame-train.json');
const BASELINE = fixture('flame-train-baseline.json');
const OPS = ['data_load', 'fromArray', 'reshape', 'train_step', 'forward', 'matmul', 'add', 'relu', 'sum'];

/** #rrggbb → [r, g, b]. */
const rgb = (c: string) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));

describe('flame graph webview (Chromium)', function () {
  this.timeout(60000);
  let browser: { context: BrowserContext; close: () => Promise<void> };
  let page: Page;
  let log: PageLog;

  before(async () => { ensureBundles(); browser = await launchChromium(); });
  after(async () => { await browser?.close(); });

  async function open(theme: 'light' | 'dark' = 'light', compare = false): Promise<void> {
    ({ page, log } = await openPanel(browser.context, theme));
    await send(page, { type: 'load', profile: TRAIN, compare: compare ? BASELINE : null });
  }

  /** Loads `profile` in a fresh panel (TRAIN by default), hovers the first drawn frame named `name` and returns the visible tooltip. */
  async function hoverTooltip(name: string, profile: unknown = TRAIN, kind?: number) {
    ({ page, log } = await openPanel(browser.context, 'light'));
    await send(page, { type: 'load', profile, compare: null });
    const frame = (await drawn(page)).find((f) => f.name === name && (kind === undefined || f.kind === kind))!;
    const c = await centreOf(page, frame);
    await page.mouse.move(c.x, c.y);
    const tip = page.locator('.cf-tooltip');
    await tip.waitFor({ state: 'visible' });
    return tip;
  }

  afterEach(async function () {
    if (page === undefined || page.isClosed()) return;
    await readLog(page, log);
    await page.close();
    // Every test doubles as a CSP check: the page must never trip its own policy.
    assert.deepEqual(log.csp, [], 'CSP violations');
    assert.deepEqual(log.errors, [], 'page errors');
  });

  it('draws a frame for every op of the fixture, in time order, after saying ready', async () => {
    await open();
    const frames = await drawn(page);
    for (const op of OPS) assert.ok(frames.some((f) => f.name === op), `missing ${op}`);
    assert.equal(frames.filter((f) => f.name === 'matmul' && f.kind === 2).length, 3);
    assert.equal(frames.filter((f) => f.kind === 3).length, 3, 'GPU track');
    await readLog(page, log);
    assert.equal(log.posted[0]?.type, 'ready');
    assert.ok(!log.posted.some((m) => m.type === 'error'));
  });

  it('left-heavy view merges identical stacks (chosen with the vscode-single-select)', async () => {
    await open();
    await page.locator('vscode-single-select.cf-view').click();
    await page.getByRole('option', { name: 'Left heavy' }).click();
    assert.equal((await flameState(page)).view, 'leftHeavy');
    const frames = await drawn(page);
    const matmul = frames.filter((f) => f.name === 'matmul');
    assert.equal(matmul.length, 1);
    assert.equal(matmul[0].totalMs, 9);
    assert.ok(frames.every((f) => f.kind !== 3), 'no GPU track in left heavy');
    // Heaviest first: train_step (3 × 3.84 ms) left of data_load.
    const x = (n: string) => frames.find((f) => f.name === n)!.x;
    assert.ok(x('train_step') < x('data_load'));
  });

  it('wheel, keys, click and drag change what is drawn', async () => {
    await open();
    const before = await drawn(page);
    const matmul0 = before.find((f) => f.name === 'matmul')!;
    const at = await centreOf(page, matmul0);
    await page.mouse.move(at.x, at.y);
    await page.mouse.wheel(0, -800);
    const zoomed = await drawn(page);
    const m1 = zoomed.find((f) => f.name === 'matmul')!;
    assert.ok(m1.width > matmul0.width * 2, `zoom widened matmul ${matmul0.width} -> ${m1.width}`);
    assert.ok(zoomed.length < before.length, 'fewer frames in view after zooming in');
    await page.locator('.cf-flame').focus();
    await page.keyboard.press('0');
    assert.equal((await drawn(page)).length, before.length, '0 resets');
    const w0 = (await flameState(page)).window;
    await page.keyboard.press('+');
    const w1 = (await flameState(page)).window;
    assert.ok(w1.x1 - w1.x0 < w0.x1 - w0.x0, '+ zooms in');
    await page.keyboard.press('ArrowRight');
    const w2 = (await flameState(page)).window;
    assert.ok(w2.x0 > w1.x0, 'ArrowRight pans right');
    await page.keyboard.press('-');
    await page.keyboard.press('0');
    // Click a frame: zooms to it.
    const sum = (await drawn(page)).find((f) => f.name === 'sum')!;
    const c = await centreOf(page, sum);
    await page.mouse.click(c.x, c.y);
    const afterClick = await drawn(page);
    const sumNow = afterClick.find((f) => f.name === 'sum' && f.x > -1)!;
    assert.ok(sumNow.width > 900, `clicked frame fills the view (${sumNow.width}px)`);
    // Drag pans.
    const win = (await flameState(page)).window;
    await page.mouse.move(c.x, c.y);
    await page.mouse.down();
    await page.mouse.move(c.x - 200, c.y, { steps: 4 });
    await page.mouse.up();
    assert.ok((await flameState(page)).window.x0 > win.x0, 'dragging left pans right');
  });

  it('regex search highlights matches and shows their total time', async () => {
    await open();
    const plain = await drawn(page);
    await page.locator('vscode-textfield.cf-search').click();
    await page.keyboard.type('^(add|relu)$');
    const st = await flameState(page);
    assert.equal(st.searchInfo, '6 matches · 1.860 ms');
    const frames = await drawn(page);
    assert.deepEqual([...new Set(frames.filter((f) => f.matched).map((f) => f.name))].sort(), ['add', 'relu']);
    const colourOf = (fs: typeof frames, n: string) => fs.find((f) => f.name === n)!.color;
    assert.notEqual(colourOf(frames, 'matmul'), colourOf(plain, 'matmul'), 'non-matches are dimmed');
    assert.equal(colourOf(frames, 'add'), colourOf(plain, 'add'), 'matches keep their colour');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('(');
    assert.equal((await flameState(page)).searchInfo, 'invalid regex');
  });

  it('tooltip shows op, self/total ms, % of wall time, count, backend and file:line', async () => {
    const text = await (await hoverTooltip('matmul', TRAIN, 2)).innerText();
    assert.match(text, /^matmul \(op\)$/m);
    assert.match(text, /self 3\.000 ms · total 3\.000 ms \(25\.3 % of wall time\)/);
    assert.match(text, /count 1 · backend webgpu/);
    assert.match(text, /01_profiling_basics\/train\.ts:32/);
  });

  it('a function of the call stack counts runs, not calls, as the ops table does (audit 28)', async () => {
    // The fixture's forward as a function of the user's stack: a Function slice with a location (where it starts).
    const p = structuredClone(TRAIN);
    const fwd = p.strings.indexOf('forward'), at = p.slices.location.find((l) => l >= 0)!;
    p.slices.name.forEach((n, i) => { if (n === fwd) { p.slices.kind[i] = 1; p.slices.location[i] = at; } });
    const tip = await hoverTooltip('forward', p);
    assert.match(await tip.innerText(), /^\d+ runs? \(stretches of ops with it on the stack, not calls\) · backend /m);
    assert.doesNotMatch(await tip.innerText(), /^count /m);
  });

  it('a long tooltip line wraps inside the tooltip, none cut off (audit 27 F6: a merged function\'s note)', async () => {
    // The fixture's forward, named as a run that may merge calls: its tooltip carries the long "calls unknown" note.
    const merged = structuredClone(TRAIN);
    merged.strings = merged.strings.map((n) => (n === 'forward' ? 'forward [may be several calls]' : n));
    const tip = await hoverTooltip('forward [may be several calls]', merged);
    assert.match(await tip.innerText(), /calls unknown: .*the count is a lower bound; the time between them is under "\(…: loop or next call\)", not its self/s);
    const fits = await tip.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth, inView: el.getBoundingClientRect().right <= window.innerWidth + 1 }));
    assert.ok(fits.scroll <= fits.client, `tooltip content ${fits.scroll} px wide in ${fits.client} px`);
    assert.ok(fits.inView, 'the tooltip stays inside the panel');
  });

  it('dropped events: a notice line of its own under a long title, hidden when none were dropped (audit 27 F7)', async () => {
    ({ page, log } = await openPanel(browser.context, 'light'));
    const long = { ...structuredClone(TRAIN), title: '/tmp/a/very/long/workspace/folder/name/that/fills/the/toolbar/longloop.ts', droppedEvents: 412176 };
    await send(page, { type: 'load', profile: long, compare: null });
    const notice = page.locator('.cf-dropped');
    await notice.waitFor({ state: 'visible' });
    assert.match(await notice.innerText(), /^Older events were dropped from the profiler's ring \(412,176\): the graph and this table show the ops it kept, the last of the run; the report and the editor's line timings count every op\./);
    const fits = await notice.evaluate((el) => el.scrollWidth <= el.clientWidth);
    assert.ok(fits, 'the notice is not cut off');
    assert.equal(await page.locator('.cf-title').innerText(), long.title);
    await send(page, { type: 'load', profile: TRAIN, compare: null });
    await notice.waitFor({ state: 'hidden' });
  });

  it('tooltip is rebuilt only when the hovered frame changes; within a frame it only moves', async () => {
    await open();
    const frames = await drawn(page);
    const matmul = frames.find((f) => f.name === 'matmul' && f.kind === 2)!;
    const relu = frames.find((f) => f.name === 'relu')!;
    const c = await centreOf(page, matmul);
    await page.mouse.move(c.x, c.y);
    const tip = page.locator('.cf-tooltip');
    await tip.waitFor({ state: 'visible' });
    // Tag the current line nodes: a rebuild would replace them with untagged ones.
    await tip.evaluate((el) => { for (const d of el.children) (d as HTMLElement).dataset.probe = '1'; });
    const left0 = await tip.evaluate((el) => el.style.left);
    await page.mouse.move(c.x + 3, c.y + 2);
    await page.mouse.move(c.x - 2, c.y + 1);
    assert.equal(await tip.evaluate((el) => [...el.children].every((d) => (d as HTMLElement).dataset.probe === '1')), true, 'same frame: not rebuilt');
    assert.notEqual(await tip.evaluate((el) => el.style.left), left0, 'same frame: repositioned');
    assert.match(await tip.innerText(), /^matmul \(op\)$/m);
    const r = await centreOf(page, relu);
    await page.mouse.move(r.x, r.y);
    assert.match(await tip.innerText(), /^relu \(op\)$/m);
    assert.equal(await tip.evaluate((el) => [...el.children].some((d) => (d as HTMLElement).dataset.probe === '1')), false, 'new frame: rebuilt');
  });

  it('a pointermove in the same task as the load hits the right frame (hit-test index built on demand)', async () => {
    ({ page, log } = await openPanel(browser.context));
    // Load, paint and hover inside the task that delivers the message, so the index build that
    // flame-view.ts schedules for idle time cannot have run: frameAtRow has to build it itself.
    const text = await page.evaluate((profile) => new Promise<string>((resolve) => {
      window.addEventListener('message', () => {
        const hook = window.__corepyFlame!;
        hook.flush();
        const f = hook.drawnFrames().find((d) => d.name === 'matmul' && d.kind === 2)!;
        const canvas = document.querySelector('.cf-flame canvas')!, r = canvas.getBoundingClientRect();
        canvas.dispatchEvent(new PointerEvent('pointermove', {
          clientX: r.left + Math.max(f.x, 0) + 1, clientY: r.top + f.y + f.height / 2, bubbles: true,
        }));
        resolve((document.querySelector('.cf-tooltip') as HTMLElement).innerText);
      }, { once: true });
      window.postMessage({ type: 'load', profile, compare: null }, '*');
    }), TRAIN);
    assert.match(text, /^matmul \(op\)$/m);
  });

  it('Ctrl+click posts revealSource with the frame location', async () => {
    await open();
    const relu = (await drawn(page)).find((f) => f.name === 'relu')!;
    const c = await centreOf(page, relu);
    const win = (await flameState(page)).window;
    await page.keyboard.down('Control');
    await page.mouse.click(c.x, c.y);
    await page.keyboard.up('Control');
    await readLog(page, log);
    assert.deepEqual(log.posted.filter((m) => m.type === 'revealSource'), [
      { type: 'revealSource', file: '/work/project/tutorials/01_profiling_basics/train.ts', line: 34, column: 12 },
    ]);
    assert.deepEqual((await flameState(page)).window, win, 'Ctrl+click does not zoom');
  });

  it('compare mode colours the matmul regression red and the relu speed-up blue, with a legend', async () => {
    await open('light', true);
    assert.ok(await page.locator('.cf-legend').isVisible());
    const frames = await drawn(page);
    const [mr, mg, mb] = rgb(frames.find((f) => f.name === 'matmul' && f.kind === 2)!.color);
    assert.ok(mr > mb + 80 && mr > mg + 80, `matmul is red (${mr},${mg},${mb})`);
    const [rr, , rb] = rgb(frames.find((f) => f.name === 'relu')!.color);
    assert.ok(rb > rr + 60, `relu is blue (${rr},${rb})`);
    const [ar, ag, ab] = rgb(frames.find((f) => f.name === 'add')!.color);
    assert.ok(Math.max(ar, ag, ab) - Math.min(ar, ag, ab) < 10, 'unchanged add is grey');
    await page.locator('vscode-checkbox.cf-compare').click();
    assert.equal((await flameState(page)).compareOn, false);
    assert.ok(!(await page.locator('.cf-legend').isVisible()));
  });

  it('context filter shows only slices inside the chosen context', async () => {
    await open();
    await page.locator('vscode-single-select.cf-context').click();
    await page.getByRole('option', { name: 'data_load' }).click();
    const names = new Set((await drawn(page)).map((f) => f.name));
    assert.deepEqual([...names].sort(), ['data_load', 'fromArray', 'reshape']);
  });

  it('ops table sorts by self, total and name', async () => {
    await open();
    const firstOp = () => page.locator('.cf-ops tbody tr').first().getAttribute('data-op');
    assert.equal(await firstOp(), 'matmul', 'default: self time, descending');
    await page.locator('.cf-ops th button[data-sort="name"]').click();
    assert.equal(await firstOp(), 'add');
    await page.locator('.cf-ops th button[data-sort="totalUs"]').click();
    assert.equal(await firstOp(), 'forward');
    // A function's count is its runs on the timeline, not its calls (audit 26 F3); an op's is its calls.
    const countOf = (op: string) => page.locator(`.cf-ops tbody tr[data-op="${op}"] td`).nth(1);
    assert.match((await countOf('forward').textContent()) ?? '', /^\d+ runs?$/);
    assert.match((await countOf('forward').getAttribute('title')) ?? '', /^Runs on the timeline, not calls/);
    assert.match((await countOf('matmul').textContent()) ?? '', /^\d+$/);
    await page.locator('.cf-ops tbody tr[data-op="relu"]').click();
    assert.equal((await flameState(page)).search, '^relu$', 'clicking a row searches for it');
  });

  it('view mode, zoom and search survive a reload (hide/show) through getState', async () => {
    await open();
    await page.locator('.cf-flame').focus();
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    await page.locator('vscode-textfield.cf-search').click();
    await page.keyboard.type('matmul');
    const before = await flameState(page);
    await page.reload();
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
    await send(page, { type: 'load', profile: TRAIN, compare: null });
    const after = await flameState(page);
    assert.equal(after.search, 'matmul');
    assert.deepEqual(after.window, before.window);
    assert.equal(await page.locator('vscode-textfield.cf-search').evaluate((e) => (e as HTMLInputElement).value), 'matmul');
  });

  for (const [what, profile, expect] of [
    ['malformed', fixture('flame-malformed.json'), /bad parent index/],
    ['empty', fixture('flame-empty.json'), /no slices/],
    ['non-object', 42, /not an object/],
  ] as const) {
    it(`${what === 'empty' ? 'an' : 'a'} ${what} profile shows a clear message and reports an error`, async () => {
      ({ page, log } = await openPanel(browser.context));
      await send(page, { type: 'load', profile, compare: null });
      const msg = page.locator('.cf-message');
      await msg.waitFor({ state: 'visible' });
      assert.match(await msg.innerText(), expect);
      assert.ok(!(await page.locator('#cf-root').isVisible()), 'graph hidden');
      await readLog(page, log);
      assert.ok(log.posted.some((m) => m.type === 'error' && expect.test(m.message)));
    });
  }

  it('a settings message forces high contrast: black background, outlined frames', async () => {
    await open();
    await send(page, { type: 'settings', settings: { theme: 'high-contrast' } });
    // The page's own --vscode-editor-background (light) still wins, as it would inside VS Code;
    // without it the high-contrast fallbacks apply.
    await page.evaluate(() => { document.documentElement.style.removeProperty('--vscode-editor-background'); document.documentElement.style.removeProperty('--vscode-editor-foreground'); });
    await send(page, { type: 'settings', settings: { theme: 'high-contrast' } });
    assert.equal(await page.evaluate(() => document.documentElement.dataset.cfTheme), 'high-contrast');
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(0, 0, 0)');
    await page.screenshot({ path: artifact('flame-high-contrast.png') });
    assert.ok((await drawn(page)).length > 0);
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`renders readably in the ${theme} theme (screenshot in test-artifacts/)`, async () => {
      await open(theme, theme === 'dark');
      await drawn(page);
      const file = artifact(`flame-${theme}.png`);
      await page.screenshot({ path: file });
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.equal(bg, theme === 'light' ? 'rgb(255, 255, 255)' : 'rgb(31, 31, 31)');
      // Frames must contrast with the background: luminance gap between any op frame and it.
      const lum = (c: string) => rgb(c).reduce((a, v) => a + v, 0) / 3;
      const frames = (await drawn(page)).filter((f) => f.kind === 2);
      const bgLum = theme === 'light' ? 255 : 31;
      assert.ok(frames.every((f) => Math.abs(lum(f.color) - bgLum) > 40), 'frames stand out from the background');
    });
  }
});
