/**
 * Flame-graph benchmark in headless Chromium (Debian's, via playwright-core): a generated
 * 100,000-slice profile loaded into the real panel page (out/webview/flame.js, same HTML/CSP as
 * in VS Code, acquireVsCodeApi stubbed).
 *
 *   first paint: from posting the 'load' message inside the page to the end of the first paint
 *                (includes structured clone, validation, model, layout, colours, ops table, paint)
 *   zoom frame:  one wheel event dispatched on the canvas + the paint it causes, measured in the
 *                page, over ZOOM_STEPS steps in then out (deep zoom and back)
 *   hover:       one pointermove on the canvas (hit test + tooltip) + the paint it causes, at full
 *                view, sweeping HOVER_STEPS positions 2 px apart along a CPU row and the GPU track
 *
 * Run (no npm):  node --import tsx webview/bench/flame-bench.ts [nodes] [bundle.js ...]
 * With bundle paths (other builds of webview/src/main-panel.ts, e.g. of an older commit), each
 * is measured beside the current build, page loads interleaved, in one browser; the current
 * build is always the first column. Results: webview/BENCHMARKS.md.
 */
import * as path from 'node:path';
import { ensureBundles, launchChromium, openPanel, ROOT } from '../../test/browser/harness.js';
import { generateProfile } from './profile-builder.js';

const NODES = Number(process.argv[2] ?? 100_000);
const BUNDLES = [path.join(ROOT, 'out', 'webview', 'flame.js'), ...process.argv.slice(3).map((b) => path.resolve(b))];
/** Page loads per bundle (the first one is a cold start); first paint varies ±10 ms between loads. */
const LOADS = 11;
const ZOOM_STEPS = 150;
const HOVER_STEPS = 300;

// In-page code is passed as strings: tsx's keepNames would otherwise inject a `__name` helper
// into the serialised functions, which the page does not have.

/** Posts the stashed profile and resolves with ms from the post to the end of the first paint. */
const FIRST_PAINT = `new Promise((resolve) => {
  const t0 = performance.now();
  window.postMessage({ type: 'load', profile: window.__bench, compare: null }, '*');
  const poll = () => {
    const hook = window.__corepyFlame;
    if (hook !== undefined && hook.stats().paints > 0) resolve(hook.stats().lastPaintEnd - t0);
    else setTimeout(poll, 0);
  };
  poll();
})`;

/** Zooms in for `steps` wheel notches around 37 % across, then back out; ms per event + paint. */
const ZOOM = `(steps) => {
  const canvas = document.querySelector('.cf-flame canvas');
  const r = canvas.getBoundingClientRect();
  const times = [];
  for (let i = 0; i < steps * 2; i++) {
    const ev = new WheelEvent('wheel', { deltaY: i < steps ? -100 : 100, clientX: r.left + r.width * 0.37,
      clientY: r.top + 40, bubbles: true, cancelable: true });
    const t = performance.now();
    canvas.dispatchEvent(ev);
    window.__corepyFlame.flush();
    times.push(performance.now() - t);
  }
  return times;
}`;

/** Moves the pointer 2 px at a time along two rows at full view; ms per event + paint. */
const HOVER = `(steps) => {
  const canvas = document.querySelector('.cf-flame canvas');
  const r = canvas.getBoundingClientRect();
  const bottom = Math.max(...window.__corepyFlame.drawnFrames().map((f) => f.y));
  const times = [];
  for (let i = 0; i < steps; i++) {
    const y = i < steps / 2 ? 3 * 18 + 9 : bottom + 9;
    const ev = new PointerEvent('pointermove', { clientX: r.left + 20 + (i % (steps / 2)) * 2, clientY: r.top + y,
      bubbles: true, cancelable: true });
    const t = performance.now();
    canvas.dispatchEvent(ev);
    window.__corepyFlame.flush();
    times.push(performance.now() - t);
  }
  return times;
}`;

function summary(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return `median ${q(0.5).toFixed(2)} ms, p95 ${q(0.95).toFixed(2)} ms, max ${s[s.length - 1].toFixed(2)} ms (n=${s.length})`;
}

interface Results { firstPaint: number[]; zoom: number[]; hover: number[]; drawn: number }

/** One page load of `bundle`: first paint, and on the first load also hover and zoom. */
async function load(context: Parameters<typeof openPanel>[0], bundle: string, profile: unknown, r: Results): Promise<void> {
  const { page } = await openPanel(context, 'light', bundle);
  await page.setViewportSize({ width: 1280, height: 800 });
  // The profile crosses CDP once, before the clock starts; timing happens inside the page.
  await page.evaluate((p) => { (window as unknown as { __bench: unknown }).__bench = p; }, profile);
  r.firstPaint.push(await page.evaluate(FIRST_PAINT) as number);
  if (r.zoom.length === 0) {
    r.drawn = await page.evaluate(() => window.__corepyFlame!.drawnFrames().length);
    r.hover.push(...await page.evaluate(`(${HOVER})(${HOVER_STEPS})`) as number[]);
    r.zoom.push(...await page.evaluate(`(${ZOOM})(${ZOOM_STEPS})`) as number[]);
  }
  await page.close();
}

async function main(): Promise<void> {
  ensureBundles();
  const profile = generateProfile(NODES);
  const browser = await launchChromium();
  const results: Results[] = BUNDLES.map(() => ({ firstPaint: [], zoom: [], hover: [], drawn: 0 }));
  try {
    for (let run = 0; run < LOADS; run++) {
      // Alternate the order so neither build always runs right after the other.
      const order = BUNDLES.map((_, i) => i);
      if (run % 2 === 1) order.reverse();
      for (const i of order) await load(browser.context, BUNDLES[i], profile, results[i]);
    }
  } finally {
    await browser.close();
  }
  console.log(`profile: ${profile.slices.name.length} slices; frames drawn individually at full view: ${results[0].drawn}`);
  BUNDLES.forEach((b, i) => {
    const r = results[i];
    if (BUNDLES.length > 1) console.log(i === 0 ? 'current build:' : `${path.relative(process.cwd(), b)}:`);
    console.log(`first paint: ${summary(r.firstPaint)}`);
    console.log(`zoom frame:  ${summary(r.zoom)}`);
    console.log(`hover:       ${summary(r.hover)}`);
  });
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
