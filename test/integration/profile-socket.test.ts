/**
 * Debug and Profile's stream without VS Code: the js-debug launch built for a script, run the way
 * js-debug runs it (`runtimeExecutable runtimeArgs program args` with `env` over the parent's), and
 * no IPC channel: the profiled script streams batches and its report to the ProfileSocketServer.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { jsDebugLaunch } from '../../extension/src/debug/js-debug-config.js';
import { buildProcessSpec } from '../../extension/src/debug/launch-spec.js';
import { ProfileSocketServer } from '../../extension/src/debug/profile-socket.js';
import type { ProfileBatchMessage, ProfileReportMessage } from '../../extension/src/debug/protocol.js';
import { chooseRuntime, makeWorkspace, ROOT } from './workspace.js';

describe('Debug and Profile stream (COREPY_PROFILE_SOCKET)', function () {
  this.timeout(60000);
  let ws: string;
  before(function () {
    if (chooseRuntime() !== 'real') this.skip(); // the fake runtime streams over IPC only
    ws = makeWorkspace('real');
  });
  after(() => { if (ws) rmSync(ws, { recursive: true, force: true }); });

  it('builds a pwa-node launch with the preloads, COREPY_* env and skipFiles for the runtime', () => {
    const plan = buildProcessSpec({ program: path.join(ws, 'basic.ts'), backend: 'js', env: { MINE: '1' } }, path.join(ROOT, 'extension', 'dist'));
    const cfg = jsDebugLaunch('Corepy: basic.ts', plan, { MINE: '1' }, '/tmp/x.sock');
    assert.equal(cfg.type, 'pwa-node');
    assert.equal(cfg.program, path.join(ws, 'basic.ts'));
    assert.deepEqual(cfg.runtimeArgs, plan.spec.execArgs);
    assert.ok(cfg.runtimeArgs.some((a) => a.endsWith('/profiler/autostart.js')), cfg.runtimeArgs.join(' '));
    assert.equal(cfg.env.COREPY_PROFILE_SOCKET, '/tmp/x.sock');
    assert.equal(cfg.env.COREPY_PROFILE_IPC, '1');
    assert.equal(cfg.env.COREPY_BACKEND, 'js');
    assert.equal(cfg.env.MINE, '1');
    assert.equal(cfg.env.ELECTRON_RUN_AS_NODE, null);
    assert.ok(!('PATH' in cfg.env), 'only our variables: js-debug merges them over its own environment');
    assert.ok(cfg.skipFiles.includes(`${plan.runtime.dir}/**`));
  });

  it('a script launched that way streams batches and its report to the socket', async () => {
    const batches: ProfileBatchMessage[] = [];
    let report: ProfileReportMessage | null = null;
    let closed!: () => void;
    const done = new Promise<void>((r) => { closed = r; });
    const server = await ProfileSocketServer.listen(() => ({
      batch: (m) => batches.push(m), report: (m) => { report = m; }, closed: () => closed(),
    }), (e) => assert.fail(e));
    try {
      // Long enough for the 250 ms batch timer to fire at least once.
      writeFileSync(path.join(ws, 'slow.mjs'), "import * as cp from 'corepy';\nconst x = cp.ones([1000]);\nconst end = Date.now() + 700;\nwhile (Date.now() < end) { cp.tidy(() => { x.add(1); }); await new Promise((r) => setTimeout(r, 5)); }\n");
      const plan = buildProcessSpec({ program: path.join(ws, 'slow.mjs'), backend: 'js' }, path.join(ROOT, 'extension', 'dist'));
      const cfg = jsDebugLaunch('slow', plan, undefined, server.path);
      const env: NodeJS.ProcessEnv = { ...process.env };
      for (const [k, v] of Object.entries(cfg.env)) { if (v === null) delete env[k]; else env[k] = v; }
      const child = spawn(cfg.runtimeExecutable, [...cfg.runtimeArgs, cfg.program, ...cfg.args], { cwd: cfg.cwd, env, stdio: ['ignore', 'inherit', 'inherit'] });
      const code = await new Promise<number | null>((r) => child.on('exit', r));
      assert.equal(code, 0);
      await done;
      assert.ok(batches.length >= 1, 'at least one batch while it ran');
      assert.ok(report, 'the final report arrived');
      const sites = (report as ProfileReportMessage).report as { callSites?: { op: string; location?: { line: number } }[] };
      const add = sites.callSites?.find((s) => s.op === 'add');
      assert.equal(add?.location?.line, 4);
    } finally {
      server.dispose();
    }
  });
});
