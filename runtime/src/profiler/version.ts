/**
 * The runtime's version and the `exporter` stamp every exported file carries.
 */
import { readFileSync } from 'node:fs';

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
export const VERSION = readVersion();
/** Stamp written into every exported file: `corepy <version>`. */
export const EXPORTER = `corepy ${VERSION}`;
