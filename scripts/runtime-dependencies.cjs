#!/usr/bin/env node
/**
 * Prints the packages the runtime needs at run time, one per line: runtime/package.json
 * "dependencies" and theirs, transitively, as Node would resolve them from the repository's
 * node_modules (a dependency nested under the package that requires it travels with that package
 * and is not listed). extension/package.sh copies these into the .vsix's bundled runtime: a
 * hard-coded list there missed @jridgewell/sourcemap-codec once, and every run with the bundled
 * runtime lost its exact per-line figures (audit 20).
 * Usage: node scripts/runtime-dependencies.cjs <repository root>
 */
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(process.argv[2] ?? '.');
const manifest = (dir) => JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
const listed = new Set();

/** Visits dependency `name` as required from the package in `fromDir`. */
function visit(name, fromDir) {
  const nested = path.join(fromDir, 'node_modules', name);
  if (fs.existsSync(nested)) return walk(nested);
  const hoisted = path.join(root, 'node_modules', name);
  if (!fs.existsSync(hoisted)) throw new Error(`${name} (needed by ${path.relative(root, fromDir) || 'the runtime'}) is not installed: run npm ci`);
  if (listed.has(name)) return;
  listed.add(name);
  walk(hoisted);
}

function walk(dir) {
  for (const name of Object.keys(manifest(dir).dependencies ?? {})) visit(name, dir);
}

walk(path.join(root, 'runtime'));
process.stdout.write([...listed].sort().join('\n') + '\n');
