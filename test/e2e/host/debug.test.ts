/**
 * Debug and Profile inside a real VS Code: F5 on a `corepy` configuration hands the script to VS
 * Code's own JavaScript debugger (js-debug) with the profiler preloaded. A breakpoint on the loop
 * line pauses the run there (js-debug's stack trace says so), Continue finishes it, and the timings
 * streamed over the profile socket land in the store as after Run and Profile.
 */
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CorepyApi } from '../../../extension/src/extension.js';

const LOOP_LINE = 7; // 0-based: `for (let i = 0; i < 100; i++) { const temp = data.add(i); }`

describe('Debug and Profile (VS Code\'s JavaScript debugger)', function () {
  // One run under js-debug took 107 s on a loaded 2-core machine.
  this.timeout(300000);
  let api: CorepyApi;
  const ws = (): string => vscode.workspace.workspaceFolders![0]!.uri.fsPath;

  before(async function () {
    // The fake runtime (COREPY_TEST_RUNTIME=fake) streams over IPC only.
    if (!existsSync(path.join(ws(), 'node_modules', 'corepy', 'dist', 'profiler', 'ipc.js'))) this.skip();
    api = await vscode.extensions.getExtension<CorepyApi>('corepy.corepy-profiler')!.activate();
  });

  it('stops at a breakpoint on the loop line, then Continue streams the timings', async () => {
    const file = path.join(ws(), 'basic.ts');
    const uri = vscode.Uri.file(file);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const bp = new vscode.SourceBreakpoint(new vscode.Location(uri, new vscode.Position(LOOP_LINE, 0)));
    vscode.debug.addBreakpoints([bp]);
    // The first js-debug `stopped` event with a breakpoint reason, and the session that sent it.
    const stopped = new Promise<vscode.DebugSession>((resolve) => {
      const reg = vscode.debug.registerDebugAdapterTrackerFactory('pwa-node', {
        createDebugAdapterTracker: (s) => ({
          onDidSendMessage: (m: { type?: string; event?: string; body?: { reason?: string } }) => {
            if (m.type === 'event' && m.event === 'stopped' && m.body?.reason === 'breakpoint') { reg.dispose(); resolve(s); }
          },
        }),
      });
    });
    const ended = api.whenRunEnds();
    try {
      const ok = await vscode.debug.startDebugging(vscode.workspace.workspaceFolders![0], {
        type: 'corepy', request: 'launch', name: 'Corepy: debug basic.ts', program: file,
      });
      assert.equal(ok, false, 'the corepy session hands over to js-debug (it does not start itself)');
      const session = await stopped;
      assert.equal(session.type, 'pwa-node');
      const threads = await session.customRequest('threads') as { threads: { id: number }[] };
      const trace = await session.customRequest('stackTrace', { threadId: threads.threads[0]!.id }) as { stackFrames: { line: number; source?: { path?: string } }[] };
      const top = trace.stackFrames[0]!;
      assert.equal(top.line, LOOP_LINE + 1, `paused on the loop line, got ${JSON.stringify(top)}`);
      assert.equal(path.basename(top.source?.path ?? ''), 'basic.ts');
      assert.equal(api.store.run?.status, 'running', 'the run is in progress while paused');
      await vscode.commands.executeCommand('workbench.action.debug.continue');
      const run = await ended;
      assert.equal(run?.status, 'finished', `finished with a report, got ${run?.status}`);
      const loop = api.store.linesFor(file).find((l) => l.line === LOOP_LINE + 1);
      assert.ok(loop, `timings on the loop line, got lines ${api.store.linesFor(file).map((l) => l.line).join(',')}`);
      assert.match(JSON.stringify(loop), /"add"/);
    } finally {
      vscode.debug.removeBreakpoints([bp]);
    }
  });
});
