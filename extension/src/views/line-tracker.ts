/**
 * Keeps the run's per-line figures on the code they belong to while the user edits: the run's
 * lines are numbered as the script was when it ran; each file's edits since then (the document
 * change events' ranges) map them to the current lines, until the next run starts. The CodeLens,
 * the line heat and the hovers read lines through this.
 */
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { Ctx } from '../ctx.js';
import type { LineStats } from '../profile-store.js';
import { EditLog } from './line-shift.js';

/** A line's figures at the line where that code is now (1-based `line`). */
export interface PlacedLine {
  readonly line: number;
  readonly stats: LineStats;
}

export class LineTracker implements vscode.Disposable {
  private readonly logs = new Map<string, EditLog>();
  /**
   * Per edited file, its text as the run read it (from disk, at the first edit after the run), or
   * null once the file was saved since the run (the disk no longer holds what ran).
   */
  private readonly ranText = new Map<string, string | null>();
  private run: string | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after an edit moved the lines of a file that has figures. */
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly ctx: Ctx) {
    // A new run numbers its lines afresh: forget the edits made before it.
    this.subscriptions.push(ctx.store.onDidChange(() => {
      const r = ctx.store.run;
      const key = r === undefined ? undefined : `${r.program}\u0000${r.startedAt}`;
      if (key !== this.run) {
        this.run = key;
        this.logs.clear();
        this.ranText.clear();
      }
    }));
    this.subscriptions.push(vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length === 0) return;
      const file = e.document.uri.fsPath;
      if (ctx.store.linesFor(file).length === 0) return;
      if (!this.ranText.has(file)) this.ranText.set(file, readText(file));
      // Back to the text that ran (an undo, a revert; a quick fix and its revert replace lines): the
      // run's lines are right again, whatever the edits in between removed.
      if (e.document.getText() === this.ranText.get(file)) {
        this.logs.delete(file);
      } else {
        const log = this.logs.get(file) ?? new EditLog();
        this.logs.set(file, log);
        log.push(e.contentChanges.map((c) => ({
          startLine: c.range.start.line, startCharacter: c.range.start.character,
          endLine: c.range.end.line, endCharacter: c.range.end.character, text: c.text,
        })));
      }
      this.changed.fire();
    }));
    this.subscriptions.push(vscode.workspace.onDidSaveTextDocument((d) => {
      if (ctx.store.linesFor(d.uri.fsPath).length > 0) this.ranText.set(d.uri.fsPath, null);
    }));
  }

  /** The figures of `file`'s lines where their code is now (lines an edit removed are left out). */
  linesFor(file: string): PlacedLine[] {
    const log = this.logs.get(file);
    const out: PlacedLine[] = [];
    for (const stats of this.ctx.store.linesFor(file)) {
      const line = log ? log.current(stats.line) : stats.line;
      if (line !== null) out.push({ line, stats });
    }
    return out;
  }

  /** The figures of the code now at 1-based `line` of `file`. */
  lineAt(file: string, line: number): LineStats | undefined {
    const log = this.logs.get(file);
    if (!log) return this.ctx.store.lineAt(file, line);
    const lines = this.ctx.store.linesFor(file);
    const runLine = log.runLineAt(line, lines.map((l) => l.line));
    return runLine === undefined ? undefined : lines.find((l) => l.line === runLine);
  }

  dispose(): void {
    for (const s of this.subscriptions.splice(0)) s.dispose();
    this.changed.dispose();
  }
}

/** A file's text on disk, or null when it cannot be read. */
function readText(file: string): string | null {
  try { return readFileSync(file, 'utf8'); } catch { return null; }
}
