/**
 * Debug and Profile's stream without VS Code: the js-debug launch built for a script, run the way
 * js-debug runs it (`runtimeExecutable runtimeArgs program args` with `env` over the parent's), and
 * no IPC channel: the profiled script streams batches and its report to the ProfileSocketServer.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DebugStop, runtimeAnnouncesPid } from '../../extension/src/debug/debug-stop.js';
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

  it('a CommonJS script that starts with a synchronous loop streams batches from inside the loop (audit 32)', async function () {
    this.timeout(120000);
    // A CommonJS main runs right after the preloads with no event-loop turn between: the socket had not
    // connected, and every write waited in JavaScript until the loop ended. The loop runs until the test
    // releases it (bounded: 40 s), so a batch with ops seen before `loop-ended` exists came from the loop.
    const dir = path.join(ws, 'cjs-loop');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), '{ "type": "commonjs" }\n');
    const release = path.join(dir, 'release'), loopEnded = path.join(dir, 'loop-ended');
    rmSync(release, { force: true });
    rmSync(loopEnded, { force: true });
    writeFileSync(path.join(dir, 'long.js'), "const cp = require('corepy');\nconst { existsSync, writeFileSync } = require('node:fs');\nconst x = cp.ones([1000]);\n" +
      "const t0 = Date.now();\nwhile (!existsSync(__dirname + '/release') && Date.now() - t0 < 40000) cp.tidy(() => x.mul(2).add(1));\nwriteFileSync(__dirname + '/loop-ended', '');\n");
    let liveBatch: { ops: number; loopEnded: boolean } | null = null;
    let closed!: () => void;
    const done = new Promise<void>((r) => { closed = r; });
    const server = await ProfileSocketServer.listen(() => ({
      batch: (m) => {
        const ops = m.sites.filter((s) => s.op === 'add').reduce((t, s) => t + s.count, 0);
        if (liveBatch === null && ops > 0) liveBatch = { ops, loopEnded: existsSync(loopEnded) };
      },
      report: () => undefined, closed: () => closed(),
    }), (e) => assert.fail(e));
    try {
      const plan = buildProcessSpec({ program: path.join(dir, 'long.js'), backend: 'js' }, path.join(ROOT, 'extension', 'dist'));
      const cfg = jsDebugLaunch('long', plan, undefined, server.path);
      const env: NodeJS.ProcessEnv = { ...process.env };
      for (const [k, v] of Object.entries(cfg.env)) { if (v === null) delete env[k]; else env[k] = v; }
      const child = spawn(cfg.runtimeExecutable, [...cfg.runtimeArgs, cfg.program, ...cfg.args], { cwd: cfg.cwd, env, stdio: ['ignore', 'inherit', 'inherit'] });
      const exited = new Promise<number | null>((r) => child.on('exit', r));
      for (const t0 = Date.now(); liveBatch === null && Date.now() - t0 < 45000;) await new Promise((r) => setTimeout(r, 50));
      writeFileSync(release, '');
      assert.equal(await exited, 0);
      await done;
      assert.ok(liveBatch, 'a batch with the loop\'s adds');
      assert.equal(liveBatch!.loopEnded, false, 'it came while the loop still ran');
    } finally {
      server.dispose();
    }
  });

  /**
   * Runs `source` as js-debug would with a DebugStop, then stops it as Stop does (stop file, then js-debug's polite SIGTERM).
   * `jsDebug.signals: false`: js-debug's SIGTERM does not come before the script has ended; `jsDebug.env` over the launch's.
   */
  async function stopped(source: string, graceMs?: number, readyFile?: string, jsDebug: { signals?: boolean; env?: Record<string, string> } = {}): Promise<{ code: number | null; signal: string | null; pid: number | null; childPid: number; report: ProfileReportMessage | null; batches: number }> {
    let batches = 0, hello: number | null = null;
    let closed!: () => void;
    const done = new Promise<void>((r) => { closed = r; });
    const server = await ProfileSocketServer.listen(() => ({
      hello: (m) => { hello = m.pid; }, batch: () => { batches++; }, report: () => assert.fail('the report goes to the file'), closed: () => closed(),
    }), (e) => assert.fail(e));
    try {
      writeFileSync(path.join(ws, 'stopme.mjs'), source);
      if (readyFile !== undefined) rmSync(path.join(ws, readyFile), { force: true });
      const plan = buildProcessSpec({ program: path.join(ws, 'stopme.mjs'), backend: 'js' }, path.join(ROOT, 'extension', 'dist'));
      assert.equal(runtimeAnnouncesPid(plan.runtime.dir), true, 'this runtime sends its pid');
      const stop = new DebugStop(true);
      const cfg = jsDebugLaunch('stopme', plan, undefined, server.path, stop);
      assert.equal(cfg.killBehavior, 'polite');
      const env: NodeJS.ProcessEnv = { ...process.env };
      for (const [k, v] of Object.entries({ ...cfg.env, ...jsDebug.env })) { if (v === null) delete env[k]; else env[k] = v; }
      const child = spawn(cfg.runtimeExecutable, [...cfg.runtimeArgs, cfg.program, ...cfg.args], { cwd: cfg.cwd, env, stdio: ['ignore', 'inherit', 'inherit'] });
      const exited = new Promise<[number | null, string | null]>((r) => child.on('exit', (c, sig) => r([c, sig])));
      // Stop once the script runs its loop (its first batch is out).
      for (const t0 = Date.now(); batches === 0 && Date.now() - t0 < 20000;) await new Promise((r) => setTimeout(r, 50));
      // Or once it says it has reached the point to stop it at.
      for (const t0 = Date.now(); readyFile !== undefined && !existsSync(path.join(ws, readyFile)) && Date.now() - t0 < 20000;) await new Promise((r) => setTimeout(r, 50));
      stop.pid ??= hello;
      stop.requested(graceMs);
      if (jsDebug.signals !== false) child.kill('SIGTERM');
      const [code, signal] = await exited;
      await done;
      return { code, signal, pid: hello, childPid: child.pid!, report: stop.end(), batches };
    } finally {
      server.dispose();
    }
  }

  it('Stop on a synchronous loop of ops: the script writes its full report to the file and exits 143 (polite kill + stop file)', async () => {
    const r = await stopped("import * as cp from 'corepy';\nconst x = cp.ones([1000]);\nconst end = Date.now() + 60000;\nwhile (Date.now() < end) cp.tidy(() => { x.add(1); });\n");
    assert.equal(r.pid, r.childPid, 'the hello named the script\'s process');
    assert.equal(r.code, 143);
    assert.ok(r.report, 'the full report, from the report file');
    assert.ok(r.report!.flame, 'with its flame profile');
    assert.ok((r.report!.report.operations.find((o) => o.op === 'add')?.count ?? 0) > 0);
  });

  it('Stop with a grace shorter than the report takes: the script says it is reporting, and the watchdog waits for it', async () => {
    // A full ring (100 000 events) takes longer than the 1 s grace to report here (seconds on a busy machine); the stop
    // is seen within 0.5 s (op path, stop watcher). Without the acknowledgement the watchdog killed it mid-report.
    const r = await stopped("import * as cp from 'corepy';\nimport { writeFileSync } from 'node:fs';\nconst x = cp.ones([16]);\nconst end = Date.now() + 60000;\nlet i = 0;\nwhile (Date.now() < end) { cp.tidy(() => { x.add(1); }); if (++i === 150000) writeFileSync(new URL('./stopme.full', import.meta.url), ''); }\n", 1000, 'stopme.full');
    assert.equal(r.code, 143, `signal ${r.signal}`);
    assert.ok(r.report, 'the full report, from the report file');
  });

  it('Stop while js-debug\'s SIGTERM is late (a busy extension host runs it after the grace): the script is signalled with the request, the full report, exit 143', async () => {
    // long.js's shape (ops from a timer, idle between them), with nothing but the signal to end it: the op path looks for
    // the stop file only when the timer is starved, and the stop watcher is off. js-debug's SIGTERM never comes in time:
    // it is sent from the extension host's event loop, where this grace runs too. The watchdog killed it (no report).
    const r = await stopped("import * as cp from 'corepy';\nconst x = cp.ones([1000]);\nsetInterval(() => { for (let i = 0; i < 10; i++) cp.tidy(() => { x.add(i); }); }, 20);\n",
      1000, undefined, { signals: false, env: { COREPY_STOP_WATCHER: '0' } });
    assert.equal(r.code, 143, `signal ${r.signal}`);
    assert.ok(r.report, 'the full report, from the report file');
    assert.ok((r.report!.report.operations.find((o) => o.op === 'add')?.count ?? 0) > 0);
  });

  it('Stop on a loop without ops: the stop watcher interrupts it; the full report, exit 143', async () => {
    const r = await stopped("import * as cp from 'corepy';\nconst x = cp.ones([1000]);\nfor (let i = 0; i < 50; i++) cp.tidy(() => { x.add(1); });\nawait new Promise((r) => setTimeout(r, 600));\nconst end = Date.now() + 60000;\nwhile (Date.now() < end) { /* no ops: no signal handler, timer or op path runs */ }\n");
    assert.equal(r.code, 143);
    assert.ok(r.report, 'the full report, from the report file');
    assert.equal(r.report!.report.operations.find((o) => o.op === 'add')?.count, 50);
  });

  it('Stop on a script that cannot act on it (blocked in a system call): the watchdog kills it after the grace; no report', async () => {
    const r = await stopped("import * as cp from 'corepy';\nconst x = cp.ones([1000]);\nfor (let i = 0; i < 50; i++) cp.tidy(() => { x.add(1); });\nawait new Promise((r) => setTimeout(r, 600));\nimport { execFileSync } from 'node:child_process';\nimport { openSync, rmSync, writeFileSync } from 'node:fs';\nconst fifo = new URL('./stopme.fifo', import.meta.url).pathname;\nrmSync(fifo, { force: true });\nexecFileSync('mkfifo', [fifo]);\nwriteFileSync(new URL('./stopme.blocked', import.meta.url), '');\nopenSync(fifo, 'r'); // blocked in a system call: not even an inspector request runs here\n", 300, 'stopme.blocked');
    assert.equal(r.signal, 'SIGKILL', `exit code ${r.code}`);
    assert.equal(r.report, null);
  });
});
