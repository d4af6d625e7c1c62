/**
 * Where a line goes when the document is edited: the run's lines are numbered as the script was
 * when it ran, and the views (CodeLens, heat, hovers, diagnostics) keep them on the same code until
 * the next run by replaying the editor's content changes. Pure (no 'vscode' import); lines 0-based here.
 */
import { diffBlock, ranCodeIn, type LineMatch } from './line-diff.js';

/** One content change as VS Code reports it: the replaced range (0-based) and the new text. */
export interface LineEdit {
  readonly startLine: number;
  readonly startCharacter: number;
  readonly endLine: number;
  readonly endCharacter: number;
  readonly text: string;
}

/**
 * A change event as whole lines, when the text before it is known: lines `startLine` up to
 * `startLine + oldLines.length` (exclusive) became `newLines`. Lines inside are placed by a line
 * diff ({@link diffBlock}), not by where the change's ranges start.
 */
export interface BlockEdit {
  readonly startLine: number;
  readonly oldLines: readonly string[];
  readonly newLines: readonly string[];
}

/** A text's lines without their line breaks (\n or \r\n). */
export function splitLines(text: string): string[] {
  return text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/**
 * `text` after `edits` (one change event's, in order, each range relative to the text the previous
 * ones left), or undefined when a range does not fit it (then `text` was not the document's).
 */
export function replayEdits(text: string, edits: readonly LineEdit[]): string | undefined {
  let lines = text.split('\n');
  for (const e of edits) {
    if (e.startLine > e.endLine || e.endLine >= lines.length) return undefined;
    const first = lines[e.startLine]!, last = lines[e.endLine]!;
    const merged = first.slice(0, e.startCharacter) + e.text + last.slice(e.endCharacter);
    lines = [...lines.slice(0, e.startLine), ...merged.split('\n'), ...lines.slice(e.endLine + 1)];
  }
  return lines.join('\n');
}

/** The lines that differ between `before` and `after` (common leading and trailing lines left out), or undefined when none do. */
export function blockEdit(before: string, after: string): BlockEdit | undefined {
  if (before === after) return undefined;
  const a = splitLines(before), b = splitLines(after);
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  return { startLine: pre, oldLines: a.slice(pre, a.length - suf), newLines: b.slice(pre, b.length - suf) };
}

/** Per block edit: its old lines matched with its new ones. */
const blockMatches = new WeakMap<BlockEdit, LineMatch>();

/**
 * The line `line` (0-based) moves to after block edit `b`, or null when the line diff finds it gone.
 * `ran` is the text the run read on the line followed, when known: when `b` splits the line, it
 * tells which piece holds that code (see {@link ranCodeIn}).
 */
export function shiftLineInBlock(line: number, b: BlockEdit, ran?: string): number | null {
  if (line < b.startLine) return line;
  if (line >= b.startLine + b.oldLines.length) return line + b.newLines.length - b.oldLines.length;
  let match = blockMatches.get(b);
  if (!match) {
    match = diffBlock(b.oldLines, b.newLines);
    blockMatches.set(b, match);
  }
  const i = line - b.startLine;
  const split = ran === undefined ? undefined : match.splits.get(i);
  const at = (split ? ranCodeIn(ran!, b.newLines, split[0], split[1]) : undefined) ?? match.map[i]!;
  return at < 0 ? null : b.startLine + at;
}

/**
 * The line `line` (0-based) moves to after `edit`, or null when the edit removed it (its start
 * is inside the replaced range; a range that ends at column 0 of the line leaves it whole), judged
 * from the range alone: what is used when the text before the change is not known. Text inserted
 * at column 0 of a line pushes that line down; text inserted after its start (typing, a newline at
 * its end) leaves it where it is.
 */
export function shiftLine(line: number, edit: LineEdit): number | null {
  const added = edit.text.split('\n').length - 1;
  const delta = added - (edit.endLine - edit.startLine);
  if (line < edit.startLine) return line;
  if (line > edit.endLine) return line + delta;
  if (line === edit.startLine) {
    if (edit.startCharacter > 0) return line;
    // From column 0: a replacement confined to this line keeps its tail, after the inserted lines;
    // one reaching into later lines removed this line's start and with it the line.
    return edit.endLine === edit.startLine ? line + added : null;
  }
  // The range ends at the very start of this line: the line itself is untouched, after the new text.
  if (line === edit.endLine && edit.endCharacter === 0) return edit.startLine + added;
  return null; // startLine < line <= endLine: its start was replaced
}

/**
 * The edits made to one file since the run: maps the run's lines (1-based, as the run recorded
 * them) to the document's current lines, null for a line an edit removed. Edits are kept, not
 * applied to a fixed set of lines, so a line that a later batch of the same run brings is mapped too.
 */
export class EditLog {
  private readonly edits: (LineEdit | BlockEdit)[] = [];
  private readonly memo = new Map<number, number | null>();

  /**
   * `ranLine` gives a run line's text (1-based) as the run read it, when known: a line later split
   * (Enter) follows the piece that holds that code.
   */
  constructor(private readonly ranLine: (runLine: number) => string | undefined = () => undefined) {}

  /** True when nothing was edited (every line is where the run saw it). */
  get isEmpty(): boolean {
    return this.edits.length === 0;
  }

  /**
   * Adds one change event: its edits in the order VS Code reports them (placed by their ranges), or,
   * better, the event as whole lines when the text before it is known ({@link blockEdit}).
   */
  push(edits: readonly LineEdit[] | BlockEdit): void {
    if ('oldLines' in edits) this.edits.push(edits);
    else this.edits.push(...edits);
    this.memo.clear();
  }

  /** The current 1-based line of run line `runLine`, or null when an edit removed it. */
  current(runLine: number): number | null {
    const known = this.memo.get(runLine);
    if (known !== undefined) return known;
    let at: number | null = runLine - 1;
    const ran = this.ranLine(runLine);
    for (const e of this.edits) {
      at = 'oldLines' in e ? shiftLineInBlock(at, e, ran) : shiftLine(at, e);
      if (at === null) break;
    }
    const line = at === null ? null : at + 1;
    this.memo.set(runLine, line);
    return line;
  }

  /** The run line now at 1-based `line`, among `runLines`, if one is there. */
  runLineAt(line: number, runLines: Iterable<number>): number | undefined {
    for (const l of runLines) if (this.current(l) === line) return l;
    return undefined;
  }
}

/**
 * One file's edits since the run, fed with the editor's change events as they come (the tracker's
 * per-file state, without 'vscode'). Each event is placed as whole lines by a line diff when the
 * text its ranges refer to is known — the previous event's result; at the first edit, the text that
 * ran — so a line keeps its figures wherever the change's ranges start (VS Code reports a quick
 * fix's edit as character-level minimal changes that may start inside a line the fix only moved);
 * else by its ranges alone.
 */
export class FileEdits {
  private edits: EditLog | undefined;
  private before: string | undefined;
  private readonly ranLines: readonly string[] | undefined;

  /** `ran`: the file's text as the run read it, or null when it is not known. */
  constructor(readonly ran: string | null) {
    this.before = ran ?? undefined;
    this.ranLines = ran === null ? undefined : splitLines(ran);
  }

  /**
   * Adds one change event: its changes as VS Code reports them and the document's text after it.
   * True when the document holds the text that ran again (an undo, a revert): the run's lines are
   * right again, whatever the edits in between removed.
   */
  change(changes: readonly LineEdit[], now: string): boolean {
    const before = this.before;
    const edits = before !== undefined && replayEdits(before, changes) === now ? blockEdit(before, now) : changes;
    this.before = now;
    if (now === this.ran) {
      this.edits = undefined;
      return true;
    }
    this.edits ??= new EditLog((l) => this.ranLines?.[l - 1]);
    if (edits) this.edits.push(edits);
    return false;
  }

  /** The edits that moved the run's lines, or undefined when every line is where the run saw it. */
  get log(): EditLog | undefined {
    return this.edits;
  }

  /** Run line `runLine`'s text (1-based) as the run read it, when known. */
  ranLine(runLine: number): string | undefined {
    return this.ranLines?.[runLine - 1];
  }
}
