/**
 * Zoom / pan arithmetic for the flame view. Pure functions over a {@link Viewport}; the UI maps
 * mouse and keyboard input onto these. The x window is in layout µs; scroll is in CSS px.
 */

/** What part of the layout is visible. */
export interface Viewport {
  /** Visible x window, µs on the layout axis (x0 < x1). */
  readonly x0: number;
  readonly x1: number;
  /** Vertical scroll, CSS px from the top row. */
  readonly scrollY: number;
}

/** The layout's x extent and content height, which every operation clamps to. */
export interface Bounds {
  /** Extent, µs. */
  readonly x0: number;
  readonly x1: number;
  /** Content height minus view height, CSS px (≥ 0). */
  readonly maxScrollY: number;
}

/** Narrowest window allowed, as a fraction of the extent: deep zoom without float trouble. */
const MIN_FRACTION = 1e-7;

/** The whole profile, scrolled to the top. */
export function fullView(b: Bounds): Viewport {
  return { x0: b.x0, x1: b.x1, scrollY: 0 };
}

/** Keeps the window inside the extent and the scroll inside the content. */
export function clampView(v: Viewport, b: Bounds): Viewport {
  const extent = b.x1 - b.x0;
  let w = Math.min(Math.max(v.x1 - v.x0, extent * MIN_FRACTION), extent);
  if (!(w > 0)) w = extent;
  let x0 = Math.min(Math.max(v.x0, b.x0), b.x1 - w);
  if (!Number.isFinite(x0)) x0 = b.x0;
  const scrollY = Math.min(Math.max(v.scrollY, 0), b.maxScrollY);
  return { x0, x1: x0 + w, scrollY };
}

/**
 * Zooms by `factor` (< 1 zooms in) keeping the point at `anchor` (0..1 across the view width)
 * fixed under the cursor.
 */
export function zoomAt(v: Viewport, factor: number, anchor: number, b: Bounds): Viewport {
  const w = v.x1 - v.x0;
  const at = v.x0 + w * anchor;
  const nw = w * factor;
  return clampView({ x0: at - nw * anchor, x1: at - nw * anchor + nw, scrollY: v.scrollY }, b);
}

/** Pans by a fraction of the view width (positive = right) and by CSS px vertically. */
export function panBy(v: Viewport, dxFraction: number, dyPx: number, b: Bounds): Viewport {
  const dx = (v.x1 - v.x0) * dxFraction;
  return clampView({ x0: v.x0 + dx, x1: v.x1 + dx, scrollY: v.scrollY + dyPx }, b);
}

/** Fits the window to [x, x + w] µs with a small margin, keeping the scroll. */
export function focusOn(v: Viewport, x: number, w: number, b: Bounds): Viewport {
  const pad = w * 0.02;
  return clampView({ x0: x - pad, x1: x + w + pad, scrollY: v.scrollY }, b);
}

/** Converts a layout x (µs) to a CSS px offset within a view `widthPx` wide. */
export function toPx(v: Viewport, x: number, widthPx: number): number {
  return ((x - v.x0) / (v.x1 - v.x0)) * widthPx;
}
