/**
 * `window.__corepyFlame`: a read-only window into what the page last drew, for the browser tests
 * and the benchmark. It never changes state except `flush()`, which only runs a paint that was
 * already scheduled (so a test need not wait for an animation frame).
 */
import type { App } from './app.js';
import { fmtUs } from './tooltip.js';

/** One frame as drawn by the last paint. Sizes in CSS px, times in ms. */
export interface DrawnFrame {
  readonly name: string;
  readonly kind: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** Fill colour, #rrggbb (dimmed when a search is active and the frame does not match). */
  readonly color: string;
  readonly selfMs: number;
  readonly totalMs: number;
  readonly matched: boolean;
}

/** Summary of the page state. */
export interface DebugState {
  readonly view: 'time' | 'leftHeavy';
  /** Visible x window, µs. */
  readonly window: { readonly x0: number; readonly x1: number };
  readonly scrollY: number;
  readonly search: string;
  /** Search summary as shown in the toolbar ("3 matches · 1.000 ms"). */
  readonly searchInfo: string;
  readonly searchTotalMs: number | null;
  readonly context: string | null;
  readonly compareOn: boolean;
  readonly hasCompare: boolean;
  /** Error shown instead of the graph, or null. */
  readonly message: string | null;
  readonly frames: number;
}

export interface DebugHook {
  drawnFrames(): DrawnFrame[];
  state(): DebugState;
  /**
   * Paint counters: number of paints, the last paint's duration (ms), when it ended
   * (performance.now(), ms) and how many sub-pixel runs it coalesced.
   */
  stats(): { paints: number; lastPaintMs: number; lastPaintEnd: number; coalesced: number };
  flush(): void;
}

declare global {
  interface Window { __corepyFlame?: DebugHook }
}

export function installDebugHook(app: App): void {
  const hook: DebugHook = {
    drawnFrames() {
      const out = app.view.last, L = app.layout, d = app.data;
      if (out === null || L === null || d === null) return [];
      const v = app.view.viewport, row = app.settings.rowHeightPx ?? 18;
      const width = app.ui.flame.clientWidth, scale = width / (v.x1 - v.x0);
      const m = app.searchResult?.match ?? null;
      const frames: DrawnFrame[] = [];
      const model = app.view.model();
      for (let k = 0; k < out.count; k++) {
        const f = out.drawn[k];
        const dim = m !== null && m[f] === 0;
        const ci = model === null ? 0 : model.paint.colorIndex[f] + (dim ? model.paint.palette.length / 2 : 0);
        frames.push({
          name: d.profile.strings[L.name[f]], kind: L.kind[f],
          x: (L.x[f] - v.x0) * scale, y: L.depth[f] * row - v.scrollY, width: L.w[f] * scale, height: row,
          color: model?.paint.palette[ci] ?? '', selfMs: L.self[f] / 1000, totalMs: L.w[f] / 1000, matched: m !== null && m[f] === 1,
        });
      }
      return frames;
    },
    state() {
      const v = app.view.viewport;
      return {
        view: app.mode, window: { x0: v.x0, x1: v.x1 }, scrollY: v.scrollY, search: app.search,
        searchInfo: app.ui.searchInfo.textContent ?? '',
        searchTotalMs: app.searchResult === null ? null : Number(fmtUs(app.searchResult.totalUs).split(' ')[0]),
        context: app.context, compareOn: app.compareOn, hasCompare: app.diff !== null,
        message: app.message, frames: app.layout?.n ?? 0,
      };
    },
    stats: () => ({
      paints: app.view.paints, lastPaintMs: app.view.lastPaintMs, lastPaintEnd: app.view.lastPaintEnd,
      coalesced: app.view.last?.coalesced ?? 0,
    }),
    flush: () => app.view.flush(),
  };
  Object.defineProperty(window, '__corepyFlame', { value: Object.freeze(hook), configurable: false, writable: false });
}
