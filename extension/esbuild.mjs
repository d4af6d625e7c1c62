// Bundles the extension host code and the standalone debug adapter (both CommonJS for Node 20).
// `vscode` is provided by the host; everything else is inlined so the .vsix needs no node_modules.
// Writes dist/meta.json (esbuild's metafile of both bundles): scripts/build.d/40-extension.sh
// hashes exactly the files listed there to decide when to rebuild, and a test checks that no
// tensor-engine module is among them.
import * as esbuild from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
// The one version source of the runtime's exporter stamp: runtime/package.json (see the runtime's profiler/version.ts).
const runtimeVersion = JSON.parse(readFileSync(path.join(here, '../runtime/package.json'), 'utf8')).version;
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  external: ['vscode'],
  metafile: true,
  define: { COREPY_VERSION: JSON.stringify(runtimeVersion) },
};
const results = await Promise.all([
  esbuild.build({ ...common, entryPoints: [path.join(here, 'src/extension.ts')], outfile: path.join(here, 'dist/extension.js') }),
  esbuild.build({ ...common, entryPoints: [path.join(here, 'src/debug/adapter-main.ts')], outfile: path.join(here, 'dist/adapter.js') }),
]);
const meta = { inputs: {}, outputs: {} };
for (const r of results) {
  Object.assign(meta.inputs, r.metafile.inputs);
  Object.assign(meta.outputs, r.metafile.outputs);
}
writeFileSync(path.join(here, 'dist/meta.json'), JSON.stringify(meta));
