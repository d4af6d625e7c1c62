/**
 * The recommendations bench's results file (runtime/src/profiler/rules/corpus-results.ts): a run
 * on some pairs (`--only`) replaces their rows and keeps every other rule's, names the command
 * behind each row, and a cold pair's rows count in its rule's verdict like any other. Pure
 * functions on made-up figures: the bench itself is never run here.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'mocha';
import { mergeResults, resultsSource } from '../../runtime/src/bench/recommendations-results.js';
import { verdicts, type CorpusPair, type CorpusResults } from '../../runtime/src/profiler/rules/corpus.js';

const pair = (name: string, rule: string, estimate: number, measured: number, extra: Partial<CorpusPair> = {}): CorpusPair =>
  ({ pair: name, rule, size: 1e5, estimate, measured, applied: 'fix', ...extra });

const full: CorpusResults = {
  command: 'npm run bench:recommendations -- --rounds 21 --runs 2', generatedAt: '2026-01-01T00:00:00.000Z', rounds: 21, runs: 2, machine: '2 cores',
  pairs: [pair('batch-a', 'batch-loop', 2, 2.1, { run: 1 }), pair('undisposed', 'undisposed-tensors', 3, 1.2, { run: 1 }),
    pair('batch-a', 'batch-loop', 2, 1.9, { run: 2 }), pair('undisposed', 'undisposed-tensors', 3, 1.1, { run: 2 })],
};
const coldRun = { command: 'npm run bench:recommendations -- --only undisposed --rounds 11', generatedAt: '2026-01-02T00:00:00.000Z', rounds: 11 };
const coldRows = [pair('undisposed', 'undisposed-tensors', 1.2, 1.25, { cold: true })];

describe('recommendations bench results file', () => {
  it('a run on some pairs replaces their rows, keeps the other rules\' rows and header, and records which command wrote which', () => {
    const merged = mergeResults(full, coldRun, ['undisposed'], coldRows);
    assert.equal(merged.command, full.command);
    assert.equal(merged.runs, 2);
    assert.deepEqual(merged.pairs.map((p) => `${p.pair}:${p.run ?? '-'}:${p.measured}`), ['batch-a:1:2.1', 'batch-a:2:1.9', 'undisposed:-:1.25']);
    assert.deepEqual(merged.updates, [{ ...coldRun, pairs: ['undisposed'] }]);
    const v = verdicts(merged);
    assert.equal(v.get('batch-loop')?.impact, 'verified');
    assert.deepEqual(v.get('undisposed-tensors'), { impact: 'verified', measured: 1.25, pairs: 1 });
  });

  it('a later run of the same pairs supersedes the earlier update; a pair whose rule went silent loses its rows', () => {
    const once = mergeResults(full, coldRun, ['undisposed'], coldRows);
    const again = mergeResults(once, { ...coldRun, generatedAt: '2026-01-03T00:00:00.000Z' }, ['undisposed', 'batch-a'], []);
    assert.deepEqual(again.pairs, []);
    assert.deepEqual(again.updates?.map((u) => [u.generatedAt, u.pairs]), [['2026-01-03T00:00:00.000Z', ['undisposed', 'batch-a']]]);
    const partly = mergeResults(once, coldRun, ['batch-a'], []);
    assert.deepEqual(partly.updates?.map((u) => u.pairs), [['undisposed'], ['batch-a']]);
  });

  it('writes a module that reads back as the same results, its header naming each command', async () => {
    const merged = mergeResults(full, coldRun, ['undisposed'], coldRows);
    const source = resultsSource(merged);
    assert.match(source, /^ \* Rows from `npm run bench:recommendations -- --rounds 21 --runs 2` \(2026-01-01T00:00:00\.000Z\), except/m);
    assert.match(source, /^ \* {3}undisposed: `npm run bench:recommendations -- --only undisposed --rounds 11` \(2026-01-02T00:00:00\.000Z\)\.$/m);
    const dir = mkdtempSync(join(tmpdir(), 'corpus-results-'));
    try {
      const file = join(dir, 'corpus-results.ts');
      writeFileSync(file, source);
      const { CORPUS_RESULTS } = await import(pathToFileURL(file).href) as { CORPUS_RESULTS: CorpusResults };
      assert.deepEqual(CORPUS_RESULTS, merged);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
