/**
 * Step 3 of model → layout → render: paint the visible part of a {@link FlameLayout} on a
 * viewport-sized canvas. Frames narrower than a pixel are coalesced per row into one grey run,
 * rectangles are batched per colour (one fill per colour), and labels are drawn only where they
 * fit, so a paint costs O(frames) arithmetic but only O(pixels) drawing, and allocates nothing
 * per frame (buffers come from {@link renderScratch}, made once per layout).
 */
import type { FlameLayout } from './layout.js';
import type { PathDiff } from './compare.js';
import { diffColor, mix, nameColor, type Theme } from './theme.js';
import type { Viewport } from './viewport.js';

/** Frame colours, computed once per layout/theme/compare change rather than per paint. */
export interface Paint {
  /** Normal colours, then the same colours dimmed (index + half) for search non-matches. */
  readonly palette: readonly string[];
  /** Per frame: index into the first half of {@link palette}. */
  readonly colorIndex: Uint16Array;
}

/** Builds the palette: by name and kind, or by self-time change when `diff` is given. */
export function buildPaint(layout: FlameLayout, strings: readonly string[], theme: Theme, diff: PathDiff | null): Paint {
  const colors: string[] = [];
  const ids = new Map<string, number>();
  const colorIndex = new Uint16Array(layout.n);
  // Colours depend only on (name, kind) or on the path, so each is computed once per distinct
  // key, not per frame (100k hsl conversions would dominate the first paint).
  const byKey = new Map<number, number>();
  for (let f = 0; f < layout.n; f++) {
    const key = diff !== null ? layout.path[f] : layout.name[f] * 8 + layout.kind[f];
    let id = byKey.get(key);
    if (id === undefined) {
      // Diff ratios are quantised to 5 % steps to keep the palette (and fill calls) small.
      const c = diff !== null
        ? diffColor(Math.round(diff.ratio[layout.path[f]] * 20) / 20, theme)
        : nameColor(strings[layout.name[f]], layout.kind[f], theme);
      id = ids.get(c);
      if (id === undefined) { id = colors.length; ids.set(c, id); colors.push(c); }
      byKey.set(key, id);
    }
    colorIndex[f] = id;
  }
  const dimmed = colors.map((c) => mix(c, theme.background.startsWith('#') ? theme.background : '#808080', 0.7));
  return { palette: [...colors, ...dimmed], colorIndex };
}

/**
 * Working memory for {@link render}, sized once per layout and palette (the view model keeps it)
 * so a paint — every zoom and pan step — allocates nothing proportional to the frames.
 */
export interface RenderScratch {
  /** Frames drawn as their own rectangle, in paint order (returned as {@link RenderOutput.drawn}). */
  readonly drawn: Int32Array;
  /** The drawn frames grouped by colour (a counting sort of `drawn`). */
  readonly byColor: Int32Array;
  /** Per palette colour: start of its group in `byColor`; one extra entry. */
  readonly colorStart: Int32Array;
  /** Per row: the open sub-pixel run's left and right edge, CSS px (NaN = no run). */
  readonly runStart: Float64Array;
  readonly runEnd: Float64Array;
}

/** Allocates the scratch buffers for painting `layout` with `paint`. */
export function renderScratch(layout: FlameLayout, paint: Paint): RenderScratch {
  return {
    drawn: new Int32Array(layout.n), byColor: new Int32Array(layout.n),
    colorStart: new Int32Array(paint.palette.length + 1),
    runStart: new Float64Array(layout.rows), runEnd: new Float64Array(layout.rows),
  };
}

/** Everything one paint needs. Sizes in CSS px (the caller scales the context for DPR). */
export interface RenderInput {
  readonly ctx: CanvasRenderingContext2D;
  readonly layout: FlameLayout;
  readonly strings: readonly string[];
  readonly paint: Paint;
  /** From {@link renderScratch} for this layout and paint; overwritten by every paint. */
  readonly scratch: RenderScratch;
  readonly view: Viewport;
  readonly widthPx: number;
  readonly heightPx: number;
  readonly rowPx: number;
  readonly theme: Theme;
  /** Per frame 1 = search match; null = no search active. */
  readonly match: Uint8Array | null;
  /** Hovered frame or -1. */
  readonly hover: number;
}

/** What a paint drew. */
export interface RenderOutput {
  /**
   * Frame indices drawn as their own rectangle, in paint order (first `count` entries). This is
   * the scratch buffer: valid until the next paint with the same scratch.
   */
  readonly drawn: Int32Array;
  readonly count: number;
  /** Sub-pixel runs drawn in place of frames too narrow to see. */
  readonly coalesced: number;
}

/** Frames narrower than this (CSS px) join their row's coalesced run. */
const MIN_FRAME_PX = 1;
/** Frames narrower than this (CSS px) get no label. */
const MIN_LABEL_PX = 28;

/** Paints one frame of the flame graph. Allocates O(1): all per-frame state lives in `inp.scratch`. */
export function render(inp: RenderInput): RenderOutput {
  const { ctx, layout: L, view, widthPx, heightPx, rowPx, theme, match, paint } = inp;
  const { drawn, byColor, colorStart, runStart, runEnd } = inp.scratch;
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, widthPx, heightPx);
  const scale = widthPx / (view.x1 - view.x0);
  const firstRow = Math.max(0, Math.floor(view.scrollY / rowPx));
  const lastRow = Math.min(L.rows - 1, Math.floor((view.scrollY + heightPx) / rowPx));
  const nColors = paint.palette.length, half = nColors / 2;
  const colorOf = (f: number) => paint.colorIndex[f] + (match !== null && match[f] === 0 ? half : 0);
  const top = (d: number) => d * rowPx - view.scrollY;
  runStart.fill(NaN);
  colorStart.fill(0);
  let count = 0, coalesced = 0;
  // Sub-pixel runs go straight into the one grey path as they close (nothing else touches the
  // path until it is filled below).
  ctx.beginPath();
  const flush = (d: number) => {
    if (Number.isNaN(runStart[d])) return;
    ctx.rect(runStart[d], top(d), Math.max(runEnd[d] - runStart[d], MIN_FRAME_PX), rowPx - 1);
    runStart[d] = NaN;
    coalesced++;
  };
  for (let f = 0; f < L.n; f++) {
    const d = L.depth[f];
    if (d < firstRow || d > lastRow) continue;
    const x = (L.x[f] - view.x0) * scale;
    const w = L.w[f] * scale;
    if (x + w < 0 || x > widthPx) continue;
    if (w < MIN_FRAME_PX) {
      // Frames in a row arrive left to right: extend the run while they touch it.
      if (!Number.isNaN(runStart[d]) && x <= runEnd[d] + MIN_FRAME_PX) runEnd[d] = Math.max(runEnd[d], x + w);
      else { flush(d); runStart[d] = x; runEnd[d] = x + w; }
      continue;
    }
    flush(d);
    colorStart[colorOf(f) + 1]++;
    drawn[count++] = f;
  }
  for (let d = 0; d < L.rows; d++) flush(d);
  ctx.fillStyle = theme.dense;
  ctx.fill();
  // Group the drawn frames by colour (counting sort; keeps paint order within a colour).
  for (let ci = 0; ci < nColors; ci++) colorStart[ci + 1] += colorStart[ci];
  for (let k = 0; k < count; k++) { const f = drawn[k]; byColor[colorStart[colorOf(f)]++] = f; }
  // colorStart[ci] now holds the end of colour ci's group, i.e. the start of ci + 1's.
  let from = 0;
  for (let ci = 0; ci < nColors; ci++) {
    const to = colorStart[ci];
    if (to === from) continue;
    ctx.fillStyle = paint.palette[ci];
    ctx.beginPath();
    for (let k = from; k < to; k++) {
      const f = byColor[k];
      // Clipped to a pixel beyond the canvas so huge zoomed-in frames stay small numbers.
      const x = (L.x[f] - view.x0) * scale;
      const x0 = Math.max(x, -1), x1 = Math.min(x + L.w[f] * scale, widthPx + 1);
      ctx.rect(x0, top(L.depth[f]), Math.max(x1 - x0 - 0.5, 0.5), rowPx - 1);
    }
    ctx.fill();
    if (theme.border !== '') { ctx.strokeStyle = theme.border; ctx.lineWidth = 1; ctx.stroke(); }
    from = to;
  }
  drawLabels(inp, drawn, count, scale, top);
  const f = inp.hover;
  if (f >= 0 && f < L.n) {
    const x = (L.x[f] - view.x0) * scale;
    const x0 = Math.max(x, -1), x1 = Math.min(x + L.w[f] * scale, widthPx + 1);
    ctx.strokeStyle = theme.focus; ctx.lineWidth = 2;
    ctx.strokeRect(x0 + 0.5, top(L.depth[f]) + 0.5, Math.max(x1 - x0 - 1.5, 1), rowPx - 2);
  }
  return { drawn, count, coalesced };
}

function drawLabels(
  inp: RenderInput, drawn: Int32Array, count: number, scale: number, top: (d: number) => number,
): void {
  const { ctx, layout: L, strings, rowPx, theme, view, widthPx } = inp;
  ctx.font = theme.font;
  ctx.textBaseline = 'middle';
  ctx.fillStyle = theme.frameText;
  // One measurement per paint; labels are cut by an average glyph width instead of measuring each.
  const charPx = ctx.measureText('abcdefghijklmnopqrstuvwxyz').width / 26 || 7;
  for (let k = 0; k < count; k++) {
    const f = drawn[k];
    const fx = (L.x[f] - view.x0) * scale;
    const x = Math.max(fx, -1), w = Math.min(fx + L.w[f] * scale, widthPx + 1) - x;
    if (w < MIN_LABEL_PX) continue;
    const visX = Math.max(x, 0);
    const room = Math.floor((Math.min(x + w, inp.widthPx) - visX - 8) / charPx);
    if (room < 2) continue;
    const name = strings[L.name[f]];
    const label = name.length <= room ? name : `${name.slice(0, room - 1)}…`;
    ctx.fillText(label, visX + 4, top(L.depth[f]) + rowPx / 2);
  }
}
