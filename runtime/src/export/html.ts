/**
 * Self-contained HTML flame-graph report: one file with the webview's standalone renderer
 * inlined, the profile embedded as JSON, and a CSP that forbids every network request, so it
 * opens from file:// anywhere (mail it, attach it to an issue). Produces text only (a string, or
 * pieces streamed to a sink, the model's slice columns in pieces); no DOM, no file system: the
 * caller passes the renderer (the IIFE bundle scripts/build.d/30-webview.sh writes to
 * runtime/assets/flame-report.js; see assets.ts), so this module bundles cleanly.
 */
import { createHash } from 'node:crypto';
import type { FlameProfile } from '../contract/flame.js';
import { HTML_REPORT_IDS } from '../contract/names.js';
import { EXPORTER } from '../profiler/version.js';
import { collectText, type TextSink } from './text-chunks.js';

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

/** Numbers (or other JSON values) per piece when an array is written in pieces. */
const ARRAY_PIECE = 1 << 14;

/**
 * Writes `value` as {@link scriptSafeJson} text to `sink`, writing long arrays (the flame model's
 * slice columns) in pieces so no string of the whole model is ever built. Same JSON as
 * scriptSafeJson(value), up to key order.
 */
function streamScriptSafeJson(value: unknown, sink: TextSink): void {
  if (Array.isArray(value) && value.length > ARRAY_PIECE) {
    for (let i = 0; i < value.length; i += ARRAY_PIECE) {
      const piece = scriptSafeJson(value.slice(i, i + ARRAY_PIECE));
      sink((i === 0 ? '[' : ',') + piece.slice(1, -1));
    }
    sink(']');
    return;
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !ArrayBuffer.isView(value)) {
    let first = true;
    sink('{');
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined || typeof v === 'function') continue;
      sink(`${first ? '' : ','}${scriptSafeJson(k)}:`);
      first = false;
      streamScriptSafeJson(v, sink);
    }
    sink('}');
    return;
  }
  sink(scriptSafeJson(value));
}

/**
 * Renders `profile` as one HTML document (UTF-8 string). The page carries
 * `<meta name="exporter" content="corepy <version>">`.
 */
export function renderHtmlReport(profile: FlameProfile, options: HtmlReportOptions): string {
  return collectText((sink) => streamHtmlReport(profile, options, sink));
}

/** Writes the document of {@link renderHtmlReport} to `sink` in pieces (the embedded model never as one string). */
export function streamHtmlReport(profile: FlameProfile, options: HtmlReportOptions, sink: TextSink): void {
  const title = options.title ?? profile.title ?? 'Corepy profile';
  const js = scriptSafeJs(options.renderer);
  // The CSP pins the one inline script by hash and allows no fetch, image, font or frame source.
  const hash = createHash('sha256').update(js, 'utf8').digest('base64');
  const csp = `default-src 'none'; script-src 'sha256-${hash}'; style-src 'unsafe-inline'; img-src data:`;
  sink(`<!DOCTYPE html>
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
<script type="application/json" id="${HTML_REPORT_IDS.profile}">`);
  streamScriptSafeJson(profile, sink);
  sink('</script>\n');
  if (options.compare !== undefined) {
    sink(`<script type="application/json" id="${HTML_REPORT_IDS.compare}">`);
    streamScriptSafeJson(options.compare, sink);
    sink('</script>\n');
  }
  sink(`<script>${js}</script>
</body>
</html>
`);
}
