/**
 * `npm run bench:exports` (node --import tsx runtime/src/bench/exports.ts): how export time and
 * memory grow with the number of recorded events. For each size N (environment SIZES, default
 * 200000,1000000) a fresh child process records N ops (N/2 iterations of a context holding an add
 * and a mul on a 4-element tensor, js backend, call sites off, a ring of N events), then times
 * `exportProfile` to a temporary file once per format, in the order of FORMATS (default csv,json,
 * folded,chrome,speedscope,html), and reports each format's time, µs per recorded event, output
 * size and the process's peak RSS after it (monotonic: later formats include earlier peaks). Time is
 * reported as wall and as CPU (user + system of the process, GC threads included): on a shared
 * machine the CPU figure is the steadier one.
 *
 * STACKS=1 records with call sites on (`sampled`) from nested functions instead — the context's
 * callback → forward → add, then forward → helper → mul — so every event carries a user call stack
 * and the timeline formats draw function frames inside each context (about 4 frame slices per 2 ops).
 *
 * COMPARE=<checkout> runs the same children against another checkout's runtime (e.g. the
 * commit before a change), alternating A and B per size, ROUNDS times (default 1); medians.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface Row { format: string; ms: number; cpuMs: number; bytes: number; rssMB: number; error?: string }
interface Result { n: number; recordMs: number; rows: Row[] }

const HERE = fileURLToPath(import.meta.url);
const OWN_ROOT = resolve(HERE, '../../../..');

/** Child: record N events with `root`'s runtime, export every format, print one JSON line. */
async function child(root: string, n: number, formats: string[]): Promise<void> {
  const cp = await import(pathToFileURL(join(root, 'runtime/src/index.ts')).href) as typeof import('../index.js');
  await cp.setBackend('js');
  const stacks = process.env['STACKS'] === '1';
  cp.enableProfiling({ callSites: stacks ? 'sampled' : 'off', maxEvents: n });
  const x = cp.tensor([1, 2, 3, 4]);
  const helper = (): void => { x.mul(x).dispose(); };
  const forward = (): void => { x.add(x).dispose(); helper(); };
  const t0 = performance.now();
  if (stacks) for (let i = 0; i < n / 2; i++) cp.profileContext('step', () => { forward(); });
  else for (let i = 0; i < n / 2; i++) cp.profileContext('step', () => { x.add(x).dispose(); x.mul(x).dispose(); });
  const recordMs = performance.now() - t0;
  cp.disableProfiling();
  const dir = mkdtempSync(join(tmpdir(), 'corepy-bench-exports-'));
  const rows: Row[] = [];
  for (const format of formats) {
    const file = join(dir, `p.${format}`);
    const t = performance.now(), c = process.cpuUsage();
    const done = (): { ms: number; cpuMs: number; rssMB: number } => {
      const cpu = process.cpuUsage(c);
      return { ms: performance.now() - t, cpuMs: (cpu.user + cpu.system) / 1000, rssMB: process.resourceUsage().maxRSS / 1024 };
    };
    try {
      cp.exportProfile(file, { format: format as 'json' });
      rows.push({ format, ...done(), bytes: statSync(file).size });
    } catch (e) {
      rows.push({ format, ...done(), bytes: 0, error: (e as Error).message });
    }
  }
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ n, recordMs, rows } satisfies Result) + '\n');
}

function runChild(root: string, n: number, formats: string[]): Result {
  const out = execFileSync(process.execPath, [...process.execArgv, HERE, '--child', root, String(n), formats.join(',')],
    { encoding: 'utf8', cwd: OWN_ROOT, maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as Result;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

function print(label: string, results: Result[]): void {
  const n = results[0]!.n;
  process.stdout.write(`${label} N=${n} events: record ${median(results.map((r) => r.recordMs)).toFixed(0)} ms\n`);
  for (const row of results[0]!.rows) {
    const all = results.map((r) => r.rows.find((x) => x.format === row.format)!);
    if (row.error) { process.stdout.write(`  ${row.format.padEnd(10)} FAILED: ${row.error}\n`); continue; }
    const ms = median(all.map((x) => x.ms)), cpuMs = median(all.map((x) => x.cpuMs));
    process.stdout.write(`  ${row.format.padEnd(10)} ${ms.toFixed(0).padStart(7)} ms wall ${cpuMs.toFixed(0).padStart(7)} ms CPU  ${((cpuMs * 1000) / n).toFixed(2).padStart(7)} µs CPU/event  ` +
      `${(row.bytes / 1e6).toFixed(2).padStart(8)} MB out  peak RSS ${median(all.map((x) => x.rssMB)).toFixed(0)} MB\n`);
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1]!, Number(args[2]), args[3]!.split(','));
  const sizes = (process.env['SIZES'] ?? '200000,1000000').split(',').map(Number);
  const formats = (process.env['FORMATS'] ?? 'csv,json,folded,chrome,speedscope,html').split(',');
  const compare = process.env['COMPARE'] ? resolve(process.env['COMPARE']) : null;
  const rounds = Number(process.env['ROUNDS'] ?? 1);
  process.stdout.write(`corepy export scaling — node ${process.version}, formats in order: ${formats.join(', ')}; ${rounds} round(s)` +
    `${compare ? `, A = this checkout, B = ${compare}, alternating` : ''}\n`);
  for (const n of sizes) {
    const a: Result[] = [], b: Result[] = [];
    for (let r = 0; r < rounds; r++) {
      // Alternate which side runs first so neither always gets the quieter moment.
      const order = r % 2 === 0 ? ['a', 'b'] : ['b', 'a'];
      for (const side of order) {
        if (side === 'a') a.push(runChild(OWN_ROOT, n, formats));
        else if (compare) b.push(runChild(compare, n, formats));
      }
    }
    print(compare ? 'A' : '', a);
    if (compare) print('B', b);
  }
}

await main();
