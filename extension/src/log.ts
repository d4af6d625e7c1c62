/** The extension's one log channel ("Corepy Profiler" in the Output panel). */
import * as vscode from 'vscode';

/** Thin wrapper so every module logs the same way and tests can read the channel's name. */
export class Log implements vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel('Corepy Profiler', { log: true });

  info(message: string): void { this.channel.info(message); }
  warn(message: string): void { this.channel.warn(message); }
  error(message: string, err?: unknown): void {
    this.channel.error(err === undefined ? message : `${message}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  }
  show(): void { this.channel.show(true); }
  dispose(): void { this.channel.dispose(); }
}
