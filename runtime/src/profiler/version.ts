/**
 * The runtime's version and the `exporter` stamp every exported file carries: the one version
 * source is runtime/package.json. Bundles where `import.meta.url` does not exist (the extension's
 * CommonJS build) define `COREPY_VERSION` from the same file at build time (extension/esbuild.mjs).
 */
import { readFileSync } from 'node:fs';

declare const COREPY_VERSION: string | undefined;

function readVersion(): string {
  try {
    // src/profiler and dist/profiler are both two levels below runtime/package.json.
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** corepy's version (from runtime/package.json). */
export const VERSION = typeof COREPY_VERSION === 'string' ? COREPY_VERSION : readVersion();
/** Stamp written into every exported file: `corepy <version>`. */
export const EXPORTER = `corepy ${VERSION}`;
