/**
 * Colours. The page's CSS (styles.ts) maps VS Code's `--vscode-*` variables onto `--cf-*` ones
 * with fallbacks; this file reads them for the canvas and builds the frame palettes. Frame
 * colours are computed here as hex so tests can read them back from the debug hook.
 */
import type { ThemeKind } from './protocol.js';
import { KIND_CONTEXT, KIND_GPU } from './model.js';

/** Resolved colours for one paint. */
export interface Theme {
  readonly kind: 'light' | 'dark' | 'high-contrast';
  readonly background: string;
  readonly foreground: string;
  /** Frame label colour. */
  readonly frameText: string;
  /** Colour of coalesced sub-pixel runs. */
  readonly dense: string;
  /** Outline for hovered / search-matched frames. */
  readonly focus: string;
  /** Frame border (high contrast only; '' = none). */
  readonly border: string;
  readonly font: string;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const v = style.getPropertyValue(name).trim();
  return v === '' ? fallback : v;
}

let probe: CanvasRenderingContext2D | null = null;

/**
 * Any CSS colour → #rrggbb (what {@link mix} needs); the canvas normalises it for us. Themes may
 * use rgb(), names or 8-digit hex; translucent colours keep their rgb part.
 */
function toHex(color: string, fallback: string): string {
  probe ??= document.createElement('canvas').getContext('2d');
  if (probe === null) return fallback;
  probe.fillStyle = fallback;
  probe.fillStyle = color;
  const v = probe.fillStyle;
  if (v.startsWith('#')) return v;
  const m = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(v);
  return m === null ? fallback : hex(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** Reads the current theme; `forced` comes from the extension's settings message. */
export function readTheme(forced: ThemeKind): Theme {
  const root = document.documentElement;
  const body = document.body;
  let kind: Theme['kind'];
  if (forced !== 'auto') kind = forced;
  else if (body.classList.contains('vscode-high-contrast') && !body.classList.contains('vscode-high-contrast-light')) kind = 'high-contrast';
  else if (body.classList.contains('vscode-dark')) kind = 'dark';
  else if (body.classList.contains('vscode-light') || body.classList.contains('vscode-high-contrast-light')) kind = 'light';
  else kind = matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  root.dataset.cfTheme = kind;
  const st = getComputedStyle(root);
  const dark = kind !== 'light';
  return {
    kind,
    background: toHex(cssVar(st, '--cf-bg', dark ? '#1e1e1e' : '#ffffff'), dark ? '#1e1e1e' : '#ffffff'),
    foreground: cssVar(st, '--cf-fg', dark ? '#cccccc' : '#333333'),
    frameText: kind === 'light' ? '#1b1b1b' : '#f5f5f5',
    dense: dark ? '#5a5a5a' : '#b8b8b8',
    focus: cssVar(st, '--cf-focus', dark ? '#ffcc00' : '#0066cc'),
    border: kind === 'high-contrast' ? cssVar(st, '--cf-contrast-border', '#6fc3df') : '',
    font: `${cssVar(st, '--cf-font-size', '12px')} ${cssVar(st, '--cf-font', 'system-ui, sans-serif')}`,
  };
}

function hex(r: number, g: number, b: number): string {
  const h = (v: number) => Math.round(Math.min(255, Math.max(0, v))).toString(16).padStart(2, '0');
  return `#${h(r)}${h(g)}${h(b)}`;
}

/** HSL (h in degrees, s and l in 0..1) to #rrggbb. */
export function hsl(h: number, s: number, l: number): string {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return 255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1)));
  };
  return hex(f(0), f(8), f(4));
}

/** Blends two #rrggbb colours; t = 0 gives a, 1 gives b. */
export function mix(a: string, b: string, t: number): string {
  const p = (c: string, i: number) => parseInt(c.slice(1 + 2 * i, 3 + 2 * i), 16);
  const toHex = (c: string) => (c.startsWith('#') && c.length === 7 ? c : '#808080');
  const x = toHex(a), y = toHex(b);
  return hex(...([0, 1, 2].map((i) => p(x, i) + (p(y, i) - p(x, i)) * t) as [number, number, number]));
}

/** Number of shades per kind family; names hash into one. */
const SHADES = 8;

/** Palette entry for a frame of `kind` named `name` (warm for ops, greens for functions, …). */
export function nameColor(name: string, kind: number, theme: Theme): string {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  const shade = (h % SHADES) / (SHADES - 1);
  const base = kind === KIND_CONTEXT ? 250 : kind === 1 ? 120 : kind === KIND_GPU ? 180 : kind === 4 ? 300 : 20;
  const hue = base + shade * 35;
  const light = theme.kind === 'light';
  return hsl(hue, light ? 0.7 : 0.5, light ? 0.72 - shade * 0.08 : 0.36 + shade * 0.06);
}

/**
 * Compare-mode colour for a relative self-time change in [−1, 1]: red = slower now, blue =
 * faster, grey = within ±2 % (noise).
 */
export function diffColor(ratio: number, theme: Theme): string {
  const neutral = theme.kind === 'light' ? '#d4d4d4' : '#4d4d4d';
  if (Math.abs(ratio) < 0.02) return neutral;
  const target = ratio > 0 ? (theme.kind === 'light' ? '#e0352b' : '#d63a30') : theme.kind === 'light' ? '#2f6fdf' : '#3b7be8';
  return mix(neutral, target, Math.min(1, 0.25 + Math.abs(ratio) * 0.75));
}
