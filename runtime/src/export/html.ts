/**
 * Self-contained HTML flame-graph report: one file with the webview's standalone renderer
 * inlined, the profile embedded as JSON, and a CSP that forbids every network request, so it
 * opens from file:// anywhere (mail it, attach it to an issue). Produces a string only; no DOM,
 * no file system: the caller passes the renderer (the IIFE bundle scripts/build.d/30-webview.sh
 * writes to runtime/assets/flame-report.js; see assets.ts), so this module bundles cleanly.
 */
import { createHash } from 'node:crypto';
import type { FlameProfile } from '../contract/flame.js';
import { HTML_REPORT_IDS } from '../contract/names.js';
import { EXPORTER } from '../profiler/version.js';

/** Options for {@link renderHtmlReport}. */
export interface HtmlReportOptions {
  /** The standalone renderer script (runtime/assets/flame-report.js), inlined into the page. */
  readonly renderer: string;
  /** Page title; defaults to the profile's title. */
  readonly title?: string;
  /** A second profile (e.g. a baseline): frames are coloured by self-time change against it. */
  readonly compare?: FlameProfile;
  /** The `exporter` stamp; default `corepy <version>` of this runtime. */
  readonly exporter?: string;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON safe inside a <script> element: every `<` becomes `\u003c` (still the same JSON), so no
 * `</script` or `<!--` in a string (an op name, a file path) can end the element early.
 * U+2028/2029 are escaped too so the text stays valid if someone pastes it into JS.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Inline JS with `</script` and `<!--` neutralised (`<\/` is `</` in every JS string/regex). */
function scriptSafeJs(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/**
 * Renders `profile` as one HTML document (UTF-8 string). The page carries
 * `<meta name="exporter" content="corepy <version>">`.
 */
export function renderHtmlReport(profile: FlameProfile, options: HtmlReportOptions): string {
  const title = options.title ?? profile.title ?? 'Corepy profile';
  const js = scriptSafeJs(options.renderer);
  // The CSP pins the one inline script by hash and allows no fetch, image, font or frame source.
  const hash = createHash('sha256').update(js, 'utf8').digest('base64');
  const csp = `default-src 'none'; script-src 'sha256-${hash}'; style-src 'unsafe-inline'; img-src data:`;
  const compare = options.compare === undefined ? ''
    : `<script type="application/json" id="${HTML_REPORT_IDS.compare}">${scriptSafeJson(options.compare)}</script>\n`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="exporter" content="${escapeHtml(options.exporter ?? EXPORTER)}">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(title)}</title>
</head>
<body>
<noscript>This flame graph report needs JavaScript.</noscript>
<script type="application/json" id="${HTML_REPORT_IDS.profile}">${scriptSafeJson(profile)}</script>
${compare}<script>${js}</script>
</body>
</html>
`;
}
