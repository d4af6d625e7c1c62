/**
 * Step 3 of model → layout → render: paint the visible part of a {@link FlameLayout} on a
 * viewport-sized canvas. Frames narrower than a pixel are coalesced per row into one grey run,
 * rectangles are batched per colour (one fill per colour), and labels are drawn only where they
 * fit, so a paint costs O(frames) arithmetic but only O(pixels) drawing.
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
    const key = diff !== null ? layout.path[f] : layout.name[f] * 4 + layout.kind[f];
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

/** Everything one paint needs. Sizes in CSS px (the caller scales the context for DPR). */
export interface RenderInput {
  readonly ctx: CanvasRenderingContext2D;
  readonly layout: FlameLayout;
  readonly strings: readonly string[];
  readonly paint: Paint;
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
  /** Frame indices drawn as their own rectangle, in paint order (first `count` entries). */
  readonly drawn: Int32Array;
  readonly count: number;
  /** Sub-pixel runs drawn in place of frames too narrow to see. */
  readonly coalesced: number;
}

/** Frames narrower than this (CSS px) join their row's coalesced run. */
const MIN_FRAME_PX = 1;
/** Frames narrower than this (CSS px) get no label. */
const MIN_LABEL_PX = 28;

/** Paints one frame of the flame graph. */
export function render(inp: RenderInput): RenderOutput {
  const { ctx, layout: L, view, widthPx, heightPx, rowPx, theme, match, paint } = inp;
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, widthPx, heightPx);
  const scale = widthPx / (view.x1 - view.x0);
  const firstRow = Math.max(0, Math.floor(view.scrollY / rowPx));
  const lastRow = Math.min(L.rows - 1, Math.floor((view.scrollY + heightPx) / rowPx));
  const half = paint.palette.length / 2;
  const batches: number[][] = paint.palette.map(() => []);
  const dense: number[] = [];
  const runStart = new Float64Array(L.rows).fill(NaN), runEnd = new Float64Array(L.rows);
  const drawn = new Int32Array(L.n);
  let count = 0, coalesced = 0;
  const flush = (d: number) => {
    if (Number.isNaN(runStart[d])) return;
    dense.push(runStart[d], d, Math.max(runEnd[d] - runStart[d], MIN_FRAME_PX));
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
    const ci = paint.colorIndex[f] + (match !== null && match[f] === 0 ? half : 0);
    batches[ci].push(f);
    drawn[count++] = f;
  }
  for (let d = 0; d < L.rows; d++) flush(d);
  const top = (d: number) => d * rowPx - view.scrollY;
  ctx.fillStyle = theme.dense;
  ctx.beginPath();
  for (let i = 0; i < dense.length; i += 3) ctx.rect(dense[i], top(dense[i + 1]), dense[i + 2], rowPx - 1);
  ctx.fill();
  const clipX = (f: number): [number, number] => {
    const x = (L.x[f] - view.x0) * scale;
    const x0 = Math.max(x, -1), x1 = Math.min(x + L.w[f] * scale, widthPx + 1);
    return [x0, x1 - x0];
  };
  for (let ci = 0; ci < batches.length; ci++) {
    const b = batches[ci];
    if (b.length === 0) continue;
    ctx.fillStyle = paint.palette[ci];
    ctx.beginPath();
    for (const f of b) { const [x, w] = clipX(f); ctx.rect(x, top(L.depth[f]), Math.max(w - 0.5, 0.5), rowPx - 1); }
    ctx.fill();
    if (theme.border !== '') { ctx.strokeStyle = theme.border; ctx.lineWidth = 1; ctx.stroke(); }
  }
  drawLabels(inp, drawn, count, clipX, top);
  const outline = (f: number, color: string, width: number) => {
    const [x, w] = clipX(f);
    ctx.strokeStyle = color; ctx.lineWidth = width;
    ctx.strokeRect(x + 0.5, top(L.depth[f]) + 0.5, Math.max(w - 1.5, 1), rowPx - 2);
  };
  if (inp.hover >= 0 && inp.hover < L.n) outline(inp.hover, theme.focus, 2);
  return { drawn, count, coalesced };
}

function drawLabels(
  inp: RenderInput, drawn: Int32Array, count: number,
  clipX: (f: number) => [number, number], top: (d: number) => number,
): void {
  const { ctx, layout: L, strings, rowPx, theme } = inp;
  ctx.font = theme.font;
  ctx.textBaseline = 'middle';
  ctx.fillStyle = theme.frameText;
  // One measurement per paint; labels are cut by an average glyph width instead of measuring each.
  const charPx = ctx.measureText('abcdefghijklmnopqrstuvwxyz').width / 26 || 7;
  for (let k = 0; k < count; k++) {
    const f = drawn[k];
    const [x, w] = clipX(f);
    if (w < MIN_LABEL_PX) continue;
    const visX = Math.max(x, 0);
    const room = Math.floor((Math.min(x + w, inp.widthPx) - visX - 8) / charPx);
    if (room < 2) continue;
    const name = strings[L.name[f]];
    const label = name.length <= room ? name : `${name.slice(0, room - 1)}…`;
    ctx.fillText(label, visX + 4, top(L.depth[f]) + rowPx / 2);
  }
}
