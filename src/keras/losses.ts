/**
 * tf.keras.losses: Keras's loss functions and classes, with Keras's formulas, defaults, names and
 * reductions.
 *
 * A function form (`meanSquaredError(yTrue, yPred)`) returns per-sample values: the loss reduced over
 * the last axis only, as Keras's functions do. A class (`new MeanSquaredError()`) is what `compile` and
 * custom training loops use: `lossFn.apply(yTrue, yPred, sampleWeight?)` computes the per-sample values
 * with `call`, weights them and reduces them ('sum_over_batch_size' by default, 'sum' or 'none').
 * Custom losses subclass `Loss` and override `call(yTrue, yPred)`.
 */

import {
  abs,
  add,
  cast,
  clipByValue,
  div,
  lessEqual,
  log,
  logSoftmax,
  max,
  maximum,
  mean,
  mul,
  neg,
  notEqual,
  reshape,
  rsqrt,
  softplus,
  sparseSoftmaxCrossEntropyWithLogits,
  square,
  sub,
  sum,
  transpose,
  where,
} from '../ops/index.js';
import { runOp } from '../ops/op.js';
import { sparseClassIndicesOp } from '../ops/softmax.js';
import { type TensorLike, toTensor } from '../tensor/convert.js';
import { formatShape, normalizeAxis, shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import {
  checkReduction,
  computeWeightedLoss,
  EPSILON,
  fromConfigOf,
  isSerialized,
  matchDtypeAndRank,
  prepareSameShape,
  type Reduction,
  type Serialized,
  serializedName,
  snakeCase,
  squeezeOrExpand,
  toFloat,
  toTensorAs,
  unknownIdentifier,
} from './losses-utils.js';

export { EPSILON, matchDtypeAndRank, type Reduction };

/** A loss function in function form: labels and predictions in, per-sample values out. */
export type LossFunction = (yTrue: Tensor, yPred: Tensor) => Tensor;

export interface LossOptions {
  /** 'sum_over_batch_size' (default; 'auto' is the same), 'sum' or 'none'. */
  reduction?: Reduction;
  /** Defaults to Keras's snake_case name of the loss ('mean_squared_error', ...). */
  name?: string;
}

/** What `getConfig()` returns: the constructor options that rebuild the loss. */
export interface LossConfig {
  reduction: Reduction;
  name: string;
  [option: string]: unknown;
}

// ------------------------------------------------------------------------------------- helpers

function meanOver(x: Tensor, axis: number): Tensor {
  return x.rank === 0 ? x : mean(x, axis);
}

function sumOver(x: Tensor, axis: number, keepDims = false): Tensor {
  return x.rank === 0 ? x : sum(x, axis, keepDims);
}

function checkAxis(name: string, axis: number, rank: number): number {
  if (rank === 0) return 0;
  return normalizeAxis(name, axis, rank);
}

function checkSmoothing(name: string, labelSmoothing: number): number {
  if (typeof labelSmoothing !== 'number' || !(labelSmoothing >= 0 && labelSmoothing <= 1)) {
    throw new RangeError(`${name}: labelSmoothing must be a number in [0, 1], got ${String(labelSmoothing)}`);
  }
  return labelSmoothing;
}

/** Keras's `tf.math.l2_normalize`: x / sqrt(max(sum(x^2, axis), 1e-12)). */
function l2Normalize(x: Tensor, axis: number): Tensor {
  return mul(x, rsqrt(maximum(sumOver(square(x), axis, true), 1e-12)));
}

/** Keras's hinge label convention: labels that are all 0 or 1 become -1 or 1. */
function hingeLabels(t: Tensor): Tensor {
  const values = t.dataSync();
  for (let i = 0; i < values.length; i++) if (values[i] !== 0 && values[i] !== 1) return t;
  return sub(mul(t, 2), 1);
}

// ------------------------------------------------------------------------------ function forms

/** mean((yPred - yTrue)^2) over the last axis. */
export function meanSquaredError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepareSameShape('mean_squared_error', yTrue, yPred);
  return meanOver(square(sub(p, t)), -1);
}

/** mean(|yPred - yTrue|) over the last axis. */
export function meanAbsoluteError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepareSameShape('mean_absolute_error', yTrue, yPred);
  return meanOver(abs(sub(p, t)), -1);
}

/** 100 * mean(|yTrue - yPred| / max(|yTrue|, epsilon)) over the last axis. */
export function meanAbsolutePercentageError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepareSameShape('mean_absolute_percentage_error', yTrue, yPred);
  return mul(meanOver(abs(div(sub(t, p), maximum(abs(t), EPSILON))), -1), 100);
}

/** mean((log(max(yPred, eps) + 1) - log(max(yTrue, eps) + 1))^2) over the last axis. */
export function meanSquaredLogarithmicError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepareSameShape('mean_squared_logarithmic_error', yTrue, yPred);
  const first = log(add(maximum(p, EPSILON), 1));
  const second = log(add(maximum(t, EPSILON), 1));
  return meanOver(square(sub(first, second)), -1);
}

/**
 * Huber loss, mean over the last axis of 0.5 e^2 where |e| <= delta and delta (|e| - 0.5 delta)
 * elsewhere, with e = yPred - yTrue.
 */
export function huber(yTrue: TensorLike, yPred: TensorLike, delta = 1): Tensor {
  if (typeof delta !== 'number' || !(delta >= 0) || !Number.isFinite(delta)) {
    throw new RangeError(`huber_loss: delta must be a finite number >= 0, got ${String(delta)}`);
  }
  const [t, p] = prepareSameShape('huber_loss', yTrue, yPred);
  const error = sub(p, t);
  const absError = abs(error);
  const quadratic = mul(square(error), 0.5);
  const linear = sub(mul(absError, delta), 0.5 * delta * delta);
  return meanOver(where(lessEqual(absError, delta), quadratic, linear), -1);
}

/** mean(log(cosh(yPred - yTrue))) over the last axis, computed as x + softplus(-2x) - log 2. */
export function logCosh(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepareSameShape('log_cosh', yTrue, yPred);
  const x = sub(p, t);
  return meanOver(sub(add(x, softplus(mul(x, -2))), Math.LN2), -1);
}

export interface CrossentropyOptions {
  /** yPred holds logits rather than probabilities (default false). */
  fromLogits?: boolean;
  /** Blend of the labels toward the uniform distribution, in [0, 1] (default 0). */
  labelSmoothing?: number;
  /** The class axis (CategoricalCrossentropy) or averaged axis (BinaryCrossentropy); default -1. */
  axis?: number;
}

/**
 * Binary cross-entropy, averaged over `axis`. From probabilities (Keras's formula): p clipped to
 * [eps, 1 - eps], -(y log(p + eps) + (1 - y) log(1 - p + eps)); from logits x:
 * max(x, 0) - x y + log(1 + exp(-|x|)). Label smoothing maps y to y (1 - s) + s / 2.
 */
export function binaryCrossentropy(
  yTrue: TensorLike,
  yPred: TensorLike,
  options: CrossentropyOptions = {},
): Tensor {
  const name = 'binary_crossentropy';
  const smoothing = checkSmoothing(name, options.labelSmoothing ?? 0);
  let [t, p] = prepareSameShape(name, yTrue, yPred);
  const axis = checkAxis(name, options.axis ?? -1, p.rank);
  if (smoothing > 0) t = add(mul(t, 1 - smoothing), 0.5 * smoothing);
  let perElement: Tensor;
  if (options.fromLogits) {
    perElement = add(sub(maximum(p, 0), mul(p, t)), softplus(neg(abs(p))));
  } else {
    const q = clipByValue(p, EPSILON, 1 - EPSILON);
    perElement = neg(add(mul(t, log(add(q, EPSILON))), mul(sub(1, t), log(add(sub(1, q), EPSILON)))));
  }
  return meanOver(perElement, axis);
}

/**
 * Categorical cross-entropy over the class `axis` with one-hot (or soft) labels. From probabilities
 * (Keras's formula): p normalised to sum 1 along the axis, clipped to [eps, 1 - eps], -sum(y log p);
 * from logits: -sum(y logSoftmax(x)). Label smoothing maps y to y (1 - s) + s / numClasses.
 */
export function categoricalCrossentropy(
  yTrue: TensorLike,
  yPred: TensorLike,
  options: CrossentropyOptions = {},
): Tensor {
  const name = 'categorical_crossentropy';
  const smoothing = checkSmoothing(name, options.labelSmoothing ?? 0);
  let [t, p] = prepareSameShape(name, yTrue, yPred);
  if (p.rank === 0) throw new RangeError(`${name}: yPred must have a class axis, got a scalar`);
  const axis = checkAxis(name, options.axis ?? -1, p.rank);
  if (smoothing > 0) t = add(mul(t, 1 - smoothing), smoothing / p.shape[axis]!);
  if (options.fromLogits) return neg(sum(mul(t, logSoftmax(p, axis)), axis));
  const q = clipByValue(div(p, sum(p, axis, true)), EPSILON, 1 - EPSILON);
  return neg(sum(mul(t, log(q)), axis));
}

export interface SparseCrossentropyOptions {
  /** yPred holds logits rather than probabilities (default false). */
  fromLogits?: boolean;
  /** The class axis of yPred (default -1). */
  axis?: number;
  /**
   * A label value to ignore (Keras's `ignore_class`, PyTorch's `ignore_index`): those entries get loss
   * 0 and, in `SparseCategoricalCrossentropy.apply`, do not count toward the batch size.
   */
  ignoreClass?: number | null;
  /**
   * Label smoothing toward the uniform distribution (y (1 - s) + s / numClasses), as PyTorch's
   * CrossEntropyLoss `label_smoothing`; Keras's sparse loss has no such option. Default 0.
   */
  labelSmoothing?: number;
}

/** Per-sample sparse cross-entropy and the mask of entries that are not `ignoreClass`. */
function sparseCrossentropy(
  yTrue: TensorLike,
  yPred: TensorLike,
  options: SparseCrossentropyOptions,
): { losses: Tensor; mask?: Tensor } {
  const name = 'sparse_categorical_crossentropy';
  const smoothing = checkSmoothing(name, options.labelSmoothing ?? 0);
  let p = toFloat(yPred, name);
  if (p.rank === 0) throw new RangeError(`${name}: yPred must have a class axis, got a scalar`);
  const axis = normalizeAxis(name, options.axis ?? -1, p.rank);
  if (axis !== p.rank - 1) {
    const perm = [...p.shape.keys()].filter((a) => a !== axis);
    p = transpose(p, [...perm, axis]);
  }
  const numClasses = p.shape[p.rank - 1]!;
  const outer = p.shape.slice(0, -1);
  const labels = toTensor(yTrue, name, 'int32');
  const ls = labels.shape;
  const fits =
    shapesEqual(ls, outer) ||
    (ls.length === outer.length + 1 && ls[ls.length - 1] === 1 && shapesEqual(ls.slice(0, -1), outer));
  if (!fits) {
    throw new RangeError(
      `${name}: yTrue of shape ${formatShape(ls)} does not fit yPred of shape ${formatShape(p.shape)}: ` +
        `expected integer class indices of shape ${formatShape(outer)} (or ${formatShape([...outer, 1])})` +
        (shapesEqual(ls, p.shape) && numClasses > 1
          ? '; for one-hot labels use categorical_crossentropy'
          : ''),
    );
  }
  const ignore = options.ignoreClass ?? null;
  const indices = runOp(sparseClassIndicesOp, [labels], {
    classes: numClasses,
    ignoreClass: ignore,
    opName: name,
  });
  // The fused kernel: logSumExp(x) - x[label] per row, and (softmax - onehot) dy for the gradient.
  const logits = options.fromLogits ? p : log(clipByValue(p, EPSILON, 1 - EPSILON));
  let losses = sparseSoftmaxCrossEntropyWithLogits(reshape(indices, outer), logits);
  if (smoothing > 0) {
    // y (1 - s) + s / C: (1 - s) of the hard loss plus s times the mean of -logSoftmax over the classes.
    const uniform = neg(mean(logSoftmax(logits, -1), -1));
    losses = add(mul(losses, 1 - smoothing), mul(uniform, smoothing));
  }
  if (ignore === null) return { losses };
  // Ignored entries have index 0 above; the mask zeroes their loss and gradient.
  const mask = cast(reshape(notEqual(labels, ignore), outer), p.dtype);
  losses = mul(losses, mask);
  return { losses, mask };
}

/**
 * Cross-entropy with integer class labels: -log softmax(x)[label] from logits; from probabilities,
 * Keras's formula clips p to [eps, 1 - eps] and takes the log-softmax of log p. Labels may be int32 or
 * integer-valued floats, of yPred's shape without the class axis (or with a trailing 1).
 */
export function sparseCategoricalCrossentropy(
  yTrue: TensorLike,
  yPred: TensorLike,
  options: SparseCrossentropyOptions = {},
): Tensor {
  return sparseCrossentropy(yTrue, yPred, options).losses;
}

/** sum(y log(y / p)) over the last axis, with y and p clipped to [eps, 1]. */
export function klDivergence(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t0, p0] = prepareSameShape('kl_divergence', yTrue, yPred);
  const t = clipByValue(t0, EPSILON, 1);
  const p = clipByValue(p0, EPSILON, 1);
  return sumOver(mul(t, log(div(t, p))), -1);
}

/** mean(yPred - yTrue log(yPred + eps)) over the last axis. */
export function poisson(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepareSameShape('poisson', yTrue, yPred);
  return meanOver(sub(p, mul(t, log(add(p, EPSILON)))), -1);
}

/** Negative cosine similarity along `axis` (default -1) of the L2-normalised labels and predictions. */
export function cosineSimilarity(yTrue: TensorLike, yPred: TensorLike, axis = -1): Tensor {
  const name = 'cosine_similarity';
  const [t, p] = prepareSameShape(name, yTrue, yPred);
  const a = checkAxis(name, axis, p.rank);
  return neg(sumOver(mul(l2Normalize(t, a), l2Normalize(p, a)), a));
}

/** mean(max(1 - y yPred, 0)) over the last axis; 0/1 labels are first mapped to -1/1. */
export function hinge(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepareSameShape('hinge', yTrue, yPred);
  return meanOver(maximum(sub(1, mul(hingeLabels(t), p)), 0), -1);
}

/** mean(max(1 - y yPred, 0)^2) over the last axis; 0/1 labels are first mapped to -1/1. */
export function squaredHinge(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepareSameShape('squared_hinge', yTrue, yPred);
  return meanOver(square(maximum(sub(1, mul(hingeLabels(t), p)), 0)), -1);
}

/** max(max((1 - y) yPred) - sum(y yPred) + 1, 0) over the last axis, for one-hot labels. */
export function categoricalHinge(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = prepareSameShape('categorical_hinge', yTrue, yPred);
  if (p.rank === 0) throw new RangeError('categorical_hinge: yPred must have a class axis, got a scalar');
  const pos = sum(mul(t, p), -1);
  const negative = max(mul(sub(1, t), p), -1);
  return maximum(add(sub(negative, pos), 1), 0);
}

export {
  meanSquaredError as mse,
  meanAbsoluteError as mae,
  meanAbsolutePercentageError as mape,
  meanSquaredLogarithmicError as msle,
  klDivergence as kld,
  klDivergence as kullbackLeiblerDivergence,
  logCosh as logcosh,
};

// ------------------------------------------------------------------------------------- classes

/**
 * Base class of every loss. `apply(yTrue, yPred, sampleWeight?)` is Python's `loss(y_true, y_pred)`:
 * per-sample values from `call`, multiplied by the sample weights, reduced. A subclass overrides
 * `call(yTrue, yPred)`, which receives tensors (a JS array of labels arrives in yPred's dtype).
 */
export class Loss {
  reduction: Reduction;
  name: string;

  constructor(options: LossOptions = {}) {
    this.reduction = checkReduction(`${this.constructor.name}`, options.reduction ?? 'sum_over_batch_size');
    this.name = options.name ?? snakeCase(this.constructor.name);
  }

  /** Per-sample losses; a subclass must override it. */
  call(_yTrue: Tensor, _yPred: Tensor): Tensor {
    throw new Error(
      `${this.constructor.name}.call: not implemented; a subclass of Loss must override call(yTrue, yPred)`,
    );
  }

  /** The weighted, reduced loss (a scalar unless the reduction is 'none'). */
  apply(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike | null): Tensor {
    const { losses, mask } = this.perSample(yTrue, yPred);
    return computeWeightedLoss(this.name, losses, sampleWeight, this.reduction, mask);
  }

  /** @internal The per-sample values and an optional 0/1 mask of entries that count. */
  protected perSample(yTrue: TensorLike, yPred: TensorLike): { losses: Tensor; mask?: Tensor | undefined } {
    const p = toTensor(yPred, this.name);
    const t = toTensorAs(yTrue, this.name, p.dtype);
    const losses = this.call(t, p);
    if (!(losses instanceof Tensor)) {
      throw new TypeError(`${this.constructor.name}.call must return a Tensor, got ${typeof losses}`);
    }
    return { losses };
  }

  getConfig(): LossConfig {
    return { reduction: this.reduction, name: this.name };
  }

  /** Rebuilds a loss from `getConfig()`'s record (`new this(config)`). */
  static fromConfig(config: LossConfig): Loss {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass fromConfig was called on
    return new (this as unknown as new (c: LossConfig) => Loss)(config);
  }
}

/** A loss class around a loss function, as Keras's LossFunctionWrapper (used for custom functions). */
export class LossFunctionWrapper extends Loss {
  readonly fn: (yTrue: Tensor, yPred: Tensor, options?: Record<string, unknown>) => Tensor;
  readonly fnOptions: Record<string, unknown>;

  constructor(
    fn: (yTrue: Tensor, yPred: Tensor, options?: Record<string, unknown>) => Tensor,
    options: LossOptions & Record<string, unknown> = {},
  ) {
    const { reduction, name, ...rest } = options;
    super({
      ...(reduction !== undefined ? { reduction } : {}),
      name: name ?? (fn.name ? snakeCase(fn.name) : 'loss'),
    });
    this.fn = fn;
    this.fnOptions = rest;
  }

  override call(yTrue: Tensor, yPred: Tensor): Tensor {
    const [t, p] = squeezeOrExpand(yTrue, yPred);
    return Object.keys(this.fnOptions).length ? this.fn(t, p, this.fnOptions) : this.fn(t, p);
  }

  override getConfig(): LossConfig {
    return { ...super.getConfig(), ...this.fnOptions };
  }
}

function named(options: LossOptions, name: string): LossOptions {
  return { ...options, name: options.name ?? name };
}

export class MeanSquaredError extends Loss {
  constructor(options: LossOptions = {}) {
    super(named(options, 'mean_squared_error'));
  }
  override call(yTrue: Tensor, yPred: Tensor): Tensor {
    return meanSquaredError(yTrue, yPred);
  }
}

export class MeanAbsoluteError extends Loss {
  constructor(options: LossOptions = {}) {
    super(named(options, 'mean_absolute_error'));
  }
  override call(yTrue: Tensor, yPred: Tensor): Tensor {
    return meanAbsoluteError(yTrue, yPred);
  }
}

export class MeanAbsolutePercentageError extends Loss {
  constructor(options: LossOptions = {}) {
    super(named(options, 'mean_absolute_percentage_error'));
  }
  override call(yTrue: Tensor, yPred: Tensor): Tensor {
    return meanAbsolutePercentageError(yTrue, yPred);
  }
}

export class MeanSquaredLogarithmicError extends Loss {
  constructor(options: LossOptions = {}) {
    super(named(options, 'mean_squared_logarithmic_error'));
  }
  override call(yTrue: Tensor, yPred: Tensor): Tensor {
    return meanSquaredLogarithmicError(yTrue, yPred);
  }
}

export interface HuberOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear (default 1). */
  delta?: number;
}

export class Huber extends Loss {
  readonly delta: number;
  constructor(options: HuberOptions = {}) {
    super(named(options, 'huber_loss'));
    this.delta = options.delta ?? 1;
    huber([0], [0], this.delta); // validates delta
  }
  override call(yTrue: Tensor, yPred: Tensor): Tensor {
    return huber(yTrue, yPred, this.delta);
  }
  override getConfig(): LossConfig {
    return { ...super.getConfig(), delta: this.delta };
  }
}

export class LogCosh extends Loss {
  constructor(options: LossOptions = {}) {
    super(named(options, 'log_cosh'));
  }
  override call(yTrue: Tensor, yPred: Tensor): Tensor {
    return logCosh(yTrue, yPred);
  }
}

export interface CrossentropyLossOptions extends LossOptions, CrossentropyOptions {}

export class BinaryCrossentropy extends Loss {
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;
  constructor(options: CrossentropyLossOptions = {}) {
    super(named(options, 'binary_crossentropy'));
    this.fromLogits = options.fromLogits ?? false;
    this.labelSmoothing = checkSmoothing(this.name, options.labelSmoothing ?? 0);
    this.axis = options.axis ?? -1;
  }
  override call(yTrue: Tensor, yPred: Tensor): Tensor {
    return binaryCrossentropy(yTrue, yPred, this);
  }
  override getConfig(): LossConfig {
    return {
      ...super.getConfig(),
      fromLogits: this.fromLogits,
      labelSmoothing: this.labelSmoothing,
      axis: this.axis,
    };
  }
}

export class CategoricalCrossentropy extends Loss {
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;
  constructor(options: CrossentropyLossOptions = {}) {
    super(named(options, 'categorical_crossentropy'));
    this.fromLogits = options.fromLogits ?? false;
    this.labelSmoothing = checkSmoothing(this.name, options.labelSmoothing ?? 0);
    this.axis = options.axis ?? -1;
  }
  override call(yTrue: Tensor, yPred: Tensor): Tensor {
    return categoricalCrossentropy(yTrue, yPred, this);
  }
  override getConfig(): LossConfig {
    return {
      ...super.getConfig(),
      fromLogits: this.fromLogits,
      labelSmoothing: this.labelSmoothing,
      axis: this.axis,
    };
  }
}

export interface SparseCrossentropyLossOptions extends LossOptions, SparseCrossentropyOptions {}

/**
 * Cross-entropy with integer class labels (`new SparseCategoricalCrossentropy({ fromLogits: true })`).
 * With `ignoreClass`, ignored entries get loss 0 and 'sum_over_batch_size' divides by the number of
 * the others (Keras's `ignore_class`, PyTorch's `ignore_index`).
 */
export class SparseCategoricalCrossentropy extends Loss {
  readonly fromLogits: boolean;
  readonly axis: number;
  readonly ignoreClass: number | null;
  readonly labelSmoothing: number;
  constructor(options: SparseCrossentropyLossOptions = {}) {
    super(named(options, 'sparse_categorical_crossentropy'));
    this.fromLogits = options.fromLogits ?? false;
    this.axis = options.axis ?? -1;
    this.ignoreClass = options.ignoreClass ?? null;
    this.labelSmoothing = checkSmoothing(this.name, options.labelSmoothing ?? 0);
  }
  override call(yTrue: Tensor, yPred: Tensor): Tensor {
    return sparseCrossentropy(yTrue, yPred, this).losses;
  }
  protected override perSample(yTrue: TensorLike, yPred: TensorLike): { losses: Tensor; mask?: Tensor } {
    // A subclass that overrides call() gets the plain behaviour.
    if (this.call !== SparseCategoricalCrossentropy.prototype.call) return super.perSample(yTrue, yPred);
    return sparseCrossentropy(yTrue, yPred, this);
  }
  override getConfig(): LossConfig {
    return {
      ...super.getConfig(),
      fromLogits: this.fromLogits,
      axis: this.axis,
      ignoreClass: this.ignoreClass,
      labelSmoothing: this.labelSmoothing,
    };
  }
}

export class KLDivergence extends Loss {
  constructor(options: LossOptions = {}) {
    super(named(options, 'kl_divergence'));
  }
  override call(yTrue: Tensor, yPred: Tensor): Tensor {
    return klDivergence(yTrue, yPred);
  }
}

export class Poisson extends Loss {
  constructor(options: LossOptions = {}) {
    super(named(options, 'poisson'));
  }
  override call(yTrue: Tensor, yPred: Tensor): Tensor {
    return poisson(yTrue, yPred);
  }
}

export interface CosineSimilarityOptions extends LossOptions {
  /** The axis along which the similarity is computed (default -1). */
  axis?: number;
}

export class CosineSimilarity extends Loss {
  readonly axis: number;
  constructor(options: CosineSimilarityOptions = {}) {
    super(named(options, 'cosine_similarity'));
    this.axis = options.axis ?? -1;
  }
  override call(yTrue: Tensor, yPred: Tensor): Tensor {
    return cosineSimilarity(yTrue, yPred, this.axis);
  }
  override getConfig(): LossConfig {
    return { ...super.getConfig(), axis: this.axis };
  }
}

export class Hinge extends Loss {
  constructor(options: LossOptions = {}) {
    super(named(options, 'hinge'));
  }
  override call(yTrue: Tensor, yPred: Tensor): Tensor {
    return hinge(yTrue, yPred);
  }
}

export class SquaredHinge extends Loss {
  constructor(options: LossOptions = {}) {
    super(named(options, 'squared_hinge'));
  }
  override call(yTrue: Tensor, yPred: Tensor): Tensor {
    return squaredHinge(yTrue, yPred);
  }
}

export class CategoricalHinge extends Loss {
  constructor(options: LossOptions = {}) {
    super(named(options, 'categorical_hinge'));
  }
  override call(yTrue: Tensor, yPred: Tensor): Tensor {
    return categoricalHinge(yTrue, yPred);
  }
}

// ------------------------------------------------------------------------------------ resolver

// biome-ignore lint/suspicious/noExplicitAny: constructors of different option types
type LossClass = new (options?: any) => Loss;

/** Each built-in loss class with every name `get` accepts for it. */
const LOSS_NAMES: readonly [LossClass, readonly string[]][] = [
  [MeanSquaredError, ['mse', 'MSE', 'mean_squared_error', 'meanSquaredError', 'MeanSquaredError']],
  [MeanAbsoluteError, ['mae', 'MAE', 'mean_absolute_error', 'meanAbsoluteError', 'MeanAbsoluteError']],
  [
    MeanAbsolutePercentageError,
    [
      'mape',
      'MAPE',
      'mean_absolute_percentage_error',
      'meanAbsolutePercentageError',
      'MeanAbsolutePercentageError',
    ],
  ],
  [
    MeanSquaredLogarithmicError,
    [
      'msle',
      'MSLE',
      'mean_squared_logarithmic_error',
      'meanSquaredLogarithmicError',
      'MeanSquaredLogarithmicError',
    ],
  ],
  [Huber, ['huber', 'huber_loss', 'Huber']],
  [LogCosh, ['log_cosh', 'logcosh', 'logCosh', 'LogCosh']],
  [BinaryCrossentropy, ['binary_crossentropy', 'bce', 'BCE', 'binaryCrossentropy', 'BinaryCrossentropy']],
  [
    CategoricalCrossentropy,
    ['categorical_crossentropy', 'categoricalCrossentropy', 'CategoricalCrossentropy'],
  ],
  [
    SparseCategoricalCrossentropy,
    ['sparse_categorical_crossentropy', 'sparseCategoricalCrossentropy', 'SparseCategoricalCrossentropy'],
  ],
  [
    KLDivergence,
    [
      'kl_divergence',
      'kld',
      'KLD',
      'kullback_leibler_divergence',
      'klDivergence',
      'kullbackLeiblerDivergence',
      'KLDivergence',
    ],
  ],
  [Poisson, ['poisson', 'Poisson']],
  [CosineSimilarity, ['cosine_similarity', 'cosineSimilarity', 'CosineSimilarity']],
  [Hinge, ['hinge', 'Hinge']],
  [SquaredHinge, ['squared_hinge', 'squaredHinge', 'SquaredHinge']],
  [CategoricalHinge, ['categorical_hinge', 'categoricalHinge', 'CategoricalHinge']],
];

const BY_NAME = new Map<string, LossClass>();
for (const [cls, names] of LOSS_NAMES) for (const n of names) BY_NAME.set(n, cls);

const BUILTIN_CLASSES = new Set<unknown>(LOSS_NAMES.map(([cls]) => cls));

/** A built-in loss as it ships: one of the named classes, not a subclass or a wrapped function. */
export function isBuiltinLoss(loss: Loss): boolean {
  return BUILTIN_CLASSES.has(loss.constructor);
}

/** Every loss name `get` accepts. */
export const lossNames: readonly string[] = [...BY_NAME.keys()];

export type LossIdentifier = string | Loss | ((yTrue: Tensor, yPred: Tensor) => Tensor) | Serialized;

/**
 * Resolves a loss: a name ('mse', 'mean_squared_error', 'meanSquaredError', 'MeanSquaredError', ...)
 * gives a new instance with default options; a Loss is returned as is; a function (yTrue, yPred) =>
 * per-sample values is wrapped in a LossFunctionWrapper; a `{ className, config }` record is
 * deserialized. An unknown name throws, listing the known ones.
 */
export function get(identifier: LossIdentifier, customObjects: Record<string, LossClass> = {}): Loss {
  if (identifier instanceof Loss) return identifier;
  if (typeof identifier === 'string') {
    const cls = customObjects[identifier] ?? BY_NAME.get(identifier);
    if (!cls) throw unknownIdentifier('losses.get', 'loss', identifier, lossNames, 'losses');
    return new cls();
  }
  if (typeof identifier === 'function') return new LossFunctionWrapper(identifier);
  if (isSerialized(identifier)) return deserialize(identifier, customObjects);
  throw new TypeError(
    `losses.get: expected a loss name, a Loss, a function or a { className, config } record, got ${String(identifier)}`,
  );
}

/** `{ className, config }` for a loss (the class name and `getConfig()`). */
export function serialize(loss: Loss): Serialized {
  return { className: loss.constructor.name, config: loss.getConfig() };
}

/** Rebuilds a loss from `serialize`'s record; custom classes are looked up in `customObjects`. */
export function deserialize(record: Serialized, customObjects: Record<string, LossClass> = {}): Loss {
  const className = serializedName(record);
  const cls = customObjects[className] ?? BY_NAME.get(className);
  if (!cls) {
    throw unknownIdentifier(
      'losses.deserialize',
      'loss',
      className,
      [...lossNames, ...Object.keys(customObjects)],
      'losses',
    );
  }
  return fromConfigOf(cls, { ...(record.config ?? {}) });
}
