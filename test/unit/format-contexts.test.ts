/**
 * The printed reports list contexts and profiled functions by name (runtime/src/profiler/format-contexts.ts):
 * the guide says a context appears in reports under its name, and only JSON and the flame graph had them (audit 17).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import { renderMarkdown, renderText } from '../../runtime/src/profiler/format-text.js';

describe('contexts in the text and Markdown reports', () => {
  it('lists each context and profiled function with its calls, wall time and ops, the longest first', () => {
    cp.clearProfile();
    cp.enableProfiling();
    const x = cp.keep(cp.ones([1000]));
    try {
      const step = cp.profiled(function step(t: cp.Tensor) { return t.mul(2).sum(); });
      cp.profileContext('train', () => { for (let i = 0; i < 4; i++) cp.tidy(() => step(x).item()); });
      const json = cp.profileReport({ format: 'json' });
      const text = renderText(json, { width: 120, color: false });
      const lines = text.split('\n');
      const at = lines.findIndex((l) => l.startsWith('Contexts and profiled functions'));
      assert.ok(at >= 0, text);
      assert.match(lines[at + 1]!, /^ {2}train +context +1× +[\d.]+ ms +mean [\d.]+ ms +[\d.]+% of wall +12 ops +[\d.]+ ms op time$/);
      assert.match(lines[at + 2]!, /^ {2}step +function +4× +[\d.]+ ms +mean [\d.]+ ms +[\d.]+% of wall +8 ops +[\d.]+ ms op time$/);
      assert.match(renderMarkdown(json), /## Contexts\n\nContexts and profiled functions[^\n]*\n\n```\n {2}train +context/);
    } finally {
      cp.disableProfiling();
      cp.clearProfile();
      x.dispose();
    }
  });

  it('says nothing when there are none', () => {
    cp.clearProfile();
    cp.enableProfiling();
    try {
      cp.tidy(() => cp.ones([4]).add(1).sum().item());
      assert.doesNotMatch(cp.profileReport(), /Contexts and profiled functions/);
    } finally {
      cp.disableProfiling();
      cp.clearProfile();
    }
  });
});
