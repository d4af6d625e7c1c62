/**
 * Debug and Profile with a breakpoint in a folder whose path has non-ASCII characters (newcomer audit:
 * "my proj ü" hung for good on Node 20). The decision (extension/src/debug/worker-inspector.ts) is
 * tested as a pure function; the launch is tested for real: the configuration Debug and Profile hands
 * to js-debug (buildProcessSpec → jsDebugLaunch, plus the decision's env) is started with the inspector
 * and driven by cdp-breakpoint-driver.mjs, which sets the breakpoint the way js-debug does, in every
 * thread, and says whether the script paused on it.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { buildProcessSpec } from '../../extension/src/debug/launch-spec.js';
import { jsDebugLaunch } from '../../extension/src/debug/js-debug-config.js';
import { ProfileSocketServer } from '../../extension/src/debug/profile-socket.js';
import type { ProfileReportMessage } from '../../extension/src/debug/protocol.js';
import {
  debugHazard, hasRegisterHooks, inspectorDropsNonAsciiToWorkers, nonAsciiBreakpoints, type DebugHazardInput,
} from '../../extension/src/debug/worker-inspector.js';

const root = join(__dirname, '..', '..');
const driver = join(__dirname, 'cdp-breakpoint-driver.mjs');

describe('Debug and Profile: breakpoints in non-ASCII paths (nodejs/node#50516)', () => {
  describe('nonAsciiBreakpoints', () => {
    it('finds enabled breakpoints whose path or text has non-ASCII characters, once each', () => {
      assert.deepEqual(nonAsciiBreakpoints([
        { enabled: true, path: '/w/my proj ü/train.ts' },
        { enabled: true, path: '/w/my proj ü/train.ts', condition: 'i === 3' },
        { enabled: false, path: '/w/テスト.ts' },
        { enabled: true, path: '/w/ascii.ts', logMessage: 'größe {n}' },
        { enabled: true, functionName: 'main' },
        { enabled: true, path: '/w/ascii.ts', hitCondition: '> 2' },
      ]), ['/w/my proj ü/train.ts', 'größe {n}']);
      assert.deepEqual(nonAsciiBreakpoints([]), []);
    });
  });

  describe('debugHazard', () => {
    const base: DebugHazardInput = {
      inspectorDropsNonAscii: true, nodeVersion: 'v20.20.2', nonAsciiBreakpoints: ['/w/my proj ü/train.ts'],
      typeScript: null, runtimeSource: 'workspace', hasRegisterHooks: false,
    };
    it('nothing to do on a Node that delivers the messages, or without such a breakpoint', () => {
      assert.deepEqual(debugHazard({ ...base, inspectorDropsNonAscii: false, typeScript: 'tsx' }), { kind: 'none' });
      assert.deepEqual(debugHazard({ ...base, nonAsciiBreakpoints: [], typeScript: 'tsx' }), { kind: 'none' });
    });
    it('JavaScript with the workspace runtime, or on a Node with registerHooks: no loader thread, nothing to do', () => {
      assert.deepEqual(debugHazard(base), { kind: 'none' });
      assert.deepEqual(debugHazard({ ...base, hasRegisterHooks: true, runtimeSource: 'bundled' }), { kind: 'none' });
    });
    it('TypeScript (tsx loader thread) or the bundled runtime (fallback resolve hook): the user is warned', () => {
      for (const h of [debugHazard({ ...base, typeScript: 'tsx' }), debugHazard({ ...base, runtimeSource: 'bundled' })]) {
        assert.equal(h.kind, 'hang');
        const message = h.kind === 'hang' ? h.message : '';
        assert.match(message, /would hang/);
        assert.match(message, /Node v20\.20\.2/);
        assert.match(message, /nodejs\/node#50516/);
        assert.match(message, /"\/w\/my proj ü\/train\.ts"/);
        assert.match(message, /Node 22 or later/);
      }
      assert.match((debugHazard({ ...base, typeScript: 'tsx' }) as { message: string }).message, /tsx/);
    });
    it('names at most two breakpoints', () => {
      const h = debugHazard({ ...base, typeScript: 'tsx', nonAsciiBreakpoints: ['/a/ü1.ts', '/a/ü2.ts', '/a/ü3.ts', '/a/ü4.ts'] });
      assert.match((h as { message: string }).message, /"\/a\/ü1\.ts", "\/a\/ü2\.ts" and 2 more/);
    });
  });

  it('hasRegisterHooks: 22.15+, 23.5+', () => {
    assert.deepEqual(['v20.20.2', 'v22.14.0', 'v22.15.0', 'v23.4.0', 'v23.5.0', 'v24.0.0', 'junk'].map(hasRegisterHooks),
      [false, false, true, false, true, true, false]);
  });

  describe('launched with the inspector', function () {
    this.timeout(120000);
    const nodes = [process.execPath, join(root, '.cache/node/22/bin/node'), join(root, '.cache/node/24/bin/node')].filter((n) => existsSync(n));
    const version = (node: string): string => spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
    let dir: string;
    let noCorepy: string;
    let server: ProfileSocketServer;
    const reports: ProfileReportMessage[] = [];

    before(async () => {
      dir = join(mkdtempSync(join(tmpdir(), 'corepy-dbg-')), 'my proj ü');
      mkdirSync(join(dir, 'node_modules'), { recursive: true });
      symlinkSync(join(root, 'runtime'), join(dir, 'node_modules', 'corepy'), 'dir');
      const body = [
        "const a = cp.randn([8, 8]);",
        'let s = 0;',
        'for (let i = 0; i < 3; i++) {',
        '  const b = cp.add(a, a);', // line 5: the breakpoint
        '  s += b.sum().item();',
        '}',
        "console.log('done', Number.isFinite(s));",
      ];
      writeFileSync(join(dir, 'train.mjs'), ["import * as cp from 'corepy';", ...body, ''].join('\n'));
      writeFileSync(join(dir, 'train.ts'), ["import * as cp from 'corepy';", ...body, 'export {};', ''].join('\n'));
      // No corepy of its own: Debug and Profile runs it with the bundled runtime (its fallback resolver).
      noCorepy = join(dirname(dir), 'kein corepy ü');
      mkdirSync(noCorepy);
      cpSync(join(dir, 'train.mjs'), join(noCorepy, 'train.mjs'));
      server = await ProfileSocketServer.listen(() => ({ batch: () => {}, report: (m) => { reports.push(m); }, closed: () => {} }), () => {});
    });
    after(() => server?.dispose());

    /** Debug and Profile's js-debug launch of `program` on `node` run by the driver, and the decision for it. */
    async function debugRun(node: string, program: string, opts: { timeoutMs: number }) {
      const plan = buildProcessSpec({ program, runtimeExecutable: node, backend: 'js', bundledRuntime: join(root, 'runtime') } as never, join(root, 'extension', 'dist'));
      const decision = debugHazard({
        inspectorDropsNonAscii: inspectorDropsNonAsciiToWorkers(node, plan.nodeVersion), nodeVersion: plan.nodeVersion,
        nonAsciiBreakpoints: nonAsciiBreakpoints([{ enabled: true, path: program }]),
        typeScript: plan.typeScript, runtimeSource: plan.runtime.source, hasRegisterHooks: hasRegisterHooks(plan.nodeVersion),
      });
      const launch = jsDebugLaunch('t', plan, undefined, server.path);
      // js-debug merges the launch's env over the host's (null removes a variable).
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries({ ...process.env, ...launch.env })) if (typeof v === 'string') env[k] = v;
      delete env.NODE_OPTIONS;
      const flags = typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'function' ? [] : ['--experimental-websocket'];
      // Async: the profile socket's server runs in this process and must keep reading meanwhile.
      const r = await promisify(execFile)(process.execPath, [...flags, driver, JSON.stringify({
        node, execArgs: launch.runtimeArgs, env, program, cwd: dirname(program), line: 5, timeoutMs: opts.timeoutMs,
      })], { encoding: 'utf8', timeout: opts.timeoutMs + 30000, env: { ...process.env, NODE_OPTIONS: '' } });
      const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { paused: boolean; line: number | null; workers: number; unanswered: number; exitCode: unknown; stdout: string; stderr: string };
      return { decision, out };
    }

    it('the probe tells a Node with the bug (v20) from one without (v22, v24)', () => {
      for (const node of nodes) {
        const v = version(node);
        assert.equal(inspectorDropsNonAsciiToWorkers(node, v), v.startsWith('v20.'), `${node} ${v}`);
      }
    });

    it('a .mjs with the workspace corepy in "my proj ü" pauses on its breakpoint and runs to its report, on every Node here', async () => {
      for (const node of nodes) {
        reports.length = 0;
        const { decision, out } = await debugRun(node, join(dir, 'train.mjs'), { timeoutMs: 20000 });
        for (let t = 0; t < 100 && reports.length === 0; t++) await new Promise((res) => setTimeout(res, 20));
        assert.equal(decision.kind, 'none');
        assert.ok(out.paused, `${version(node)}: no pause (${JSON.stringify(out)})`);
        assert.equal(out.line, 5);
        assert.equal(out.exitCode, 0, out.stderr);
        assert.match(out.stdout, /done true/);
        assert.equal(reports.length, 1, 'the profile report came over the socket');
      }
    });

    it('on Node 20 a .ts, or a .mjs with the bundled runtime, hangs there: the launches the user is warned of', async function () {
      const node20 = nodes.find((n) => version(n).startsWith('v20.'));
      if (node20 === undefined) this.skip();
      for (const program of [join(dir, 'train.ts'), join(noCorepy, 'train.mjs')]) {
        const { decision, out } = await debugRun(node20, program, { timeoutMs: 5000 });
        assert.equal(decision.kind, 'hang', program);
        assert.equal(out.paused, false, program);
        assert.ok(out.unanswered > 0, `${program}: ${JSON.stringify(out)}`);
      }
    });

    it('a .ts in "my proj ü" pauses on its breakpoint on Node 22 and 24 (tsx and corepy load in-thread)', async function () {
      const fixed = nodes.filter((n) => !version(n).startsWith('v20.'));
      if (fixed.length === 0) this.skip();
      for (const node of fixed) {
        const { decision, out } = await debugRun(node, join(dir, 'train.ts'), { timeoutMs: 20000 });
        assert.equal(decision.kind, 'none');
        assert.ok(out.paused, `${version(node)}: ${JSON.stringify(out)}`);
        assert.equal(out.line, 5);
        assert.equal(out.exitCode, 0, out.stderr);
      }
    });
  });
});
