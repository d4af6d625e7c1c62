/**
 * The HTML page of the VS Code flame panel. Pure string building (no DOM, no 'vscode') so the
 * extension (extension/src/flame-panel.ts) and the browser tests serve the very same page and
 * CSP. The only script is the bundle, admitted by nonce; nothing remote can load.
 */

/** Inputs for {@link flamePanelHtml}; URIs already converted with `webview.asWebviewUri`. */
export interface PanelHtmlInput {
  /** `webview.cspSource`: the origin local resources are served from. */
  readonly cspSource: string;
  /** URI of out/webview/flame.js as the webview sees it. */
  readonly scriptUri: string;
  /** Fresh random nonce (base64 or hex; no quotes) for this page load. */
  readonly nonce: string;
  readonly title: string;
}

function escapeAttr(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Content-Security-Policy of the panel: scripts only by nonce, styles from the bundle/Lit. */
export function panelCsp(cspSource: string, nonce: string): string {
  // 'unsafe-inline' styles: VS Code Elements (Lit) sets inline style attributes on its parts.
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'unsafe-inline'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

/** The complete panel document. */
export function flamePanelHtml(inp: PanelHtmlInput): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(panelCsp(inp.cspSource, inp.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeAttr(inp.title)}</title>
</head>
<body>
<script nonce="${escapeAttr(inp.nonce)}" src="${escapeAttr(inp.scriptUri)}"></script>
</body>
</html>
`;
}
