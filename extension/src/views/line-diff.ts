/**
 * Which lines of a replaced block of text survive in its replacement: a line diff (jsdiff's
 * `diffArrays`), so an edit keeps the figures of the code it kept,
 * however VS Code reports it. (A quick fix's one edit reaches the document as character-level
 * minimal changes: the jit-chain fix's `const fused = cp.jit(…);\n\nconst ` is inserted after the
 * `const ` of the line below the import, so the change's range starts on that line though the line
 * itself moved two down.) A line split in two or more is followed to the piece holding the code
 * that ran on it, when that text is known ({@link ranCodeIn}). Pure (no 'vscode' import); indexes 0-based.
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

/** Old and new lines matched by {@link diffBlock}; indexes 0-based within the block. */
export interface LineMatch {
  /** For each old line, the index of the same line among the new ones, or -1 when it is not there. */
  readonly map: Int32Array;
  /**
   * The old lines the diff left alone between two matches, facing two or more new lines (a line
   * split by Enter, a paste of lines inside it): old index → the new lines there, [first, end).
   * Which of them holds the code that ran is told by {@link ranCodeIn}; `map` has the guess made
   * without it.
   */
  readonly splits: ReadonlyMap<number, readonly [number, number]>;
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
  return diffBlock(oldLines, newLines).map;
}

/** {@link matchLines}, with the lines split in two or more. */
export function diffBlock(oldLines: readonly string[], newLines: readonly string[]): LineMatch {
  const n = oldLines.length, m = newLines.length;
  const map = new Int32Array(n).fill(-1);
  const splits = new Map<number, readonly [number, number]>();
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
      if (k - i === 1) splits.set(i, [j, next]);
      if (i === 0 && shareText(oldLines[0]!, newLines[0]!, false)) map[0] = 0;
      else if (k === n && next - j > k - i && shareText(oldLines[n - 1]!, newLines[m - 1]!, true)) map[n - 1] = m - 1;
    }
    if (k >= n) break;
    i = k + 1;
    j = next + 1;
  }
  return { map, splits };
}

/**
 * Which of `lines[from, end)` — the pieces of a line that was split — holds the code that ran on it
 * (`ran`, the line's text as the run read it): the one sharing the most with it, counted as the
 * characters of the words and symbols they have in common (so edits at both ends of the line since
 * the run do not hide it); the first on a tie; undefined when none shares any. The text before the
 * split cannot tell: typing `const b = 1;` at the start of a line and pressing Enter leaves the typed
 * text on the piece that kept the line's start.
 */
export function ranCodeIn(ran: string, lines: readonly string[], from: number, end: number): number | undefined {
  const want = new Map<string, number>();
  for (const w of tokens(ran)) want.set(w, (want.get(w) ?? 0) + 1);
  let best: number | undefined, most = 0;
  for (let t = from; t < end; t++) {
    const left = new Map(want);
    let shared = 0;
    for (const w of tokens(lines[t]!)) {
      const k = left.get(w) ?? 0;
      if (k === 0) continue;
      left.set(w, k - 1);
      shared += w.length;
    }
    if (shared > most) {
      most = shared;
      best = t;
    }
  }
  return best;
}

/** A line's words (letters, digits, `_`, `$`) and its other non-blank characters one by one. */
function tokens(line: string): string[] {
  return line.match(/[\p{L}\p{N}_$]+|\S/gu) ?? [];
}
