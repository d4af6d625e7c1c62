/**
 * Step 2 of model → layout → render: place frames on an x axis (µs) and rows (depth). Two views:
 * time order (one frame per slice, x = start time) and left heavy (identical call paths merged,
 * heaviest child first, x = cumulative time). Pure; no DOM. Output is struct-of-arrays so 100k
 * frames cost a handful of typed arrays, not 100k objects.
 */
import { KIND_GPU, type FlameData } from './model.js';

/** Laid-out frames; every array is indexed by frame (0-based). Parents precede children. */
export interface FlameLayout {
  readonly n: number;
  /** Left edge on the layout axis, µs (time order: since profile start). */
  readonly x: Float64Array;
  /** Width, µs (= total time of the frame). */
  readonly w: Float64Array;
  /** Row, 0 = top. */
  readonly depth: Int32Array;
  /** Enclosing frame index, or -1. */
  readonly parent: Int32Array;
  /** String index of the label. */
  readonly name: Int32Array;
  readonly kind: Int32Array;
  /** Self time, µs. */
  readonly self: Float64Array;
  /** Slices merged into this frame (1 in time order). */
  readonly count: Int32Array;
  /** Backend string index, -1 none, -2 several. */
  readonly backend: Int32Array;
  /** Location index or -1 (left heavy: the first slice's). */
  readonly location: Int32Array;
  /** Call-path id (see FlameData.path). */
  readonly path: Int32Array;
  /** Extent of the x axis, µs. */
  readonly x0: number;
  readonly x1: number;
  /** Number of rows. */
  readonly rows: number;
  /** Denominator for percentages, µs. */
  readonly totalUs: number;
  /**
   * Hit-test index (see {@link frameAtRow}): the frames of row d are
   * `rowFrames[rowStart[d] .. rowStart[d + 1])`, sorted by x (ties by frame index).
   * `rowStart` has `rows + 1` entries. Built on first access (a getter), not with the layout:
   * only pointer input needs it, and building it cold costs ~5 ms of the first paint at 100k
   * frames (webview/BENCHMARKS.md). {@link prepareHitTest} builds it ahead of time.
   */
  readonly rowStart: Int32Array;
  readonly rowFrames: Int32Array;
  /** Per entry of `rowFrames`: the largest right edge (x + w, µs) of it and every entry before it in its row. */
  readonly rowReach: Float64Array;
}

function alloc(n: number) {
  return {
    x: new Float64Array(n), w: new Float64Array(n), depth: new Int32Array(n), parent: new Int32Array(n),
    name: new Int32Array(n), kind: new Int32Array(n), self: new Float64Array(n), count: new Int32Array(n),
    backend: new Int32Array(n), location: new Int32Array(n), path: new Int32Array(n),
  };
}

function finish(a: ReturnType<typeof alloc>, n: number, x0: number, x1: number, rows: number, data: FlameData): FlameLayout {
  const sub = <T extends Float64Array | Int32Array>(t: T): T => t.subarray(0, n) as T;
  const totalUs = data.profile.totalUs > 0 ? data.profile.totalUs : Math.max(x1 - x0, 1e-9);
  const x = sub(a.x), w = sub(a.w), depth = sub(a.depth);
  const layout = {
    n, x, w, depth, parent: sub(a.parent), name: sub(a.name),
    kind: sub(a.kind), self: sub(a.self), count: sub(a.count), backend: sub(a.backend),
    location: sub(a.location), path: sub(a.path), x0, x1: x1 > x0 ? x1 : x0 + 1, rows, totalUs,
  };
  // Accessors added after the literal, not written in it, and the same getter functions for every
  // layout: V8 makes an object literal with getters a dictionary-mode object (every `L.x` in the
  // paint loop a hash lookup: zoom frames went from 0.6 to 1.0 ms), and per-layout getter
  // closures would give each layout its own hidden class.
  return Object.defineProperties(layout, INDEX_GETTERS) as typeof layout & RowIndex;
}

type RowIndex = Pick<FlameLayout, 'rowStart' | 'rowFrames' | 'rowReach'>;

/** Hit-test index per layout, built on first use. */
const rowIndexes = new WeakMap<FlameLayout, RowIndex>();

function hitIndex(L: FlameLayout): RowIndex {
  let r = rowIndexes.get(L);
  if (r === undefined) { r = rowIndex(L.x, L.w, L.depth, L.n, L.rows); rowIndexes.set(L, r); }
  return r;
}

const INDEX_GETTERS: PropertyDescriptorMap = {
  rowStart: { get(this: FlameLayout) { return hitIndex(this).rowStart; }, enumerable: true },
  rowFrames: { get(this: FlameLayout) { return hitIndex(this).rowFrames; }, enumerable: true },
  rowReach: { get(this: FlameLayout) { return hitIndex(this).rowReach; }, enumerable: true },
};

/** Builds `layout`'s hit-test index now if it is not built yet (e.g. in idle time after a paint). */
export function prepareHitTest(layout: FlameLayout): void {
  hitIndex(layout);
}

/**
 * Groups frames by row (counting sort on depth, so frame order is kept) and sorts each row by x.
 * Both layouts already emit each row left to right, so the sort only runs for a row that is not.
 */
function rowIndex(x: Float64Array, w: Float64Array, depth: Int32Array, n: number, rows: number): RowIndex {
  const rowStart = new Int32Array(rows + 1);
  for (let f = 0; f < n; f++) rowStart[depth[f] + 1]++;
  for (let d = 0; d < rows; d++) rowStart[d + 1] += rowStart[d];
  const fill = rowStart.slice(0, rows);
  const rowFrames = new Int32Array(n);
  for (let f = 0; f < n; f++) rowFrames[fill[depth[f]]++] = f;
  const rowReach = new Float64Array(n);
  for (let d = 0; d < rows; d++) {
    const lo = rowStart[d], hi = rowStart[d + 1];
    let sorted = true;
    for (let k = lo + 1; k < hi && sorted; k++) sorted = x[rowFrames[k - 1]] <= x[rowFrames[k]];
    if (!sorted) rowFrames.subarray(lo, hi).sort((u, v) => x[u] - x[v] || u - v);
    let reach = -Infinity;
    for (let k = lo; k < hi; k++) { const f = rowFrames[k]; reach = Math.max(reach, x[f] + w[f]); rowReach[k] = reach; }
  }
  return { rowStart, rowFrames, rowReach };
}

/**
 * Hit test: the lowest-index frame in row `d` with `x - slack <= t < x + w + slack` (t and slack
 * in µs), or -1. Binary search over the row's x-sorted frames, then a walk left that stops as
 * soon as nothing further left can reach t — O(log n) for rows whose frames do not overlap.
 */
export function frameAtRow(L: FlameLayout, d: number, t: number, slack: number): number {
  if (!(d >= 0 && d < L.rows)) return -1;
  const { rowStart, rowFrames, rowReach, x, w } = L;
  const lo = rowStart[d];
  // First entry whose left edge (less slack) is past t; every entry before it starts at or before t.
  let a = lo, b = rowStart[d + 1];
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (x[rowFrames[mid]] - slack <= t) a = mid + 1; else b = mid;
  }
  let best = -1;
  for (let k = a - 1; k >= lo && t < rowReach[k] + slack; k--) {
    const f = rowFrames[k];
    if (t < x[f] + w[f] + slack && (best < 0 || f < best)) best = f;
  }
  return best;
}

/**
 * One frame per included slice at its real start time. Slices of each lane — a (thread, track)
 * pair of the model: worker threads, and async contexts that ran concurrently with another — get
 * their own band of rows, main thread's track 0 on top, since their slices overlap in time without
 * nesting; GPU slices go on their own band below the CPU rows (one empty row between bands) because
 * they overlap CPU work asynchronously.
 */
export function layoutTimeOrder(data: FlameData, include: Uint8Array | null): FlameLayout {
  const s = data.profile.slices;
  const a = alloc(data.n);
  const frameOf = new Int32Array(data.n).fill(-1);
  // Lane of each frame: thread · LANES_PER_THREAD + track (optional fields: absent means 0).
  const laneOf = new Float64Array(data.n);
  const laneRows = new Map<number, number>();
  let n = 0, x0 = Infinity, x1 = -Infinity, gpuRows = 0;
  for (let i = 0; i < data.n; i++) {
    if (include !== null && include[i] === 0) continue;
    const gpu = s.kind[i] === KIND_GPU;
    const pf = s.parent[i] >= 0 && !gpu ? frameOf[s.parent[i]] : -1;
    // Depth is recomputed from included parents so a context filter does not leave empty rows.
    const d = gpu ? s.depth[i] : pf >= 0 ? a.depth[pf] + 1 : 0;
    if (gpu) gpuRows = Math.max(gpuRows, d + 1);
    else {
      const lane = (s.thread?.[i] ?? 0) * LANES_PER_THREAD + (s.track?.[i] ?? 0);
      laneOf[n] = lane;
      laneRows.set(lane, Math.max(laneRows.get(lane) ?? 0, d + 1));
    }
    a.x[n] = s.start[i]; a.w[n] = s.duration[i]; a.depth[n] = d; a.parent[n] = pf;
    a.name[n] = s.name[i]; a.kind[n] = s.kind[i]; a.self[n] = data.self[i]; a.count[n] = 1;
    a.backend[n] = s.backend[i]; a.location[n] = s.location[i]; a.path[n] = data.path[i];
    x0 = Math.min(x0, s.start[i]); x1 = Math.max(x1, s.start[i] + s.duration[i]);
    frameOf[i] = n++;
  }
  // Bands top to bottom in lane order, one empty row between two.
  const base = new Map<number, number>();
  let cpuRows = 0;
  for (const lane of [...laneRows.keys()].sort((u, v) => u - v)) {
    if (cpuRows > 0) cpuRows++;
    base.set(lane, cpuRows);
    cpuRows += laneRows.get(lane)!;
  }
  if (base.size > 1) for (let f = 0; f < n; f++) if (a.kind[f] !== KIND_GPU) a.depth[f] += base.get(laneOf[f])!;
  const gpuBase = cpuRows + 1;
  if (gpuRows > 0) for (let f = 0; f < n; f++) if (a.kind[f] === KIND_GPU) a.depth[f] += gpuBase;
  if (n === 0) { x0 = 0; x1 = 1; }
  return finish(a, n, x0, x1, gpuRows > 0 ? gpuBase + gpuRows : cpuRows, data);
}

/** Lanes a thread can have in the time-order layout (tracks beyond it would share a band id with the next thread). */
const LANES_PER_THREAD = 1 << 16;

/** Identical call paths merged into one frame; children sorted heaviest first. GPU slices omitted. */
export function layoutLeftHeavy(data: FlameData, include: Uint8Array | null): FlameLayout {
  const s = data.profile.slices;
  const np = data.pathParent.length;
  const total = new Float64Array(np), self = new Float64Array(np);
  const count = new Int32Array(np), backend = new Int32Array(np).fill(-1), loc = new Int32Array(np).fill(-1);
  for (let i = 0; i < data.n; i++) {
    if ((include !== null && include[i] === 0) || s.kind[i] === KIND_GPU) continue;
    const p = data.path[i];
    if (count[p] === 0) { backend[p] = s.backend[i]; loc[p] = s.location[i]; }
    else if (backend[p] !== s.backend[i]) backend[p] = -2;
    total[p] += s.duration[i]; self[p] += data.self[i]; count[p]++;
  }
  // Children lists; path ids are interned parent-first, so one pass in id order suffices.
  const kids: number[][] = Array.from({ length: np }, () => []);
  const roots: number[] = [];
  for (let p = 0; p < np; p++) {
    if (count[p] === 0) continue;
    const pp = data.pathParent[p];
    if (pp >= 0 && count[pp] > 0) kids[pp].push(p); else roots.push(p);
  }
  const heavier = (u: number, v: number) => total[v] - total[u];
  roots.sort(heavier);
  const a = alloc(np);
  let n = 0, rows = 0, cursor = 0;
  // Iterative pre-order DFS; the stack holds [path, parent frame, depth, x].
  const stack: number[] = [];
  for (let r = roots.length - 1; r >= 0; r--) stack.push(roots[r], -1, 0, 0);
  const rootX = new Map<number, number>();
  for (const r of roots) { rootX.set(r, cursor); cursor += total[r]; }
  while (stack.length > 0) {
    const x = stack.pop()!, d = stack.pop()!, pf = stack.pop()!, p = stack.pop()!;
    const f = n++;
    a.x[f] = pf < 0 ? rootX.get(p)! : x; a.w[f] = total[p]; a.depth[f] = d; a.parent[f] = pf;
    a.name[f] = data.pathName[p]; a.kind[f] = data.pathKind[p]; a.self[f] = self[p]; a.count[f] = count[p];
    a.backend[f] = backend[p]; a.location[f] = loc[p]; a.path[f] = p;
    rows = Math.max(rows, d + 1);
    const ch = kids[p].sort(heavier);
    let cx = a.x[f];
    const xs: number[] = [];
    for (const c of ch) { xs.push(cx); cx += total[c]; }
    for (let k = ch.length - 1; k >= 0; k--) stack.push(ch[k], f, d + 1, xs[k]);
  }
  return finish(a, n, 0, cursor, rows, data);
}
