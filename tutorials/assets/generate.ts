/**
 * Regenerates tutorials/assets from the real runtime and code — nothing here is drawn by hand:
 *  - example_flamegraph.json  a profiled pipeline exported in speedscope's format
 *  - sample_report.html       the same profile as corepy's self-contained HTML flame graph report
 *  - architecture_diagram.png the module map, built from the source folders as they are now and
 *                             rendered by Debian's Chromium (/usr/bin/chromium) via playwright-core
 *
 * Run: npx tsx tutorials/assets/generate.ts [out-dir]   (default: this folder)
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { profileSamplePipeline } from './pipeline.js';
import { architectureHtml } from './architecture.js';
import { renderPng } from './render-png.js';
import * as cp from 'corepy';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const outDir = resolve(process.argv[2] ?? here);
mkdirSync(outDir, { recursive: true });

profileSamplePipeline();
cp.exportProfile(join(outDir, 'example_flamegraph.json'), { format: 'speedscope', title: 'corepy tutorial pipeline' });
cp.exportProfile(join(outDir, 'sample_report.html'), { format: 'html', title: 'corepy tutorial pipeline' });
cp.disableProfiling();
console.log(`wrote ${join(outDir, 'example_flamegraph.json')}`);
console.log(`wrote ${join(outDir, 'sample_report.html')}`);

await renderPng(architectureHtml(repo), join(outDir, 'architecture_diagram.png'));
console.log(`wrote ${join(outDir, 'architecture_diagram.png')}`);
