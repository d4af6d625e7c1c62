/**
 * The `require` entry of corepy. A CommonJS-mode script (a `.ts` file in a package without
 * `"type": "module"`, run under tsx) reaches corepy through `require`. It gets the runtime loaded
 * already, if any: every copy of index.js publishes its namespace under one global symbol and the
 * first one wins, so all callers in a process share one runtime (a profiler preloaded as ESM,
 * `--import corepy/autostart`, sees the script's ops). Otherwise it loads dist/corepy.cjs, the
 * runtime bundled as one CommonJS file (build-cjs.mjs): tsx would transpile each ES module of the
 * runtime to CommonJS, where every imported binding is a getter call (1.35–1.6× a mul + dispose).
 *
 * Its declarations (dist/require.d.cts, the `require` condition's `types` in package.json) are what
 * a CommonJS file type-checks against under `module: node16`/`node18`, where a CommonJS declaration
 * may not import the ES-module index.d.ts (TS1479): types come in type-only (`export type *`, with
 * `resolution-mode`), and each value as a declared const of the same type, listed below. The list
 * must name every value index.ts exports: unit/published-types.test.ts compares the two.
 */
import type * as Corepy from './index.js' with { 'resolution-mode': 'import' };

const key = Symbol.for('corepy.runtime');
const slot = globalThis as unknown as Record<symbol, unknown>;
if (slot[key] === undefined) {
  try {
    require(bundleIsCurrent() ? './corepy.cjs' : './index.js');
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

/**
 * Whether dist/corepy.cjs exists and is not older than the last TypeScript build. In a checkout,
 * `tsc -b runtime` alone updates dist/*.js but not the bundle (scripts/build.sh makes both): a stale
 * bundle would run old code, so the ES module is loaded instead. The published package has no
 * tsbuildinfo, so there the bundle is always used.
 */
function bundleIsCurrent(): boolean {
  const { statSync } = require('node:fs') as typeof import('node:fs');
  const { join } = require('node:path') as typeof import('node:path');
  const bundle = statSync(join(__dirname, 'corepy.cjs'), { throwIfNoEntry: false });
  if (bundle === undefined) return false;
  const built = statSync(join(__dirname, '..', 'tsconfig.tsbuildinfo'), { throwIfNoEntry: false });
  return built === undefined || built.mtimeMs <= bundle.mtimeMs;
}

// Types only (nothing below is emitted as code): what `require('corepy')` returns, for the declarations.
export type * from './index.js' with { 'resolution-mode': 'import' };
// Classes: the value (constructor) and the instance type.
export declare const Tensor: typeof Corepy.Tensor, ProfileContext: typeof Corepy.ProfileContext, Frame: typeof Corepy.Frame,
  GpuUnavailableError: typeof Corepy.GpuUnavailableError;
export type Tensor = Corepy.Tensor;
export type ProfileContext = Corepy.ProfileContext;
export type Frame = Corepy.Frame;
export type GpuUnavailableError = Corepy.GpuUnavailableError;
// Exported as a type only, as index.ts does (createMetricProducer makes one): no value at run time.
export type CorepyMetricProducer = Corepy.CorepyMetricProducer;
// Constants, backends and memory.
export declare const DTYPES: typeof Corepy.DTYPES, DEVICES: typeof Corepy.DEVICES, BACKENDS: typeof Corepy.BACKENDS,
  getBackend: typeof Corepy.getBackend, setBackend: typeof Corepy.setBackend, tidy: typeof Corepy.tidy, keep: typeof Corepy.keep,
  memory: typeof Corepy.memory, reserveMemory: typeof Corepy.reserveMemory, initGpu: typeof Corepy.initGpu, calibrate: typeof Corepy.calibrate;
// Creation and random.
export declare const tensor: typeof Corepy.tensor, full: typeof Corepy.full, zeros: typeof Corepy.zeros, ones: typeof Corepy.ones,
  arange: typeof Corepy.arange, linspace: typeof Corepy.linspace, seed: typeof Corepy.seed, rand: typeof Corepy.rand, randn: typeof Corepy.randn;
// Ops.
export declare const add: typeof Corepy.add, sub: typeof Corepy.sub, mul: typeof Corepy.mul, div: typeof Corepy.div, pow: typeof Corepy.pow,
  maximum: typeof Corepy.maximum, minimum: typeof Corepy.minimum, eq: typeof Corepy.eq, lt: typeof Corepy.lt, gt: typeof Corepy.gt,
  where: typeof Corepy.where, neg: typeof Corepy.neg, abs: typeof Corepy.abs, exp: typeof Corepy.exp, log: typeof Corepy.log,
  sqrt: typeof Corepy.sqrt, tanh: typeof Corepy.tanh, sigmoid: typeof Corepy.sigmoid, relu: typeof Corepy.relu, cast: typeof Corepy.cast,
  sum: typeof Corepy.sum, mean: typeof Corepy.mean, variance: typeof Corepy.variance, std: typeof Corepy.std, min: typeof Corepy.min,
  max: typeof Corepy.max, argmax: typeof Corepy.argmax, moments: typeof Corepy.moments, matmul: typeof Corepy.matmul, jit: typeof Corepy.jit,
  reshape: typeof Corepy.reshape, unsqueeze: typeof Corepy.unsqueeze, squeeze: typeof Corepy.squeeze, transpose: typeof Corepy.transpose,
  permute: typeof Corepy.permute, slice: typeof Corepy.slice, flatten: typeof Corepy.flatten, contiguous: typeof Corepy.contiguous,
  clone: typeof Corepy.clone, concat: typeof Corepy.concat, stack: typeof Corepy.stack;
// `var` is a reserved word: declared under another name, exported as `var` (TS emits a harmless `exports.var = void 0`, replaced above).
declare const var_: typeof Corepy.var;
export { var_ as var };
// Transfers, I/O.
export declare const dataSync: typeof Corepy.dataSync, data: typeof Corepy.data, toArray: typeof Corepy.toArray, array: typeof Corepy.array,
  item: typeof Corepy.item, to: typeof Corepy.to, toAsync: typeof Corepy.toAsync, readCsv: typeof Corepy.readCsv, parseCsv: typeof Corepy.parseCsv,
  dropna: typeof Corepy.dropna;
// Profiler and OpenTelemetry.
export declare const enableProfiling: typeof Corepy.enableProfiling, disableProfiling: typeof Corepy.disableProfiling,
  isProfiling: typeof Corepy.isProfiling, clearProfile: typeof Corepy.clearProfile, profileReport: typeof Corepy.profileReport,
  getRecommendations: typeof Corepy.getRecommendations, getFlameProfile: typeof Corepy.getFlameProfile, profileContext: typeof Corepy.profileContext,
  profiled: typeof Corepy.profiled, exportProfile: typeof Corepy.exportProfile, saveBaseline: typeof Corepy.saveBaseline,
  compareToBaseline: typeof Corepy.compareToBaseline, shareWorkerProfile: typeof Corepy.shareWorkerProfile,
  REPORT_SCHEMA_VERSION: typeof Corepy.REPORT_SCHEMA_VERSION, readJsonExport: typeof Corepy.readJsonExport, parseJsonExport: typeof Corepy.parseJsonExport,
  enableOpenTelemetry: typeof Corepy.enableOpenTelemetry, disableOpenTelemetry: typeof Corepy.disableOpenTelemetry,
  isOpenTelemetryEnabled: typeof Corepy.isOpenTelemetryEnabled, prometheusViews: typeof Corepy.prometheusViews,
  createMetricProducer: typeof Corepy.createMetricProducer;
