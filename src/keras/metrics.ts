/**
 * tf.keras.metrics: streaming metrics with Keras's `updateState` / `result` / `resetState` protocol,
 * formulas, defaults and names. State accumulates in float64 JS numbers; `result()` is a scalar
 * tensor (a vector for Precision/Recall/TruePositives... given several thresholds).
 *
 * Function forms (`sparseCategoricalAccuracy(yTrue, yPred)`) return per-sample values, which
 * MeanMetricWrapper averages (weighted by sample weights) across batches; any loss function works as
 * a metric the same way.
 */
import { isFloat } from '../backend/dtype.js';
import {
  argmax,
  broadcastTo,
  cast,
  equal,
  expandDims,
  greater,
  mean,
  squeeze,
  sum,
  variable,
} from '../ops/index.js';
import type { Variable } from '../ops/variable.js';
import { type TensorLike, toTensor } from '../tensor/convert.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import * as losses from './losses.js';
import {
  fromConfigOf,
  isSerialized,
  prepareSameShape,
  type Serialized,
  serializedName,
  snakeCase,
  squeezeOrExpand,
  toFloat,
  toTensorAs,
  unknownIdentifier,
} from './losses-utils.js';

export interface MetricOptions {
  /** Defaults to Keras's snake_case name of the metric ('sparse_categorical_accuracy', ...). */
  name?: string;
  /** dtype of `result()` (default float32, as Keras). */
  dtype?: 'float32' | 'float64';
}

export interface MetricConfig {
  name: string;
  dtype: 'float32' | 'float64';
  [option: string]: unknown;
}

function scalarResult(value: number, dtype: 'float32' | 'float64'): Tensor {
  const data = dtype === 'float64' ? Float64Array.of(value) : Float32Array.of(value);
  return new Tensor(data, [], dtype);
}

function vectorResult(values: ArrayLike<number>, dtype: 'float32' | 'float64'): Tensor {
  const data = dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
  return new Tensor(data, [data.length], dtype);
}

/** Keras's divide_no_nan. */
function safeDiv(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

/**
 * Base class of every metric. A subclass implements `updateState`, `result` and (unless it keeps its
 * state in weights made with `addWeight`) `resetState`. `apply` updates and returns the result, as
 * Python's `metric(y_true, y_pred)`.
 */
export abstract class Metric {
  name: string;
  readonly dtype: 'float32' | 'float64';
  /** State variables created with `addWeight` (reset to zeros by the default `resetState`). */
  readonly variables: Variable[] = [];

  constructor(options: MetricOptions = {}) {
    this.name = options.name ?? snakeCase(this.constructor.name);
    this.dtype = options.dtype ?? 'float32';
    if (this.dtype !== 'float32' && this.dtype !== 'float64') {
      throw new TypeError(
        `${this.constructor.name}: dtype must be float32 or float64, got ${String(this.dtype)}`,
      );
    }
  }

  /** Accumulates a batch. Mean and Sum take (values, sampleWeight?). */
  abstract updateState(yTrue: TensorLike, yPred?: TensorLike | null, sampleWeight?: TensorLike | null): void;

  /** The metric over everything accumulated since the last reset. */
  abstract result(): Tensor;

  /** Clears the state: the default zeroes every weight made with `addWeight`. */
  resetState(): void {
    for (const v of this.variables)
      v.assign(new Tensor(new (v.storage.constructor as Float32ArrayConstructor)(v.size), v.shape, v.dtype));
  }

  /** TensorFlow 2's older name of `resetState`. */
  resetStates(): void {
    this.resetState();
  }

  /** Python's `metric(y_true, y_pred, sample_weight)`: updates, then returns the result. */
  apply(yTrue: TensorLike, yPred?: TensorLike | null, sampleWeight?: TensorLike | null): Tensor {
    this.updateState(yTrue, yPred, sampleWeight);
    return this.result();
  }

  /** A non-trainable state variable of zeros (Keras's `add_weight` for metrics). */
  addWeight(
    name: string,
    shape: readonly number[] = [],
    dtype: 'float32' | 'float64' = this.dtype,
  ): Variable {
    const size = shape.reduce((a, b) => a * b, 1);
    const zeros = new Tensor(
      dtype === 'float64' ? new Float64Array(size) : new Float32Array(size),
      [...shape],
      dtype,
    );
    const v = variable(zeros, { trainable: false, name: `${this.name}/${name}:0` });
    this.variables.push(v);
    return v;
  }

  getConfig(): MetricConfig {
    return { name: this.name, dtype: this.dtype };
  }

  /** Rebuilds a metric from `getConfig()`'s record (`new this(config)`). */
  static fromConfig(config: MetricConfig): Metric {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass fromConfig was called on
    return new (this as unknown as new (c: MetricConfig) => Metric)(config);
  }
}

// ------------------------------------------------------------------------------------- reduce

type ReduceKind = 'sum' | 'weighted_mean';

/**
 * Sums values (times sample weights) and weights, Keras's `Reduce.update_state`: weights are aligned
 * to the values (a trailing 1 dropped, or a trailing axis added) and broadcast; when they cannot be,
 * the values are first averaged (or summed) over their trailing axes down to the weights' rank.
 */
function weightedTotals(
  owner: string,
  values: Tensor,
  sampleWeight: TensorLike | null | undefined,
  kind: ReduceKind,
): { total: number; count: number } {
  let v = toFloat(values, owner);
  let total = 0;
  if (sampleWeight === undefined || sampleWeight === null) {
    const data = v.dataSync();
    for (let i = 0; i < data.length; i++) total += data[i]!;
    return { total, count: data.length };
  }
  let w = toTensorAs(sampleWeight, owner, v.dtype);
  if (!isFloat(w.dtype)) w = cast(w, v.dtype);
  const original = w.shape;
  if (w.rank > 0) {
    if (w.rank - v.rank === 1 && w.shape[w.rank - 1] === 1) w = squeeze(w, -1);
    else if (v.rank - w.rank === 1) w = expandDims(w, -1);
  }
  let wb: Tensor;
  try {
    wb = broadcastTo(w, v.shape);
  } catch {
    const lead = v.shape.slice(0, w.rank);
    if (w.rank < v.rank && shapesEqual(lead, w.shape)) {
      const axes = [...v.shape.keys()].slice(w.rank);
      v = kind === 'sum' ? sum(v, axes) : mean(v, axes);
      wb = w;
    } else {
      throw new RangeError(
        `${owner}: sampleWeight of shape ${formatShape(original)} does not match values of shape ${formatShape(values.shape)}`,
      );
    }
  }
  const vd = v.dataSync();
  const wd = wb.dataSync();
  let count = 0;
  for (let i = 0; i < vd.length; i++) {
    total += vd[i]! * wd[i]!;
    count += wd[i]!;
  }
  return { total, count };
}

/** The weighted mean of everything passed to `updateState(values, sampleWeight?)`. */
export class Mean extends Metric {
  protected total = 0;
  protected count = 0;

  override updateState(values: TensorLike, sampleWeight?: TensorLike | null): void {
    const t = weightedTotals(this.name, toFloat(values, this.name), sampleWeight, 'weighted_mean');
    this.total += t.total;
    this.count += t.count;
  }

  override result(): Tensor {
    return scalarResult(safeDiv(this.total, this.count), this.dtype);
  }

  override resetState(): void {
    this.total = 0;
    this.count = 0;
  }
}

/** The (weighted) sum of everything passed to `updateState(values, sampleWeight?)`. */
export class Sum extends Metric {
  protected total = 0;

  override updateState(values: TensorLike, sampleWeight?: TensorLike | null): void {
    this.total += weightedTotals(this.name, toFloat(values, this.name), sampleWeight, 'sum').total;
  }

  override result(): Tensor {
    return scalarResult(this.total, this.dtype);
  }

  override resetState(): void {
    this.total = 0;
  }
}

/** A metric function: per-sample values from labels and predictions. */
export type MetricFunction = (yTrue: Tensor, yPred: Tensor, options?: Record<string, unknown>) => Tensor;

/**
 * The running weighted mean of a per-sample function of (yTrue, yPred): how Keras turns any loss or
 * custom function into a metric (`new MeanMetricWrapper(fn, { name })`).
 */
export class MeanMetricWrapper extends Mean {
  readonly fn: MetricFunction;
  readonly fnOptions: Record<string, unknown>;

  constructor(fn: MetricFunction, options: MetricOptions & Record<string, unknown> = {}) {
    const { name, dtype, ...rest } = options;
    super({
      name: name ?? (fn.name ? snakeCase(fn.name) : 'mean_metric_wrapper'),
      ...(dtype ? { dtype } : {}),
    });
    this.fn = fn;
    this.fnOptions = rest;
  }

  override updateState(yTrue: TensorLike, yPred?: TensorLike | null, sampleWeight?: TensorLike | null): void {
    if (yPred === undefined || yPred === null) {
      throw new TypeError(`${this.name}: updateState(yTrue, yPred, sampleWeight?) needs predictions`);
    }
    const p0 = toFloat(yPred, this.name);
    const t0 = toTensorAs(yTrue, this.name, p0.dtype);
    const [t, p] = squeezeOrExpand(t0, p0);
    const values = Object.keys(this.fnOptions).length ? this.fn(t, p, this.fnOptions) : this.fn(t, p);
    super.updateState(values, sampleWeight);
  }

  override getConfig(): MetricConfig {
    return { ...super.getConfig(), ...this.fnOptions };
  }
}

// ---------------------------------------------------------------- accuracy function forms

function rowsOf(name: string, t: Tensor): { rows: number; cols: number; data: ArrayLike<number> } {
  if (t.rank === 0) throw new RangeError(`${name}: yPred must have a class axis, got a scalar`);
  const cols = t.shape[t.rank - 1]!;
  return { rows: cols === 0 ? 0 : t.size / cols, cols, data: t.dataSync() };
}

function floatValues(data: ArrayLike<number>, shape: readonly number[], like: Tensor): Tensor {
  const dtype = isFloat(like.dtype) ? like.dtype : 'float32';
  const out = dtype === 'float64' ? Float64Array.from(data) : Float32Array.from(data);
  return new Tensor(out, [...shape], dtype);
}

/** 1 where yPred equals yTrue, elementwise (no reduction): Keras's `accuracy`. */
export function accuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const p0 = toTensor(yPred, 'accuracy');
  const t0 = toTensorAs(yTrue, 'accuracy', p0.dtype);
  const [t, p] = squeezeOrExpand(t0, p0);
  if (!shapesEqual(t.shape, p.shape)) {
    throw new RangeError(
      `accuracy: yTrue and yPred must have the same shape, got yTrue ${formatShape(t0.shape)} and yPred ${formatShape(p0.shape)}`,
    );
  }
  return cast(equal(t, t.dtype === p.dtype ? p : cast(p, t.dtype)), isFloat(p.dtype) ? p.dtype : 'float32');
}

/** mean(yTrue == (yPred > threshold)) over the last axis. */
export function binaryAccuracy(yTrue: TensorLike, yPred: TensorLike, threshold = 0.5): Tensor {
  const [t, p] = prepareSameShape('binary_accuracy', yTrue, yPred);
  const matches = cast(equal(t, cast(greater(p, threshold), p.dtype)), p.dtype);
  return matches.rank === 0 ? matches : mean(matches, -1);
}

/** 1 where argmax(yPred) equals argmax(yTrue) (one-hot labels), per sample. */
export function categoricalAccuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepareSameShape('categorical_accuracy', yTrue, yPred);
  if (p.rank === 0) throw new RangeError('categorical_accuracy: yPred must have a class axis, got a scalar');
  return cast(equal(argmax(t, -1), argmax(p, -1)), p.dtype);
}

/** Labels of sparse metrics, checked against yPred's leading axes (a trailing 1 is accepted). */
function sparseLabels(
  name: string,
  yTrue: TensorLike,
  p: Tensor,
): { labels: ArrayLike<number>; shape: number[] } {
  const t = toTensor(yTrue, name, 'int32');
  const outer = p.shape.slice(0, -1);
  const fits =
    shapesEqual(t.shape, outer) ||
    (t.rank === outer.length + 1 && t.shape[t.rank - 1] === 1 && shapesEqual(t.shape.slice(0, -1), outer));
  if (!fits) {
    throw new RangeError(
      `${name}: yTrue of shape ${formatShape(t.shape)} does not fit yPred of shape ${formatShape(p.shape)}: ` +
        `expected class indices of shape ${formatShape(outer)} (or ${formatShape([...outer, 1])})`,
    );
  }
  return { labels: t.dataSync(), shape: [...t.shape] };
}

/** 1 where argmax(yPred) equals the integer label, per sample (shaped as yTrue). */
export function sparseCategoricalAccuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const name = 'sparse_categorical_accuracy';
  const p = toFloat(yPred, name);
  const { rows, cols, data } = rowsOf(name, p);
  const { labels, shape } = sparseLabels(name, yTrue, p);
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bestValue = data[r * cols]!;
    for (let c = 1; c < cols; c++) {
      const v = data[r * cols + c]!;
      if (v > bestValue || (Number.isNaN(v) && !Number.isNaN(bestValue))) {
        best = c;
        bestValue = v;
      }
    }
    out[r] = labels[r] === best ? 1 : 0;
  }
  return floatValues(out, shape, p);
}

/**
 * TensorFlow's in_top_k for one row: the target is in the top k when fewer than k entries are
 * strictly greater than its value (ties at the boundary count as in); a non-finite target is not.
 */
function inTopK(data: ArrayLike<number>, offset: number, cols: number, target: number, k: number): boolean {
  if (!(target >= 0 && target < cols)) return false;
  const value = data[offset + target]!;
  if (!Number.isFinite(value)) return false;
  let greaterCount = 0;
  for (let c = 0; c < cols; c++) if (data[offset + c]! > value) greaterCount++;
  return greaterCount < k;
}

function checkK(name: string, k: number): number {
  if (!Number.isInteger(k) || k < 1)
    throw new RangeError(`${name}: k must be a positive integer, got ${String(k)}`);
  return k;
}

/** 1 where the integer label is among the k largest predictions, per sample. */
export function sparseTopKCategoricalAccuracy(yTrue: TensorLike, yPred: TensorLike, k = 5): Tensor {
  const name = 'sparse_top_k_categorical_accuracy';
  checkK(name, k);
  const p = toFloat(yPred, name);
  const { rows, cols, data } = rowsOf(name, p);
  const { labels, shape } = sparseLabels(name, yTrue, p);
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) out[r] = inTopK(data, r * cols, cols, labels[r]!, k) ? 1 : 0;
  return floatValues(out, shape, p);
}

/** 1 where argmax(yTrue) is among the k largest predictions, per sample. */
export function topKCategoricalAccuracy(yTrue: TensorLike, yPred: TensorLike, k = 5): Tensor {
  const name = 'top_k_categorical_accuracy';
  checkK(name, k);
  const [t, p] = prepareSameShape(name, yTrue, yPred);
  const labels = argmax(t, -1).dataSync();
  const { rows, cols, data } = rowsOf(name, p);
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) out[r] = inTopK(data, r * cols, cols, labels[r]!, k) ? 1 : 0;
  return floatValues(out, p.shape.slice(0, -1), p);
}

/** Keras's metric form of cosine similarity: +sum(l2n(yTrue) l2n(yPred)) along `axis`. */
export function cosineSimilarity(yTrue: TensorLike, yPred: TensorLike, axis = -1): Tensor {
  return losses.cosineSimilarity(yTrue, yPred, axis).neg();
}

export {
  binaryCrossentropy,
  categoricalCrossentropy,
  categoricalHinge,
  hinge,
  klDivergence,
  kld,
  logCosh,
  mae,
  mape,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  meanSquaredLogarithmicError,
  mse,
  msle,
  poisson,
  sparseCategoricalCrossentropy,
  squaredHinge,
} from './losses.js';
export { accuracy as acc };

// ---------------------------------------------------------------------- mean-wrapped classes

function named(options: MetricOptions, name: string): MetricOptions & Record<string, unknown> {
  return { name: options.name ?? name, ...(options.dtype ? { dtype: options.dtype } : {}) };
}

/** How often predictions equal labels exactly (elementwise). */
export class Accuracy extends MeanMetricWrapper {
  constructor(options: MetricOptions = {}) {
    super(accuracy, named(options, 'accuracy'));
  }
}

export interface BinaryAccuracyOptions extends MetricOptions {
  /** Predictions above it count as 1 (default 0.5). */
  threshold?: number;
}

/** How often (yPred > threshold) equals the 0/1 label. */
export class BinaryAccuracy extends MeanMetricWrapper {
  readonly threshold: number;
  constructor(options: BinaryAccuracyOptions = {}) {
    const threshold = options.threshold ?? 0.5;
    super((t, p) => binaryAccuracy(t, p, threshold), named(options, 'binary_accuracy'));
    this.threshold = threshold;
  }
  override getConfig(): MetricConfig {
    return { ...super.getConfig(), threshold: this.threshold };
  }
}

/** How often argmax(yPred) equals argmax(yTrue) (one-hot labels). */
export class CategoricalAccuracy extends MeanMetricWrapper {
  constructor(options: MetricOptions = {}) {
    super(categoricalAccuracy, named(options, 'categorical_accuracy'));
  }
}

/** How often argmax(yPred) equals the integer label. */
export class SparseCategoricalAccuracy extends MeanMetricWrapper {
  constructor(options: MetricOptions = {}) {
    super(sparseCategoricalAccuracy, named(options, 'sparse_categorical_accuracy'));
  }
}

export interface TopKOptions extends MetricOptions {
  /** How many of the largest predictions count (default 5). */
  k?: number;
}

/** How often argmax(yTrue) is among the k largest predictions. */
export class TopKCategoricalAccuracy extends MeanMetricWrapper {
  readonly k: number;
  constructor(options: TopKOptions = {}) {
    const k = checkK('top_k_categorical_accuracy', options.k ?? 5);
    super((t, p) => topKCategoricalAccuracy(t, p, k), named(options, 'top_k_categorical_accuracy'));
    this.k = k;
  }
  override getConfig(): MetricConfig {
    return { ...super.getConfig(), k: this.k };
  }
}

/** How often the integer label is among the k largest predictions. */
export class SparseTopKCategoricalAccuracy extends MeanMetricWrapper {
  readonly k: number;
  constructor(options: TopKOptions = {}) {
    const k = checkK('sparse_top_k_categorical_accuracy', options.k ?? 5);
    super(
      (t, p) => sparseTopKCategoricalAccuracy(t, p, k),
      named(options, 'sparse_top_k_categorical_accuracy'),
    );
    this.k = k;
  }
  override getConfig(): MetricConfig {
    return { ...super.getConfig(), k: this.k };
  }
}

export class MeanSquaredError extends MeanMetricWrapper {
  constructor(options: MetricOptions = {}) {
    super(losses.meanSquaredError, named(options, 'mean_squared_error'));
  }
}

export class MeanAbsoluteError extends MeanMetricWrapper {
  constructor(options: MetricOptions = {}) {
    super(losses.meanAbsoluteError, named(options, 'mean_absolute_error'));
  }
}

export class MeanAbsolutePercentageError extends MeanMetricWrapper {
  constructor(options: MetricOptions = {}) {
    super(losses.meanAbsolutePercentageError, named(options, 'mean_absolute_percentage_error'));
  }
}

export class MeanSquaredLogarithmicError extends MeanMetricWrapper {
  constructor(options: MetricOptions = {}) {
    super(losses.meanSquaredLogarithmicError, named(options, 'mean_squared_logarithmic_error'));
  }
}

export class LogCoshError extends MeanMetricWrapper {
  constructor(options: MetricOptions = {}) {
    super(losses.logCosh, named(options, 'logcosh'));
  }
}

export class Hinge extends MeanMetricWrapper {
  constructor(options: MetricOptions = {}) {
    super(losses.hinge, named(options, 'hinge'));
  }
}

export class SquaredHinge extends MeanMetricWrapper {
  constructor(options: MetricOptions = {}) {
    super(losses.squaredHinge, named(options, 'squared_hinge'));
  }
}

export class CategoricalHinge extends MeanMetricWrapper {
  constructor(options: MetricOptions = {}) {
    super(losses.categoricalHinge, named(options, 'categorical_hinge'));
  }
}

export class KLDivergence extends MeanMetricWrapper {
  constructor(options: MetricOptions = {}) {
    super(losses.klDivergence, named(options, 'kullback_leibler_divergence'));
  }
}

export class Poisson extends MeanMetricWrapper {
  constructor(options: MetricOptions = {}) {
    super(losses.poisson, named(options, 'poisson'));
  }
}

export interface CosineSimilarityOptions extends MetricOptions {
  axis?: number;
}

/** The mean cosine similarity between labels and predictions (positive, unlike the loss). */
export class CosineSimilarity extends MeanMetricWrapper {
  readonly axis: number;
  constructor(options: CosineSimilarityOptions = {}) {
    const axis = options.axis ?? -1;
    super((t, p) => cosineSimilarity(t, p, axis), named(options, 'cosine_similarity'));
    this.axis = axis;
  }
  override getConfig(): MetricConfig {
    return { ...super.getConfig(), axis: this.axis };
  }
}

export interface CrossentropyMetricOptions extends MetricOptions, losses.CrossentropyOptions {}

export class BinaryCrossentropy extends MeanMetricWrapper {
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  constructor(options: CrossentropyMetricOptions = {}) {
    const o = { fromLogits: options.fromLogits ?? false, labelSmoothing: options.labelSmoothing ?? 0 };
    super((t, p) => losses.binaryCrossentropy(t, p, o), named(options, 'binary_crossentropy'));
    this.fromLogits = o.fromLogits;
    this.labelSmoothing = o.labelSmoothing;
  }
  override getConfig(): MetricConfig {
    return { ...super.getConfig(), fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing };
  }
}

export class CategoricalCrossentropy extends MeanMetricWrapper {
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;
  constructor(options: CrossentropyMetricOptions = {}) {
    const o = {
      fromLogits: options.fromLogits ?? false,
      labelSmoothing: options.labelSmoothing ?? 0,
      axis: options.axis ?? -1,
    };
    super((t, p) => losses.categoricalCrossentropy(t, p, o), named(options, 'categorical_crossentropy'));
    this.fromLogits = o.fromLogits;
    this.labelSmoothing = o.labelSmoothing;
    this.axis = o.axis;
  }
  override getConfig(): MetricConfig {
    return {
      ...super.getConfig(),
      fromLogits: this.fromLogits,
      labelSmoothing: this.labelSmoothing,
      axis: this.axis,
    };
  }
}

export interface SparseCrossentropyMetricOptions extends MetricOptions {
  fromLogits?: boolean;
  axis?: number;
}

export class SparseCategoricalCrossentropy extends MeanMetricWrapper {
  readonly fromLogits: boolean;
  readonly axis: number;
  constructor(options: SparseCrossentropyMetricOptions = {}) {
    const o = { fromLogits: options.fromLogits ?? false, axis: options.axis ?? -1 };
    super(
      (t, p) => losses.sparseCategoricalCrossentropy(t, p, o),
      named(options, 'sparse_categorical_crossentropy'),
    );
    this.fromLogits = o.fromLogits;
    this.axis = o.axis;
  }
  override getConfig(): MetricConfig {
    return { ...super.getConfig(), fromLogits: this.fromLogits, axis: this.axis };
  }
}

/** sqrt of the running (weighted) mean of squared errors over all elements. */
export class RootMeanSquaredError extends Mean {
  constructor(options: MetricOptions = {}) {
    super(named(options, 'root_mean_squared_error'));
  }
  override updateState(yTrue: TensorLike, yPred?: TensorLike | null, sampleWeight?: TensorLike | null): void {
    if (yPred === undefined || yPred === null) {
      throw new TypeError(`${this.name}: updateState(yTrue, yPred, sampleWeight?) needs predictions`);
    }
    const [t, p] = prepareSameShape(this.name, yTrue, yPred);
    super.updateState(p.sub(t).square(), sampleWeight);
  }
  override result(): Tensor {
    return scalarResult(Math.sqrt(safeDiv(this.total, this.count)), this.dtype);
  }
}

// ------------------------------------------------------------------- confusion-matrix metrics

interface ConfusionCounts {
  tp: Float64Array;
  fp: Float64Array;
  tn: Float64Array;
  fn: Float64Array;
}

interface ConfusionOptions {
  topK?: number | undefined;
  classId?: number | undefined;
  /** Counts per label (the last axis) rather than over all elements. */
  multiLabel?: boolean;
  /** Per-label weights (last axis) multiplied into the sample weights when not multiLabel. */
  labelWeights?: readonly number[] | null | undefined;
  fromLogits?: boolean;
  /** Compare as float32, as Keras's float32 metric variables do. */
  float32: boolean;
}

function checkThresholds(owner: string, thresholds: readonly number[]): number[] {
  for (const t of thresholds) {
    if (typeof t !== 'number' || !(t >= 0 && t <= 1)) {
      throw new RangeError(
        `${owner}: thresholds must be numbers in [0, 1], got ${JSON.stringify(thresholds)}`,
      );
    }
  }
  return [...thresholds];
}

/** Keras's `_filter_top_k`: in each row (last axis) all but the k largest become -Infinity. */
function filterTopK(data: Float64Array, cols: number, k: number): void {
  const rows = cols === 0 ? 0 : data.length / cols;
  const order = new Array<number>(cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) order[c] = c;
    order.sort((a, b) => data[o + b]! - data[o + a]! || a - b);
    for (let i = k; i < cols; i++) data[o + order[i]!] = Number.NEGATIVE_INFINITY;
  }
}

/**
 * Adds a batch to per-threshold (and per-label when multiLabel) true/false positive/negative counts
 * (Keras's `update_confusion_matrix_variables`): a prediction is positive at threshold t when it
 * exceeds t, a label is positive when nonzero, each element counts with its sample weight.
 */
function updateConfusion(
  owner: string,
  counts: ConfusionCounts,
  thresholds: readonly number[],
  numLabels: number,
  yTrue: TensorLike,
  yPred: TensorLike,
  sampleWeight: TensorLike | null | undefined,
  options: ConfusionOptions,
): void {
  const p0 = toFloat(yPred, owner);
  const t0 = toTensorAs(yTrue, owner, p0.dtype);
  const [t, p] = squeezeOrExpand(t0, p0);
  if (!shapesEqual(t.shape, p.shape)) {
    throw new RangeError(
      `${owner}: yTrue and yPred must have the same shape, got yTrue ${formatShape(t0.shape)} and yPred ${formatShape(p0.shape)}`,
    );
  }
  const pred = Float64Array.from(p.dataSync());
  if (options.fromLogits) for (let i = 0; i < pred.length; i++) pred[i] = 1 / (1 + Math.exp(-pred[i]!));
  for (let i = 0; i < pred.length; i++) {
    const v = pred[i]!;
    if (!(v >= 0 && v <= 1)) {
      throw new RangeError(
        `${owner}: predictions must be in [0, 1], got ${v} (yPred ${formatShape(p0.shape)})`,
      );
    }
  }
  const labels = t.dataSync();
  let cols = p.rank === 0 ? 1 : p.shape[p.rank - 1]!;
  let weights: ArrayLike<number> | null = null;
  if (sampleWeight !== undefined && sampleWeight !== null) {
    let w = toTensor(sampleWeight, owner, 'float32');
    if (!isFloat(w.dtype)) w = cast(w, 'float32');
    const original = w.shape;
    if (w.rank > 0) {
      if (w.rank - p.rank === 1 && w.shape[w.rank - 1] === 1) w = squeeze(w, -1);
      else if (p.rank - w.rank === 1) w = expandDims(w, -1);
    }
    try {
      weights = broadcastTo(w, p.shape).dataSync();
    } catch {
      throw new RangeError(
        `${owner}: sampleWeight of shape ${formatShape(original)} does not match yPred of shape ${formatShape(p.shape)}`,
      );
    }
  }
  if (options.topK !== undefined) filterTopK(pred, cols, options.topK);
  let labelOf: (i: number) => number = (i) => i % cols;
  let indexOf: (i: number) => number = (i) => i;
  let n = pred.length;
  if (options.classId !== undefined) {
    const id = options.classId;
    if (!Number.isInteger(id) || id < 0 || id >= cols) {
      throw new RangeError(
        `${owner}: classId ${id} is outside [0, ${cols}) for yPred ${formatShape(p.shape)}`,
      );
    }
    const c = cols;
    indexOf = (i) => i * c + id;
    labelOf = () => 0;
    n = cols === 0 ? 0 : pred.length / cols;
    cols = 1;
  }
  if (options.multiLabel && cols !== numLabels) {
    throw new RangeError(
      `${owner}: expected ${numLabels} labels on the last axis, got yPred ${formatShape(p.shape)}`,
    );
  }
  // Thresholds in ascending order; an element exceeding the first c of them is positive at those.
  const T = thresholds.length;
  const order = [...thresholds.keys()].sort((a, b) => thresholds[a]! - thresholds[b]!);
  const round = options.float32 ? Math.fround : (x: number) => x;
  const sorted = order.map((j) => round(thresholds[j]!));
  const L = options.multiLabel ? numLabels : 1;
  const pos = new Float64Array(L * (T + 1));
  const neg = new Float64Array(L * (T + 1));
  const labelWeights = options.multiLabel ? null : (options.labelWeights ?? null);
  for (let e = 0; e < n; e++) {
    const i = indexOf(e);
    const label = labelOf(e);
    let w = weights ? weights[i]! : 1;
    if (labelWeights) w *= labelWeights[i % labelWeights.length]!;
    const v = round(pred[i]!);
    let lo = 0;
    let hi = T;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    const slot = (options.multiLabel ? label : 0) * (T + 1) + lo;
    if (labels[i] !== 0) pos[slot]! += w;
    else neg[slot]! += w;
  }
  for (let l = 0; l < L; l++) {
    const base = l * (T + 1);
    let posBelow = 0;
    let negBelow = 0;
    let posTotal = 0;
    let negTotal = 0;
    for (let c = 0; c <= T; c++) {
      posTotal += pos[base + c]!;
      negTotal += neg[base + c]!;
    }
    for (let s = 0; s < T; s++) {
      posBelow += pos[base + s]!;
      negBelow += neg[base + s]!;
      const j = order[s]! * L + l;
      counts.tp[j]! += posTotal - posBelow;
      counts.fn[j]! += posBelow;
      counts.fp[j]! += negTotal - negBelow;
      counts.tn[j]! += negBelow;
    }
  }
}

export interface ThresholdMetricOptions extends MetricOptions {
  /** One threshold (scalar result) or several (one result per threshold); in [0, 1]. Default 0.5. */
  thresholds?: number | readonly number[];
  /** Only the k largest predictions of each row may count as positive. */
  topK?: number;
  /** Only this class (index on the last axis) is scored. */
  classId?: number;
}

/** Shared state of the metrics built on true/false positive/negative counts at thresholds. */
abstract class ConfusionMetric extends Metric {
  readonly thresholds: number[];
  readonly topK: number | undefined;
  readonly classId: number | undefined;
  protected readonly single: boolean;
  protected counts!: ConfusionCounts;

  constructor(options: ThresholdMetricOptions, defaultName: string) {
    super(named(options, defaultName));
    const owner = this.name;
    if (options.topK !== undefined) checkK(owner, options.topK);
    const given = options.thresholds;
    this.single = given === undefined || typeof given === 'number' || given.length === 1;
    this.thresholds =
      given === undefined
        ? [options.topK === undefined ? 0.5 : Number.NEGATIVE_INFINITY]
        : checkThresholds(owner, typeof given === 'number' ? [given] : given);
    this.topK = options.topK;
    this.classId = options.classId;
    this.resetState();
  }

  override updateState(yTrue: TensorLike, yPred?: TensorLike | null, sampleWeight?: TensorLike | null): void {
    if (yPred === undefined || yPred === null) {
      throw new TypeError(`${this.name}: updateState(yTrue, yPred, sampleWeight?) needs predictions`);
    }
    updateConfusion(this.name, this.counts, this.thresholds, 1, yTrue, yPred, sampleWeight, {
      topK: this.topK,
      classId: this.classId,
      float32: this.dtype === 'float32',
    });
  }

  override resetState(): void {
    const T = this.thresholds.length;
    this.counts = {
      tp: new Float64Array(T),
      fp: new Float64Array(T),
      tn: new Float64Array(T),
      fn: new Float64Array(T),
    };
  }

  protected output(values: ArrayLike<number>): Tensor {
    return this.single ? scalarResult(values[0]!, this.dtype) : vectorResult(values, this.dtype);
  }

  override getConfig(): MetricConfig {
    return {
      ...super.getConfig(),
      thresholds: this.single ? this.thresholds[0] : [...this.thresholds],
      ...(this.topK !== undefined ? { topK: this.topK } : {}),
      ...(this.classId !== undefined ? { classId: this.classId } : {}),
    };
  }
}

/** tp / (tp + fp) at each threshold (0 when nothing was predicted positive). */
export class Precision extends ConfusionMetric {
  constructor(options: ThresholdMetricOptions = {}) {
    super(options, 'precision');
  }
  override result(): Tensor {
    const { tp, fp } = this.counts;
    return this.output(Array.from(tp, (v, i) => safeDiv(v, v + fp[i]!)));
  }
}

/** tp / (tp + fn) at each threshold (0 when there were no positive labels). */
export class Recall extends ConfusionMetric {
  constructor(options: ThresholdMetricOptions = {}) {
    super(options, 'recall');
  }
  override result(): Tensor {
    const { tp, fn } = this.counts;
    return this.output(Array.from(tp, (v, i) => safeDiv(v, v + fn[i]!)));
  }
}

/** Weighted count of true positives at each threshold. */
export class TruePositives extends ConfusionMetric {
  constructor(options: ThresholdMetricOptions = {}) {
    super(options, 'true_positives');
  }
  override result(): Tensor {
    return this.output(this.counts.tp);
  }
}

/** Weighted count of false positives at each threshold. */
export class FalsePositives extends ConfusionMetric {
  constructor(options: ThresholdMetricOptions = {}) {
    super(options, 'false_positives');
  }
  override result(): Tensor {
    return this.output(this.counts.fp);
  }
}

/** Weighted count of true negatives at each threshold. */
export class TrueNegatives extends ConfusionMetric {
  constructor(options: ThresholdMetricOptions = {}) {
    super(options, 'true_negatives');
  }
  override result(): Tensor {
    return this.output(this.counts.tn);
  }
}

/** Weighted count of false negatives at each threshold. */
export class FalseNegatives extends ConfusionMetric {
  constructor(options: ThresholdMetricOptions = {}) {
    super(options, 'false_negatives');
  }
  override result(): Tensor {
    return this.output(this.counts.fn);
  }
}

export interface AUCOptions extends MetricOptions {
  /** Number of thresholds, spread evenly over [0, 1] (default 200). */
  numThresholds?: number;
  /** 'ROC' (default) or 'PR' (precision-recall). */
  curve?: 'ROC' | 'PR';
  /** 'interpolation' (default: trapezoids for ROC, Davis & Goadrich for PR), 'minoring', 'majoring'. */
  summationMethod?: 'interpolation' | 'minoring' | 'majoring';
  /** Explicit thresholds in [0, 1] instead of numThresholds evenly spaced ones. */
  thresholds?: readonly number[];
  /** One curve per label (last axis), averaged (default false: all elements pooled). */
  multiLabel?: boolean;
  /** Number of labels for multiLabel (otherwise taken from the first batch). */
  numLabels?: number;
  /** Per-label weights: of the averaged per-label AUCs (multiLabel) or of the pooled elements. */
  labelWeights?: readonly number[];
  /** Predictions are logits; a sigmoid is applied first. */
  fromLogits?: boolean;
}

/**
 * Area under the ROC or PR curve, approximated with a Riemann sum over `numThresholds` thresholds
 * (Keras's AUC): thresholds are -eps, i/(n-1) for i = 1..n-2, and 1 + eps.
 */
export class AUC extends Metric {
  readonly numThresholds: number;
  readonly curve: 'ROC' | 'PR';
  readonly summationMethod: 'interpolation' | 'minoring' | 'majoring';
  readonly thresholds: number[];
  readonly multiLabel: boolean;
  readonly labelWeights: number[] | null;
  readonly fromLogits: boolean;
  private readonly givenThresholds: number[] | null;
  private numLabels: number | null;
  private counts: ConfusionCounts | null = null;

  constructor(options: AUCOptions = {}) {
    super(named(options, 'auc'));
    const curve = options.curve ?? 'ROC';
    if (curve !== 'ROC' && curve !== 'PR') {
      throw new RangeError(`${this.name}: curve must be 'ROC' or 'PR', got ${String(curve)}`);
    }
    const method = options.summationMethod ?? 'interpolation';
    if (!['interpolation', 'minoring', 'majoring'].includes(method)) {
      throw new RangeError(
        `${this.name}: summationMethod must be 'interpolation', 'minoring' or 'majoring', got ${String(method)}`,
      );
    }
    this.curve = curve;
    this.summationMethod = method;
    if (options.thresholds !== undefined) {
      this.givenThresholds = checkThresholds(this.name, options.thresholds).sort((a, b) => a - b);
      this.numThresholds = this.givenThresholds.length + 2;
      this.thresholds = [-1e-7, ...this.givenThresholds, 1 + 1e-7];
    } else {
      const n = options.numThresholds ?? 200;
      if (!Number.isInteger(n) || n <= 1) {
        throw new RangeError(`${this.name}: numThresholds must be an integer > 1, got ${String(n)}`);
      }
      this.givenThresholds = null;
      this.numThresholds = n;
      this.thresholds = [-1e-7];
      for (let i = 1; i < n - 1; i++) this.thresholds.push(i / (n - 1));
      this.thresholds.push(1 + 1e-7);
    }
    this.multiLabel = options.multiLabel ?? false;
    this.labelWeights = options.labelWeights ? [...options.labelWeights] : null;
    this.fromLogits = options.fromLogits ?? false;
    this.numLabels = this.multiLabel ? (options.numLabels ?? null) : 1;
    if (this.numLabels !== null) this.allocate(this.numLabels);
  }

  private allocate(labels: number): void {
    const size = this.thresholds.length * labels;
    this.counts = {
      tp: new Float64Array(size),
      fp: new Float64Array(size),
      tn: new Float64Array(size),
      fn: new Float64Array(size),
    };
  }

  override updateState(yTrue: TensorLike, yPred?: TensorLike | null, sampleWeight?: TensorLike | null): void {
    if (yPred === undefined || yPred === null) {
      throw new TypeError(`${this.name}: updateState(yTrue, yPred, sampleWeight?) needs predictions`);
    }
    if (this.numLabels === null) {
      const p = toTensor(yPred, this.name);
      this.numLabels = p.rank === 0 ? 1 : p.shape[p.rank - 1]!;
      this.allocate(this.numLabels);
    }
    updateConfusion(this.name, this.counts!, this.thresholds, this.numLabels, yTrue, yPred, sampleWeight, {
      multiLabel: this.multiLabel,
      labelWeights: this.labelWeights,
      fromLogits: this.fromLogits,
      float32: this.dtype === 'float32',
    });
  }

  override resetState(): void {
    if (this.counts) this.allocate(this.numLabels!);
  }

  /** The area under one label's curve from its per-threshold counts. */
  private area(tp: number[], fp: number[], tn: number[], fn: number[]): number {
    const n = tp.length;
    let total = 0;
    if (this.curve === 'PR' && this.summationMethod === 'interpolation') {
      // Davis & Goadrich (2006): precision interpolated along the number of predicted positives.
      for (let i = 0; i < n - 1; i++) {
        const dtp = tp[i]! - tp[i + 1]!;
        const p0 = tp[i]! + fp[i]!;
        const p1 = tp[i + 1]! + fp[i + 1]!;
        const dp = p0 - p1;
        const slope = safeDiv(dtp, Math.max(dp, 0));
        const intercept = tp[i + 1]! - slope * p1;
        const ratio = p0 > 0 && p1 > 0 ? safeDiv(p0, Math.max(p1, 0)) : 1;
        total += safeDiv(slope * (dtp + intercept * Math.log(ratio)), Math.max(tp[i + 1]! + fn[i + 1]!, 0));
      }
      return total;
    }
    const recall = tp.map((v, i) => safeDiv(v, v + fn[i]!));
    let x: number[];
    let y: number[];
    if (this.curve === 'ROC') {
      x = fp.map((v, i) => safeDiv(v, v + tn[i]!));
      y = recall;
    } else {
      x = recall;
      y = tp.map((v, i) => safeDiv(v, v + fp[i]!));
    }
    for (let i = 0; i < n - 1; i++) {
      const a = y[i]!;
      const b = y[i + 1]!;
      const h =
        this.summationMethod === 'interpolation'
          ? (a + b) / 2
          : this.summationMethod === 'minoring'
            ? Math.min(a, b)
            : Math.max(a, b);
      total += (x[i]! - x[i + 1]!) * h;
    }
    return total;
  }

  override result(): Tensor {
    if (!this.counts) return scalarResult(0, this.dtype);
    const L = this.numLabels!;
    const T = this.thresholds.length;
    const column = (a: Float64Array, l: number) => Array.from({ length: T }, (_, j) => a[j * L + l]!);
    const { tp, fp, tn, fn } = this.counts;
    const areas = Array.from({ length: L }, (_, l) =>
      this.area(column(tp, l), column(fp, l), column(tn, l), column(fn, l)),
    );
    if (!this.multiLabel) return scalarResult(areas[0]!, this.dtype);
    if (this.labelWeights) {
      let num = 0;
      let den = 0;
      areas.forEach((a, l) => {
        const w = this.labelWeights![l] ?? 0;
        num += a * w;
        den += w;
      });
      return scalarResult(safeDiv(num, den), this.dtype);
    }
    return scalarResult(areas.reduce((a, b) => a + b, 0) / L, this.dtype);
  }

  override getConfig(): MetricConfig {
    return {
      ...super.getConfig(),
      numThresholds: this.numThresholds,
      curve: this.curve,
      summationMethod: this.summationMethod,
      ...(this.givenThresholds ? { thresholds: [...this.givenThresholds] } : {}),
      multiLabel: this.multiLabel,
      ...(this.multiLabel && this.numLabels !== null ? { numLabels: this.numLabels } : {}),
      ...(this.labelWeights ? { labelWeights: [...this.labelWeights] } : {}),
      fromLogits: this.fromLogits,
    };
  }
}

// ------------------------------------------------------------------------------------ resolver

// biome-ignore lint/suspicious/noExplicitAny: constructors of different option types
type MetricClass = new (options?: any) => Metric;

/**
 * Each built-in metric class with the lower-case names `get` accepts for it; such a name gives a
 * metric called by that name (as Keras names history entries after the strings given to compile).
 * The class name itself ('AUC', 'MeanSquaredError') gives one with the default name.
 */
const METRIC_NAMES: readonly [MetricClass, readonly string[]][] = [
  [Accuracy, ['accuracy', 'acc']],
  [BinaryAccuracy, ['binary_accuracy', 'binaryAccuracy']],
  [CategoricalAccuracy, ['categorical_accuracy', 'categoricalAccuracy']],
  [SparseCategoricalAccuracy, ['sparse_categorical_accuracy', 'sparseCategoricalAccuracy']],
  [TopKCategoricalAccuracy, ['top_k_categorical_accuracy', 'topKCategoricalAccuracy']],
  [SparseTopKCategoricalAccuracy, ['sparse_top_k_categorical_accuracy', 'sparseTopKCategoricalAccuracy']],
  [MeanSquaredError, ['mse', 'MSE', 'mean_squared_error', 'meanSquaredError']],
  [RootMeanSquaredError, ['rmse', 'root_mean_squared_error', 'rootMeanSquaredError']],
  [MeanAbsoluteError, ['mae', 'MAE', 'mean_absolute_error', 'meanAbsoluteError']],
  [
    MeanAbsolutePercentageError,
    ['mape', 'MAPE', 'mean_absolute_percentage_error', 'meanAbsolutePercentageError'],
  ],
  [
    MeanSquaredLogarithmicError,
    ['msle', 'MSLE', 'mean_squared_logarithmic_error', 'meanSquaredLogarithmicError'],
  ],
  [LogCoshError, ['logcosh', 'log_cosh', 'logCosh', 'logcosh_error']],
  [BinaryCrossentropy, ['binary_crossentropy', 'bce', 'binaryCrossentropy']],
  [CategoricalCrossentropy, ['categorical_crossentropy', 'categoricalCrossentropy']],
  [SparseCategoricalCrossentropy, ['sparse_categorical_crossentropy', 'sparseCategoricalCrossentropy']],
  [KLDivergence, ['kld', 'KLD', 'kl_divergence', 'kullback_leibler_divergence', 'klDivergence']],
  [Poisson, ['poisson']],
  [CosineSimilarity, ['cosine_similarity', 'cosineSimilarity']],
  [Hinge, ['hinge']],
  [SquaredHinge, ['squared_hinge', 'squaredHinge']],
  [CategoricalHinge, ['categorical_hinge', 'categoricalHinge']],
  [Precision, ['precision']],
  [Recall, ['recall']],
  [AUC, ['auc']],
  [TruePositives, ['true_positives', 'truePositives']],
  [FalsePositives, ['false_positives', 'falsePositives']],
  [TrueNegatives, ['true_negatives', 'trueNegatives']],
  [FalseNegatives, ['false_negatives', 'falseNegatives']],
  [Mean, ['mean']],
  [Sum, ['sum']],
];

const BY_ALIAS = new Map<string, MetricClass>();
const BY_CLASS = new Map<string, MetricClass>();
for (const [cls, names] of METRIC_NAMES) {
  for (const n of names) BY_ALIAS.set(n, cls);
  BY_CLASS.set(cls.name, cls);
}

/** Every metric name `get` accepts. */
export const metricNames: readonly string[] = [...BY_ALIAS.keys(), ...BY_CLASS.keys()];

export type MetricIdentifier = string | Metric | MetricFunction | Serialized;

/**
 * Resolves a metric: a name ('accuracy', 'acc', 'mse', 'sparse_categorical_accuracy', 'AUC', ...)
 * gives a new metric; a Metric is returned as is; a function (yTrue, yPred) => per-sample values is
 * wrapped in a MeanMetricWrapper named after it; a `{ className, config }` record is deserialized.
 * 'accuracy' here is exact-match Accuracy, as Keras's `metrics.get`; compile/fit should call
 * `resolve`, which picks the binary, categorical or sparse variant as Keras's compile does.
 */
export function get(identifier: MetricIdentifier, customObjects: Record<string, MetricClass> = {}): Metric {
  if (identifier instanceof Metric) return identifier;
  if (typeof identifier === 'string') {
    const custom = customObjects[identifier];
    if (custom) return new custom();
    const alias = BY_ALIAS.get(identifier);
    if (alias) return new alias({ name: identifier });
    const cls = BY_CLASS.get(identifier);
    if (cls) return new cls();
    throw unknownIdentifier('metrics.get', 'metric', identifier, metricNames);
  }
  if (typeof identifier === 'function') return new MeanMetricWrapper(identifier);
  if (isSerialized(identifier)) return deserialize(identifier, customObjects);
  throw new TypeError(
    `metrics.get: expected a metric name, a Metric, a function or a { className, config } record, got ${String(identifier)}`,
  );
}

/** `{ className, config }` for a metric. */
export function serialize(metric: Metric): Serialized {
  return { className: metric.constructor.name, config: metric.getConfig() };
}

/** Rebuilds a metric from `serialize`'s record; custom classes are looked up in `customObjects`. */
export function deserialize(record: Serialized, customObjects: Record<string, MetricClass> = {}): Metric {
  const className = serializedName(record);
  const cls = customObjects[className] ?? BY_CLASS.get(className) ?? BY_ALIAS.get(className);
  if (!cls) {
    throw unknownIdentifier('metrics.deserialize', 'metric', className, [
      ...metricNames,
      ...Object.keys(customObjects),
    ]);
  }
  return fromConfigOf(cls, { ...(record.config ?? {}) });
}

export interface ResolveContext {
  /** The compiled loss (name, Loss or function), used when the label shape is unknown. */
  loss?: losses.LossIdentifier | null;
  /** Shape of the labels (the batch axis may be null). */
  yTrueShape?: readonly (number | null)[] | null;
  /** Shape of the model output (the batch axis may be null). */
  yPredShape?: readonly (number | null)[] | null;
}

/** Which accuracy (or cross-entropy) 'accuracy' / 'acc' ('crossentropy' / 'ce') means in context. */
export function accuracyKind(context: ResolveContext): 'binary' | 'categorical' | 'sparse' {
  const pShape = context.yPredShape ?? null;
  const tShape = context.yTrueShape ?? null;
  const last = (s: readonly (number | null)[]) => (s.length ? s[s.length - 1] : undefined);
  // Keras's compile: binary when the output has one unit, sparse when labels lack the class axis.
  if (pShape && (pShape.length <= 1 || last(pShape) === 1)) return 'binary';
  if (pShape && tShape) {
    const sparse = tShape.length < pShape.length || (last(tShape) === 1 && (last(pShape) ?? 0) !== 1);
    return sparse ? 'sparse' : 'categorical';
  }
  const loss = context.loss;
  let lossName = '';
  if (typeof loss === 'string') {
    try {
      lossName = losses.get(loss).constructor.name;
    } catch {
      lossName = loss;
    }
  } else if (loss instanceof losses.Loss) lossName = loss.constructor.name;
  if (lossName === 'SparseCategoricalCrossentropy') return 'sparse';
  if (lossName === 'BinaryCrossentropy' || lossName === 'Hinge' || lossName === 'SquaredHinge')
    return 'binary';
  if (lossName === 'CategoricalCrossentropy' || lossName === 'CategoricalHinge') return 'categorical';
  return 'categorical';
}

/**
 * `get` for compile/fit: 'accuracy'/'acc' become BinaryAccuracy, CategoricalAccuracy or
 * SparseCategoricalAccuracy and 'crossentropy'/'ce' the matching cross-entropy metric, chosen as
 * Keras's compile does from the label and output shapes (or, without a label shape, from the loss);
 * the metric keeps the given name. Everything else resolves as `get`.
 */
export function resolve(identifier: MetricIdentifier, context: ResolveContext = {}): Metric {
  if (identifier === 'accuracy' || identifier === 'acc') {
    const kind = accuracyKind(context);
    const cls =
      kind === 'binary'
        ? BinaryAccuracy
        : kind === 'sparse'
          ? SparseCategoricalAccuracy
          : CategoricalAccuracy;
    return new cls({ name: identifier });
  }
  if (identifier === 'crossentropy' || identifier === 'ce') {
    const kind = accuracyKind(context);
    const cls =
      kind === 'binary'
        ? BinaryCrossentropy
        : kind === 'sparse'
          ? SparseCategoricalCrossentropy
          : CategoricalCrossentropy;
    return new cls({ name: identifier });
  }
  return get(identifier);
}
