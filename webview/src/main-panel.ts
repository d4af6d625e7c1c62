/**
 * Entry point of the VS Code panel bundle (out/webview/flame.js). Listens for typed messages
 * from extension/src/flame-panel.ts and says 'ready' so the extension (re)sends the profile:
 * without retainContextWhenHidden the page is rebuilt after every hide/show, and the view state
 * comes back through getState().
 */
import { App } from './app.js';
import { vscodeHost } from './host.js';
import { isToWebview } from './protocol.js';

function main(): void {
  const host = vscodeHost();
  let app: App;
  try {
    app = new App(host, document);
  } catch (e) {
    document.body.textContent = `Corepy flame graph failed to start: ${e instanceof Error ? e.message : String(e)}`;
    host.post({ type: 'error', message: document.body.textContent });
    return;
  }
  window.addEventListener('message', (e: MessageEvent<unknown>) => {
    if (!isToWebview(e.data)) return;
    try {
      app.handle(e.data);
    } catch (err) {
      app.fail('Could not draw the profile', err instanceof Error ? err.message : String(err));
    }
  });
  host.post({ type: 'ready' });
}

main();
