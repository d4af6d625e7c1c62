/** Reading data from files into tensors, and cleaning it. */
export { readCsv, parseCsv, type ReadCsvOptions } from './csv.js';
export { Frame } from './frame.js';
export { dropna } from './dropna.js';
