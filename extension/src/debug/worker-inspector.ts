/**
 * Debug and Profile with a breakpoint in a folder whose path has non-ASCII characters
 * ("my proj ü/train.ts") hung for good on Node 20: Node's inspector rejects a debugger message that
 * holds a multi-byte character when it goes to a worker thread (NodeWorker.sendMessageToWorker
 * answers "Message must be a valid JSON" with no id; nodejs/node#50516, vscode-js-debug#2043).
 * js-debug sets every breakpoint in every thread, by a URL pattern that spells the path's
 * characters, and lets a new worker run only once those requests are answered. The module-loader
 * thread that `module.register` starts (tsx's ESM loader; corepy's fallback resolve hook where Node
 * has no `module.registerHooks`) therefore never starts, and the main thread
 * waits for it forever (futex wait, nothing in the Debug Console but "Debugger attached.").
 *
 * Measured here with a CDP driver that does what js-debug does (test/unit/cdp-breakpoint-driver.mjs):
 * Node v20.20.2 drops the message; v22.23.5 and v24.22.3 deliver it, and on them tsx ≥ 4.22 and corepy
 * load in-thread anyway (registerHooks). Whether a given Node has the bug is asked of that Node itself
 * ({@link inspectorDropsNonAsciiToWorkers}), not guessed from its version.
 *
 * What the launch does about it ({@link debugHazard}): nothing where no loader thread starts (a
 * JavaScript program with the workspace's own corepy: under Debug and Profile autostart installs no
 * static call-site hooks). A TypeScript program (tsx's loader thread on such a Node; Node 20 cannot
 * run the main module through tsx's in-thread CommonJS hook once `--import` preloads autostart: it
 * fails with ERR_UNKNOWN_FILE_EXTENSION) or one that needs the bundled runtime's fallback resolve hook
 * has no launch that keeps its breakpoints: the user is told before the launch and chooses.
 * No `vscode` import.
 */
import { spawnSync } from 'node:child_process';

/**
 * Run by the Node that will run the script: does a message with a multi-byte character reach a
 * worker thread through the inspector? Prints `ok` or `broken` (nothing usable if the inspector or
 * workers are missing).
 */
export const WORKER_INSPECTOR_PROBE = `
const { Session } = require('node:inspector');
const { Worker } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const s = new Session(); s.connect();
const done = (r) => { writeSync(1, r); process.exit(0); };
setTimeout(() => done('timeout'), 4000);
s.on('NodeWorker.attachedToWorker', ({ params }) => {
  s.post('NodeWorker.sendMessageToWorker', { sessionId: params.sessionId,
    message: JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression: '"\\u00fc".length' } }) });
});
s.on('NodeWorker.receivedMessageFromWorker', ({ params }) => {
  const m = JSON.parse(params.message);
  if (m.id === 1) done(m.result && m.result.result && m.result.result.value === 1 ? 'ok' : 'broken');
  else if (m.error) done('broken');
});
s.post('NodeWorker.enable', { waitForDebuggerOnStart: false }, (e) => {
  if (e) done('no-worker-inspector');
  else new Worker('setTimeout(() => {}, 3500)', { eval: true }).unref();
});
`;

const probed = new Map<string, boolean>();

/**
 * True when the Node executable `node` (`version`, e.g. `v20.20.2`, for when the probe cannot tell)
 * drops inspector messages with multi-byte characters on their way to a worker thread
 * (nodejs/node#50516). Asked of that Node once per executable (~0.2 s).
 */
export function inspectorDropsNonAsciiToWorkers(node: string, version: string): boolean {
  let known = probed.get(node);
  if (known === undefined) {
    const r = spawnSync(node, ['-e', WORKER_INSPECTOR_PROBE], {
      encoding: 'utf8', timeout: 10000, env: { ...process.env, ELECTRON_RUN_AS_NODE: undefined, NODE_OPTIONS: undefined },
    });
    const out = (r.stdout ?? '').trim();
    // Seen: broken on 20.20.2, fine on 22.23.5 and 24.22.3. Without an answer, go by the major version.
    known = out === 'ok' ? false : out === 'broken' ? true : nodeMajor(version) < 22;
    probed.set(node, known);
  }
  return known;
}

function nodeMajor(version: string): number {
  const m = /^v?(\d+)\./.exec(version);
  return m ? Number(m[1]) : 0;
}

/** Does Node `version` (`v22.15.0`) have `module.registerHooks` (22.15+, 23.5+), so corepy's hooks run in-thread? */
export function hasRegisterHooks(version: string): boolean {
  const m = /^v?(\d+)\.(\d+)\./.exec(version);
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > 23 || (major === 23 && minor >= 5) || (major === 22 && minor >= 15);
}

/** What a breakpoint sends to the debugger, for {@link nonAsciiBreakpoints}: its file, and any text the user typed. */
export interface BreakpointText {
  readonly enabled: boolean;
  /** File path of a source breakpoint. */
  readonly path?: string;
  /** A function breakpoint's function name. */
  readonly functionName?: string;
  readonly condition?: string;
  readonly hitCondition?: string;
  readonly logMessage?: string;
}

const NON_ASCII = /[^\x00-\x7f]/;

/** The enabled breakpoints' texts that hold a non-ASCII character (each a path or the text itself), without repeats. */
export function nonAsciiBreakpoints(breakpoints: readonly BreakpointText[]): string[] {
  const found = new Set<string>();
  for (const b of breakpoints) {
    if (!b.enabled) continue;
    for (const t of [b.path, b.functionName, b.condition, b.hitCondition, b.logMessage]) {
      if (t !== undefined && NON_ASCII.test(t)) found.add(t);
    }
  }
  return [...found];
}

/** Input of {@link debugHazard}. */
export interface DebugHazardInput {
  /** From {@link inspectorDropsNonAsciiToWorkers} for the Node that runs the script. */
  readonly inspectorDropsNonAscii: boolean;
  /** The Node's version, for the message. */
  readonly nodeVersion: string;
  /** From {@link nonAsciiBreakpoints}. */
  readonly nonAsciiBreakpoints: readonly string[];
  /** How a TypeScript program runs (LaunchPlan.typeScript): tsx's ESM loader; null for JavaScript. */
  readonly typeScript: 'tsx' | null;
  /** Whose corepy runs (LaunchPlan.runtime.source): the bundled one adds corepy's fallback resolve hook. */
  readonly runtimeSource: 'workspace' | 'bundled';
  /** Does this Node have `module.registerHooks` (≥ 22.15; corepy's hooks then run in-thread)? */
  readonly hasRegisterHooks: boolean;
}

/** What {@link debugHazard} decided: launch as planned, or ask the user first (`message`). */
export type DebugHazard = { readonly kind: 'none' } | { readonly kind: 'hang'; readonly message: string };

/** The Node bug, as the messages name it. */
export const NODE_BUG = 'nodejs/node#50516';

/**
 * Would this Debug and Profile launch hang (see the file comment)? Pure. It needs all three: a Node
 * whose inspector drops non-ASCII messages to workers, an enabled breakpoint whose path or text has
 * non-ASCII characters, and a module-loader thread the script waits for: tsx's ESM loader (TypeScript),
 * or corepy's fallback resolve hook (the bundled runtime) on a Node without `module.registerHooks`.
 * A JavaScript program with the workspace's own corepy starts none under Debug and Profile (autostart
 * installs no static call-site hooks when it streams over COREPY_PROFILE_SOCKET), so its breakpoints work.
 */
export function debugHazard(i: DebugHazardInput): DebugHazard {
  if (!i.inspectorDropsNonAscii || i.nonAsciiBreakpoints.length === 0) return { kind: 'none' };
  if (i.typeScript === null && (i.runtimeSource === 'workspace' || i.hasRegisterHooks)) return { kind: 'none' };
  const thread = i.typeScript === 'tsx'
    ? 'TypeScript runs through tsx\'s module loader, which on this Node runs on a worker thread'
    : 'the script uses the corepy runtime bundled with the extension (the workspace has none), whose module resolver runs on a worker thread on this Node';
  return {
    kind: 'hang',
    message: `Corepy: Debug and Profile would hang before the script's first line. Node ${i.nodeVersion} drops debugger messages with ` +
      `non-ASCII characters on their way to a worker thread (${NODE_BUG}), a breakpoint here has them ` +
      `(${quoteList(i.nonAsciiBreakpoints)}), and ${thread}. Use Node 22 or later ("corepy.nodePath"), a folder whose path is ` +
      'ASCII only, or remove those breakpoints.',
  };
}

function quoteList(texts: readonly string[]): string {
  const shown = texts.slice(0, 2).map((t) => `"${t}"`).join(', ');
  return texts.length > 2 ? `${shown} and ${texts.length - 2} more` : shown;
}
