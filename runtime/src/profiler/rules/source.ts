/**
 * Reading user source for code examples and quick fixes: cached lines, and a finder for the loop
 * that encloses a call site.
 */
import { readFileSync } from 'node:fs';

const cache = new Map<string, string[] | null>();

/** Lines of `file` (index 0 = line 1), or null when it cannot be read. */
export function sourceLines(file: string): string[] | null {
  if (!cache.has(file)) {
    try {
      cache.set(file, readFileSync(file, 'utf8').split(/\r?\n/));
    } catch {
      cache.set(file, null);
    }
  }
  return cache.get(file)!;
}

/** Forgets cached files (tests rewrite fixtures). */
export function clearSourceCache(): void {
  cache.clear();
}

/** A loop around a call site: its header line and the last line of its body (1-based). */
export interface LoopSpan {
  readonly startLine: number;
  readonly endLine: number;
  readonly header: string;
}

/**
 * The innermost `for`/`while`/`forEach`/`map` loop that starts at most 6 lines above `line` and
 * whose braces enclose it, or null.
 */
export function enclosingLoop(lines: readonly string[], line: number): LoopSpan | null {
  for (let l = line; l >= Math.max(1, line - 6); l--) {
    const text = lines[l - 1] ?? '';
    if (!/\b(for|while)\s*\(|\.(forEach|map)\s*\(/.test(text)) continue;
    // Walk forward balancing braces from the header to find the body's end.
    let depth = 0, opened = false;
    for (let k = l; k <= lines.length; k++) {
      for (const ch of lines[k - 1] ?? '') {
        if (ch === '{') { depth++; opened = true; } else if (ch === '}') depth--;
      }
      if (opened && depth <= 0) return k >= line ? { startLine: l, endLine: k, header: text } : null;
      if (!opened && k > l) return k >= line ? { startLine: l, endLine: k, header: text } : null; // brace-less body
    }
  }
  return null;
}
