/**
 * Corepy: Show Segment… — picks which segment of the run the per-line views (CodeLens, heat,
 * hovers, Hot Operations, status bar) and the recommendations (diagnostics, quick fixes, Explain)
 * show: all of them (the default) or one. A script has several segments
 * when it calls clearProfile() or pauses the profiler (the tutorials' "before" and "after" loops).
 */
import * as vscode from 'vscode';
import type { BatchSegment } from 'corepy/contract';
import type { Ctx } from './ctx.js';
import type { SegmentChoice } from './profile-store.js';
import { opFigures } from './views/labels.js';

const CAUSE: Record<BatchSegment['cause'], string> = {
  start: 'from the start', clear: 'after clearProfile()', enable: 'after enableProfiling() resumed',
};

/** "Segment 2 — after clearProfile()", as the runtime's text report names it. */
export function segmentLabel(s: BatchSegment): string {
  return `Segment ${s.index + 1} — ${CAUSE[s.cause]}`;
}

interface Item extends vscode.QuickPickItem {
  readonly choice: SegmentChoice;
}

/**
 * Shows `choice` when given (scripted use, tests), else asks with a quick pick. Returns what is
 * shown afterwards, or undefined when the run has a single segment (nothing to pick).
 */
export async function pickSegment(ctx: Ctx, choice?: SegmentChoice): Promise<SegmentChoice | undefined> {
  const segments = ctx.store.segments;
  if (segments.length < 2) {
    if (choice === undefined) void vscode.window.showInformationMessage('Corepy: this run has one segment (segments begin at clearProfile() and at enableProfiling() after disableProfiling()).');
    return undefined;
  }
  if (choice === undefined) {
    const items: Item[] = [
      {
        choice: 'all', label: 'All segments',
        description: opFigures(segments.reduce((t, s) => t + s.opTimeMs, 0), segments.flatMap((s) => s.sites)),
      },
      ...segments.map((s): Item => ({
        choice: s.index, label: segmentLabel(s), description: opFigures(s.opTimeMs, s.sites) + (s.current ? ' · last' : ''),
      })),
    ];
    for (const i of items) if (i.choice === ctx.store.segment) (i as { picked?: boolean }).picked = true;
    const picked = await vscode.window.showQuickPick(items, { title: 'Corepy: show the per-line timings and recommendations of', placeHolder: 'All segments (default) or one' });
    if (!picked) return ctx.store.segment;
    choice = picked.choice;
  }
  ctx.store.selectSegment(choice);
  return ctx.store.segment;
}
