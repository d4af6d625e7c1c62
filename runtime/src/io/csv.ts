/**
 * `readCsv`: a numeric CSV file as a {@link Frame} — one float32 tensor of shape [rows, columns]
 * plus the column names. Parsing is csv-parse's (quoting, CRLF, BOM, delimiters); this file only
 * turns cells into numbers. Missing values become NaN so `dropna` can remove their rows.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { fromWriter } from '../ops/creation.js';
import { Frame } from './frame.js';

/** Options of {@link readCsv}. */
export interface ReadCsvOptions {
  /** Field separator. Default `,`. */
  readonly delimiter?: string;
  /**
   * True (default): the first record holds the column names. False: every record is data and
   * the columns are named `c0`, `c1`, …
   */
  readonly header?: boolean;
  /** Keep only these columns, in this order (names from the header). Default: all. */
  readonly columns?: readonly string[];
  /** Cell texts (after trimming) read as missing → NaN. Default `['', 'NA', 'N/A', 'NaN', 'nan', 'null']`. */
  readonly naValues?: readonly string[];
  /** What a cell that is neither a number nor missing does: throw (default) or read as NaN. */
  readonly onInvalid?: 'error' | 'nan';
}

const DEFAULT_NA = ['', 'NA', 'N/A', 'NaN', 'nan', 'null'];

/**
 * Reads a CSV file of numbers into a {@link Frame} (float32 tensor [rows, columns], NaN for
 * missing cells). The upload is dispatched as op `readCsv`, so a profile shows it; parsing is
 * host work before that op and is not part of its time.
 *
 * @throws RangeError on malformed or ragged records (csv-parse's message, with the line), an unknown column
 *   in `options.columns`, or a non-numeric cell (1-based line and the column name) unless
 *   `onInvalid: 'nan'`.
 */
export function readCsv(path: string, options: ReadCsvOptions = {}): Frame {
  try {
    return parseCsv(readFileSync(path, 'utf8'), options);
  } catch (e) {
    // Say which file: a pipeline may read several.
    if (e instanceof Error) e.message = `${e.message} (in ${path})`;
    throw e;
  }
}

/** {@link readCsv} on CSV text already in memory. */
export function parseCsv(text: string, options: ReadCsvOptions = {}): Frame {
  let records: string[][];
  try {
    records = parse(text, { delimiter: options.delimiter ?? ',', bom: true, trim: true, skip_empty_lines: true });
  } catch (e) {
    throw new RangeError(`readCsv: ${e instanceof Error ? e.message : String(e)}`);
  }
  const header = options.header ?? true;
  const width = records[0]?.length ?? 0;
  const names = header ? (records[0] ?? []) : Array.from({ length: width }, (_, i) => `c${i}`);
  const body = header ? records.slice(1) : records;
  const picks = pickColumns(names, options.columns);
  const na = new Set(options.naValues ?? DEFAULT_NA);
  const values = new Float32Array(body.length * picks.length);
  for (let r = 0; r < body.length; r++) {
    const record = body[r]!;
    for (let c = 0; c < picks.length; c++) {
      const cell = record[picks[c]!]!;
      values[r * picks.length + c] = toNumber(cell, na, options.onInvalid ?? 'error', () =>
        `readCsv: line ${r + (header ? 2 : 1)}, column '${names[picks[c]!]}': '${cell}' is not a number`);
    }
  }
  const data = fromWriter('readCsv', 'float32', [body.length, picks.length], (dst) => { dst.set(values); });
  return new Frame(data, picks.map((i) => names[i]!));
}

function pickColumns(names: readonly string[], wanted: readonly string[] | undefined): number[] {
  if (wanted === undefined) return names.map((_, i) => i);
  return wanted.map((w) => {
    const i = names.indexOf(w);
    if (i < 0) throw new RangeError(`readCsv: no column '${w}'; the file has ${names.map((n) => `'${n}'`).join(', ')}`);
    return i;
  });
}

function toNumber(cell: string, na: ReadonlySet<string>, onInvalid: 'error' | 'nan', message: () => string): number {
  if (na.has(cell)) return NaN;
  // Number('') is 0 and Number(' 1 ') is 1; cells are trimmed and '' is handled above.
  const v = Number(cell);
  if (Number.isNaN(v) && onInvalid === 'error') throw new RangeError(message());
  return v;
}
