/** The extension's one log channel ("Corepy Profiler" in the Output panel). */
import * as vscode from 'vscode';

/** Thin wrapper so every module logs the same way and tests can read the channel's name. */
export class Log implements vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel('Corepy Profiler', { log: true });
  /** The e2e harness reads the extension host's console, not output channels: mirror there on request. */
  private readonly mirror = process.env.COREPY_LOG_CONSOLE === '1';

  info(message: string): void {
    this.channel.info(message);
    if (this.mirror) console.log(`[corepy] ${message}`);
  }
  warn(message: string): void {
    this.channel.warn(message);
    if (this.mirror) console.warn(`[corepy] ${message}`);
  }
  error(message: string, err?: unknown): void {
    const text = err === undefined ? message : `${message}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`;
    this.channel.error(text);
    if (this.mirror) console.error(`[corepy] ${text}`);
  }
  show(): void { this.channel.show(true); }
  dispose(): void { this.channel.dispose(); }
}
