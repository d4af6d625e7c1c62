/**
 * The flame-graph webview panel. One panel at a time: `FlamePanel.show` opens it or reuses the
 * open one. The page (webview/src) is the bundle scripts/build.d/30-webview.sh writes to
 * out/webview/flame.js; it talks to this class only through webview/src/protocol.ts.
 *
 * No retainContextWhenHidden: the page is rebuilt when the panel is shown again, says 'ready',
 * and this class re-sends the profile; zoom, view mode and search come back from the webview's
 * own getState().
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { FlameProfile } from 'corepy/contract';
import { keptFlameTitle } from './flame-title.js';
import { flamePanelHtml } from '../../webview/src/panel-html.js';
import { isFromWebview, type FlameSettings, type FromWebview, type ToWebview } from '../../webview/src/protocol.js';

export class FlamePanel implements vscode.Disposable {
  /** Webview type id (also the key of the panel serializer registered in extension.ts). */
  static readonly viewType = 'corepy.flameGraph';
  private static current: FlamePanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private settings: FlameSettings = {};

  /**
   * Shows `profile` in the flame-graph panel, opening it beside the active editor or reusing
   * the open one. `compare` (e.g. a baseline) colours frames by self-time change: red slower,
   * blue faster. Returns the panel; it disposes itself (and its listeners) when closed.
   */
  static show(context: vscode.ExtensionContext, profile: FlameProfile, compare?: FlameProfile): FlamePanel {
    const open = FlamePanel.current;
    if (open !== undefined) {
      open.profile = profile;
      open.compare = compare ?? null;
      open.panel.title = FlamePanel.titleOf(profile);
      open.panel.reveal(undefined, false);
      open.post({ type: 'load', profile, compare: open.compare });
      return open;
    }
    const root = FlamePanel.rootOf(context);
    const panel = vscode.window.createWebviewPanel(
      FlamePanel.viewType, FlamePanel.titleOf(profile), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      { enableScripts: true, localResourceRoots: [root] },
    );
    FlamePanel.current = new FlamePanel(panel, root, profile, compare ?? null);
    return FlamePanel.current;
  }

  /**
   * Takes over a panel VS Code restored after a window reload (WebviewPanelSerializer) and shows
   * `profile` in it; the page's own getState brings back zoom, view mode and search.
   */
  static revive(context: vscode.ExtensionContext, panel: vscode.WebviewPanel, profile: FlameProfile): FlamePanel {
    FlamePanel.current?.dispose();
    const root = FlamePanel.rootOf(context);
    panel.webview.options = { enableScripts: true, localResourceRoots: [root] };
    panel.title = FlamePanel.titleOf(profile);
    FlamePanel.current = new FlamePanel(panel, root, profile, null);
    return FlamePanel.current;
  }

  private static rootOf(context: vscode.ExtensionContext): vscode.Uri {
    return vscode.Uri.joinPath(context.extensionUri, 'out', 'webview');
  }

  /** The open panel, if any (settings changes are forwarded to it). */
  static get active(): FlamePanel | undefined {
    return FlamePanel.current;
  }

  private static titleOf(profile: FlameProfile): string {
    return `Flame: ${profile.title}`;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel, root: vscode.Uri,
    private profile: FlameProfile, private compare: FlameProfile | null,
  ) {
    const webview = panel.webview;
    webview.html = flamePanelHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'flame.js')).toString(),
      nonce: randomBytes(18).toString('base64'),
      title: FlamePanel.titleOf(profile),
    });
    webview.onDidReceiveMessage((m: unknown) => { if (isFromWebview(m)) void this.onMessage(m); }, null, this.disposables);
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
  }

  /**
   * Follows the latest run: shows `profile` (the store's current flame) in place, without taking
   * focus or leaving a baseline comparison on a run it was not made for. `null` keeps the last graph
   * and says in the tab title whose it is: the previous run's while the latest (`latest`) runs, an
   * older run's once the latest ended without a report (stopped, killed), which has no graph.
   */
  follow(profile: FlameProfile | null, latest?: { readonly program: string; readonly running: boolean }): void {
    if (profile === null) {
      this.panel.title = keptFlameTitle(FlamePanel.titleOf(this.profile), latest);
      return;
    }
    if (profile === this.profile) {
      this.panel.title = FlamePanel.titleOf(profile);
      return;
    }
    this.profile = profile;
    this.compare = null;
    this.panel.title = FlamePanel.titleOf(profile);
    this.post({ type: 'load', profile, compare: null });
  }

  /** What the panel shows now: its tab title and profile (the extension's API gives it to tests). */
  get shown(): { readonly title: string; readonly profile: FlameProfile } {
    return { title: this.panel.title, profile: this.profile };
  }

  /** Forwards settings (row height from `corepy.flameGraph.rowHeight`) to the page now and after every reload. */
  setSettings(settings: FlameSettings): void {
    this.settings = settings;
    this.post({ type: 'settings', settings });
  }

  private post(msg: ToWebview): void {
    void this.panel.webview.postMessage(msg);
  }

  private async onMessage(msg: FromWebview): Promise<void> {
    switch (msg.type) {
      case 'ready':
        this.post({ type: 'settings', settings: this.settings });
        this.post({ type: 'load', profile: this.profile, compare: this.compare });
        return;
      case 'revealSource':
        await this.reveal(msg.file, msg.line, msg.column);
        return;
      case 'error':
        void vscode.window.showWarningMessage(`Corepy flame graph: ${msg.message}`);
        return;
    }
  }

  /** Opens `file` at 1-based line/column in the editor group next to the panel. */
  private async reveal(file: string, line: number, column: number): Promise<void> {
    // Profiles carry absolute paths, or URIs for non-file sources; a Windows drive is not a scheme.
    const uri = /^[a-z][\w+.-]+:/i.test(file) && !/^[a-z]:[\\/]/i.test(file) ? vscode.Uri.parse(file) : vscode.Uri.file(file);
    const pos = new vscode.Position(Math.max(0, line - 1), Math.max(0, column - 1));
    try {
      await vscode.window.showTextDocument(uri, {
        selection: new vscode.Range(pos, pos),
        viewColumn: this.panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Beside : vscode.ViewColumn.One,
      });
    } catch (e) {
      void vscode.window.showErrorMessage(`Corepy: cannot open ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Closes the panel and removes every listener it registered. */
  dispose(): void {
    if (FlamePanel.current === this) FlamePanel.current = undefined;
    const ds = this.disposables.splice(0);
    this.panel.dispose();
    for (const d of ds) d.dispose();
  }
}
