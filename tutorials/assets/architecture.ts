/**
 * The architecture diagram as an HTML page, built from the repository's source folders as they
 * are at generation time (module names are file names), so it cannot drift from the code.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Module names (file names without extension) in `dir`, sorted; [] when the folder is absent. */
export function modulesIn(dir: string, ext = /\.ts$/): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && ext.test(e.name) && !e.name.endsWith('.d.ts'))
    .map((e) => e.name.replace(ext, ''))
    .sort();
}

/** The layers of the diagram, top to bottom: [title, subtitle, modules]. */
export function layers(repo: string): [string, string, string[]][] {
  const rt = join(repo, 'runtime', 'src');
  return [
    ['VS Code extension', 'extension/src — Run and Profile, CodeLens, heat, quick fixes', modulesIn(join(repo, 'extension', 'src'))],
    ['Flame graph webview', 'webview/src — model → layout → canvas', modulesIn(join(repo, 'webview', 'src'))],
    ['the contract (corepy/contract)', 'runtime/src/contract — what crosses runtime → debug adapter → extension → webview, defined once', modulesIn(join(rt, 'contract'))],
    ['corepy front end', 'runtime/src/ops, runtime/src/io — shapes, dtypes, validation', [...modulesIn(join(rt, 'ops')), ...modulesIn(join(rt, 'io'))]],
    ['engine.dispatch', 'runtime/src/engine.ts — the one dispatch point; the profiler observes it', modulesIn(rt).filter((m) => ['engine', 'tensor', 'memory'].includes(m))],
    ['profiler', 'runtime/src/profiler — recorder → aggregate → report / rules / flame', modulesIn(join(rt, 'profiler'))],
    ['recommendation rules', 'runtime/src/profiler/rules', modulesIn(join(rt, 'profiler', 'rules'))],
    ['exports', 'runtime/src/export — one file per format', modulesIn(join(rt, 'export'))],
    ['backends', 'runtime/src/backends — js (reference), wasm, webgpu', ['js', 'wasm', 'webgpu'].filter((b) => existsSync(join(rt, 'backends', b)))],
    ['wasm kernels (Rust)', 'kernels-rust/src — no_std, simd128 + scalar', modulesIn(join(repo, 'kernels-rust', 'src'), /\.rs$/)],
  ];
}

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** A self-contained HTML page (no remote content) drawing the layers. */
export function architectureHtml(repo: string): string {
  const boxes = layers(repo).map(([title, sub, mods]) =>
    `<section><h2>${esc(title)}</h2><p>${esc(sub)}</p><ul>${mods.map((m) => `<li>${esc(m)}</li>`).join('')}</ul></section>`).join('<div class="arrow">▼</div>');
  return `<!doctype html><html><head><meta charset="utf-8"><title>corepy architecture</title><style>
body{margin:0;padding:24px;background:#fff;font:14px system-ui,sans-serif;color:#1b1f24;width:900px}
h1{font-size:20px;margin:0 0 12px}section{border:2px solid #3a6ea5;border-radius:8px;padding:8px 12px;background:#f3f7fc}
h2{font-size:15px;margin:0}p{margin:2px 0 6px;color:#555;font-size:12px}ul{margin:0;padding:0;display:flex;flex-wrap:wrap;gap:4px}
li{list-style:none;background:#fff;border:1px solid #b9cde3;border-radius:4px;padding:1px 6px;font:12px ui-monospace,monospace}
.arrow{text-align:center;color:#3a6ea5;line-height:18px}</style></head>
<body><main id="diagram"><h1>corepy profiler — architecture (generated from the source tree)</h1>${boxes}</main></body></html>`;
}
