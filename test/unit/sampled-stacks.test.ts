/**
 * Under call-site sampling (the default outside `corepy profile`), an op between captures carries
 * its op name's last captured site, and with it that site's stack — possibly another function's.
 * The flame then merged that foreign stack with the op's own context path (which is exact):
 * `epoch;trainStep;normalize;augment;add`, and `epoch;trainStep;normalize;trainStep;normalize;sqrt`
 * for the other ops of normalize (one foreign stack shortens what the context's ops share). A held
 * stack is now carried only by ops of the context it was captured in (recorder.ts).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { before, describe, it } from 'mocha';
import type * as cp from '../../runtime/src/index.js';
import { SliceKind, type FlameProfile } from '../../runtime/src/contract/flame.js';
import type { ProfileReport } from '../../runtime/src/contract/report.js';
import { renderExport } from '../../runtime/src/export/index.js';
import { parseFolded } from '../../runtime/src/export/folded.js';

const root = join(__dirname, '..', '..');
const FIXTURE = join(root, 'test', 'fixtures', 'profiler', 'sampled-stacks.mts');
const OPS = new Set(['moments', 'sub', 'add', 'sqrt', 'div', 'mul', 'concat', 'stack', 'matmul', 'tanh']);
/** Every op's stack, outermost first: the fixture's own structure (contexts only: no other function issues an op). */
const EXPECTED = [
  'epoch;augment;mul', 'epoch;augment;add', 'epoch;augment;concat',
  'epoch;trainStep;normalize;moments', 'epoch;trainStep;normalize;sub', 'epoch;trainStep;normalize;add',
  'epoch;trainStep;normalize;sqrt', 'epoch;trainStep;normalize;div', 'epoch;trainStep;matmul', 'epoch;trainStep;tanh',
];

/** Each op slice's stack in the flame model (its ancestors' names). */
function flameStacks(f: FlameProfile): Set<string> {
  const s = f.slices, out = new Set<string>();
  for (let i = 0; i < s.name.length; i++) {
    if (s.kind[i] !== SliceKind.Op) continue;
    const names: string[] = [];
    for (let k = i; k >= 0; k = s.parent[k]!) names.push(f.strings[s.name[k]!]!);
    out.add(names.reverse().join(';'));
  }
  return out;
}

describe('user call stacks under sampled call sites', function () {
  this.timeout(120_000);
  let flame: FlameProfile, report: ProfileReport;

  before(async () => {
    // The ES module copy of the runtime, the one the fixture (an ES module) imports.
    const esm = (await import(pathToFileURL(join(root, 'runtime', 'src', 'index.ts')).href)) as typeof cp;
    await esm.setBackend('js');
    esm.clearProfile();
    esm.enableProfiling({ callSites: 'sampled' });
    try {
      const fixture = (await import(pathToFileURL(FIXTURE).href)) as { run(epochs: number): void };
      fixture.run(3);
      flame = esm.getFlameProfile('sampled');
      report = esm.profileReport({ format: 'json' });
    } finally {
      esm.disableProfiling();
      esm.clearProfile();
    }
  });

  it('sampled the sites (the case under test), not numbered them statically', () => {
    assert.equal(report.callSiteMode, 'sampled');
    assert.ok(!report.staticSiteOps, `static site ops: ${report.staticSiteOps}`);
  });

  it("flame model: an op's frames never contradict its context path (normalize's add is not under augment)", () => {
    const got = [...flameStacks(flame)].filter((k) => OPS.has(k.split(';').pop()!));
    assert.deepEqual(got.sort(), [...EXPECTED].sort());
  });

  it('folded export: the same stacks, no function twice on one', () => {
    const folded = [...parseFolded(renderExport({ report, flame }, 'folded')).keys()];
    for (const k of folded) {
      const names = k.split(';');
      assert.equal(new Set(names).size, names.length, `a frame repeated: ${k}`);
    }
    assert.deepEqual(folded.filter((k) => OPS.has(k.split(';').pop()!)).sort(), [...EXPECTED].sort());
  });
});
