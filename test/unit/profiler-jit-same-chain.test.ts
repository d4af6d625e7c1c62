/**
 * Two `cp.jit` functions whose fused groups have the same op chain (`fused(mul+sub+neg+min)`) but
 * different member lines: each group's events carry a name of their own, so each report row, its
 * member lines and its shares belong to that group alone (before, the two groups shared one name
 * and each row listed both groups' lines with the time split between them), in the report, the
 * editor's per-line model and the flame model. The same group traced for a second input shape keeps
 * its name.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';
import type { Tensor } from '../../runtime/src/index.js';
import { buildFlame } from '../../runtime/src/profiler/flame.js';
import { snapshot } from '../../runtime/src/profiler/session.js';
import { batchFromReport } from '../../extension/src/debug/report-sites.js';
import { ProfileStore } from '../../extension/src/profile-store.js';
import { values } from './helpers.js';

const FILE = new URL(import.meta.url).pathname;
/** 1-based line of this file that carries `marker` in a comment. */
const lineOf = (marker: string): number => readFileSync(FILE, 'utf8').split('\n').findIndex((l) => l.includes(marker)) + 1;
// A chain no other test jits, so the first group below gets the bare name.
const CHAIN = 'fused(mul+sub+neg+min)';

const first = cp.jit((x: Tensor) => {
  const y = x.mul(2); // FIRST-MUL
  return y.sub(1).neg().min(); // FIRST-REST
}, { name: 'first', warn: false });
const second = cp.jit((x: Tensor) => {
  const y = x.mul(3); // SECOND-MUL
  const z = y.sub(2); // SECOND-SUB
  return z.neg().min(); // SECOND-REST
}, { name: 'second', warn: false });

describe('cp.jit: two groups with the same op chain', () => {
  afterEach(() => {
    cp.disableProfiling();
    cp.clearProfile({ segments: true });
  });

  it('names each group apart, so its row, member lines and shares are its own', async () => {
    await cp.setBackend('wasm');
    const x = cp.tensor(values(4096));
    const small = cp.tensor(values(64));
    first(x).dispose(); // traced before profiling: only the fused runs are recorded
    second(x).dispose();
    first(small).dispose(); // a second signature of the same group
    cp.clearProfile({ segments: true });
    cp.enableProfiling({ callSites: 'all' });
    for (let i = 0; i < 3; i++) first(x).dispose(); // FIRST-CALLER
    second(x).dispose(); // SECOND-CALLER
    const report = cp.profileReport({ format: 'json' });
    cp.disableProfiling();

    const [a] = first.signatures()[0]!.groups, [b] = second.signatures()[0]!.groups;
    assert.equal(a!.op, CHAIN, 'the first group with the chain keeps the bare name');
    assert.equal(b!.op, `${CHAIN}#2`, 'another group with the same chain gets its own');
    assert.equal(first.signatures()[1]!.groups[0]!.op, CHAIN, 'the same group under another input shape keeps its name');

    const rowA = report.callSites.find((s) => s.op === a!.op)!, rowB = report.callSites.find((s) => s.op === b!.op)!;
    assert.deepEqual([rowA.count, rowA.location?.line], [3, lineOf('// FIRST-CALLER')]);
    assert.deepEqual([rowB.count, rowB.location?.line], [1, lineOf('// SECOND-CALLER')]);
    assert.deepEqual(rowA.fusedMembers!.map((m) => [m.op, m.location?.line]), [
      ['mul', lineOf('// FIRST-MUL')], ['sub', lineOf('// FIRST-REST')], ['neg', lineOf('// FIRST-REST')], ['min', lineOf('// FIRST-REST')],
    ]);
    assert.deepEqual(rowB.fusedMembers!.map((m) => [m.op, m.location?.line]), [
      ['mul', lineOf('// SECOND-MUL')], ['sub', lineOf('// SECOND-SUB')], ['neg', lineOf('// SECOND-REST')], ['min', lineOf('// SECOND-REST')],
    ]);
    // Each row's members share that row's time only.
    for (const row of [rowA, rowB]) for (const m of row.fusedMembers!) assert.ok(Math.abs(m.shareMs - row.totalMs / 4) < 1e-12);

    // The editor: a member line shows its own group's share (three calls of the first, one of the second).
    const store = new ProfileStore();
    store.startRun(FILE, 0);
    store.applyBatch(batchFromReport(report, 1)!);
    const mulA = store.lineAt(FILE, lineOf('// FIRST-MUL'))!, mulB = store.lineAt(FILE, lineOf('// SECOND-MUL'))!;
    assert.deepEqual(mulA.ops.map((o) => [o.op, o.fusedIn, o.count]), [['mul', CHAIN, 3]]);
    assert.deepEqual(mulB.ops.map((o) => [o.op, o.fusedIn, o.count]), [['mul', `${CHAIN}#2`, 1]]);
    assert.ok(Math.abs(mulA.totalMs - rowA.totalMs / 4) < 1e-12);
    assert.ok(Math.abs(mulB.totalMs - rowB.totalMs / 4) < 1e-12);

    // The flame model lists one member list per kernel name.
    const flame = buildFlame(snapshot(), 'same chain');
    assert.deepEqual(flame.fused?.map((k) => [k.name, k.members.map((m) => m.location?.line)]), [
      [CHAIN, [lineOf('// FIRST-MUL'), lineOf('// FIRST-REST'), lineOf('// FIRST-REST'), lineOf('// FIRST-REST')]],
      [`${CHAIN}#2`, [lineOf('// SECOND-MUL'), lineOf('// SECOND-SUB'), lineOf('// SECOND-REST'), lineOf('// SECOND-REST')]],
    ]);
    x.dispose();
    small.dispose();
  });
});
