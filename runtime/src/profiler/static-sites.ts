/**
 * Static call sites: ids given to corepy calls in user code when it is loaded (site-transform.ts,
 * through the loader hooks of site-hooks.ts), so that an op finds its exact line by reading one
 * number instead of capturing a V8 stack. Instrumented code calls `s(id, lastArgument)` right
 * before a corepy call (after its arguments are evaluated) and `e(result)` right after it, so the
 * token is set exactly while that call runs; ops issued with no token (code loaded some other
 * way, a call through a variable) fall back to the recorder's stack capture.
 *
 * The registry lives on globalThis under a registered symbol: the generated code finds it without
 * importing anything, and two copies of the runtime in one process share it.
 */

/** The process-wide registry the instrumented code talks to. */
export interface StaticSiteRegistry {
  /** Static id of the corepy call running now, or -1 (the hot path reads only this). */
  token: number;
  /** Sets the token to `id` and passes `value` through (wraps a call's last argument, or its receiver). */
  readonly s: <T>(id: number, value: T) => T;
  /** Clears the token and passes the call's result through. */
  readonly e: <T>(value: T) => T;
  /**
   * Registers a module's sites (flat 1-based `line, column` pairs of the instrumented code, which
   * its source map maps back: site-transform.ts); returns the id of the first.
   */
  readonly register: (file: string, positions: readonly number[]) => number;
  /** File (path or file: URL, as V8 names it), line and column (1-based, generated code) of each static id. */
  readonly files: string[];
  readonly lines: number[];
  readonly columns: number[];
}

const KEY = Symbol.for('corepy.sites');

/** The registry, created on first use. */
export function staticSiteRegistry(): StaticSiteRegistry {
  const g = globalThis as unknown as Record<symbol, StaticSiteRegistry | undefined>;
  let r = g[KEY];
  if (r === undefined) {
    const files: string[] = [], lines: number[] = [], columns: number[] = [];
    const reg: StaticSiteRegistry = {
      token: -1,
      s: (id, value) => { reg.token = id; return value; },
      e: (value) => { reg.token = -1; return value; },
      register: (file, positions) => {
        const base = files.length;
        for (let k = 0; k + 1 < positions.length; k += 2) { files.push(file); lines.push(positions[k]!); columns.push(positions[k + 1]!); }
        return base;
      },
      files, lines, columns,
    };
    r = g[KEY] = reg;
  }
  return r;
}
