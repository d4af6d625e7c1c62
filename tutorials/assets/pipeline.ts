/**
 * The profiled pipeline behind the example assets: load (a generated table), clean, train a few
 * steps of logistic regression, evaluate — in named contexts and @profiled-style functions, so
 * the flame graph has depth. Seeded: the same frames every run (only times differ).
 */
import * as cp from 'corepy';
import { profileContext, profiled } from 'corepy';

export const PIPELINE_CONTEXTS = ['load', 'clean', 'train', 'evaluate'] as const;

const step = profiled(function gradientStep(x: cp.Tensor, y: cp.Tensor, w: cp.Tensor): cp.Tensor {
  const p = x.matmul(w).sigmoid();
  return w.sub(x.transpose().matmul(p.sub(y)).mul(0.1 / x.shape[0]!));
});

/** Runs the pipeline with profiling on (left on, so the caller can export). */
export function profileSamplePipeline(): void {
  cp.seed(1234);
  const raw = cp.randn([2048, 8]);
  cp.clearProfile();
  cp.enableProfiling();
  const table = profileContext('load', () => cp.where(cp.rand([2048, 8]).lt(0.02), NaN, raw));
  const clean = profileContext('clean', () => cp.dropna(table));
  const y = clean.slice([null, [0, 1]]).gt(0).cast('float32');
  let w = cp.zeros([8, 1]);
  profileContext('train', () => {
    for (let i = 0; i < 10; i++) w = step(clean, y, w);
  });
  profileContext('evaluate', () => clean.matmul(w).gt(0).cast('float32').eq(y).cast('float32').mean().item());
}
