/**
 * Where a line goes when the document is edited: the run's lines are numbered as the script was
 * when it ran, and the views (CodeLens, heat, hovers) keep them on the same code until the next
 * run by replaying the editor's content changes. Pure (no 'vscode' import); lines 0-based here.
 */

/** One content change as VS Code reports it: the replaced range (0-based) and the new text. */
export interface LineEdit {
  readonly startLine: number;
  readonly startCharacter: number;
  readonly endLine: number;
  readonly endCharacter: number;
  readonly text: string;
}

/**
 * The line `line` (0-based) moves to after `edit`, or null when the edit removed it (its start
 * is inside the replaced range; a range that ends at column 0 of the line leaves it whole). Text inserted at column 0 of a line pushes that line down; text
 * inserted after its start (typing, a newline at its end) leaves it where it is.
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
  private readonly edits: LineEdit[] = [];
  private readonly memo = new Map<number, number | null>();

  /** True when nothing was edited (every line is where the run saw it). */
  get isEmpty(): boolean {
    return this.edits.length === 0;
  }

  /** Adds one change event's edits, in the order VS Code reports them. */
  push(edits: readonly LineEdit[]): void {
    this.edits.push(...edits);
    this.memo.clear();
  }

  /** The current 1-based line of run line `runLine`, or null when an edit removed it. */
  current(runLine: number): number | null {
    const known = this.memo.get(runLine);
    if (known !== undefined) return known;
    let at: number | null = runLine - 1;
    for (const e of this.edits) {
      at = shiftLine(at, e);
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
