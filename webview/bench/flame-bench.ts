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
 * Run (no npm):  node --import tsx webview/bench/flame-bench.ts [nodes]
 * Results: webview/BENCHMARKS.md.
 */
import { ensureBundles, launchChromium, openPanel } from '../../test/browser/harness.js';
import { generateProfile } from './profile-builder.js';

const NODES = Number(process.argv[2] ?? 100_000);
const LOADS = 5;
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

async function main(): Promise<void> {
  ensureBundles();
  const profile = generateProfile(NODES);
  const browser = await launchChromium();
  const firstPaint: number[] = [];
  const zoom: number[] = [];
  const hover: number[] = [];
  let drawn = 0;
  try {
    for (let run = 0; run < LOADS; run++) {
      const { page } = await openPanel(browser.context);
      await page.setViewportSize({ width: 1280, height: 800 });
      // The profile crosses CDP once, before the clock starts; timing happens inside the page.
      await page.evaluate((p) => { (window as unknown as { __bench: unknown }).__bench = p; }, profile);
      firstPaint.push(await page.evaluate(FIRST_PAINT) as number);
      if (run === 0) {
        drawn = await page.evaluate(() => window.__corepyFlame!.drawnFrames().length);
        hover.push(...await page.evaluate(`(${HOVER})(${HOVER_STEPS})`) as number[]);
        zoom.push(...await page.evaluate(`(${ZOOM})(${ZOOM_STEPS})`) as number[]);
      }
      await page.close();
    }
  } finally {
    await browser.close();
  }
  console.log(`profile: ${profile.slices.name.length} slices; frames drawn individually at full view: ${drawn}`);
  console.log(`first paint: ${summary(firstPaint)}`);
  console.log(`zoom frame:  ${summary(zoom)}`);
  console.log(`hover:       ${summary(hover)}`);
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
