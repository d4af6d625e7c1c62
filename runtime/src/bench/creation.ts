/**
 * What a short script pays to create tensors: in fresh processes, the time of each of the first
 * 400 calls making 1e5 elements — `cp.tensor(...)` of a JS array of integers, of non-integers and
 * of a Float32Array, then `cp.rand` and `cp.randn` — as medians over call ranges. The first calls
 * are where fresh host memory's page faults and unoptimised JavaScript land, which a long warm
 * benchmark never sees. Each kind runs after the ones before it in the same process, so a later
 * kind's first call carries its own cold cost only, not the module's.
 *
 *   node runtime/dist/bench/creation.js                      # this build
 *   CREATION_DEVICE=gpu node runtime/dist/bench/creation.js  # on the webgpu backend
 *   BUILDS=/tmp/old/runtime/dist,runtime/dist PROCS=3 node runtime/dist/bench/creation.js   # compare builds
 *
 * With several builds, their processes alternate (a build is a copy of runtime/dist with the wasm
 * kernels at ../kernels and its imports resolvable, as for ab-builds.ts).
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './timing.js';

const N = 1e5;
const CALLS = 400;
const RANGES: readonly (readonly [number, number])[] = [[0, 1], [1, 10], [10, 50], [50, 100], [100, 200], [200, 400]];
const INPUTS = ['JS array of integers', 'JS array of non-integers', 'Float32Array', 'rand', 'randn'] as const;

/** In a fresh process: per input kind, the median ms per call over each range of RANGES. */
async function child(dist: string): Promise<number[][]> {
  const cp = (await import(pathToFileURL(resolve(dist, 'index.js')).href)) as typeof import('../index.js');
  // CREATION_DEVICE=gpu: on the webgpu backend (lavapipe where there is no GPU).
  if (process.env['CREATION_DEVICE'] === 'gpu') { await cp.initGpu(); await cp.setBackend('webgpu'); }
  const data = [Array.from({ length: N }, (_, i) => i), Array.from({ length: N }, (_, i) => i + 0.5), Float32Array.from({ length: N }, (_, i) => i)];
  const makers: (() => unknown)[] = [...data.map((d) => () => cp.tensor(d)), () => cp.rand([N]), () => cp.randn([N])];
  return makers.map((make) => {
    const ms: number[] = [];
    for (let k = 0; k < CALLS; k++) {
      const t = performance.now();
      cp.tidy(() => { make(); });
      ms.push(performance.now() - t);
    }
    return RANGES.map(([a, b]) => median(ms.slice(a, b)));
  });
}

function parent(): void {
  const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const builds = (process.env['BUILDS'] ?? here).split(',').map((b) => resolve(b));
  const procs = Number(process.env['PROCS'] ?? 3);
  const self = fileURLToPath(import.meta.url);
  const per = builds.map(() => [] as number[][][]);
  const load0 = loadavg()[0]!;
  for (let p = 0; p < procs; p++) {
    for (let k = 0; k < builds.length; k++) {
      const b = (p + k) % builds.length;
      const out = execFileSync(process.execPath, [self], { env: { ...process.env, CREATION_CHILD: builds[b]! }, encoding: 'utf8' });
      per[b]!.push(JSON.parse(out.trim().split('\n').pop()!) as number[][]);
    }
  }
  console.log(`creating ${N} elements (cp.tensor of each input, cp.rand, cp.randn)${process.env['CREATION_DEVICE'] === 'gpu' ? ' on the webgpu backend' : ''}: ms per call over the first ${CALLS} calls of a fresh process, medians per range of calls ` +
    `(first call alone = module warm-up included), median over ${procs} processes per build; load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`);
  const head = RANGES.map(([a, b]) => (b - a === 1 ? `call ${a + 1}` : `calls ${a + 1}–${b}`).padStart(14)).join('');
  builds.forEach((build, b) => {
    if (builds.length > 1) console.log(`build ${build}`);
    console.log(`${'input'.padEnd(28)}${head}`);
    INPUTS.forEach((label, i) => {
      console.log(`${label.padEnd(28)}${RANGES.map((_, r) => median(per[b]!.map((p) => p[i]![r]!)).toFixed(3).padStart(14)).join('')}`);
    });
  });
}

const childDist = process.env['CREATION_CHILD'];
if (childDist !== undefined) {
  console.log(JSON.stringify(await child(childDist)));
  process.exit(0);
} else if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  parent();
}
