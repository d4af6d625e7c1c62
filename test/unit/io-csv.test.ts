/** readCsv / parseCsv / Frame / dropna: parsing through csv-parse, NaN for missing, row filtering. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'mocha';
import * as cp from '../../runtime/src/index.js';

describe('io: readCsv', () => {
  it('reads a header and numbers into a float32 [rows, cols] tensor, NaN for missing cells', () => {
    const dir = mkdtempSync(join(tmpdir(), 'corepy-csv-'));
    try {
      const file = join(dir, 'a.csv');
      writeFileSync(file, '\uFEFFx,"y, quoted",z\r\n1,2,3\r\n4,,NA\r\n 7 ,8.5,-1e3\r\n');
      const f = cp.readCsv(file);
      assert.deepEqual(f.columns, ['x', 'y, quoted', 'z']);
      assert.equal(f.data.dtype, 'float32');
      assert.deepEqual(f.data.shape, [3, 3]);
      assert.equal(f.rows, 3);
      const v = Array.from(f.data.dataSync());
      assert.deepEqual(v.map((n) => (Number.isNaN(n) ? 'NaN' : n)), [1, 2, 3, 4, 'NaN', 'NaN', 7, 8.5, -1000]);
      assert.deepEqual(f.column('y, quoted').toArray().map((n) => (Number.isNaN(n as number) ? 'NaN' : n)), [2, 'NaN', 8.5]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('selects columns, reads headerless files, honours naValues and the delimiter', () => {
    const f = cp.parseCsv('a;b;c\n1;2;3\n4;-;6\n', { delimiter: ';', columns: ['c', 'b'], naValues: ['-'] });
    assert.deepEqual(f.columns, ['c', 'b']);
    assert.deepEqual(f.data.toArray().flat().map((n) => (Number.isNaN(n as number) ? 'NaN' : n)), [3, 2, 6, 'NaN']);
    const g = cp.parseCsv('1,2\n3,4\n', { header: false });
    assert.deepEqual(g.columns, ['c0', 'c1']);
    assert.deepEqual(g.data.toArray(), [[1, 2], [3, 4]]);
  });

  it('names the line and column of a non-numeric cell, or reads it as NaN on request', () => {
    assert.throws(() => cp.parseCsv('a,b\n1,2\n3,abc\n'), /line 3, column 'b': 'abc' is not a number/);
    assert.ok(Number.isNaN(cp.parseCsv('a\nabc\n', { onInvalid: 'nan' }).data.dataSync()[0]));
    assert.throws(() => cp.parseCsv('a,b\n1,2\n', { columns: ['q'] }), /no column 'q'/);
    assert.throws(() => cp.parseCsv('a,b\n1,2,3\n'), /readCsv: Invalid Record Length.*line 2/);
  });
});

describe('io: dropna', () => {
  it('removes the rows of a 2-D tensor that hold a NaN, keeping the column names', () => {
    const f = cp.parseCsv('a,b\n1,2\n,3\n4,5\n6,NaN\n').dropna();
    assert.deepEqual(f.columns, ['a', 'b']);
    assert.deepEqual(f.data.toArray(), [[1, 2], [4, 5]]);
  });

  it('removes NaN elements of a 1-D tensor; int tensors come back whole; empty results have 0 rows', () => {
    assert.deepEqual(cp.dropna(cp.tensor(new Float32Array([NaN, 1, NaN, 2]))).toArray(), [1, 2]);
    assert.deepEqual(cp.dropna(cp.tensor([1, 2], 'int32')).toArray(), [1, 2]);
    assert.deepEqual(cp.dropna(cp.tensor(new Float32Array([NaN, NaN]), { shape: [1, 2] })).shape, [0, 2]);
    assert.throws(() => cp.dropna(cp.zeros([1, 1, 1])), /1-D or 2-D/);
  });

  it('works on a strided view (a transposed frame)', () => {
    const t = cp.tensor([[1, NaN], [2, 3]]).transpose();
    assert.deepEqual(cp.dropna(t).toArray(), [[1, 2]]);
  });
});
