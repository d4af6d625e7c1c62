// Prints a hash of every file the extension bundles read (dist/meta.json, written by
// esbuild.mjs) plus the build script itself, or "none" when there is no metafile yet. Paths in
// the metafile are relative to the repository root (esbuild's working directory).
// Usage: node extension/bundle-inputs.mjs [repo root]
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(process.argv[2] ?? '.');
const metaFile = path.join(root, 'extension/dist/meta.json');
if (!existsSync(metaFile)) {
  process.stdout.write('none\n');
} else {
  const inputs = Object.keys(JSON.parse(readFileSync(metaFile, 'utf8')).inputs).sort();
  const h = createHash('sha256');
  for (const f of [...inputs, 'extension/esbuild.mjs', 'extension/tsconfig.json']) {
    const p = path.join(root, f);
    h.update(f).update('\0').update(existsSync(p) ? readFileSync(p) : 'missing').update('\0');
  }
  process.stdout.write(`${h.digest('hex').slice(0, 16)}\n`);
}
