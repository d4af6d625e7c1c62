/**
 * A script left running by `disconnect` with `terminateDebuggee: false` keeps its output after
 * the adapter exits: the adapter names a log file in a last `output` event, and the script's
 * later lines land there (none lost, none twice, no EPIPE). Also the pure UTF-8 splitter and the
 * hand-off's fallback when the relay process cannot start.
 */
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { handOffOutput } from '../../extension/src/debug/output-handoff.js';
import type { CorepyLaunchArguments } from '../../extension/src/debug/protocol.js';
import { completeUtf8Length, Utf8Text } from '../../extension/src/debug/utf8-text.js';
import { chooseRuntime, makeWorkspace, ROOT } from './workspace.js';

const ADAPTER = path.join(ROOT, 'extension', 'dist', 'adapter.js');
const LINES = 10;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 50 ms until it is true or `ms` passed; returns its last value. */
async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await sleep(50);
  return check();
}

const alive = (pid: number): boolean => {
  try { process.kill(pid, 0); return true; } catch { return false; }
};

/**
 * The script: line 1 plus the first byte of 'é', then (once the test says go, i.e. after the
 * detach) the second byte and lines 2..10, one per 150 ms. A state file records its pids, any
 * uncaught error (EPIPE) and its exit code, without changing how it reacts to them.
 */
function chattyScript(state: string, go: string): string {
  return `import { appendFileSync, existsSync } from 'node:fs';
const state = ${JSON.stringify(state)};
appendFileSync(state, 'pid ' + process.pid + ' ppid ' + process.ppid + '\\n');
process.on('uncaughtExceptionMonitor', (e) => appendFileSync(state, 'uncaught ' + e.code + '\\n'));
process.on('exit', (c) => appendFileSync(state, 'exit ' + c + '\\n'));
process.stdout.write(Buffer.concat([Buffer.from('chatty: line 1\\n'), Buffer.from([0xc3])]));
const wait = setInterval(() => {
  if (!existsSync(${JSON.stringify(go)})) return;
  clearInterval(wait);
  process.stdout.write(Buffer.from([0xa9, 0x0a]));
  let i = 1;
  const t = setInterval(() => {
    i++;
    console.log('chatty: line ' + i);
    if (i === 2) console.error('chatty: to stderr');
    if (i === ${LINES}) clearInterval(t);
  }, 150);
}, 20);
`;
}

describe(`detached script output (DAP, ${chooseRuntime()} runtime)`, function () {
  this.timeout(30000);
  let ws: string;
  let dc: DebugClient;
  let scriptPid = 0;
  /** Set when the test stopped the adapter itself (a second stop() would wait on a dead one). */
  let stopped = false;
  /** The adapter's log folder for the detached script, removed after each test. */
  let logDir: string | undefined;

  before(() => { ws = makeWorkspace(); });
  after(() => { rmSync(ws, { recursive: true, force: true }); });
  beforeEach(async () => {
    dc = new DebugClient('node', ADAPTER, 'corepy');
    stopped = false;
    await dc.start();
  });
  afterEach(async () => {
    if (!stopped) await dc.stop();
    if (scriptPid > 0 && alive(scriptPid)) process.kill(scriptPid, 'SIGKILL');
    if (logDir !== undefined) rmSync(logDir, { recursive: true, force: true });
    logDir = undefined;
  });

  it('hands the output to a log file that outlives the adapter', async () => {
    const state = path.join(ws, 'chatty.state');
    const go = path.join(ws, 'chatty.go');
    writeFileSync(path.join(ws, 'chatty.js'), chattyScript(state, go));
    const output: DebugProtocol.OutputEvent['body'][] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => output.push(e.body));
    const args: CorepyLaunchArguments = { program: path.join(ws, 'chatty.js'), backend: 'js' };
    await Promise.all([dc.configurationSequence(), dc.launch(args)]);
    assert.ok(await until(() => output.some((o) => o.output.includes('line 1')), 20000), 'line 1 arrived over DAP');
    const [, pid, adapterPid] = /pid (\d+) ppid (\d+)/.exec(readFileSync(state, 'utf8'))!.map(Number);
    scriptPid = pid;

    await dc.disconnectRequest({ terminateDebuggee: false });
    const note = output.map((o) => o.output).find((t) => /detached from chatty\.js/.test(t));
    assert.ok(note, `a Debug Console line about the detach, got ${JSON.stringify(output)}`);
    const logPath = /further output goes to (.+\.log)$/m.exec(note)?.[1];
    assert.ok(logPath !== undefined && path.isAbsolute(logPath), `the note names an absolute log file: ${note}`);
    logDir = path.dirname(logPath);
    assert.match(note, new RegExp(`pid ${pid}`));

    // As VS Code does after a disconnect: the adapter process goes away (stop() also sends a
    // second, argument-less disconnect, which must not stop the detached script).
    await dc.stop();
    stopped = true;
    assert.ok(await until(() => !alive(adapterPid), 5000), 'the adapter exited');
    assert.ok(!readFileSync(state, 'utf8').includes('exit'), 'the script was still running when the adapter had gone');
    writeFileSync(go, '');

    assert.ok(await until(() => readFileSync(state, 'utf8').includes('exit'), 15000), 'the script ended');
    const finalState = readFileSync(state, 'utf8');
    assert.doesNotMatch(finalState, /uncaught/, 'no EPIPE or other uncaught error in the script');
    assert.match(finalState, /exit 0/);
    // The relay writes what it reads as it reads it; give it a moment after the script's exit.
    assert.ok(await until(() => readFileSync(logPath, 'utf8').includes(`line ${LINES}\n`), 5000), 'the last line reached the log');

    const log = readFileSync(logPath, 'utf8');
    const viaDap = output.filter((o) => o.category === 'stdout').map((o) => o.output).join('');
    assert.equal(viaDap, 'chatty: line 1\n', 'over DAP: only what came before the detach');
    assert.ok(log.startsWith('é\n'), `the character split across the detach is whole: ${JSON.stringify(log.slice(0, 8))}`);
    const logLines = log.split('\n').filter((l) => l.startsWith('chatty: line'));
    assert.deepEqual(logLines, Array.from({ length: LINES - 1 }, (_, i) => `chatty: line ${i + 2}`), 'lines 2..10 once each, in order');
    assert.match(log, /chatty: to stderr\n/, 'stderr goes to the same log');
  });
});

describe('detach output hand-off (unit)', () => {
  it('completeUtf8Length stops before an incomplete character only', () => {
    const e = Buffer.from('aé€😀'); // 1 + 2 + 3 + 4 bytes
    assert.equal(completeUtf8Length(e), 10);
    assert.equal(completeUtf8Length(e.subarray(0, 2)), 1);
    assert.equal(completeUtf8Length(e.subarray(0, 5)), 3);
    assert.equal(completeUtf8Length(e.subarray(0, 9)), 6);
    assert.equal(completeUtf8Length(e.subarray(0, 7)), 6);
    assert.equal(completeUtf8Length(Buffer.alloc(0)), 0);
  });

  it('Utf8Text decodes across chunk boundaries and hands back the pending bytes', () => {
    const t = new Utf8Text();
    const bytes = Buffer.from('x😀y');
    assert.equal(t.push(bytes.subarray(0, 3)), 'x');
    assert.equal(t.push(bytes.subarray(3, 5)), '😀');
    assert.equal(t.push(Buffer.concat([bytes.subarray(5), Buffer.from([0xe2, 0x82])])), 'y');
    assert.deepEqual([...t.takePending()], [0xe2, 0x82]);
    assert.equal(t.takePending().length, 0);
  });

  it('falls back to the caller writing the log when the relay cannot start', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'corepy-handoff-'));
    try {
      const child = spawn(process.execPath, ['-e', 'let i = 0; const t = setInterval(() => { console.log("n" + ++i); if (i === 3) clearInterval(t); }, 100)'],
        { stdio: ['ignore', 'pipe', 'pipe'] });
      await new Promise((r) => child.stdout.once('data', r));
      const h = handOffOutput({
        pid: child.pid, program: 'x.js', node: path.join(dir, 'no-such-node'), env: process.env,
        streams: [child.stdout, child.stderr], preamble: [Buffer.from('before\n')],
      }, dir);
      assert.equal(h.by, 'adapter');
      assert.ok(h.reason?.includes('no-such-node'));
      child.stdout.on('data', (b: Buffer) => h.write(b));
      await new Promise((r) => child.once('close', r));
      h.close();
      assert.match(readFileSync(h.logPath, 'utf8'), /^before\n(n\d\n)*n3\n$/, 'reading resumed after the failed spawn');
      assert.ok(existsSync(h.logPath));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
