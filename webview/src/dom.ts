/**
 * The page skeleton: toolbar (VS Code Elements controls), compare legend, flame canvas,
 * tooltip, ops table and the message box shown instead of the graph when a profile is unusable.
 * Static markup only; every profile-derived string is set later with textContent.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';

/** A VS Code Elements control with a string value (single-select, textfield). */
export type ValueElement = HTMLElement & { value: string };
/** vscode-checkbox. */
export type CheckElement = HTMLElement & { checked: boolean };

/** Handles on every element the app updates. */
export interface Ui {
  readonly root: HTMLElement;
  readonly title: HTMLElement;
  readonly viewMode: ValueElement;
  readonly context: ValueElement;
  readonly search: ValueElement;
  readonly searchInfo: HTMLElement;
  readonly compare: CheckElement;
  readonly reset: HTMLElement;
  readonly legend: HTMLElement;
  readonly flame: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  /** The notice that the ring dropped older events (hidden when none were). */
  readonly dropped: HTMLElement;
  readonly tooltip: HTMLElement;
  readonly ops: HTMLElement;
  readonly opsTable: HTMLTableElement;
  readonly message: HTMLElement;
}

const TEMPLATE = `
<div class="cf-toolbar" role="toolbar" aria-label="Flame graph controls">
  <span class="cf-title"></span>
  <vscode-single-select class="cf-view" aria-label="View">
    <vscode-option value="time">Time order</vscode-option>
    <vscode-option value="leftHeavy">Left heavy</vscode-option>
  </vscode-single-select>
  <vscode-single-select class="cf-context" aria-label="Context filter"></vscode-single-select>
  <vscode-textfield class="cf-search" placeholder="Search (regex)" aria-label="Search frames by regular expression"></vscode-textfield>
  <span class="cf-search-info" aria-live="polite"></span>
  <vscode-checkbox class="cf-compare" hidden>Compare</vscode-checkbox>
  <vscode-button class="cf-reset" secondary title="Reset zoom (0)">Reset zoom</vscode-button>
</div>
<div class="cf-legend" hidden>
  <span>faster</span><span class="cf-ramp" aria-hidden="true"></span><span>slower</span>
  <span class="cf-legend-note">self time vs compare profile (blue −100 % … red +100 %; grey ±2 %)</span>
</div>
<div class="cf-dropped" role="note" hidden></div>
<div class="cf-flame" tabindex="0" aria-label="Flame graph: arrows pan, + and - zoom, 0 resets; click a frame to zoom, Ctrl or Cmd+click opens its source">
  <canvas></canvas>
  <div class="cf-tooltip" role="tooltip" hidden></div>
</div>
<div class="cf-ops"><table aria-label="Ops by time"></table></div>`;

/** Builds the page into `doc.body` and returns handles. */
export function buildUi(doc: Document): Ui {
  const root = doc.createElement('div');
  root.id = 'cf-root';
  root.innerHTML = TEMPLATE;
  const message = doc.createElement('div');
  message.className = 'cf-message';
  message.setAttribute('role', 'alert');
  message.hidden = true;
  doc.body.replaceChildren(message, root);
  const q = <T extends Element>(sel: string): T => {
    const el = root.querySelector<T>(sel);
    if (el === null) throw new Error(`flame UI: missing ${sel}`);
    return el;
  };
  return {
    root, message,
    title: q('.cf-title'), viewMode: q('.cf-view'), context: q('.cf-context'), search: q('.cf-search'),
    searchInfo: q('.cf-search-info'), compare: q('.cf-compare'), reset: q('.cf-reset'), legend: q('.cf-legend'),
    dropped: q('.cf-dropped'), flame: q('.cf-flame'), canvas: q('canvas'), tooltip: q('.cf-tooltip'), ops: q('.cf-ops'), opsTable: q('table'),
  };
}

/** Replaces the options of a single-select; `options` are [value, label] pairs. */
export function setOptions(select: ValueElement, options: readonly (readonly [string, string])[], value: string): void {
  select.replaceChildren(...options.map(([v, label]) => {
    const o = document.createElement('vscode-option');
    o.setAttribute('value', v);
    o.textContent = label;
    return o;
  }));
  select.value = value;
}

/** Shows `title` and `detail` instead of the graph (never a blank page), or hides the message. */
export function showMessage(ui: Ui, title: string | null, detail = ''): void {
  ui.message.hidden = title === null;
  ui.root.hidden = title !== null;
  if (title === null) return;
  const strong = document.createElement('strong');
  strong.textContent = title;
  const p = document.createElement('div');
  p.textContent = detail;
  ui.message.replaceChildren(strong, p);
}
