/**
 * Tutorial 1.1 (tutorials/01_profiling_basics/01_enable_profiling.ts) through the standalone debug
 * adapter, as Run and Profile runs it: the script runs 8 ops, then disableProfiling() and
 * clearProfile(), so its report's top level is empty and the ops are in an ended segment. The
 * adapter's final batch carries that segment and the store shows its lines: no "ran no corepy ops"
 * (audit 20, 9b).
 */
import { DebugClient } from '@vscode/debugadapter-testsupport';
import * as assert from 'node:assert/strict';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import type { CorepyReportEventBody } from '../../extension/src/debug/protocol.js';
import { opCountOf, ProfileStore } from '../../extension/src/profile-store.js';
import { statusFor } from '../../extension/src/views/labels.js';
import { chooseRuntime, makeWorkspace, ROOT } from './workspace.js';

const ADAPTER = path.join(ROOT, 'extension', 'dist', 'adapter.js');
const TUTORIAL = path.join(ROOT, 'tutorials', '01_profiling_basics', '01_enable_profiling.ts');

describe(`tutorial 1.1 through the debug adapter (${chooseRuntime()} runtime)`, function () {
  this.timeout(60000);
  let ws: string;
  let dc: DebugClient;

  before(function () {
    // The fake runtime has no clearProfile() segments.
    if (chooseRuntime() !== 'real') this.skip();
    ws = makeWorkspace();
    copyFileSync(TUTORIAL, path.join(ws, 'tutorial.ts'));
  });
  after(() => { if (ws) rmSync(ws, { recursive: true, force: true }); });
  beforeEach(async () => {
    dc = new DebugClient('node', ADAPTER, 'corepy');
    await dc.start();
  });
  afterEach(async () => { await dc.stop(); });

  it('its 8 ops reach the final batch as an ended segment, and the store shows their lines', async () => {
    const program = path.join(ws, 'tutorial.ts');
    const reportP = dc.waitForEvent('corepyReport', 50000);
    await Promise.all([dc.configurationSequence(), dc.launch({ program, backend: 'wasm' } as never)]);
    const body = (await reportP).body as CorepyReportEventBody;
    assert.equal(body.partial, false);
    assert.equal(body.exitCode, 0);
    assert.equal(body.report?.opCount, 0, 'clearProfile() emptied the top level');
    const segments = body.lastBatch?.segments ?? [];
    assert.deepEqual(segments.map((s) => [s.index, s.cause, s.current]), [[0, 'start', false]]);
    assert.equal(segments[0]!.sites.reduce((n, s) => n + s.count, 0), 8, 'the script prints "ops recorded while enabled: 8"');

    const store = new ProfileStore();
    store.startRun(program, 0);
    store.finishRun(body);
    assert.equal(opCountOf(store.run!), 8);
    const source = readFileSync(program, 'utf8').split('\n');
    const line = source.findIndex((l) => l.includes('const normalized = data.sub(data.mean()).div(data.std());')) + 1;
    assert.ok(line > 0, 'the tutorial still has its normalise line');
    assert.ok((store.lineAt(program, line)?.count ?? 0) >= 4, `sub, mean, div, std on line ${line}: ${JSON.stringify(store.linesFor(program).map((l) => [l.line, l.count]))}`);
    assert.match(statusFor(store.run)!.text, / · 8 ops · 1 segment$/);
  });
});
