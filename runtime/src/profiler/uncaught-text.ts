/**
 * What a profiled script prints when it dies of an uncaught error, as close to plain `node` as a
 * handler can get: the error's stack, named for what it is. An ES module's top-level throw reaches
 * the handler with origin 'unhandledRejection' (module evaluation is a promise), so "Unhandled
 * rejection" is said only of a rejected non-Error value. A SyntaxError in a JavaScript program
 * carries only Node-internal frames; Node's own `--check` prints its `file:line`, the source line
 * and a caret, so that goes first.
 */
import { spawnSync } from 'node:child_process';

/** The text to write to stderr (ends with a newline). `program` is the script (process.argv[1]). */
export function describeUncaught(err: unknown, origin: string, program: string | undefined): string {
  if (!(err instanceof Error)) {
    return `${origin === 'unhandledRejection' ? 'Unhandled rejection: ' : 'Uncaught exception: '}${String(err)}\n`;
  }
  const stack = err.stack ?? `${err.name}: ${err.message}`;
  if (err instanceof SyntaxError && program && /\.[cm]?js$/i.test(program) && !stack.includes(program)) {
    const check = spawnSync(process.execPath, ['--check', program], { encoding: 'utf8', timeout: 10000 });
    // Node's report: "<file>:<line>\n<source line>\n<caret>\n\nSyntaxError: …" (plus a trailing "Node.js vX" line).
    const where = check.status !== 0 ? check.stderr.split(/\n\s*\n/)[0]?.trim() : undefined;
    if (where && where.includes(program)) return `${where}\n\n${stack}\n`;
  }
  return `${stack}\n`;
}
