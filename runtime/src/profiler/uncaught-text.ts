/**
 * What a profiled script prints when it dies of an uncaught error, as close to plain `node` as a
 * handler can get: the error's stack, named for what it is. An ES module's top-level throw reaches
 * the handler with origin 'unhandledRejection' (module evaluation is a promise), so "Unhandled
 * rejection" is said only of a rejected non-Error value. A SyntaxError in a JavaScript program
 * carries only Node-internal frames; Node's own `--check` prints its `file:line`, the source line
 * and a caret, so that goes first. A TypeScript program run through tsx fails to load with esbuild's
 * "Transform failed" error, whose frames are all esbuild's: its message names the file, line and
 * column, printed here as Node prints a JavaScript syntax error (`file:line:col`, source line, caret).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The text to write to stderr (ends with a newline). `program` is the script (process.argv[1]). */
export function describeUncaught(err: unknown, origin: string, program: string | undefined): string {
  if (!(err instanceof Error)) {
    return `${origin === 'unhandledRejection' ? 'Unhandled rejection: ' : 'Uncaught exception: '}${String(err)}\n`;
  }
  const transform = esbuildSyntaxError(err, program);
  if (transform !== null) return transform;
  const stack = err.stack ?? `${err.name}: ${err.message}`;
  if (err instanceof SyntaxError && program && /\.[cm]?js$/i.test(program) && !stack.includes(program)) {
    const check = spawnSync(process.execPath, ['--check', program], { encoding: 'utf8', timeout: 10000 });
    // Node's report: "<file>:<line>\n<source line>\n<caret>\n\nSyntaxError: …" (plus a trailing "Node.js vX" line).
    const where = check.status !== 0 ? check.stderr.split(/\n\s*\n/)[0]?.trim() : undefined;
    if (where && where.includes(program)) return `${where}\n\n${stack}\n`;
  }
  return `${stack}\n`;
}

/** One error line of esbuild's message: `<file>:<line>:<column>: ERROR: <text>` (line 1-based, column 0-based). */
const ESBUILD_ERROR = /^(.+):(\d+):(\d+): ERROR: (.*)$/;

/**
 * esbuild's "Transform failed with N error(s)" (tsx compiling a .ts program) as Node-style syntax
 * errors: `file:line:col` (1-based column), the source line, a caret, `SyntaxError: text`; null
 * when `err` is not one. Only the message is read: tsx's loader thread passes the error on as a
 * plain Error, without esbuild's structured `errors`. esbuild names a `.cts`/`.mts` program with
 * the plain `.ts` extension: where that name is the `program` but for the `c`/`m`, the program is read.
 */
export function esbuildSyntaxError(err: Error, program?: string): string | null {
  if (!/^Transform failed with \d+ errors?:/.test(err.message)) return null;
  const parts: string[] = [];
  for (const m of err.message.split('\n').map((l) => ESBUILD_ERROR.exec(l))) {
    if (m === null) continue;
    const [, named, line, column, text] = m as unknown as [string, string, string, string, string];
    const file = program !== undefined && program.replace(/\.[cm](tsx?)$/i, '.$1') === named ? program : named;
    let source = '';
    try { source = readFileSync(file, 'utf8').split(/\r?\n/)[Number(line) - 1] ?? ''; } catch { /* unreadable: header and message only */ }
    const caret = source === '' ? '' : `${source}\n${source.slice(0, Number(column)).replace(/[^\t]/g, ' ')}^\n`;
    parts.push(`${file}:${line}:${Number(column) + 1}\n${caret}\nSyntaxError: ${text}\n${moduleFormatHint(file, text)}`);
  }
  return parts.length > 0 ? parts.join('\n') : null;
}

/** esbuild's words when a file compiled as CommonJS has a top-level await. */
const CJS_TOP_LEVEL_AWAIT = /^Top-level await is currently not supported with the "cjs" output format/;

/**
 * What to change when esbuild refused a top-level await because the file is compiled as CommonJS
 * (a `.ts` in a package without `"type": "module"` — what `npm init -y` writes — or a `.cts`): its
 * message says only "cjs output format", which a user who never chose one cannot act on. '' otherwise.
 */
function moduleFormatHint(file: string, text: string): string {
  if (!CJS_TOP_LEVEL_AWAIT.test(text)) return '';
  const base = file.split(/[\\/]/).pop() ?? file;
  const renamed = base.replace(/\.c?(tsx?|jsx?)$/i, (_m, ext: string) => `.m${ext.replace(/x$/i, '')}`);
  return /\.c[tj]sx?$/i.test(base)
    ? `corepy: ${base} is a CommonJS module (.cts/.cjs), where top-level await is not allowed: rename it to ${renamed}, or move the awaits into an async function.\n`
    : `corepy: ${base} is compiled as CommonJS (its package.json has no "type": "module"), where top-level await is not allowed: ` +
      `rename it to ${renamed}, add "type": "module" to package.json, or move the awaits into an async function.\n`;
}
