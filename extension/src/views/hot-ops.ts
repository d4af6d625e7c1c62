/** The "Hot Operations" tree: ops by total time, each expanding to the lines it ran from. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { throttle, type Ctx } from '../ctx.js';
import type { LineStats, OpTotals } from '../profile-store.js';
import { hotLineDescription, hotOpDescription } from './labels.js';

/** One row of the tree: an op, or a line it ran from. */
export type HotOpsNode = { kind: 'op'; op: OpTotals } | { kind: 'line'; line: LineStats; op: string };

class HotOpsProvider implements vscode.TreeDataProvider<HotOpsNode> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly ctx: Ctx) {}

  refresh(): void { this.changed.fire(); }

  getChildren(node?: HotOpsNode): HotOpsNode[] {
    if (node === undefined) return this.ctx.store.hotOps().map((op) => ({ kind: 'op', op }));
    if (node.kind === 'op') return node.op.lines.map((line) => ({ kind: 'line', line, op: node.op.op }));
    return [];
  }

  getTreeItem(node: HotOpsNode): vscode.TreeItem {
    if (node.kind === 'op') {
      const item = new vscode.TreeItem(node.op.op, vscode.TreeItemCollapsibleState.Collapsed);
      item.description = hotOpDescription(node.op);
      item.iconPath = new vscode.ThemeIcon('flame');
      return item;
    }
    const l = node.line;
    const item = new vscode.TreeItem(`${path.basename(l.file)}:${l.line}`, vscode.TreeItemCollapsibleState.None);
    item.description = hotLineDescription(l, node.op);
    item.tooltip = l.file;
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
