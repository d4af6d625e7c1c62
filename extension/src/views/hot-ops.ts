/**
 * The "Hot Operations" tree: ops by total time, each expanding to the lines it ran from; then,
 * once the run's report is in, a "One-time costs" group (kernel compilation, memory growth, GPU
 * pipelines) whose times are in no op's row and no lens, and a "Memory" group: live and peak bytes,
 * and the lines still holding many of their results (a loop that never releases them).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { throttle, type Ctx } from '../ctx.js';
import type { LineStats, OpTotals } from '../profile-store.js';
import { listedHeldSites, type HeldSite, type MemorySummary, type OneTimeCostRow } from 'corepy/contract';
import { heldLineDescription, hotLineDescription, hotOpDescription, memoryDescription, memoryOf, oneTimeCostsOf, oneTimeGroupDescription,
  oneTimeRowDescription } from './labels.js';

/** One row of the tree: an op, a line it ran from, the one-time costs group, or one of its rows. */
export type HotOpsNode =
  | { kind: 'op'; op: OpTotals }
  | { kind: 'line'; line: LineStats; op: string }
  | { kind: 'oneTimeGroup'; rows: readonly OneTimeCostRow[] }
  | { kind: 'oneTime'; row: OneTimeCostRow }
  | { kind: 'memory'; memory: MemorySummary }
  | { kind: 'held'; held: HeldSite };

/** The label of the one-time costs group. */
export const ONE_TIME_LABEL = 'One-time costs';
/** The label of the memory group. */
export const MEMORY_LABEL = 'Memory';

class HotOpsProvider implements vscode.TreeDataProvider<HotOpsNode> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly ctx: Ctx) {}

  refresh(): void { this.changed.fire(); }

  getChildren(node?: HotOpsNode): HotOpsNode[] {
    if (node === undefined) {
      const ops: HotOpsNode[] = this.ctx.store.hotOps().map((op) => ({ kind: 'op', op }));
      const rows = oneTimeCostsOf(this.ctx.store.run);
      const memory = memoryOf(this.ctx.store.run);
      return [...ops, ...(rows.length > 0 ? [{ kind: 'oneTimeGroup', rows } as const] : []), ...(memory ? [{ kind: 'memory', memory } as const] : [])];
    }
    if (node.kind === 'op') return node.op.lines.map((line) => ({ kind: 'line', line, op: node.op.op }));
    if (node.kind === 'oneTimeGroup') return node.rows.map((row) => ({ kind: 'oneTime', row }));
    if (node.kind === 'memory') return listedHeldSites(node.memory).map((held) => ({ kind: 'held', held }));
    return [];
  }

  getTreeItem(node: HotOpsNode): vscode.TreeItem {
    if (node.kind === 'oneTimeGroup') {
      const item = new vscode.TreeItem(ONE_TIME_LABEL, vscode.TreeItemCollapsibleState.Expanded);
      item.description = oneTimeGroupDescription(node.rows);
      item.iconPath = new vscode.ThemeIcon('watch');
      item.tooltip = rowTooltip(ONE_TIME_LABEL, item.description, 'Work done once (compiling the wasm kernels, growing wasm memory, creating GPU pipelines). '
        + 'Its time is kept out of every op\'s time, the CodeLenses and the op time total.');
      return item;
    }
    if (node.kind === 'oneTime') {
      const item = new vscode.TreeItem(node.row.name, vscode.TreeItemCollapsibleState.None);
      item.description = oneTimeRowDescription(node.row);
      item.tooltip = rowTooltip(node.row.name, item.description);
      item.iconPath = new vscode.ThemeIcon(node.row.kind === 'compile' ? 'gear' : node.row.kind === 'memory' ? 'database' : 'circuit-board');
      return item;
    }
    if (node.kind === 'memory') {
      const lines = listedHeldSites(node.memory);
      const item = new vscode.TreeItem(MEMORY_LABEL, lines.length > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
      item.description = memoryDescription(node.memory);
      item.iconPath = new vscode.ThemeIcon('database');
      item.tooltip = rowTooltip(MEMORY_LABEL, item.description, `${node.memory.liveTensors} tensor${node.memory.liveTensors === 1 ? '' : 's'} live when the report was made; the peak is since profiling began. ` +
        (lines.length > 0 ? 'The lines below piled up results they never disposed (the most held at once, and how many were left at the end): ' +
          'release them with cp.tidy or dispose() (see the recommendation on the line).' : 'No line piled up its results.'));
      return item;
    }
    if (node.kind === 'held') {
      const loc = node.held.location!;
      const item = new vscode.TreeItem(`${path.basename(loc.file)}:${loc.line}`, vscode.TreeItemCollapsibleState.None);
      item.description = heldLineDescription(node.held);
      item.iconPath = new vscode.ThemeIcon('warning');
      item.tooltip = rowTooltip(`${loc.file}:${loc.line}`, item.description,
        'Results made on this line and never disposed (by the script or a tidy scope); the garbage collector frees them only when the event loop turns.');
      item.command = { command: 'vscode.open', title: 'Open', arguments: [vscode.Uri.file(loc.file), { selection: new vscode.Range(loc.line - 1, 0, loc.line - 1, 0) }] };
      return item;
    }
    if (node.kind === 'op') {
      const item = new vscode.TreeItem(node.op.op, vscode.TreeItemCollapsibleState.Collapsed);
      item.description = hotOpDescription(node.op);
      item.tooltip = rowTooltip(node.op.op, item.description);
      item.iconPath = new vscode.ThemeIcon('flame');
      return item;
    }
    const l = node.line;
    const item = new vscode.TreeItem(`${path.basename(l.file)}:${l.line}`, vscode.TreeItemCollapsibleState.None);
    item.description = hotLineDescription(l, node.op);
    item.tooltip = rowTooltip(`${l.file}:${l.line}`, item.description);
    item.command = {
      command: 'vscode.open', title: 'Open',
      arguments: [vscode.Uri.file(l.file), { selection: new vscode.Range(l.line - 1, 0, l.line - 1, 0) }],
    };
    return item;
  }

  dispose(): void { this.changed.dispose(); }
}

/** Registers the view; returns its data provider (the extension's API hands it to tests). */
export function registerHotOps(ctx: Ctx): vscode.TreeDataProvider<HotOpsNode> {
  const provider = ctx.push(new HotOpsProvider(ctx));
  const refresh = ctx.push(throttle(() => provider.refresh()));
  ctx.push(ctx.store.onDidChange(refresh));
  ctx.push(vscode.window.createTreeView('corepy.hotOperations', { treeDataProvider: provider }));
  return provider;
}

/**
 * A row's tooltip: its label and all of its figures, which the default sidebar width cuts off in the
 * row itself (audit 16: hovering repeated only the label), then what the row means when it needs saying.
 */
function rowTooltip(label: string, figures: string | boolean | undefined, meaning?: string): string {
  return [`${label} — ${typeof figures === 'string' ? figures : ''}`, ...(meaning ? [meaning] : [])].join('\n');
}
