/**
 * Tutorial 3.1 — reading a flame graph.
 *
 * Run: npx tsx tutorials/03_advanced/01_flamegraph_analysis.ts [out-dir]
 *
 * A flame graph stacks what called what. corepy draws it hanging down (an "icicle", as the editor's
 * flame graph and Chrome's performance panel do): the top bars are the outermost frames of the run,
 * each bar below is a function of yours, a context or @profiled function running inside the one above
 * it, and the lowest bars are ops. Width is time. (flamegraph.pl draws the same picture upside down.)
 * What to look for:
 *  - WIDE bars at the bottom of a stack: ops that cost the most, and (above them) who called them;
 *  - a wide bar with little under it: time spent in that frame itself (self time) — here,
 *    `augment` does its work in many small ops, which a flame graph shows as a wide frame with
 *    a comb of thin ops under it;
 *  - the same op under two different parents: one op, two callers, two different costs.
 * This script writes the HTML flame graph (open it in a browser) and the folded stacks, then
 * prints the heaviest stacks by self time — the text version of "the widest bars at the bottom".
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as cp from 'corepy';
import { profileContext, profiled } from 'corepy';

const outDir = resolve(process.argv[2] ?? join(tmpdir(), 'corepy-tutorials', 'flamegraph'));
mkdirSync(outDir, { recursive: true });

const normalize = profiled(function normalize(x: cp.Tensor): cp.Tensor {
  const { mean, variance } = x.moments(0, true);
  return x.sub(mean).div(variance.add(1e-5).sqrt());
});

// Data augmentation one row at a time: many thin ops.
const augment = profiled(function augment(x: cp.Tensor): cp.Tensor {
  const rows: cp.Tensor[] = [];
  for (let r = 0; r < x.shape[0]!; r++) rows.push(x.slice([r]).mul(1.01).add(0.1));
  return cp.stack(rows);
});

const train = profiled(function trainStep(x: cp.Tensor, w: cp.Tensor): cp.Tensor {
  return normalize(x).matmul(w).tanh();
});

cp.seed(5);
const x = cp.randn([256, 128]);
const w = cp.randn([128, 64]);

cp.enableProfiling();
for (let epoch = 0; epoch < 3; epoch++) {
  cp.tidy(() => profileContext('epoch', () => train(augment(x), w)));
}
cp.disableProfiling();

const html = join(outDir, 'flamegraph.html');
const folded = join(outDir, 'profile.folded');
cp.exportProfile(html, { format: 'html', title: 'Tutorial 3.1 — flame graph' });
cp.exportProfile(folded, { format: 'folded' });
console.log(`flame graph:   ${html}  (open in a browser: click a bar to zoom, Ctrl+F to search)`);
console.log(`folded stacks: ${folded}  (flamegraph.pl profile.folded > flame.svg, or drop it on speedscope.app)\n`);

// Folded stacks: "frame;frame;frame <self µs>" per line. The heaviest lines are the widest bars at the bottom.
const stacks = readFileSync(folded, 'utf8').split('\n')
  .map((line) => /^(.*) (\d+)$/.exec(line))
  .filter((m): m is RegExpExecArray => m !== null)
  .map((m) => ({ stack: m[1]!, us: Number(m[2]) }))
  // The file opens with the one-time work done when corepy loaded (kernel compile, warm-up), before the
  // recording began, so that its total matches the report's; this script's own stacks are the rest.
  .filter((s) => !s.stack.startsWith('one-time_at_load'))
  .sort((a, b) => b.us - a.us);
const totalUs = stacks.reduce((n, s) => n + s.us, 0);
console.log('heaviest stacks by self time:');
for (const s of stacks.slice(0, 6)) {
  console.log(`  ${((100 * s.us) / totalUs).toFixed(1).padStart(5)}%  ${s.stack}`);
}

// Which function's subtree is widest? Sum self time under each @profiled function.
const under = (fn: string): number => stacks.filter((s) => s.stack.split(';').includes(fn)).reduce((n, s) => n + s.us, 0);
console.log('\ntime under each function (its bar width):');
for (const fn of ['trainStep', 'normalize', 'augment']) console.log(`  ${fn.padEnd(10)} ${((100 * under(fn)) / totalUs).toFixed(1).padStart(5)}%`);
