/**
 * Keeps the run's per-line figures and recommendations on the code they belong to while the user
 * edits: the run's lines are numbered as the script was when it ran; each file's edits since then
 * (the document change events' ranges, with the text they replaced) map them to the current lines,
 * until the next run starts. The CodeLens (op lines and calling lines), the line heat, the hovers, the diagnostics and their
 * quick fixes read lines through this. A recommendation whose quick fix was applied is done: its
 * diagnostic goes until the next run (or until the document holds the text that ran again).
 */
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { Ctx } from '../ctx.js';
import type { CallLine, LineStats } from '../profile-store.js';
import type { Recommendation } from '../recommendation.js';
import { currentFixRange } from '../recs/diagnostic-range.js';
import { FileEdits, type LineEdit } from './line-shift.js';

/** A line's figures at the line where that code is now (1-based `line`). */
export interface PlacedLine {
  readonly line: number;
  readonly stats: LineStats;
}

export class LineTracker implements vscode.Disposable {
  /** Per edited file, its edits since the run (from its first change event after the run). */
  private readonly files = new Map<string, FileEdits>();
  /**
   * The files saved before their first edit after the run: the disk may no longer hold what ran
   * (the document was dirty when the run read the file), so their text at the run is not known.
   */
  private readonly savedUnedited = new Set<string>();
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
        this.files.clear();
        this.savedUnedited.clear();
        this.applied.clear();
      }
    }));
    this.subscriptions.push(vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length === 0) return;
      const file = e.document.uri.fsPath;
      if (!this.tracks(file)) return;
      let edits = this.files.get(file);
      if (!edits) {
        edits = new FileEdits(this.savedUnedited.has(file) ? null : readText(file));
        this.files.set(file, edits);
      }
      const changes: LineEdit[] = e.contentChanges.map((c) => ({
        startLine: c.range.start.line, startCharacter: c.range.start.character,
        endLine: c.range.end.line, endCharacter: c.range.end.character, text: c.text,
      }));
      // Back to the text that ran (an undo, a revert; a quick fix and its revert replace lines): its fixes are undone.
      if (edits.change(changes, e.document.getText())) for (const r of ctx.store.recommendationsFor(file)) this.applied.delete(r.id);
      this.changed.fire();
    }));
    this.subscriptions.push(vscode.workspace.onDidSaveTextDocument((d) => {
      // A save before the first edit may have written other text than ran (the document was dirty
      // when the run read the file): the disk no longer tells. Once read, the text that ran is kept.
      if (this.tracks(d.uri.fsPath) && !this.files.has(d.uri.fsPath)) this.savedUnedited.add(d.uri.fsPath);
    }));
  }

  /** Whether `file` has anything of the run placed on its lines (figures, calling lines or recommendations). */
  private tracks(file: string): boolean {
    return this.ctx.store.linesFor(file).length > 0 || this.ctx.store.callLinesFor(file).length > 0 || this.ctx.store.recommendationsFor(file).length > 0;
  }

  /** The calling lines of `file` (the run's call-line figures) where their code is now (lines an edit removed are left out). */
  callLinesFor(file: string): { readonly line: number; readonly call: CallLine }[] {
    const log = this.files.get(file)?.log;
    const out: { line: number; call: CallLine }[] = [];
    for (const call of this.ctx.store.callLinesFor(file)) {
      const line = log ? log.current(call.line) : call.line;
      if (line !== null) out.push({ line, call });
    }
    return out;
  }

  /** The figures of `file`'s lines where their code is now (lines an edit removed are left out). */
  linesFor(file: string): PlacedLine[] {
    const log = this.files.get(file)?.log;
    const out: PlacedLine[] = [];
    for (const stats of this.ctx.store.linesFor(file)) {
      const line = log ? log.current(stats.line) : stats.line;
      if (line !== null) out.push({ line, stats });
    }
    return out;
  }

  /** The figures of the code now at 1-based `line` of `file`. */
  lineAt(file: string, line: number): LineStats | undefined {
    const log = this.files.get(file)?.log;
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
    const edits = this.files.get(file);
    const log = edits?.log;
    if (!edits || !log) return r;
    const line = log.current(r.location.line);
    if (line === null) return undefined;
    const { fix, ...rest } = r;
    const range = fix && edits.ran !== null && doc ? currentFixRange(fix.range, (l) => log.current(l),
      (l) => edits.ranLine(l), (l) => (l >= 1 && l <= doc.lineCount ? doc.lineAt(l - 1).text : undefined)) : null;
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
