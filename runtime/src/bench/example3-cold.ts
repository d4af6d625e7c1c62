/**
 * The seed's Example 3 as a script runs it once: `node runtime/dist/bench/example3-cold.js` after
 * the build. Each fresh process builds the 1e5-element tensor, enables profiling (defaults: the rules need call sites)
 * and runs either the loop as written (100 × `data.add(i)`, results left alive) or the batch-loop
 * rule's rewrite (`arange(100)` + `unsqueeze` broadcast), then prints the report's op time (one-time
 * costs are kept out of it); the two alternate process by process, ROUNDS pairs. Compare with
 * example3-variants.ts, which times the same rewrites warm, each run in its own tidy scope.
 * Environment: ROUNDS (default 7).
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as cp from '../index.js';
import { median } from './timing.js';

function child(mode: 'loop' | 'batched'): void {
  const data = cp.tensor(Array.from({ length: 100000 }, (_, i) => i));
  cp.enableProfiling(); // default call sites: the rules need the loop's line
  if (mode === 'loop') {
    for (let i = 0; i < 100; i++) data.add(i); // as written: `temp = data + i`, results left alive
  } else {
    const offsets = cp.arange(100);
    data.unsqueeze(0).add(offsets.unsqueeze(1));
  }
  const report = cp.profileReport({ format: 'json' });
  const rec = mode === 'loop' ? report.recommendations.find((r) => r.rule === 'batch-loop') : undefined;
  console.log(JSON.stringify({ opMs: report.totalTimeMs, estimate: rec?.estimatedSpeedup ?? null, priority: rec?.priority ?? null }));
}

function parent(): void {
  const rounds = Number(process.env['ROUNDS'] ?? 7);
  const self = fileURLToPath(import.meta.url);
  const ms = { loop: [] as number[], batched: [] as number[] };
  const estimates: string[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const mode of r % 2 === 0 ? (['loop', 'batched'] as const) : (['batched', 'loop'] as const)) {
      const out = execFileSync(process.execPath, [self], { env: { ...process.env, EXAMPLE3_CHILD: mode }, encoding: 'utf8' });
      const got = JSON.parse(out.trim().split('\n').pop()!) as { opMs: number; estimate: number | null; priority: string | null };
      ms[mode].push(got.opMs);
      if (mode === 'loop') estimates.push(got.estimate === null ? 'none' : `${got.estimate}× ${String(got.priority)}`);
    }
  }
  const show = (xs: number[]): string => xs.slice().sort((a, b) => a - b).map((v) => v.toFixed(2)).join(' ');
  console.log(`Example 3 as written vs the rule's rewrite, cold (one fresh process each, ${rounds} alternating pairs); op time, ms; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`  loop     median ${median(ms.loop).toFixed(2)}  (${show(ms.loop)})`);
  console.log(`  batched  median ${median(ms.batched).toFixed(2)}  (${show(ms.batched)})`);
  console.log(`  measured speedup of the rewrite, cold: ${(median(ms.loop) / median(ms.batched)).toFixed(2)}×`);
  console.log(`  the batch-loop recommendation on each cold loop profile: ${estimates.join(', ')}`);
}

const mode = process.env['EXAMPLE3_CHILD'];
if (mode === 'loop' || mode === 'batched') child(mode); else parent();
