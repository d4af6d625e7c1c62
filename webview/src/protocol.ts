/**
 * THE protocol between the extension host (extension/src/flame-panel.ts) and the flame-graph
 * webview. One discriminated union per direction; both sides import these types, nothing else
 * crosses the boundary. Profiles travel as {@link FlameProfile} (times in µs, 0-based index
 * links, 1-based line/column) exactly as the profiler produced them.
 *
 * This file has no DOM and no 'vscode' dependency so both worlds can import it.
 */
import type { FlameProfile } from 'corepy/contract';

export type { FlameProfile };

/** How the webview should colour itself; 'auto' follows VS Code's CSS variables / OS scheme. */
export type ThemeKind = 'auto' | 'light' | 'dark' | 'high-contrast';

/** User settings the extension forwards (all optional: the webview has defaults). */
export interface FlameSettings {
  /** Force a theme instead of reading VS Code's `--vscode-*` variables. Default 'auto'. */
  readonly theme?: ThemeKind;
  /** Frame row height in CSS px. Default 18. */
  readonly rowHeightPx?: number;
}

/** Extension → webview: draw this profile (replaces any previous one). */
export interface LoadMessage {
  readonly type: 'load';
  readonly profile: FlameProfile;
  /** A second profile (e.g. a baseline) to colour frames by self-time difference; null = none. */
  readonly compare: FlameProfile | null;
}

/** Extension → webview: theme / settings changed. */
export interface SettingsMessage {
  readonly type: 'settings';
  readonly settings: FlameSettings;
}

/** Every message the extension may post to the webview. */
export type ToWebview = LoadMessage | SettingsMessage;

/** Webview → extension: the script has started and listens; (re)send the profile now. */
export interface ReadyMessage {
  readonly type: 'ready';
}

/** Webview → extension: the user Ctrl/Cmd+clicked a frame; open this source position. */
export interface RevealSourceMessage {
  readonly type: 'revealSource';
  /** Absolute path or URI, as in {@link FlameProfile.locations}. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
}

/** Webview → extension: something the user should hear about (e.g. a malformed profile). */
export interface ErrorMessage {
  readonly type: 'error';
  readonly message: string;
}

/** Every message the webview may post to the extension. */
export type FromWebview = ReadyMessage | RevealSourceMessage | ErrorMessage;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/**
 * Narrows an incoming webview message. Shape of the envelope only: the profile inside a 'load'
 * is validated separately (webview/src/model.ts) so a bad profile gets a useful message.
 */
export function isToWebview(v: unknown): v is ToWebview {
  if (!isRecord(v)) return false;
  if (v.type === 'load') return 'profile' in v;
  if (v.type === 'settings') return isRecord(v.settings);
  return false;
}

/** Narrows a message received by the extension from the webview. */
export function isFromWebview(v: unknown): v is FromWebview {
  if (!isRecord(v)) return false;
  switch (v.type) {
    case 'ready':
      return true;
    case 'revealSource':
      return typeof v.file === 'string' && Number.isInteger(v.line) && Number.isInteger(v.column);
    case 'error':
      return typeof v.message === 'string';
    default:
      return false;
  }
}

/** What the webview persists with `vscode.setState` so it survives hide/show. */
export interface PersistedState {
  readonly version: 1;
  /** Identifies the profile the view state belongs to (title + totalUs + slice count). */
  readonly profileKey: string;
  readonly view: 'time' | 'leftHeavy';
  /** Visible window on the layout's x axis, µs; null = whole profile. */
  readonly window: { readonly x0: number; readonly x1: number } | null;
  /** Vertical scroll, CSS px. */
  readonly scrollY: number;
  readonly search: string;
  /** Context name filter; null = all contexts. */
  readonly context: string | null;
  readonly compareOn: boolean;
}
