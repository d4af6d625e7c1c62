// Bundles the extension host code and the standalone debug adapter (both CommonJS for Node 20).
// `vscode` is provided by the host; everything else is inlined so the .vsix needs no node_modules.
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  external: ['vscode'],
};
await Promise.all([
  esbuild.build({ ...common, entryPoints: [path.join(here, 'src/extension.ts')], outfile: path.join(here, 'dist/extension.js') }),
  esbuild.build({ ...common, entryPoints: [path.join(here, 'src/debug/adapter-main.ts')], outfile: path.join(here, 'dist/adapter.js') }),
]);
