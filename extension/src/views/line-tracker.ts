/**
 * Keeps the run's per-line figures and recommendations on the code they belong to while the user
 * edits: the run's lines are numbered as the script was when it ran; each file's edits since then
 * (the document change events' ranges, with the text they replaced) map them to the current lines,
 * until the next run starts. The CodeLens, the line heat, the hovers, the diagnostics and their
 * quick fixes read lines through this. A recommendation whose quick fix was applied is done: its
 * diagnostic goes until the next run (or until the document holds the text that ran again).
 */
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { Ctx } from '../ctx.js';
import type { LineStats } from '../profile-store.js';
import type { Recommendation } from '../recommendation.js';
import { currentFixRange } from '../recs/diagnostic-range.js';
import { blockEdit, EditLog, replayEdits, splitLines, type LineEdit } from './line-shift.js';

/** A line's figures at the line where that code is now (1-based `line`). */
export interface PlacedLine {
  readonly line: number;
  readonly stats: LineStats;
}

export class LineTracker implements vscode.Disposable {
  private readonly logs = new Map<string, EditLog>();
  /**
   * Per edited file, its text as the run read it (from disk, at the first edit after the run), or
   * null when the file was saved before that first edit (the disk may no longer hold what ran).
   */
  private readonly ranText = new Map<string, string | null>();
  /** Per edited file, its text before the next change event (what the event's ranges refer to). */
  private readonly shadow = new Map<string, string>();
  /** The ids of the recommendations whose quick fix was applied since the run. */
  private readonly applied = new Set<string>();
  private run: string | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after an edit moved the lines of a file that has figures or recommendations, or a quick fix was applied. */
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
        this.shadow.clear();
        this.applied.clear();
      }
    }));
    this.subscriptions.push(vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length === 0) return;
      const file = e.document.uri.fsPath;
      if (!this.tracks(file)) return;
      if (!this.ranText.has(file)) this.ranText.set(file, readText(file));
      const now = e.document.getText();
      const changes: LineEdit[] = e.contentChanges.map((c) => ({
        startLine: c.range.start.line, startCharacter: c.range.start.character,
        endLine: c.range.end.line, endCharacter: c.range.end.character, text: c.text,
      }));
      // The text the ranges refer to, when known (the last event's result; at the first edit, the
      // file as the run read it, if the document held it): the event is then placed as whole lines
      // by a line diff, so a line keeps its figures wherever the change's ranges start (VS Code
      // reports a quick fix's edit as character-level minimal changes that may start inside a line
      // the fix only moved). Else by the ranges alone.
      const before = this.shadow.get(file) ?? this.ranText.get(file) ?? undefined;
      const known = before !== undefined && replayEdits(before, changes) === now;
      const edits = known ? blockEdit(before, now) : changes;
      this.shadow.set(file, now);
      // Back to the text that ran (an undo, a revert; a quick fix and its revert replace lines): the
      // run's lines are right again, whatever the edits in between removed, and its fixes undone.
      if (now === this.ranText.get(file)) {
        this.logs.delete(file);
        for (const r of ctx.store.recommendationsFor(file)) this.applied.delete(r.id);
      } else {
        const log = this.logs.get(file) ?? new EditLog();
        this.logs.set(file, log);
        if (edits) log.push(edits);
      }
      this.changed.fire();
    }));
    this.subscriptions.push(vscode.workspace.onDidSaveTextDocument((d) => {
      // A save before the first edit may have written other text than ran (the document was dirty
      // when the run read the file): the disk no longer tells. Once read, the text that ran is kept.
      if (this.tracks(d.uri.fsPath) && !this.ranText.has(d.uri.fsPath)) this.ranText.set(d.uri.fsPath, null);
    }));
  }

  /** Whether `file` has anything of the run placed on its lines (figures or recommendations). */
  private tracks(file: string): boolean {
    return this.ctx.store.linesFor(file).length > 0 || this.ctx.store.recommendationsFor(file).length > 0;
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

  /** Marks recommendation `id` as acted on (its quick fix applied): its diagnostic goes. */
  markApplied(id: string): void {
    this.applied.add(id);
    this.changed.fire();
  }

  /**
   * `r` where its code is now: its location's line moved through the edits since the run, its fix's
   * range too when the text the fix replaces is still there intact (else no fix: applied elsewhere
   * it would rewrite other code). Undefined when its quick fix was applied or an edit removed its line.
   */
  placeRecommendation(r: Recommendation, doc: vscode.TextDocument | undefined): Recommendation | undefined {
    if (this.applied.has(r.id)) return undefined;
    const file = r.location.file;
    const log = this.logs.get(file);
    if (!log) return r;
    const line = log.current(r.location.line);
    if (line === null) return undefined;
    const { fix, ...rest } = r;
    const ran = this.ranText.get(file);
    const ranLines = ran === null || ran === undefined ? undefined : splitLines(ran);
    const range = fix && ranLines && doc ? currentFixRange(fix.range, (l) => log.current(l),
      (l) => ranLines[l - 1], (l) => (l >= 1 && l <= doc.lineCount ? doc.lineAt(l - 1).text : undefined)) : null;
    return { ...rest, location: { ...r.location, line }, ...(fix && range ? { fix: { ...fix, range } } : {}) };
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
