/**
 * The `require` entry of corepy. A CommonJS-mode script (a `.ts` file in a package without
 * `"type": "module"`, run under tsx) reaches corepy through `require`; without this file it would
 * get a second, transpiled copy of the runtime, invisible to a profiler preloaded as ESM
 * (`--import corepy/autostart`). Every copy of index.js publishes its namespace under one global
 * symbol and the first one wins, so all callers in a process share one runtime.
 */
const key = Symbol.for('corepy.runtime');
const slot = globalThis as unknown as Record<symbol, unknown>;
if (slot[key] === undefined) {
  // Nothing loaded yet: load the ES module (works under tsx, or Node ≥ 22 / --experimental-require-module).
  try {
    require('./index.js');
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0]! : String(e);
    // Node 20 runs a `.cts` file under tsx through its ES-module loader, whose `require` returns only modules
    // already loaded: preloading corepy (or `import`) is the way, not tsx, which the script already runs under.
    throw new Error(/not in cache/.test(why)
      ? 'corepy is an ES module, and this CommonJS file (a .cts under tsx on Node 20) can only `require` modules loaded ' +
        'already: preload it (`node --import corepy --import tsx script.cts`), use `import` (a .ts or .mts file), run ' +
        `it with \`npx corepy profile\`, or use Node ≥ 22. (${why})`
      : 'corepy is an ES module; from CommonJS run the script under tsx (`node --import tsx`) or Node ≥ 22, ' +
        `or use \`import\`. (${why})`);
  }
}
module.exports = slot[key];
