/** `tf.data`: input pipelines (Dataset) and loaders for IDX (MNIST-format) and CSV files. */
export { type CsvColumnType, type CsvOptions, type CsvRecord, csv, parseCsvRows } from './csv.js';
export {
  AUTOTUNE,
  Dataset,
  type ElementOf,
  INFINITE_CARDINALITY,
  isDataset,
  type MapOptions,
  UNKNOWN_CARDINALITY,
} from './dataset.js';
export {
  DataFormatError,
  type IdxOptions,
  loadIdx,
  loadMnistIdx,
  type MnistArrays,
  parseIdx,
} from './idx.js';
export { type MnistDigitsOptions, mnistDigits } from './mnist.js';
export type { Batched, Sliced, Unbatched } from './structure.js';
