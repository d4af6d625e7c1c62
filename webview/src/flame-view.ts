/**
 * The interactive canvas: owns the {@link Viewport}, maps wheel / drag / click / keys onto
 * viewport.ts, schedules paints on animation frames, hit-tests frames for the tooltip, and
 * reports Ctrl/Cmd+click. Knows nothing about messages or persistence (app.ts does).
 */
import { frameAtRow, prepareHitTest, type FlameLayout } from './layout.js';
import type { FlameProfile } from './protocol.js';
import type { PathDiff } from './compare.js';
import { render, type Paint, type RenderOutput, type RenderScratch } from './render.js';
import type { Theme } from './theme.js';
import { tooltipLines } from './tooltip.js';
import { clampView, focusOn, fullView, panBy, zoomAt, type Bounds, type Viewport } from './viewport.js';

/** What the view draws; replaced as a whole when the view mode, filter, search or theme changes. */
export interface ViewModel {
  readonly layout: FlameLayout;
  readonly profile: FlameProfile;
  readonly paint: Paint;
  /** Paint buffers for this layout and palette (render.ts `renderScratch`); no paint allocates per frame. */
  readonly scratch: RenderScratch;
  readonly match: Uint8Array | null;
  readonly diff: PathDiff | null;
  readonly theme: Theme;
  /** Row height, CSS px. */
  readonly rowPx: number;
  readonly canReveal: boolean;
}

export interface ViewCallbacks {
  /** The viewport changed (zoom, pan, scroll): persist it. */
  onViewport(v: Viewport): void;
  /** Ctrl/Cmd+click on frame `f` of the current layout. */
  onReveal(f: number): void;
}

/** Runs `fn` when the page is idle (requestIdleCallback; a timer where that is missing, e.g. Safari). */
function whenIdle(fn: () => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(fn);
  else setTimeout(fn, 0);
}

/** Wheel delta (px) that zooms by a factor of e. */
const WHEEL_PX_PER_E = 500;
/** Pointer travel (px) before a press becomes a drag instead of a click. */
const DRAG_SLOP_PX = 3;

export class FlameView {
  private current: ViewModel | null = null;
  private view: Viewport = { x0: 0, x1: 1, scrollY: 0 };
  private hover = -1;
  /** Frame whose lines the tooltip holds (-1 none) and its measured size, CSS px. */
  private tipFrame = -1;
  private tipW = 0;
  private tipH = 0;
  private pending = false;
  /** Layout whose hit-test index is built or scheduled to be built in idle time. */
  private indexed: FlameLayout | null = null;
  private widthPx = 0;
  private heightPx = 0;
  /** Output of the last paint (for the debug hook) and paint timings, ms. */
  last: RenderOutput | null = null;
  paints = 0;
  lastPaintMs = 0;
  /** performance.now() when the last paint finished, ms. */
  lastPaintEnd = 0;

  constructor(
    private readonly host: HTMLElement, private readonly canvas: HTMLCanvasElement,
    private readonly tooltip: HTMLElement, private readonly cb: ViewCallbacks,
  ) {
    new ResizeObserver(() => this.invalidate()).observe(host);
    canvas.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    canvas.addEventListener('pointerdown', (e) => this.onPointerDown(e));
    canvas.addEventListener('pointermove', (e) => this.onHover(e));
    canvas.addEventListener('pointerleave', () => this.setHover(-1, 0, 0));
    host.addEventListener('keydown', (e) => this.onKey(e));
  }

  get viewport(): Viewport { return this.view; }

  /** The model being drawn, or null before the first load. */
  model(): ViewModel | null { return this.current; }

  /** Installs a new model; `view` restores a saved viewport (clamped), null fits the whole. */
  setModel(model: ViewModel, view: Viewport | null): void {
    this.current = model;
    this.hover = -1;
    this.tipFrame = -1;
    this.tooltip.hidden = true;
    this.measure();
    this.view = view === null ? fullView(this.bounds()) : clampView(view, this.bounds());
    this.invalidate();
  }

  /** Sets the viewport (e.g. reset) and repaints. */
  setViewport(v: Viewport | null): void {
    if (this.current === null) return;
    this.view = v === null ? fullView(this.bounds()) : clampView(v, this.bounds());
    this.cb.onViewport(this.view);
    this.invalidate();
  }

  /** Schedules a paint on the next animation frame (many changes, one paint). */
  invalidate(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => this.flush());
  }

  /** Paints now if a paint is pending. */
  flush(): void {
    if (!this.pending) return;
    this.pending = false;
    const m = this.current;
    if (m === null) return;
    this.measure();
    const dpr = window.devicePixelRatio || 1;
    const ctx = this.canvas.getContext('2d', { alpha: false });
    if (ctx === null) return;
    const t0 = performance.now();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.last = render({
      ctx, layout: m.layout, strings: m.profile.strings, paint: m.paint, scratch: m.scratch, view: this.view,
      widthPx: this.widthPx, heightPx: this.heightPx, rowPx: m.rowPx, theme: m.theme, match: m.match, hover: this.hover,
    });
    this.lastPaintEnd = performance.now();
    this.lastPaintMs = this.lastPaintEnd - t0;
    this.paints++;
    // The hit-test index is built lazily so it stays out of the first paint; build it once the
    // page is idle so the first pointermove does not pay for it either.
    if (this.indexed !== m.layout) {
      const L = this.indexed = m.layout;
      whenIdle(() => { if (this.current?.layout === L) prepareHitTest(L); });
    }
  }

  private measure(): void {
    const w = Math.max(1, this.host.clientWidth), h = Math.max(1, this.host.clientHeight);
    const dpr = window.devicePixelRatio || 1;
    if (w === this.widthPx && h === this.heightPx && this.canvas.width === Math.round(w * dpr)) return;
    this.widthPx = w; this.heightPx = h;
    // Backing store at device pixels so text and 1 px edges stay sharp; CSS size via inset: 0.
    this.canvas.width = Math.round(w * dpr); this.canvas.height = Math.round(h * dpr);
    if (this.current !== null) this.view = clampView(this.view, this.bounds());
  }

  private bounds(): Bounds {
    const L = this.current!.layout;
    return { x0: L.x0, x1: L.x1, maxScrollY: Math.max(0, L.rows * this.current!.rowPx + 4 - this.heightPx) };
  }

  private change(v: Viewport): void {
    this.view = v;
    this.cb.onViewport(v);
    this.invalidate();
  }

  /** Frame under CSS px (px, py) of the canvas, or -1. */
  frameAt(px: number, py: number): number {
    const m = this.current;
    if (m === null) return -1;
    const d = Math.floor((py + this.view.scrollY) / m.rowPx);
    const t = this.view.x0 + (px / this.widthPx) * (this.view.x1 - this.view.x0);
    // Half a pixel of slack so frames thinner than a pixel can still be hovered.
    const slack = (0.5 / this.widthPx) * (this.view.x1 - this.view.x0);
    return frameAtRow(m.layout, d, t, slack);
  }

  private onWheel(e: WheelEvent): void {
    if (this.current === null) return;
    e.preventDefault();
    const rect = this.canvas.getBoundingClientRect();
    const b = this.bounds();
    if (e.shiftKey) this.change(panBy(this.view, 0, e.deltaY, b));
    else if (Math.abs(e.deltaX) > Math.abs(e.deltaY)) this.change(panBy(this.view, e.deltaX / this.widthPx, 0, b));
    else this.change(zoomAt(this.view, Math.exp(e.deltaY / WHEEL_PX_PER_E), (e.clientX - rect.left) / this.widthPx, b));
  }

  private onPointerDown(e: PointerEvent): void {
    if (this.current === null || e.button !== 0) return;
    const startX = e.clientX, startY = e.clientY, start = this.view;
    let dragging = false;
    const move = (ev: PointerEvent) => {
      const dx = ev.clientX - startX, dy = ev.clientY - startY;
      if (!dragging && Math.hypot(dx, dy) < DRAG_SLOP_PX) return;
      dragging = true;
      this.canvas.classList.add('cf-grab');
      this.change(panBy(start, -dx / this.widthPx, -dy, this.bounds()));
    };
    const up = (ev: PointerEvent) => {
      this.canvas.removeEventListener('pointermove', move);
      this.canvas.removeEventListener('pointerup', up);
      this.canvas.classList.remove('cf-grab');
      if (this.canvas.hasPointerCapture(ev.pointerId)) this.canvas.releasePointerCapture(ev.pointerId);
      if (!dragging) this.onClick(ev);
    };
    this.canvas.setPointerCapture(e.pointerId);
    this.canvas.addEventListener('pointermove', move);
    this.canvas.addEventListener('pointerup', up);
  }

  private onClick(e: PointerEvent): void {
    const rect = this.canvas.getBoundingClientRect();
    const f = this.frameAt(e.clientX - rect.left, e.clientY - rect.top);
    if (f < 0) return;
    if (e.ctrlKey || e.metaKey) { this.cb.onReveal(f); return; }
    const L = this.current!.layout;
    this.change(focusOn(this.view, L.x[f], L.w[f], this.bounds()));
  }

  private onHover(e: PointerEvent): void {
    if (e.buttons !== 0) return;
    const rect = this.canvas.getBoundingClientRect();
    const px = e.clientX - rect.left, py = e.clientY - rect.top;
    this.setHover(this.frameAt(px, py), px, py);
  }

  private setHover(f: number, px: number, py: number): void {
    const m = this.current;
    if (f !== this.hover) { this.hover = f; this.invalidate(); }
    if (m === null || f < 0) { this.tooltip.hidden = true; return; }
    // Rebuild (and measure, which forces a layout) only when the frame changes; moving within
    // the same frame just moves the box.
    if (f !== this.tipFrame || this.tooltip.hidden) {
      const lines = tooltipLines(m.layout, f, m.profile, m.diff, m.canReveal);
      this.tooltip.replaceChildren(...lines.map((l) => { const d = document.createElement('div'); d.textContent = l; return d; }));
      this.tooltip.hidden = false;
      this.tipFrame = f;
      this.tipW = this.tooltip.offsetWidth; this.tipH = this.tooltip.offsetHeight;
    }
    // Keep the tooltip inside the view: flip left/up near the right/bottom edges.
    const tw = this.tipW, th = this.tipH;
    this.tooltip.style.left = `${px + 14 + tw > this.widthPx ? Math.max(0, px - tw - 10) : px + 14}px`;
    this.tooltip.style.top = `${py + 16 + th > this.heightPx ? Math.max(0, py - th - 8) : py + 16}px`;
  }

  private onKey(e: KeyboardEvent): void {
    if (this.current === null || e.altKey || e.ctrlKey || e.metaKey) return;
    const b = this.bounds();
    const row = this.current.rowPx * 3;
    const steps: Record<string, () => Viewport> = {
      ArrowLeft: () => panBy(this.view, -0.1, 0, b),
      ArrowRight: () => panBy(this.view, 0.1, 0, b),
      ArrowUp: () => panBy(this.view, 0, -row, b),
      ArrowDown: () => panBy(this.view, 0, row, b),
      '+': () => zoomAt(this.view, 0.8, 0.5, b),
      '=': () => zoomAt(this.view, 0.8, 0.5, b),
      '-': () => zoomAt(this.view, 1.25, 0.5, b),
      '0': () => fullView(b),
    };
    const step = steps[e.key];
    if (step === undefined) return;
    e.preventDefault();
    this.change(step());
  }
}
