/**
 * Where the webview runs: inside a VS Code panel (messages + getState/setState through
 * acquireVsCodeApi) or as a standalone HTML report (profile embedded, no extension to talk to).
 * The app sees only this interface.
 */
import type { FromWebview, PersistedState } from './protocol.js';

/** What the app needs from its surroundings. */
export interface Host {
  /** Sends a message to the extension (dropped in a standalone report). */
  post(msg: FromWebview): void;
  /** Last saved view state, unvalidated (it may come from an older version). */
  getState(): unknown;
  setState(state: PersistedState): void;
  /** True when Ctrl/Cmd+click can open source (i.e. an editor is listening). */
  readonly canRevealSource: boolean;
}

/** The API VS Code injects into webviews; callable once per page. */
interface VsCodeApi {
  postMessage(msg: FromWebview): void;
  getState(): unknown;
  setState(state: PersistedState): void;
}

declare global {
  function acquireVsCodeApi(): VsCodeApi;
}

/** Host backed by VS Code's webview API. */
export function vscodeHost(): Host {
  const api = acquireVsCodeApi();
  return {
    post: (m) => api.postMessage(m),
    getState: () => api.getState(),
    setState: (s) => api.setState(s),
    canRevealSource: true,
  };
}

/** Host for the self-contained report: state lives for the page's lifetime only. */
export function standaloneHost(): Host {
  let state: unknown;
  return {
    post: (m) => { if (m.type === 'error') console.error(m.message); },
    getState: () => state,
    setState: (s) => { state = s; },
    canRevealSource: false,
  };
}
