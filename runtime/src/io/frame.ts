/**
 * `Frame`: a float32 tensor of shape [rows, columns] with column names — what `readCsv` returns.
 * Deliberately small: the numbers stay a `Tensor`, so every op (and the profiler) applies.
 */
import type { Tensor } from '../tensor.js';
import { slice } from '../ops/shape-ops.js';
import { dropna } from './dropna.js';

export class Frame {
  /**
   * @param data float32 tensor [rows, columns], row-major, NaN for missing values
   * @param columns one name per column of `data`
   */
  constructor(readonly data: Tensor, readonly columns: readonly string[]) {
    if (data.rank !== 2 || data.shape[1] !== columns.length) {
      throw new RangeError(`Frame: data of shape [${data.shape.join(', ')}] does not fit ${columns.length} column names`);
    }
  }

  /** Number of rows. */
  get rows(): number {
    return this.data.shape[0]!;
  }

  /** One column as a 1-D view of `data` (no copy). */
  column(name: string): Tensor {
    const i = this.columns.indexOf(name);
    if (i < 0) throw new RangeError(`Frame.column: no column '${name}'; columns are ${this.columns.map((n) => `'${n}'`).join(', ')}`);
    return slice(this.data, [null, i]);
  }

  /** A new frame without the rows that hold a NaN (op `dropna`). */
  dropna(): Frame {
    return new Frame(dropna(this.data), this.columns);
  }

  /** Releases the tensor's memory. */
  dispose(): void {
    this.data.dispose();
  }
}
