/**
 * The controller: receives profiles and settings, runs model → layout → paint colours, wires the
 * toolbar and ops table, persists view state through the {@link Host}, and exposes the read-only
 * debug hook `window.__corepyFlame` that tests and the benchmark read.
 */
import { diffPaths, type PathDiff } from './compare.js';
import { buildUi, setOptions, showMessage, type Ui } from './dom.js';
import { FlameView } from './flame-view.js';
import { installDebugHook } from './debug-hook.js';
import type { Host } from './host.js';
import { layoutLeftHeavy, layoutTimeOrder, type FlameLayout } from './layout.js';
import { buildFlameData, includeMask, type FlameData } from './model.js';
import { aggregateOps, renderOpsTable, type OpRow, type SortKey } from './ops-table.js';
import type { FlameSettings, PersistedState, ToWebview } from './protocol.js';
import { buildPaint, renderScratch } from './render.js';
import { compileQuery, searchLayout, type SearchResult } from './search.js';
import { applyStyles } from './styles.js';
import { readTheme } from './theme.js';
import { fmtUs } from './tooltip.js';
import type { Viewport } from './viewport.js';

/** Live state of the page (what PersistedState saves, plus derived data). */
export class App {
  readonly ui: Ui;
  readonly view: FlameView;
  data: FlameData | null = null;
  compareData: FlameData | null = null;
  diff: PathDiff | null = null;
  layout: FlameLayout | null = null;
  searchResult: SearchResult | null = null;
  mode: PersistedState['view'] = 'time';
  context: string | null = null;
  search = '';
  compareOn = true;
  sortKey: SortKey = 'selfUs';
  settings: FlameSettings = {};
  message: string | null = null;
  private ops: OpRow[] = [];

  constructor(private readonly host: Host, doc: Document) {
    applyStyles(doc);
    this.ui = buildUi(doc);
    this.view = new FlameView(this.ui.flame, this.ui.canvas, this.ui.tooltip, {
      onViewport: () => this.save(),
      onReveal: (f) => this.reveal(f),
    });
    const ui = this.ui;
    ui.viewMode.addEventListener('change', () => { this.mode = ui.viewMode.value === 'leftHeavy' ? 'leftHeavy' : 'time'; this.rebuild(null); });
    ui.context.addEventListener('change', () => { this.context = ui.context.value === '' ? null : ui.context.value; this.rebuild(null); });
    ui.search.addEventListener('input', () => { this.search = ui.search.value; this.recolor(); });
    ui.compare.addEventListener('change', () => { this.compareOn = ui.compare.checked; this.recolor(); });
    ui.reset.addEventListener('click', () => this.view.setViewport(null));
    // VS Code swaps body classes / inline variables on theme change; the OS may too (standalone).
    new MutationObserver(() => this.recolor()).observe(doc.body, { attributes: true, attributeFilter: ['class', 'style'] });
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => this.recolor());
    installDebugHook(this);
  }

  /** Handles one extension → webview message. */
  handle(msg: ToWebview): void {
    if (msg.type === 'settings') { this.settings = msg.settings; if (this.data !== null) this.recolor(); return; }
    this.load(msg.profile, msg.compare);
  }

  /** Validates and shows a profile (and optional compare profile); shows a message if unusable. */
  load(profile: unknown, compare: unknown): void {
    const r = buildFlameData(profile);
    if (!r.ok) {
      this.data = null;
      this.fail('Cannot show this profile', r.message);
      return;
    }
    this.data = r.data;
    this.compareData = null; this.diff = null;
    if (compare !== null && compare !== undefined) {
      const c = buildFlameData(compare);
      if (c.ok) { this.compareData = c.data; this.diff = diffPaths(r.data, c.data); }
      else this.host.post({ type: 'error', message: `Compare profile ignored: ${c.message}` });
    }
    this.message = null;
    showMessage(this.ui, null);
    const p = r.data.profile;
    this.ui.title.textContent = p.title;
    this.ui.title.title = p.title;
    // Its own line, not the title's tail: a long title is cut short, and this changes how every count reads.
    this.ui.dropped.hidden = !(p.droppedEvents > 0);
    this.ui.dropped.textContent = p.droppedEvents > 0
      ? `Older events were dropped from the profiler's ring (${p.droppedEvents.toLocaleString('en-US')}): the graph and this table show ` +
        'the ops it kept, the last of the run; the report and the editor\'s line timings count every op. ' +
        'enableProfiling({ maxEvents }) keeps more.'
      : '';
    const saved = this.restore();
    setOptions(this.ui.context, [['', 'All contexts'], ...r.data.contextNames.map((n) => [n, n] as const)], this.context ?? '');
    this.ui.viewMode.value = this.mode;
    this.ui.search.value = this.search;
    this.ui.compare.hidden = this.diff === null;
    this.ui.compare.checked = this.compareOn;
    this.rebuild(saved);
  }

  /** Shows an error instead of the graph and tells the extension. */
  fail(title: string, detail: string): void {
    this.message = `${title}: ${detail}`;
    showMessage(this.ui, title, detail);
    this.host.post({ type: 'error', message: this.message });
  }

  /** Recomputes the layout (view mode or context changed); `view` restores a saved viewport. */
  private rebuild(view: Viewport | null): void {
    const d = this.data;
    if (d === null) return;
    const include = includeMask(d, this.context);
    this.layout = this.mode === 'leftHeavy' ? layoutLeftHeavy(d, include) : layoutTimeOrder(d, include);
    this.ops = aggregateOps(d, include);
    this.recolor(view);
  }

  /**
   * Recomputes colours and search matches (theme, search, compare toggled), then repaints.
   * `view`: undefined keeps the current viewport, null fits the whole layout.
   */
  private recolor(view?: Viewport | null): void {
    const d = this.data, L = this.layout;
    if (d === null || L === null) return;
    const theme = readTheme(this.settings.theme ?? 'auto');
    const diff = this.compareOn ? this.diff : null;
    this.ui.legend.hidden = diff === null;
    const q = compileQuery(this.search);
    this.searchResult = q.ok && q.re !== null ? searchLayout(L, d.profile.strings, q.re) : null;
    const info = this.ui.searchInfo;
    info.classList.toggle('cf-bad', !q.ok);
    info.textContent = !q.ok ? 'invalid regex'
      : this.searchResult === null ? ''
      : `${this.searchResult.frames} matches · ${fmtUs(this.searchResult.totalUs)}`;
    if (!q.ok) info.title = q.error;
    const paint = buildPaint(L, d.profile.strings, theme, diff);
    this.view.setModel({
      layout: L, profile: d.profile, paint, scratch: renderScratch(L, paint),
      match: this.searchResult?.match ?? null, diff, theme,
      rowPx: this.settings.rowHeightPx ?? 18, canReveal: this.host.canRevealSource,
    }, view === undefined ? this.view.viewport : view);
    renderOpsTable(this.ui.opsTable, this.ops, this.sortKey, L.totalUs,
      (k) => { this.sortKey = k; this.recolor(); },
      (name) => { this.search = `^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`; this.ui.search.value = this.search; this.recolor(); });
    this.save();
  }

  private reveal(f: number): void {
    const L = this.layout, d = this.data;
    if (L === null || d === null || L.location[f] < 0 || !this.host.canRevealSource) return;
    const loc = d.profile.locations[L.location[f]];
    this.host.post({ type: 'revealSource', file: loc.file, line: loc.line, column: loc.column });
  }

  private key(): string {
    const p = this.data!.profile;
    return `${p.title}|${p.totalUs}|${this.data!.n}`;
  }

  private save(): void {
    if (this.data === null) return;
    const v = this.view.viewport;
    this.host.setState({
      version: 1, profileKey: this.key(), view: this.mode, window: { x0: v.x0, x1: v.x1 }, scrollY: v.scrollY,
      search: this.search, context: this.context, compareOn: this.compareOn,
    });
  }

  /** Applies saved state when it belongs to this profile; returns the saved viewport. */
  private restore(): Viewport | null {
    const s = this.host.getState() as Partial<PersistedState> | undefined;
    if (s === undefined || s === null || s.version !== 1 || s.profileKey !== this.key()) return null;
    this.mode = s.view === 'leftHeavy' ? 'leftHeavy' : 'time';
    this.search = typeof s.search === 'string' ? s.search : '';
    this.context = typeof s.context === 'string' && this.data!.contextNames.includes(s.context) ? s.context : null;
    this.compareOn = s.compareOn !== false;
    const w = s.window;
    return w && Number.isFinite(w.x0) && Number.isFinite(w.x1) ? { x0: w.x0, x1: w.x1, scrollY: Number(s.scrollY) || 0 } : null;
  }
}
