/**
 * The ops table: one row per op/function name with count, self and total time, sortable by
 * clicking a header. One DOM row per distinct name (tens), never per frame. One-time work
 * (compile wasm kernels, grow and first touch of wasm memory, create GPU pipeline) keeps its rows, labelled
 * "one-time" so it is not read as an op. An op's count is its calls; a function's is its runs on the
 * timeline ("n runs": a call, a resume after an `await`, or calls with no op between them), which
 * the ops' stack captures cannot turn into calls (audit 26: `main`, called once, counted 142). A
 * function whose runs may merge calls (flame.ts) counts "≥n runs".
 */
import { KIND_CONTEXT, KIND_FUNCTION, KIND_GPU, KIND_ONE_TIME, type FlameData } from './model.js';
import { percentLabel, shareOf } from 'corepy/contract';
import { fmtUs, mergedCallsNote } from './tooltip.js';

/** One row: times in µs. */
export interface OpRow {
  readonly name: string;
  readonly count: number;
  readonly selfUs: number;
  readonly totalUs: number;
  /** True for one-time work (its slices are of kind OneTime), not an op. */
  readonly oneTime: boolean;
  /** True for a function of the user's code (Function slices with a location): its count is runs, not calls. */
  readonly fn: boolean;
}

export type SortKey = 'name' | 'count' | 'selfUs' | 'totalUs';

/** Aggregates op and function slices (not contexts or GPU) by name over included slices. */
export function aggregateOps(data: FlameData, include: Uint8Array | null): OpRow[] {
  const s = data.profile.slices;
  const rows = new Map<number, { count: number; selfUs: number; totalUs: number; oneTime: boolean; fn: boolean }>();
  for (let i = 0; i < data.n; i++) {
    if ((include !== null && include[i] === 0) || s.kind[i] === KIND_CONTEXT || s.kind[i] === KIND_GPU) continue;
    let r = rows.get(s.name[i]);
    if (r === undefined) {
      // Gap and idle slices are Function slices without a location: each is one stretch, counted as such.
      r = { count: 0, selfUs: 0, totalUs: 0, oneTime: s.kind[i] === KIND_ONE_TIME, fn: s.kind[i] === KIND_FUNCTION && s.location[i] >= 0 };
      rows.set(s.name[i], r);
    }
    r.count++; r.selfUs += data.self[i]; r.totalUs += s.duration[i];
  }
  return [...rows].map(([name, r]) => ({ name: data.profile.strings[name], ...r }));
}

/** Sorts rows (numbers descending, names ascending). */
export function sortOps(rows: readonly OpRow[], key: SortKey): OpRow[] {
  const out = [...rows];
  if (key === 'name') out.sort((a, b) => a.name.localeCompare(b.name));
  else out.sort((a, b) => b[key] - a[key]);
  return out;
}

const COLUMNS: readonly { key: SortKey; label: string }[] = [
  { key: 'name', label: 'Op' },
  { key: 'count', label: 'Count' },
  { key: 'selfUs', label: 'Self' },
  { key: 'totalUs', label: 'Total' },
];

/** What a function's count is, on its cell. */
const RUNS_NOTE = 'Runs on the timeline, not calls: each is a stretch of consecutive ops with this function on their stack — ' +
  'a call, a resume after an await, or several calls with no op between them.';

/** Rows shown at most; the rest are summarised in a footer line. */
const MAX_ROWS = 500;

/**
 * Renders `rows` into `table` sorted by `key`. `onSort` fires when a header is clicked,
 * `onPick` when a row is (the app searches for that op).
 */
export function renderOpsTable(
  table: HTMLTableElement, rows: readonly OpRow[], key: SortKey, profileUs: number,
  onSort: (k: SortKey) => void, onPick: (name: string) => void,
): void {
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  for (const c of COLUMNS) {
    const th = document.createElement('th');
    th.scope = 'col';
    const btn = document.createElement('button');
    btn.textContent = c.label + (c.key === key ? (c.key === 'name' ? ' ▲' : ' ▼') : '');
    btn.dataset.sort = c.key;
    btn.addEventListener('click', () => onSort(c.key));
    th.setAttribute('aria-sort', c.key === key ? (c.key === 'name' ? 'ascending' : 'descending') : 'none');
    th.append(btn);
    head.append(th);
  }
  const body = table.createTBody();
  const sorted = sortOps(rows, key);
  for (const r of sorted.slice(0, MAX_ROWS)) {
    const tr = body.insertRow();
    tr.dataset.op = r.name;
    tr.tabIndex = 0;
    const name = tr.insertCell();
    name.textContent = r.name;
    if (r.oneTime) {
      tr.dataset.oneTime = 'true';
      const tag = document.createElement('span');
      tag.className = 'cf-one-time';
      tag.textContent = ' · one-time';
      tag.title = 'Done once (not an op): kept out of every op\'s time';
      name.append(tag);
    }
    const merged = mergedCallsNote(r.name);
    const count = tr.insertCell();
    count.textContent = `${merged === null ? '' : '≥'}${r.count}${r.fn ? ` run${r.count === 1 ? '' : 's'}` : ''}`;
    if (r.fn) count.title = RUNS_NOTE;
    if (merged !== null) { name.title = merged; count.title = `${RUNS_NOTE} ${merged}`; }
    tr.insertCell().textContent = `${fmtUs(r.selfUs)} (${percentLabel(shareOf(r.selfUs, profileUs), 'wall')})`;
    tr.insertCell().textContent = fmtUs(r.totalUs);
    tr.addEventListener('click', () => onPick(r.name));
    tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') onPick(r.name); });
  }
  if (sorted.length > MAX_ROWS) {
    const tr = body.insertRow();
    const td = tr.insertCell();
    td.colSpan = COLUMNS.length;
    td.textContent = `… ${sorted.length - MAX_ROWS} more`;
  }
}
