/**
 * Which lines of a replaced block of text survive in its replacement: a line diff (jsdiff's
 * `diffArrays`), so an edit keeps the figures of the code it kept,
 * however VS Code reports it. (A quick fix's one edit reaches the document as character-level
 * minimal changes: the jit-chain fix's `const fused = cp.jit(…);\n\nconst ` is inserted after the
 * `const ` of the line below the import, so the change's range starts on that line though the line
 * itself moved two down.) Pure (no 'vscode' import); indexes 0-based.
 */
import { diffArrays } from 'diff';

/** Whether `a` and `b` share a start (`end` false) or an end (`end` true) holding more than white space. */
function shareText(a: string, b: string, end: boolean): boolean {
  let k = 0;
  const n = Math.min(a.length, b.length);
  while (k < n && (end ? a[a.length - 1 - k] === b[b.length - 1 - k] : a[k] === b[k])) k++;
  const common = end ? a.slice(a.length - k) : a.slice(0, k);
  return common.trim().length > 0;
}

/**
 * For each line of `oldLines`, the index of the same line in `newLines`, or -1 when it is not there.
 * Lines are matched when equal but for leading and trailing white space, by jsdiff's array diff (Myers' algorithm: the fewest lines added and
 * removed). Between two matched lines, a gap of as many new lines as old ones is a line-for-line
 * rewrite, and each old line there keeps its place (a line edited in place keeps its figures, as
 * typing on it does). In a gap of another size, the block's first line keeps the first place when
 * it kept its start (Enter in the middle of it), its last line the last place when it kept its end
 * and lines were inserted before it (a quick fix that inserts lines and rewrites the head of the
 * line below); the rest of such a gap is gone. The matches are in order: a later old line never
 * maps above an earlier one.
 */
export function matchLines(oldLines: readonly string[], newLines: readonly string[]): Int32Array {
  const n = oldLines.length, m = newLines.length;
  const map = new Int32Array(n).fill(-1);
  let a = 0, b = 0;
  // Equal but for indentation counts as kept: a quick fix that wraps code in a block (undisposed-tensors' cp.tidy)
  // re-indents the lines it keeps.
  for (const part of diffArrays([...oldLines], [...newLines], { comparator: (x: string, y: string) => x.trim() === y.trim() })) {
    const count = part.value.length;
    if (part.added) b += count;
    else if (part.removed) a += count;
    else for (let t = 0; t < count; t++) map[a++] = b++;
  }
  // The gaps between matches (and the block's ends): old [i, k) against new [j, next).
  let i = 0, j = 0;
  while (i <= n) {
    let k = i;
    while (k < n && map[k] === -1) k++;
    const next = k < n ? map[k]! : m;
    if (k - i === next - j) {
      for (let t = 0; t < k - i; t++) map[i + t] = j + t;
    } else if (k > i && next > j) {
      if (i === 0 && shareText(oldLines[0]!, newLines[0]!, false)) map[0] = 0;
      else if (k === n && next - j > k - i && shareText(oldLines[n - 1]!, newLines[m - 1]!, true)) map[n - 1] = m - 1;
    }
    if (k >= n) break;
    i = k + 1;
    j = next + 1;
  }
  return map;
}
