/**
 * The extension's context object: owns every disposable, the log channel, the settings snapshot
 * and the ProfileStore. Commands and views receive it instead of reaching for globals
 * (the rust-analyzer ctx.ts pattern).
 */
import * as vscode from 'vscode';
import { readConfig, type CorepyConfig } from './config.js';
import { Log } from './log.js';
import { ProfileStore } from './profile-store.js';

export class Ctx implements vscode.Disposable {
  readonly log = new Log();
  readonly store = new ProfileStore();
  private cfg: CorepyConfig = readConfig();
  private readonly disposables: vscode.Disposable[] = [this.log];
  private readonly configListeners = new Set<() => void>();
  /** The debug session of the run in progress (Run and Profile or a launch.json `corepy` run). */
  activeSession: vscode.DebugSession | undefined;
  /**
   * Whether the last Debug and Profile launch started its js-debug session (resolves once known): the
   * `corepy` configuration hands over to js-debug after VS Code has already reported it as not started.
   */
  debugStarted: Promise<boolean> | undefined;

  constructor(readonly extCtx: vscode.ExtensionContext) {
    this.push(vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('corepy')) return;
      this.cfg = readConfig();
      for (const l of this.configListeners) l();
    }));
  }

  get config(): CorepyConfig {
    return this.cfg;
  }

  /** Runs `listener` after the corepy settings change. */
  onConfigChange(listener: () => void): void {
    this.configListeners.add(listener);
    this.push({ dispose: () => this.configListeners.delete(listener) });
  }

  /** Takes ownership of a disposable. */
  push<T extends vscode.Disposable>(d: T): T {
    this.disposables.push(d);
    return d;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0).reverse()) {
      try { d.dispose(); } catch { /* keep disposing the rest */ }
    }
  }
}

/**
 * Calls `fn` at most once per `ms` (leading + trailing): the store changes with every batch,
 * views repaint at most 4×/s.
 */
export function throttle(fn: () => void, ms = 250): (() => void) & { dispose(): void } {
  let last = 0;
  let timer: NodeJS.Timeout | undefined;
  const run = (): void => { last = Date.now(); timer = undefined; fn(); };
  const call = (): void => {
    if (timer !== undefined) return;
    const wait = last + ms - Date.now();
    if (wait <= 0) run();
    else timer = setTimeout(run, wait);
  };
  return Object.assign(call, { dispose: () => clearTimeout(timer) });
}
