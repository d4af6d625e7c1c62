/**
 * Case study 4.2 — an ETL pipeline over a CSV file.
 *
 * Run: npx tsx tutorials/04_case_studies/02_data_pipeline.ts
 *
 * The job: read sensor readings (6 columns, some cells missing), drop incomplete rows,
 * standardise every column (z-scores), clip outliers to ±3.
 * BEFORE: one self-contained function per feature — each loads the file, drops incomplete rows,
 * takes its column, computes its mean, then its std (a second pass over the same data), and
 * clips; the columns are stacked at the end.
 * AFTER: load and clean once; one `moments(0)` pass gives every column's mean and variance,
 * and broadcasting applies them to all columns in one op each.
 * What to look for in the BEFORE profile: the section table shows where the wall time goes
 * ('extract' — parsing — dominates, and it ran once per column); in 'transform' the op count
 * grows with the number of columns and the "Compute mean and std in one pass" recommendation
 * points at the line computing them. Fix the biggest section first.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as cp from 'corepy';
import { profileContext } from 'corepy';
import { medianMsEach, reportSpeedup, step } from '../shared/measure.js';

const COLUMNS = ['temp', 'humidity', 'pressure', 'wind', 'rain', 'light'];

/** Writes `rows` readings; about 3 % of cells are empty or 'NA' (missing). */
function generateCsv(path: string, rows: number): void {
  cp.seed(2024);
  const v = cp.randn([rows, COLUMNS.length]).mul(10).add(50).dataSync();
  const missing = cp.rand([rows, COLUMNS.length]).dataSync();
  const lines = [COLUMNS.join(',')];
  for (let r = 0; r < rows; r++) {
    lines.push(COLUMNS.map((_, c) => {
      const k = r * COLUMNS.length + c;
      return missing[k]! < 0.015 ? '' : missing[k]! < 0.03 ? 'NA' : v[k]!.toFixed(3);
    }).join(','));
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

/** BEFORE: each feature loads and cleans the table itself. */
function featureBefore(path: string, name: string): cp.Tensor {
  const table = profileContext('extract', () => cp.readCsv(path));
  const clean = profileContext('clean', () => table.dropna());
  return profileContext('transform', () => {
    const col = clean.column(name);
    const z = col.sub(col.mean()).div(col.std());
    return cp.minimum(cp.maximum(z, -3), 3);
  });
}

function pipelineBefore(path: string): cp.Tensor {
  return cp.tidy(() => cp.stack(COLUMNS.map((name) => featureBefore(path, name)), 1));
}

/** AFTER: load and clean once, transform the whole table at once. */
function pipelineAfter(path: string): cp.Tensor {
  return cp.tidy(() => {
    const table = profileContext('extract', () => cp.readCsv(path));
    const clean = profileContext('clean', () => table.dropna());
    return profileContext('transform', () => {
      const { mean, variance } = clean.data.moments(0, true); // [1, columns], one pass
      const z = clean.data.sub(mean).div(variance.sqrt());
      return cp.minimum(cp.maximum(z, -3), 3);
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'corepy-etl-'));
try {
  const csv = join(dir, 'sensors.csv');
  generateCsv(csv, 10_000);

  step('BEFORE: profile the column-by-column pipeline');
  cp.enableProfiling();
  const zBefore = pipelineBefore(csv);
  const before = cp.profileReport({ format: 'json' });
  console.log(`rows after dropna: ${zBefore.shape[0]} of 10000; sections:`);
  for (const c of Object.values(before.contexts)) {
    console.log(`  ${c.name.padEnd(9)} ${c.totalTimeMs.toFixed(2).padStart(8)} ms wall, ${String(c.opCount).padStart(3)} ops`);
  }
  console.log(cp.profileReport({ context: 'transform' }));

  step('AFTER: the whole table at once');
  cp.clearProfile();
  const zAfter = pipelineAfter(csv);
  const after = cp.profileReport({ format: 'json' });
  cp.disableProfiling();
  for (const name of ['extract', 'transform']) {
    const b = before.contexts[name]!, a = after.contexts[name]!;
    console.log(`  ${name.padEnd(9)} entered ${b.count}× → ${a.count}×, ${b.opCount} ops → ${a.opCount} ops, ${b.totalTimeMs.toFixed(1)} ms → ${a.totalTimeMs.toFixed(1)} ms`);
  }

  // std() is the population std (ddof 0), like variance from moments: the results must agree.
  const maxDiff = zBefore.sub(zAfter).abs().max().item();
  console.log(`same z-scores: max difference ${maxDiff.toExponential(1)} (tolerance 1e-4) → ${maxDiff < 1e-4}`);
  const lo = zAfter.min(0).toArray() as number[], hi = zAfter.max(0).toArray() as number[];
  console.log('per-column z range: ' + COLUMNS.map((c, i) => `${c} [${lo[i]!.toFixed(2)}, ${hi[i]!.toFixed(2)}]`).join(', '));

  step('Measure the whole pipeline (profiler off)');
  const { before: tBefore, after: tAfter } = await medianMsEach({ before: () => pipelineBefore(csv).dispose(), after: () => pipelineAfter(csv).dispose() }, 3);
  reportSpeedup(tBefore, tAfter, 3);
  if (!(maxDiff < 1e-4)) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
