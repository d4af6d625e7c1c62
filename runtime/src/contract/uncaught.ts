/**
 * The one reading of an uncaught-error text: what the runtime prints when a profiled script dies
 * (profiler/uncaught-text.ts `describeUncaught`) or what Node itself prints to stderr when the
 * script dies before the runtime's handler runs. `corepy profile` reads it for the report's
 * `run.error` (cli-outcome.ts); the extension for the same field of its runs and for the failure
 * diagnostic it puts in the editor (extension/src/debug/run-outcome.ts, vscode-debug.ts), so the
 * export and the editor agree. No Node imports: paths and file URLs are handled as text, POSIX and
 * Windows alike (the text comes from the script's platform).
 */
import type { SourceLocation } from './flame.js';
import type { RunError } from './report.js';

/** Which places in the text are the user's code. */
export interface UncaughtScope {
  /**
   * Folders of the corepy copy the script ran with (absolute): frames in them are corepy's, not the
   * user's. Frames in a `node_modules` folder and Node's own (`node:…`, `<anonymous>`) never are.
   */
  readonly runtimeDirs?: readonly string[];
  /**
   * The script that ran (absolute path). When given, only a place in this file counts. The extension
   * passes it: it cannot tell which corepy copy the script loaded (the workspace's, or the one bundled
   * in the extension, outside any node_modules), and its diagnostic belongs in the file it launched.
   */
  readonly program?: string;
}

/** A stack frame: `at name (file:line:col)` or `at file:line:col`. */
const FRAME = /^\s*at (?:.*? \()?((?:file:\/\/)?[^()\s][^()]*?):(\d+):(\d+)\)?\s*$/;
/** The place Node prints above a thrown line and its caret (`file:line`), and a syntax error's (`file:line:col`). */
const HEADER = /^((?:file:\/\/)?(?:\/|[A-Za-z]:[\\/]|\\\\).*?):(\d+)(?::(\d+))?$/;
/** The line that names the error: `TypeError: …`, `UnhandledPromiseRejection: …`, describeUncaught's non-Error prefixes. */
const NAMED = /^\[?(?:(?:[A-Z]\w*)?(?:Error|Exception|Rejection)|Uncaught exception|Unhandled rejection)\b.*:/;
/** An esbuild error line (tsx's "Transform failed" when Node, not the runtime, prints it): column 0-based. */
const ESBUILD = /^(.+?):(\d+):(\d+): ERROR: /;
/** Any place line of that shape, Node's own too (`node:internal/…:123`): with a caret two lines below, not the message. */
const PLACE = /^\S.*:\d+(?::\d+)?$/;
/** A caret line under a source line. */
const CARET = /^\s*\^+\s*$/;
/** Node's hint after a thrown non-Error, not part of the message. */
const NODE_HINT = /^\(Use `node --trace-uncaught/;

/** A Windows path (drive or UNC), compared without regard to case or slash direction. */
const isWindowsPath = (p: string): boolean => /^(?:[A-Za-z]:[\\/]|\\\\)/.test(p);

/** A file reference of a stack frame or header as an absolute path (file URLs decoded); null for anything else. */
export function pathOfFileRef(ref: string): string | null {
  if (ref.startsWith('file://')) {
    let rest = ref.slice('file://'.length);
    try { rest = decodeURIComponent(rest); } catch { return null; }
    if (/^\/[A-Za-z]:\//.test(rest)) return rest.slice(1).replace(/\//g, '\\');
    if (rest.startsWith('/')) return rest;
    return rest === '' ? null : `\\\\${rest.replace(/\//g, '\\')}`;
  }
  return ref.startsWith('/') || isWindowsPath(ref) ? ref : null;
}

/** `path` in a form to compare (Windows paths: lower case, backslashes). */
const comparable = (path: string): string => (isWindowsPath(path) ? path.replace(/\//g, '\\').toLowerCase() : path);

/** Whether `path` is the user's code in `scope`. */
function isUserCode(path: string, scope: UncaughtScope): boolean {
  const p = comparable(path);
  if (scope.program !== undefined) return p === comparable(scope.program);
  if (/[\\/]node_modules[\\/]/.test(path)) return false;
  return !(scope.runtimeDirs ?? []).some((dir) => {
    const d = comparable(dir);
    return p.startsWith(/[\\/]$/.test(d) ? d : `${d}${isWindowsPath(dir) ? '\\' : '/'}`);
  });
}

/**
 * The error of an uncaught-error text: its message line (`Error: boom`, `SyntaxError: …`, else the text of a
 * non-Error value) and where it happened in the user's code — the `file:line[:col]` Node or describeUncaught
 * prints above the source line and caret (its column from the first frame on the same line when it has none),
 * else the first stack frame in the user's code (see {@link UncaughtScope}). Null for empty text.
 */
export function readUncaught(text: string, scope: UncaughtScope = {}): RunError | null {
  const lines = text.split(/\r?\n/).map((l) => l.trimEnd());
  const firstFrame = lines.findIndex((l) => FRAME.test(l));
  const frames = firstFrame < 0 ? [] : lines.slice(firstFrame);
  const head = firstFrame < 0 ? lines : lines.slice(0, firstFrame);
  let location: SourceLocation | undefined;
  let columnKnown = false;
  const rest: string[] = [];
  for (let i = 0; i < head.length; i++) {
    const e = ESBUILD.exec(head[i]!);
    const file0 = e ? pathOfFileRef(e[1]!) : null;
    if (e && file0 !== null && location === undefined && isUserCode(file0, scope)) {
      location = { file: file0, line: Number(e[2]), column: Number(e[3]) + 1 };
      columnKnown = true;
    }
    const h = HEADER.exec(head[i]!.trim());
    const caret = CARET.test(head[i + 2] ?? '');
    if (h === null && !(caret && PLACE.test(head[i]!))) { rest.push(head[i]!); continue; }
    // A header is followed by its source line and caret (none when the file was unreadable): not the message.
    if (caret) i += 2;
    if (h === null) continue;
    const file = pathOfFileRef(h[1]!);
    if (location === undefined && file !== null && isUserCode(file, scope)) {
      location = { file, line: Number(h[2]), column: Number(h[3] ?? 1) };
      columnKnown = h[3] !== undefined;
    }
  }
  const said = rest.filter((l) => l.trim() !== '' && !NODE_HINT.test(l));
  const message = (said.find((l) => NAMED.test(l)) ?? said[0] ?? '').trim();
  let firstUserFrame: SourceLocation | undefined;
  for (const l of location !== undefined && columnKnown ? [] : frames) {
    const m = FRAME.exec(l);
    const file = m ? pathOfFileRef(m[1]!) : null;
    if (m === null || file === null || !isUserCode(file, scope)) continue;
    const at = { file, line: Number(m[2]), column: Number(m[3]) };
    firstUserFrame ??= at;
    // Node's header above a thrown line has no column; the frame of that line has it.
    if (location !== undefined && !columnKnown && comparable(at.file) === comparable(location.file) && at.line === location.line) {
      location = { ...location, column: at.column };
      break;
    }
    if (location === undefined) break;
  }
  location ??= firstUserFrame;
  if (message === '' && location === undefined) return null;
  return location ? { message, location } : { message };
}
