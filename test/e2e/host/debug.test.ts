/**
 * Debug and Profile inside a real VS Code: F5 on a `corepy` configuration hands the script to VS
 * Code's own JavaScript debugger (js-debug) with the profiler preloaded. A breakpoint on the loop
 * line pauses the run there (js-debug's stack trace says so) with the timings of the lines before it
 * shown, Continue finishes it, and the timings streamed over the profile socket land in the store as
 * after Run and Profile.
 */
import * as assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CorepyApi } from '../../../extension/src/extension.js';

const LOOP_LINE = 7; // 0-based: `for (let i = 0; i < 100; i++) { const temp = data.add(i); }`
/** How long the test stays paused at the breakpoint, ms. */
const PAUSE_MS = 4000;

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
    const startedAt = Date.now();
    try {
      // The palette's Debug and Profile Current File (as F5 on a corepy configuration: it hands over to js-debug).
      const result = vscode.commands.executeCommand<{ started: boolean; reason?: string }>('corepy.debugAndProfile', uri);
      const session = await stopped;
      const pausedAt = Date.now();
      assert.equal(session.type, 'pwa-node');
      const threads = await session.customRequest('threads') as { threads: { id: number }[] };
      const trace = await session.customRequest('stackTrace', { threadId: threads.threads[0]!.id }) as { stackFrames: { line: number; source?: { path?: string } }[] };
      const top = trace.stackFrames[0]!;
      assert.equal(top.line, LOOP_LINE + 1, `paused on the loop line, got ${JSON.stringify(top)}`);
      assert.equal(path.basename(top.source?.path ?? ''), 'basic.ts');
      assert.equal(api.store.run?.status, 'running', 'the run is in progress while paused');
      // What ran before the breakpoint shows while paused (no timer runs in the paused script: the
      // extension evaluates its current batch there): the mean and std lines, not yet the loop's.
      const shown = (): number[] => api.store.linesFor(file).map((l) => l.line);
      for (const t0 = Date.now(); !(shown().includes(5) && shown().includes(6)) && Date.now() - t0 < 20000;) await new Promise((r) => setTimeout(r, 100));
      assert.ok(shown().includes(5) && shown().includes(6), `timings on lines 5 and 6 while paused, got lines ${shown().join(',')}`);
      assert.ok(!shown().includes(LOOP_LINE + 1), 'none yet on the loop line, where it is paused');
      assert.equal(api.store.run?.status, 'running', 'still running');
      // Stay paused a while: that time is not the script's.
      await new Promise((r) => setTimeout(r, PAUSE_MS));
      const pausedFor = Date.now() - pausedAt;
      await vscode.commands.executeCommand('workbench.action.debug.continue');
      const run = await ended;
      const elapsed = Date.now() - startedAt;
      assert.deepEqual(await result, { started: true, run }, 'the command says the run started, and returns it once ended');
      assert.equal(run?.status, 'finished', `finished with a report, got ${run?.status}`);
      const loop = api.store.linesFor(file).find((l) => l.line === LOOP_LINE + 1);
      assert.ok(loop, `timings on the loop line, got lines ${api.store.linesFor(file).map((l) => l.line).join(',')}`);
      assert.match(JSON.stringify(loop), /"add"/);
      // The pause is measured and left out of the wall time (the store's and the report's), and named.
      assert.ok((run!.pausedMs ?? 0) >= pausedFor - 250, `paused ${String(run!.pausedMs)} ms, waited ${pausedFor} ms`);
      assert.ok(run!.wallTimeMs <= elapsed - pausedFor + 250, `wall time ${run!.wallTimeMs} ms of ${elapsed} ms, ${pausedFor} ms of it paused`);
      assert.equal(run!.report?.wallTimeMs, run!.wallTimeMs);
      // Its recommendations reach the Problems view as after Run and Profile (published once the run ends).
      const corepyDiagnostics = (): string[] => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'corepy').map((d) => d.message);
      for (const t0 = Date.now(); corepyDiagnostics().length === 0 && Date.now() - t0 < 10000;) await new Promise((r) => setTimeout(r, 100));
      assert.ok(run!.recommendations.length > 0 && corepyDiagnostics().some((m) => /^Batch repeated operations/.test(m)), `diagnostics: ${JSON.stringify(corepyDiagnostics())}`);
      // The flame graph's timeline leaves the pause out too (its ops' share of the wall time, the time-order view).
      const flameMs = (run!.flame?.totalUs ?? NaN) / 1000;
      assert.ok(flameMs <= run!.wallTimeMs + 250, `flame timeline ${flameMs} ms against the wall time ${run!.wallTimeMs} ms (paused ${pausedFor} ms)`);
      assert.match(api.status().tooltip ?? '', /Paused in the debugger [\d.]+ s \(not in the wall time\)/);
    } finally {
      vscode.debug.removeBreakpoints([bp]);
    }
  });

  it('a failed run gets the diagnostic, the notification and the failed status as under Run and Profile', async () => {
    const uri = vscode.Uri.file(path.join(ws(), 'throws.js'));
    const ended = api.whenRunEnds();
    const ok = await vscode.debug.startDebugging(vscode.workspace.workspaceFolders![0], {
      type: 'corepy', request: 'launch', name: 'Corepy: debug throws.js', program: uri.fsPath,
    });
    assert.equal(ok, false, 'handed over to js-debug');
    const run = await ended;
    assert.equal(run?.exitCode, 1, 'the exit status the runtime reported');
    const diag = vscode.languages.getDiagnostics(uri).find((d) => d.source === 'corepy' && d.message.startsWith('The script failed here'));
    assert.ok(diag, `a failure diagnostic, got ${JSON.stringify(vscode.languages.getDiagnostics(uri).map((d) => d.message))}`);
    assert.equal(diag.range.start.line, 5, 'on `throw new Error(...)` (line 6)');
    assert.match(diag.message, /Error: fixture failure after 10 adds/);
    assert.match(api.notices().at(-1)?.message ?? '', /throws\.js failed \(exit 1\)/);
    // The status bar repaints at most every 250 ms: the report's figures reached the store as the stream closed, just before.
    for (const t0 = Date.now(); !/failed \(exit 1\)/.test(api.status().text) && Date.now() - t0 < 5000;) await new Promise((r) => setTimeout(r, 100));
    assert.match(api.status().text, /^\$\(error\) corepy: throws\.js failed \(exit 1\)/);
    assert.ok(api.store.linesFor(uri.fsPath).some((l) => l.line === 5 && l.count === 10), 'the 10 adds before the throw');
  });

  it('Stop keeps the full report: "(stopped)", the flame graph and exports, not a partial run (audit 16)', async () => {
    const uri = vscode.Uri.file(path.join(ws(), 'long.js'));
    const ended = api.whenRunEnds();
    const result = vscode.commands.executeCommand<{ started: boolean }>('corepy.debugAndProfile', uri);
    // Running its ops (the batches are in) before Stop.
    for (const t0 = Date.now(); !(api.store.run?.status === 'running' && (api.store.linesFor(uri.fsPath)[0]?.count ?? 0) > 0) && Date.now() - t0 < 120000;) {
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(api.store.run?.status, 'running');
    const stoppedAt = Date.now();
    await vscode.commands.executeCommand('workbench.action.debug.stop');
    const run = await ended;
    assert.equal((await result).started, true);
    assert.equal(run?.status, 'finished', `the full report, got ${run?.status}`);
    assert.equal(run?.stopped, true);
    assert.ok(run?.flame, 'its flame profile');
    assert.equal(run?.exitCode, 143, 'ended as on SIGTERM');
    for (const t0 = Date.now(); !/\(stopped\) · /.test(api.status().text) && Date.now() - t0 < 5000;) await new Promise((r) => setTimeout(r, 100));
    assert.match(api.status().text, /^\$\(flame\) corepy: long\.js \(stopped\) · /);
    assert.equal(api.status().command, 'corepy.showFlameGraph');
    assert.ok(Date.now() - stoppedAt < 30000, 'it ended soon after Stop');
  });

  it('Run and Profile, two Stop clicks 0.3 s apart during synchronous work without ops: the full report, not a lost run (audit 25)', async () => {
    const file = path.join(ws(), 'busy-after-ops.js');
    writeFileSync(file, "import * as cp from 'corepy';\nconst x = cp.tensor([1, 2, 3, 4]);\nfor (let i = 0; i < 100; i++) cp.add(x, x).dispose();\n" +
      "console.log('busy: started');\nconst end = Date.now() + 60000;\nwhile (Date.now() < end) { /* no ops */ }\n");
    const ended = api.whenRunEnds();
    void vscode.commands.executeCommand('corepy.runAndProfile', vscode.Uri.file(file));
    for (const t0 = Date.now(); !(api.store.run?.status === 'running' && vscode.debug.activeDebugSession) && Date.now() - t0 < 60000;) await new Promise((r) => setTimeout(r, 200));
    // Past its ops, into the busy loop (the ops take milliseconds; start-up is most of this).
    await new Promise((r) => setTimeout(r, 4000));
    await vscode.commands.executeCommand('workbench.action.debug.stop');
    await new Promise((r) => setTimeout(r, 300));
    await vscode.commands.executeCommand('workbench.action.debug.stop');
    const run = await ended;
    assert.equal(run?.status, 'finished', `the full report, got ${run?.status}`);
    assert.equal(run?.stopped, true);
    assert.equal(run?.report?.operations.find((o) => o.op === 'add')?.count, 100);
  });

  it('Stop while paused at a breakpoint ends the run (no hang) with its report: js-debug resumes the script as it disconnects', async () => {
    const uri = vscode.Uri.file(path.join(ws(), 'long.js'));
    // Line 6 (0-based 5): the interval's callback, which runs the ops.
    const bp = new vscode.SourceBreakpoint(new vscode.Location(uri, new vscode.Position(5, 0)));
    vscode.debug.addBreakpoints([bp]);
    const stopped = new Promise<void>((resolve) => {
      const reg = vscode.debug.registerDebugAdapterTrackerFactory('pwa-node', {
        createDebugAdapterTracker: () => ({
          onDidSendMessage: (m: { type?: string; event?: string }) => { if (m.type === 'event' && m.event === 'stopped') { reg.dispose(); resolve(); } },
        }),
      });
    });
    try {
      const ended = api.whenRunEnds();
      void vscode.commands.executeCommand('corepy.debugAndProfile', uri);
      await stopped;
      const stoppedAt = Date.now();
      await vscode.commands.executeCommand('workbench.action.debug.stop');
      const run = await ended;
      assert.ok(Date.now() - stoppedAt < 20000, `ended ${Date.now() - stoppedAt} ms after Stop`);
      assert.equal(run?.stopped, true);
      assert.equal(run?.status, 'finished', 'resumed by the disconnect, it wrote its report');
      assert.equal(run?.exitCode, 143);
      // The status bar follows the store through a throttle.
      for (const t0 = Date.now(); !/\(stopped\) · /.test(api.status().text) && Date.now() - t0 < 5000;) await new Promise((r) => setTimeout(r, 100));
      assert.match(api.status().text, /\(stopped\) · /);
    } finally {
      vscode.debug.removeBreakpoints([bp]);
    }
  });
});
