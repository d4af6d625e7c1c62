/**
 * The original file a source map names, corrected where the compiler named one that does not exist.
 * tsx 4.23 maps a `.mts` module in a folder whose path has non-ASCII characters (`/my proj ü/k.mts`)
 * to `k.ts`: every line of it would be reported under a missing file. When the named file is absent,
 * the module's own file exists, and the two differ only in their extension, the module's file is the
 * source (a compiler that keeps one file per module, as tsx does).
 */
import { existsSync } from 'node:fs';
import { extname } from 'node:path';

const exists = new Map<string, boolean>();

function existing(path: string): boolean {
  let e = exists.get(path);
  if (e === undefined) exists.set(path, (e = existsSync(path)));
  return e;
}

/**
 * `source` (a path the map names) for module file `moduleFile` (a path): `moduleFile` when `source` is
 * missing and differs from it only by extension, else `source`. Paths, not URLs; results are cached.
 */
export function mappedSourceFile(source: string, moduleFile: string): string {
  if (source === moduleFile || existing(source) || !existing(moduleFile)) return source;
  const stem = (p: string): string => p.slice(0, p.length - extname(p).length);
  return stem(source) === stem(moduleFile) ? moduleFile : source;
}
