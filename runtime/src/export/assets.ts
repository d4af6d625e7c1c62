/**
 * The files exporters need, read from this package (runtime/assets/, written by
 * scripts/build.d/30-webview.sh). Node only: it finds them relative to this module, which works
 * from runtime/src (tsx) and runtime/dist (compiled) alike since both sit two levels deep. Bundles
 * (the extension) pass their own {@link ExportAssets} instead.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ExportAssets } from './types.js';

const RENDERER_URL = new URL('../../assets/flame-report.js', import.meta.url);

let cached: string | undefined;

/** The package's own assets; the renderer is read once, on first use, with an error naming the build step. */
export const PACKAGE_ASSETS: ExportAssets = {
  flameRenderer: () => {
    if (cached !== undefined) return cached;
    try {
      cached = readFileSync(RENDERER_URL, 'utf8');
    } catch (e) {
      throw new Error(`HTML export needs ${fileURLToPath(RENDERER_URL)}; run scripts/build.d/30-webview.sh (or npm run build). ` +
        `(${e instanceof Error ? e.message : String(e)})`);
    }
    return cached;
  },
};
