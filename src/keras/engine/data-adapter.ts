/**
 * How fit/evaluate/predict walk their data: tensors are cut into batches (shuffled once per epoch with
 * one gather per array, then sliced as views), a tf.data Dataset is iterated as it comes.
 */

import { type Dataset, INFINITE_CARDINALITY, isDataset } from '../../data/dataset.js';
import { rowsView } from '../../data/structure.js';
import { cast } from '../../ops/cast.js';
import { range } from '../../ops/creation.js';
import { gather } from '../../ops/gather.js';
import { argmax } from '../../ops/reduce.js';
import { reshape, slice } from '../../ops/shape.js';
import { Variable } from '../../ops/variable.js';
import { shuffle as randomShuffle } from '../../random/index.js';
import { type TensorLike, toTensor } from '../../tensor/convert.js';
import { formatShape } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';

/** Inputs or targets: one tensor, or one per model input/output (an array or a record by name). */
export type DataLike = TensorLike | readonly TensorLike[] | { readonly [name: string]: TensorLike };

/** One batch as the step functions receive it. */
export interface Batch {
  x: Tensor[];
  y: Tensor[] | null;
  sampleWeight: Tensor | null;
  size: number;
}

/** What a data source gives the loops: batches per epoch, and the number of steps when known. */
export interface Adapter {
  steps(): number | null;
  epoch(): AsyncIterable<Batch>;
}

/** Converts x or y to a list of tensors, resolving a record by the names the model gives. */
export function toTensorList(what: string, data: DataLike, names: readonly string[] | null): Tensor[] {
  if (data instanceof Tensor) return [data];
  if (Array.isArray(data) && data.some((d) => d instanceof Tensor)) {
    return data.map((d, i) => (d instanceof Tensor ? d : toTensor(d as TensorLike, `${what}[${i}]`)));
  }
  if (data !== null && typeof data === 'object' && !Array.isArray(data) && !ArrayBuffer.isView(data)) {
    const record = data as Record<string, TensorLike>;
    if (!names) throw new TypeError(`${what}: a record of tensors needs a model with named inputs/outputs`);
    return names.map((name) => {
      if (!(name in record)) {
        throw new RangeError(
          `${what}: no entry for '${name}' (the record has ${Object.keys(record).join(', ')})`,
        );
      }
      return toTensor(record[name]!, `${what}.${name}`);
    });
  }
  return [toTensor(data as TensorLike, what)];
}

/** Keras's check that x, y and sample weights hold the same number of samples. */
export function checkCardinality(x: Tensor[], y: Tensor[] | null, sw: Tensor | null): number {
  const all = [...x, ...(y ?? []), ...(sw ? [sw] : [])];
  for (const t of all) {
    if (t.rank === 0) throw new RangeError(`fit/evaluate/predict: data must have a batch axis, got a scalar`);
  }
  const sizes = (ts: Tensor[]) => ts.map((t) => t.shape[0]!);
  const n = all[0]!.shape[0]!;
  if (all.some((t) => t.shape[0] !== n)) {
    const parts = [`x sizes: ${sizes(x).join(', ')}`];
    if (y) parts.push(`y sizes: ${sizes(y).join(', ')}`);
    if (sw) parts.push(`sample_weight sizes: ${sw.shape[0]}`);
    throw new RangeError(
      `Data cardinality is ambiguous: ${parts.join('; ')}. Make sure all arrays contain the same number of samples.`,
    );
  }
  return n;
}

function rows(t: Tensor, start: number, count: number): Tensor {
  if (start === 0 && count === t.shape[0]) return t;
  // A batch is a view of the data's storage. The slice op is for what needs more: a tensor that records
  // gradients, or a variable (whose view is a snapshot, so that an assignment leaves the batch alone).
  if (t.trackGrad || t instanceof Variable) return slice(t, [start], [count]);
  return rowsView(t, start, count);
}

/** Batches of in-memory tensors. */
export class TensorAdapter implements Adapter {
  readonly numSamples: number;

  constructor(
    readonly x: Tensor[],
    readonly y: Tensor[] | null,
    readonly sampleWeight: Tensor | null,
    private readonly batchSize: number,
    private readonly shuffle: boolean,
  ) {
    this.numSamples = checkCardinality(x, y, sampleWeight);
  }

  steps(): number {
    return Math.ceil(this.numSamples / this.batchSize);
  }

  async *epoch(): AsyncIterable<Batch> {
    yield* this.batches();
  }

  /** The batches of one epoch, synchronously (predict on tensors). */
  *batches(): Generator<Batch> {
    let { x, y, sampleWeight } = this;
    if (this.shuffle && this.numSamples > 1) {
      const perm = randomShuffle(range(0, this.numSamples, 1, 'int32'));
      x = x.map((t) => gather(t, perm, 0));
      y = y ? y.map((t) => gather(t, perm, 0)) : null;
      sampleWeight = sampleWeight ? gather(sampleWeight, perm, 0) : null;
    }
    for (let start = 0; start < this.numSamples; start += this.batchSize) {
      const size = Math.min(this.batchSize, this.numSamples - start);
      yield {
        x: x.map((t) => rows(t, start, size)),
        y: y ? y.map((t) => rows(t, start, size)) : null,
        sampleWeight: sampleWeight ? rows(sampleWeight, start, size) : null,
        size,
      };
    }
  }

  /** The last `fraction` of the samples as separate validation data (taken before any shuffling, as Keras). */
  static split(
    x: Tensor[],
    y: Tensor[] | null,
    sw: Tensor | null,
    fraction: number,
  ): { train: [Tensor[], Tensor[] | null, Tensor | null]; val: [Tensor[], Tensor[] | null, Tensor | null] } {
    if (!(fraction > 0 && fraction < 1))
      throw new RangeError(`fit: validationSplit must be in (0, 1), got ${fraction}`);
    const n = checkCardinality(x, y, sw);
    const nTrain = Math.floor(n * (1 - fraction));
    if (nTrain === 0 || nTrain === n) {
      throw new RangeError(
        `fit: validationSplit ${fraction} of ${n} samples leaves ${nTrain === 0 ? 'no training' : 'no validation'} samples`,
      );
    }
    const cut = (t: Tensor, a: number, b: number) => slice(t, [a], [b - a]);
    return {
      train: [
        x.map((t) => cut(t, 0, nTrain)),
        y ? y.map((t) => cut(t, 0, nTrain)) : null,
        sw ? cut(sw, 0, nTrain) : null,
      ],
      val: [
        x.map((t) => cut(t, nTrain, n)),
        y ? y.map((t) => cut(t, nTrain, n)) : null,
        sw ? cut(sw, nTrain, n) : null,
      ],
    };
  }
}

/**
 * Batches of a tf.data Dataset whose elements are `x`, `[x, y]` or `[x, y, sampleWeight]` (x and y
 * themselves a tensor or an array of tensors, one per model input/output).
 */
export class DatasetAdapter implements Adapter {
  private knownSteps: number | null;

  constructor(
    private readonly dataset: Dataset<unknown>,
    private readonly stepsPerEpoch: number | null,
    private readonly inputNames: readonly string[] | null,
    private readonly outputNames: readonly string[] | null,
  ) {
    const c = dataset.cardinality();
    if (stepsPerEpoch === null && c === INFINITE_CARDINALITY) {
      throw new RangeError('fit: the dataset is infinite (repeat() without a count); give stepsPerEpoch');
    }
    this.knownSteps = stepsPerEpoch ?? (c >= 0 ? c : null);
  }

  steps(): number | null {
    return this.knownSteps;
  }

  async *epoch(): AsyncIterable<Batch> {
    let count = 0;
    for await (const element of this.dataset) {
      yield this.unpack(element);
      count += 1;
      if (this.stepsPerEpoch !== null && count >= this.stepsPerEpoch) break;
    }
    if (this.knownSteps === null) this.knownSteps = count;
  }

  private unpack(element: unknown): Batch {
    let x: unknown = element;
    let y: unknown = null;
    let sw: unknown = null;
    if (Array.isArray(element) && !(element.length > 0 && typeof element[0] === 'number')) {
      if (element.length < 1 || element.length > 3) {
        throw new RangeError(
          `fit: dataset elements must be x, [x, y] or [x, y, sampleWeight]; got an array of ${element.length}`,
        );
      }
      [x, y = null, sw = null] = element as unknown[];
    }
    const xs = toTensorList('dataset x', x as DataLike, this.inputNames);
    const ys = y === null ? null : toTensorList('dataset y', y as DataLike, this.outputNames);
    const w = sw === null ? null : toTensor(sw as TensorLike, 'dataset sampleWeight');
    const size = checkCardinality(xs, ys, w);
    return { x: xs, y: ys, sampleWeight: w, size };
  }
}

export { isDataset };

/**
 * Per-sample weights from Keras's `classWeight` (class index -> weight), looked up from integer
 * labels, or from the argmax of one-hot labels.
 */
export function classWeightsFor(y: Tensor, classWeight: Readonly<Record<number, number>>): Tensor {
  const keys = Object.keys(classWeight).map(Number);
  if (keys.some((k) => !Number.isInteger(k) || k < 0)) {
    throw new RangeError(
      `fit: classWeight keys must be class indices (non-negative integers), got ${keys.join(', ')}`,
    );
  }
  const table = new Float32Array(Math.max(...keys) + 1).fill(1);
  for (const k of keys) table[k] = classWeight[k]!;
  let labels: Tensor;
  if (y.rank <= 1 || (y.rank === 2 && y.shape[1] === 1)) labels = reshape(y, [y.shape[0]!]);
  else if (y.rank === 2) labels = argmax(y, 1);
  else
    throw new RangeError(`fit: classWeight needs labels of rank 1 or 2, got shape ${formatShape(y.shape)}`);
  const idx = labels.dtype === 'int32' ? labels : cast(labels, 'int32');
  return gather(new Tensor(table, [table.length], 'float32'), idx, 0);
}
