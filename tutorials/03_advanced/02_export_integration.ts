/**
 * Tutorial 3.2 — take a profile to other tools.
 *
 * Run: npx tsx tutorials/03_advanced/02_export_integration.ts [out-dir]
 *
 * One recording, eight files (every format cp.exportProfile knows). What each is for:
 *  - json        the full report (schemaVersion, operations, callSites, contexts, recommendations):
 *                for scripts, dashboards and CI;
 *  - csv         one row per op × call site: spreadsheets, pandas, `sort -t, -k…`;
 *  - chrome      Trace Event Format: ui.perfetto.dev or chrome://tracing — a timeline, one track
 *                per thread, ops as slices inside their contexts;
 *  - speedscope  speedscope.app (or `npx speedscope file`): flame graph, left-heavy and sandwich views;
 *  - folded      Brendan Gregg's flamegraph.pl / inferno: `flamegraph.pl profile.folded > flame.svg`;
 *  - html        a self-contained flame graph page: e-mail it, attach it to a ticket;
 *  - text, markdown  the report as `profileReport()` prints it: a terminal, a pull request.
 * Every file but csv and folded (whose readers accept no extra line) carries an `exporter` stamp
 * naming the corepy version that wrote it.
 */
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as cp from 'corepy';
import { profileContext } from 'corepy';

const outDir = resolve(process.argv[2] ?? join(tmpdir(), 'corepy-tutorials', 'exports'));
mkdirSync(outDir, { recursive: true });

cp.seed(11);
cp.enableProfiling();
const x = cp.randn([300, 200]);
const w = cp.randn([200, 50]);
profileContext('features', () => x.sub(x.mean(0)).div(x.std(0)).matmul(w).relu().sum().item());
cp.disableProfiling();

const files: Record<cp.ExportFormat, string> = {
  json: 'profile.json', csv: 'profile.csv', chrome: 'profile.trace.json',
  speedscope: 'profile.speedscope.json', folded: 'profile.folded', html: 'profile.html',
  text: 'profile.txt', markdown: 'profile.md',
};
const opensWith: Record<cp.ExportFormat, string> = {
  json: 'your scripts / CI (typed: ProfileReport)', csv: 'spreadsheets, pandas',
  chrome: 'ui.perfetto.dev, chrome://tracing', speedscope: 'speedscope.app',
  folded: 'flamegraph.pl, inferno, speedscope', html: 'any browser (self-contained)',
  text: 'a terminal, a diff tool', markdown: 'a pull request, a wiki page',
};
for (const [format, name] of Object.entries(files) as [cp.ExportFormat, string][]) {
  const path = join(outDir, name);
  cp.exportProfile(path, { format });
  console.log(`${format.padEnd(10)} ${String(statSync(path).size).padStart(8)} bytes  ${name.padEnd(24)} → ${opensWith[format]}`);
}

// Read two of them back, as a tool would.
const report = JSON.parse(readFileSync(join(outDir, files.json), 'utf8')) as cp.ProfileReport;
console.log(`\njson: schemaVersion ${report.schemaVersion}, exporter "${report.exporter}", ops: ${report.operations.map((o) => o.op).join(', ')}`);
const trace = JSON.parse(readFileSync(join(outDir, files.chrome), 'utf8')) as { traceEvents: { ph: string; name: string }[] };
const slices = trace.traceEvents.filter((e) => e.ph === 'X');
console.log(`chrome: ${slices.length} complete ('X') slices, e.g. ${[...new Set(slices.map((e) => e.name))].slice(0, 5).join(', ')}`);
const csvHeader = readFileSync(join(outDir, files.csv), 'utf8').split('\r\n')[0]; // RFC 4180: header first, CRLF
console.log(`csv header: ${csvHeader}`);
console.log(`\nfiles are in ${outDir}`);
