// A debugger client that sets a breakpoint the way VS Code's JavaScript debugger (js-debug) does, to
// tell whether a launch pauses there. Run as
//   node [--experimental-websocket] cdp-breakpoint-driver.mjs '<json>'
// json: { node, execArgs, env, program, line (1-based), timeoutMs }. Prints one JSON line:
// { paused, line, workers, unanswered, exitCode, stdout, stderr }.
//
// What js-debug does and this copies (vscode-js-debug: breakpoints by urlRegex from urlUtils.ts
// urlToRegex; workers through NodeWorker with waitForDebuggerOnStart): the breakpoint is set in the
// main thread and in every worker thread, by a URL pattern that spells each non-ASCII character of
// the path both as itself and percent-encoded; a worker is let run (Runtime.runIfWaitingForDebugger)
// only after its setBreakpointByUrl has been answered. On a Node whose inspector drops non-ASCII
// messages to workers (nodejs/node#50516) that answer never comes: `unanswered` counts such workers.
// Pauses that are not the breakpoint (--inspect-brk's first line, a worker's start) are resumed.
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';

const o = JSON.parse(process.argv[2]);
const child = spawn(o.node, ['--inspect-brk=127.0.0.1:0', ...o.execArgs, o.program], { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
let stdout = '';
let stderr = '';
let exitCode = null;
child.stdout.on('data', (d) => { stdout += d; });
const exited = new Promise((resolve) => child.on('exit', (code, signal) => { exitCode = code ?? signal; resolve(); }));
const finish = (r) => {
  process.stdout.write(`${JSON.stringify({ ...r, exitCode, stdout: stdout.slice(0, 2000), stderr: stderr.slice(-2000) })}\n`);
  child.kill('SIGKILL');
  process.exit(0);
};

const wsUrl = await new Promise((resolve) => {
  child.stderr.on('data', (d) => { stderr += d; const m = /ws:\/\/\S+/.exec(stderr); if (m) resolve(m[0]); });
  void exited.then(() => { if (!/ws:\/\//.test(stderr)) finish({ paused: false, line: null, workers: 0, unanswered: 0, error: 'exited before the inspector opened' }); });
});

/** js-debug's urlToRegex on a case-sensitive file system: the file URL (decoded) or the path, each character as itself or percent-encoded. */
function urlRegex(file) {
  const group = (c) => {
    if (c === ':') return c;
    if (c === '/') return '\\/';
    const set = new Set([/[.*+?^${}()|[\]\\]/.test(c) ? `\\${c}` : c]);
    const enc = encodeURIComponent(c);
    if (c !== '\\' && enc !== c) set.add(enc);
    const a = [...set];
    return a.length === 1 ? a[0] : a.some((p) => p.length > 1) ? `(?:${a.join('|')})` : `[${a.join('')}]`;
  };
  const re = (s) => [...s].map(group).join('');
  return `${re(decodeURIComponent(pathToFileURL(file).href))}($|\\?)|${re(file)}($|\\?)`;
}
const breakpoint = { urlRegex: urlRegex(o.program), lineNumber: o.line - 1, columnNumber: 0 };

const ws = new WebSocket(wsUrl);
await new Promise((resolve) => { ws.onopen = resolve; });
let nextId = 0;
const pending = new Map();
const send = (method, params = {}) => new Promise((resolve) => {
  const id = ++nextId;
  pending.set(id, resolve);
  ws.send(JSON.stringify({ id, method, params }));
});
const workerPending = new Map();
const sendToWorker = (sessionId, method, params = {}) => new Promise((resolve) => {
  const id = ++nextId;
  workerPending.set(id, resolve);
  void send('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id, method, params }) });
});

let workers = 0;
let unanswered = 0;
let hit = null;
let onHit = () => {};
ws.onmessage = (e) => {
  const m = JSON.parse(e.data);
  if (m.id !== undefined && pending.has(m.id)) { pending.get(m.id)(m); pending.delete(m.id); return; }
  if (m.method === 'Debugger.paused') {
    if (m.params.hitBreakpoints?.length) { hit = m.params.callFrames[0].location.lineNumber + 1; onHit(); }
    else void send('Debugger.resume');
  } else if (m.method === 'NodeWorker.attachedToWorker') {
    void attachWorker(m.params.sessionId);
  } else if (m.method === 'NodeWorker.receivedMessageFromWorker') {
    const w = JSON.parse(m.params.message);
    if (w.id !== undefined && workerPending.has(w.id)) { workerPending.get(w.id)(w); workerPending.delete(w.id); }
    if (w.method === 'Debugger.paused') void sendToWorker(m.params.sessionId, 'Debugger.resume');
  }
};
async function attachWorker(sessionId) {
  workers++;
  await sendToWorker(sessionId, 'Runtime.enable');
  await sendToWorker(sessionId, 'Debugger.enable');
  unanswered++;
  await sendToWorker(sessionId, 'Debugger.setBreakpointByUrl', breakpoint); // js-debug waits for this answer
  unanswered--;
  await sendToWorker(sessionId, 'Runtime.runIfWaitingForDebugger');
}

setTimeout(() => finish({ paused: hit !== null, line: hit, workers, unanswered }), o.timeoutMs);
await send('NodeWorker.enable', { waitForDebuggerOnStart: true });
await send('Runtime.enable');
await send('Debugger.enable');
await send('Debugger.setBreakpointByUrl', breakpoint);
const paused = new Promise((resolve) => { onHit = resolve; });
await send('Runtime.runIfWaitingForDebugger');
await paused;
// Paused on the breakpoint: let the script run to its end.
const line = hit;
await send('Debugger.setBreakpointsActive', { active: false });
await send('Debugger.resume');
// Node waits for the debugger to go once the script has ended ("Waiting for the debugger to disconnect...").
const ending = setInterval(() => { if (/Waiting for the debugger to disconnect/.test(stderr)) ws.close(); }, 50);
await exited;
clearInterval(ending);
finish({ paused: true, line, workers, unanswered });
