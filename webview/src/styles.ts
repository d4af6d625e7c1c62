/**
 * Page styles, applied as a constructable stylesheet so neither the panel's CSP nor the
 * standalone report needs a separate CSS file. VS Code's `--vscode-*` variables win when present
 * (inside VS Code); the fallbacks after them keep the standalone report readable in light, dark
 * and high-contrast. theme.ts sets `data-cf-theme` on <html> to pick the fallback set.
 */
const vars = (bg: string, fg: string, muted: string, focus: string, border: string, tipBg: string, hover: string) => `
  --cf-bg: var(--vscode-editor-background, ${bg});
  --cf-fg: var(--vscode-editor-foreground, ${fg});
  --cf-muted: var(--vscode-descriptionForeground, ${muted});
  --cf-focus: var(--vscode-focusBorder, ${focus});
  --cf-border: var(--vscode-panel-border, ${border});
  --cf-contrast-border: var(--vscode-contrastBorder, ${focus});
  --cf-tooltip-bg: var(--vscode-editorHoverWidget-background, ${tipBg});
  --cf-tooltip-fg: var(--vscode-editorHoverWidget-foreground, ${fg});
  --cf-tooltip-border: var(--vscode-editorHoverWidget-border, ${border});
  --cf-error: var(--vscode-errorForeground, #e5484d);
  --cf-row-hover: var(--vscode-list-hoverBackground, ${hover});
  --cf-font: var(--vscode-font-family, system-ui, -apple-system, "Segoe UI", sans-serif);
  --cf-font-size: var(--vscode-font-size, 12px);`;

/**
 * Light defaults for the VS Code Elements controls, whose own fallbacks are VS Code's dark theme.
 * Inside VS Code the real values sit in <html style>, which outranks this rule.
 */
const LIGHT_CONTROLS = `
  --vscode-foreground: #3b3b3b; --vscode-focusBorder: #005fb8; --vscode-widget-shadow: rgba(0,0,0,.16);
  --vscode-settings-textInputBackground: #ffffff; --vscode-settings-textInputForeground: #3b3b3b;
  --vscode-input-placeholderForeground: #767676;
  --vscode-settings-dropdownBackground: #ffffff; --vscode-settings-dropdownForeground: #3b3b3b;
  --vscode-settings-dropdownBorder: #cecece; --vscode-settings-dropdownListBorder: #cecece;
  --vscode-settings-checkboxBackground: #ffffff; --vscode-settings-checkboxBorder: #cecece;
  --vscode-settings-checkboxForeground: #3b3b3b;
  --vscode-checkbox-background: #ffffff; --vscode-checkbox-border: #cecece; --vscode-checkbox-foreground: #3b3b3b;
  --vscode-button-background: #005fb8; --vscode-button-foreground: #ffffff; --vscode-button-hoverBackground: #0258a8;
  --vscode-button-secondaryBackground: #e5e5e5; --vscode-button-secondaryForeground: #3b3b3b;
  --vscode-button-secondaryHoverBackground: #cccccc;
  --vscode-list-activeSelectionBackground: #e8e8e8; --vscode-list-activeSelectionForeground: #000000;
  --vscode-list-hoverBackground: #f2f2f2;`;

export const CSS = `
:root, :root[data-cf-theme="light"] { ${vars('#ffffff', '#1f1f1f', '#616161', '#005fb8', '#d0d0d0', '#f8f8f8', '#e8e8e8')} }
:root[data-cf-theme="light"] { ${LIGHT_CONTROLS} }
:root[data-cf-theme="dark"] { ${vars('#1e1e1e', '#cccccc', '#9d9d9d', '#3794ff', '#3c3c3c', '#252526', '#2a2d2e')} }
:root[data-cf-theme="high-contrast"] { ${vars('#000000', '#ffffff', '#ffffff', '#f38518', '#6fc3df', '#0c141f', '#1a1a1a')} }
html, body { margin: 0; height: 100%; }
body { background: var(--cf-bg); color: var(--cf-fg); font: var(--cf-font-size) var(--cf-font); overflow: hidden; }
#cf-root { display: grid; grid-template-rows: auto auto auto minmax(120px, 1fr) minmax(80px, 32vh); height: 100vh; }
/* Fixed rows: the legend (outside compare mode) and the dropped-events notice are display:none and must not shift the others. */
.cf-toolbar { grid-row: 1; } .cf-legend { grid-row: 2; } .cf-dropped { grid-row: 3; } .cf-flame { grid-row: 4; } .cf-ops { grid-row: 5; }
.cf-dropped { padding: 2px 8px; color: var(--cf-muted); border-bottom: 1px solid var(--cf-border); }
.cf-dropped[hidden] { display: none; }
.cf-toolbar { display: flex; flex-wrap: wrap; gap: 6px 10px; align-items: center; padding: 6px 8px;
  border-bottom: 1px solid var(--cf-border); }
.cf-toolbar .cf-title { font-weight: 600; margin-right: auto; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; max-width: 40vw; }
.cf-toolbar vscode-textfield { width: 220px; }
.cf-search-info { color: var(--cf-muted); min-width: 12ch; }
.cf-search-info.cf-bad { color: var(--cf-error); }
.cf-legend { display: flex; align-items: center; gap: 8px; padding: 2px 8px; color: var(--cf-muted); }
.cf-legend[hidden] { display: none; }
.cf-legend .cf-ramp { width: 160px; height: 10px; border: 1px solid var(--cf-border);
  background: linear-gradient(90deg, #2f6fdf, #808080, #e0352b); }
.cf-flame { position: relative; overflow: hidden; outline: none; }
.cf-flame:focus-visible { box-shadow: inset 0 0 0 1px var(--cf-focus); }
.cf-flame canvas { position: absolute; inset: 0; display: block; cursor: default; }
.cf-flame canvas.cf-grab { cursor: grabbing; }
.cf-tooltip { position: absolute; pointer-events: none; z-index: 2; max-width: 420px; padding: 4px 8px;
  background: var(--cf-tooltip-bg); color: var(--cf-tooltip-fg); border: 1px solid var(--cf-tooltip-border);
  white-space: pre-wrap; overflow-wrap: anywhere; font-size: var(--cf-font-size); box-shadow: 0 2px 8px rgba(0,0,0,.25); }
.cf-tooltip[hidden], .cf-message[hidden], #cf-root[hidden] { display: none; }
.cf-tooltip div:first-child { font-weight: 600; }
.cf-ops { overflow: auto; border-top: 1px solid var(--cf-border); }
.cf-ops table { border-collapse: collapse; width: 100%; }
.cf-ops th { position: sticky; top: 0; background: var(--cf-bg); text-align: left; }
.cf-ops th button { all: unset; cursor: pointer; padding: 3px 8px; font-weight: 600; }
.cf-ops th button:focus-visible { outline: 1px solid var(--cf-focus); }
.cf-ops td { padding: 2px 8px; white-space: nowrap; font-variant-numeric: tabular-nums; }
.cf-ops tbody tr:hover, .cf-ops tbody tr:focus { background: var(--cf-row-hover); outline: none; }
.cf-ops .cf-one-time { opacity: .75; font-style: italic; }
.cf-message { margin: 24px; padding: 12px 16px; border: 1px solid var(--cf-error); border-radius: 4px; max-width: 70ch; }
.cf-message strong { color: var(--cf-error); display: block; margin-bottom: 4px; }
`;

/** Installs the stylesheet once. */
export function applyStyles(doc: Document): void {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, sheet];
}
