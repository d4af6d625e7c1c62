/**
 * `randn`'s ziggurat: its tables are what scripts/ziggurat-tables.ts writes, in both copies (the
 * JavaScript writer's and the wasm kernel's), and 4e6 draws from a fixed seed — the same bits on
 * the js and wasm backends — have a standard normal distribution: mean, variance, skewness,
 * kurtosis and the counts beyond 3σ, the tail's start R and 4σ each within 5 standard errors, and
 * the Kolmogorov–Smirnov distance to Φ below its 0.1 % critical value. Five deliberately broken
 * copies of the JavaScript writer (no tail, the tail's rate 1 instead of 1/R, every wedge point
 * accepted, every one rejected, a wedge's lower height taken from the next layer) each failed at
 * least one check on these 4e6 draws; on 1e6 the last one passed them all (variance 1.0058).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { zigguratSources } from '../../scripts/ziggurat-tables.js';
import { R } from '../../runtime/src/ops/ziggurat-tables.js';
import { withBackend } from './helpers.js';

/** Φ(x), the standard normal CDF, from erfc (Numerical Recipes' erfcc: |error| < 1.2e-7 everywhere). */
function phi(x: number): number {
  const z = Math.abs(x) / Math.SQRT2, t = 1 / (1 + 0.5 * z);
  const erfc = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/** The statistics checked below, of `v`. */
function normalStats(v: Float32Array): { mean: number; variance: number; skew: number; kurtosis: number; ks: number; beyond: Map<number, number> } {
  const n = v.length;
  let s1 = 0, s2 = 0, s3 = 0, s4 = 0;
  for (const x of v) { s1 += x; s2 += x * x; s3 += x * x * x; s4 += x * x * x * x; }
  const mean = s1 / n, m2 = s2 / n - mean * mean;
  const skew = (s3 / n - 3 * mean * m2 - mean ** 3) / m2 ** 1.5;
  const kurtosis = (s4 / n - 4 * mean * (s3 / n) + 6 * mean * mean * (s2 / n) - 3 * mean ** 4) / (m2 * m2);
  const sorted = Float64Array.from(v).sort();
  let ks = 0;
  for (let i = 0; i < n; i++) {
    const p = phi(sorted[i]!);
    ks = Math.max(ks, (i + 1) / n - p, p - i / n);
  }
  const beyond = new Map<number, number>();
  for (const c of [3, R, 4]) beyond.set(c, v.reduce((k, x) => k + (Math.abs(x) > c ? 1 : 0), 0));
  return { mean, variance: m2, skew, kurtosis, ks, beyond };
}

describe('randn: the ziggurat', () => {
  it('both copies of the tables are what scripts/ziggurat-tables.ts writes (run it after changing it)', () => {
    const { ts, rs } = zigguratSources();
    assert.equal(readFileSync(new URL('../../runtime/src/ops/ziggurat-tables.ts', import.meta.url), 'utf8'), ts);
    assert.equal(readFileSync(new URL('../../kernels-rust/src/ziggurat_tables.rs', import.meta.url), 'utf8'), rs);
  });

  it('4e6 draws from seed 7: the same bits on js and wasm, and a standard normal distribution', function () {
    this.timeout(120000);
    const n = 4e6;
    const draw = (b: 'js' | 'wasm'): Float32Array => withBackend(b, () => cp.tidy(() => cp.randn([n], { seed: 7 }).dataSync() as Float32Array));
    const v = draw('wasm'), js = draw('js');
    for (let i = 0; i < n; i++) if (!Object.is(v[i], js[i])) assert.fail(`randn([4e6], seed 7)[${i}]: wasm ${v[i]}, js ${js[i]}`);
    const st = normalStats(v);
    const se = (sd: number): number => 5 * sd / Math.sqrt(n);
    assert.ok(Math.abs(st.mean) < se(1), `mean ${st.mean}`);
    assert.ok(Math.abs(st.variance - 1) < se(Math.SQRT2), `variance ${st.variance}`);
    assert.ok(Math.abs(st.skew) < se(Math.sqrt(6)), `skewness ${st.skew}`);
    assert.ok(Math.abs(st.kurtosis - 3) < se(Math.sqrt(24)), `kurtosis ${st.kurtosis}`);
    // Kolmogorov's distribution: P(√n·D > 1.949) = 0.001.
    assert.ok(st.ks * Math.sqrt(n) < 1.949, `KS distance ${st.ks} (√n·D = ${st.ks * Math.sqrt(n)})`);
    for (const [c, count] of st.beyond) {
      const p = 2 * (1 - phi(c)), expected = n * p, sd = Math.sqrt(n * p * (1 - p));
      assert.ok(Math.abs(count - expected) < 5 * sd, `|x| > ${c}: ${count} values, expected ${expected.toFixed(1)} ± ${sd.toFixed(1)}`);
    }
    assert.ok(v.every((x) => Number.isFinite(x)), 'all finite');
  });
});
