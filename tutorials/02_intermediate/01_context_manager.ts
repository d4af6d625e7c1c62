/**
 * Tutorial 2.1 — profile only the section you care about (the seed's Example 2).
 *
 * Run: npx tsx tutorials/02_intermediate/01_context_manager.ts
 *
 * What to look for:
 *  - `using ctx = new ProfileContext('preprocessing')` tags every op until the end of the block;
 *    `profileContext(name, fn)` and `ctx.run(fn)` do the same for one function (sync or async);
 *  - `profileReport({ context: 'preprocessing' })` shows only the ops issued inside it — the
 *    loading and the summary steps are recorded but left out of this report;
 *  - the JSON report's `contexts[name]` gives each section's wall time (totalTimeMs), the part
 *    not spent in nested sections (selfTimeMs), and the op time inside it (opTimeMs).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as cp from 'corepy';
import { ProfileContext } from 'corepy';

// A small CSV with a few missing values, so the example is self-contained.
function writeSampleCsv(path: string, rows: number): void {
  cp.seed(7);
  const values = cp.rand([rows, 3]).mul(100).dataSync();
  const lines = ['height,weight,age'];
  for (let r = 0; r < rows; r++) {
    const cells = [0, 1, 2].map((c) => (r % 17 === c ? '' : values[r * 3 + c]!.toFixed(2)));
    lines.push(cells.join(','));
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

// Setup code: I/O we cannot optimise; it is outside any context.
function loadData(path: string): cp.Frame {
  return cp.readCsv(path);
}

// The critical section: every op in this block belongs to 'preprocessing'.
function processData(data: cp.Frame): cp.Tensor {
  using _section = new ProfileContext('preprocessing');
  const cleaned = data.dropna().data;
  // Column statistics (axis 0) broadcast back over the rows.
  const { mean, variance } = cleaned.moments(0, true);
  return cleaned.sub(mean).div(variance.sqrt());
}

const dir = mkdtempSync(join(tmpdir(), 'corepy-tutorial-'));
try {
  const csv = join(dir, 'people.csv');
  writeSampleCsv(csv, 5_000);

  cp.enableProfiling();
  const data = loadData(csv);
  const result = processData(data);
  // A second section written as a function call rather than a block.
  const summary = cp.profileContext('summary', () => result.abs().max(0));
  console.log(`rows kept: ${result.shape[0]} of ${data.rows}; largest |z| per column: ${(summary.toArray() as number[]).map((v) => v.toFixed(2)).join(', ')}\n`);

  // Only what ran inside 'preprocessing': no readCsv, no abs/max.
  console.log(cp.profileReport({ context: 'preprocessing' }));

  const report = cp.profileReport({ format: 'json' });
  console.log('\nsections (wall time, ms):');
  for (const [name, c] of Object.entries(report.contexts)) {
    console.log(`  ${name.padEnd(14)} total ${c.totalTimeMs.toFixed(2).padStart(7)}  self ${c.selfTimeMs.toFixed(2).padStart(7)}  ` +
      `ops ${String(c.opCount).padStart(3)} taking ${c.opTimeMs.toFixed(2)} ms`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
