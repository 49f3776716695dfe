/**
 * Shared plumbing of tf.keras.losses and tf.keras.metrics (Keras's `losses_utils`): converting labels
 * and predictions, lining up their ranks, weighting and reducing per-sample losses, and the error
 * thrown for an unknown identifier.
 */
import { type DType, isFloat } from '../backend/dtype.js';
import { cast, div, expandDims, mul, squeeze, sum } from '../ops/index.js';
import { fromValues, type TensorLike, toTensor } from '../tensor/convert.js';
import { broadcastShapes, formatShape, shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** Keras's fuzz factor (`backend.epsilon()`), used to clip probabilities away from 0 and 1. */
export const EPSILON = 1e-7;

/** How `Loss.apply` reduces the weighted per-sample losses. `'auto'` means `'sum_over_batch_size'`. */
export type Reduction = 'sum_over_batch_size' | 'sum' | 'none' | 'auto';

const REDUCTIONS: readonly Reduction[] = ['sum_over_batch_size', 'sum', 'none', 'auto'];

export function checkReduction(owner: string, reduction: unknown): Reduction {
  if (!REDUCTIONS.includes(reduction as Reduction)) {
    throw new RangeError(
      `${owner}: unknown reduction '${String(reduction)}' (expected one of ${REDUCTIONS.map((r) => `'${r}'`).join(', ')})`,
    );
  }
  return reduction as Reduction;
}

/**
 * `toTensor` with a dtype for JS values: a JS number or (nested) array next to a float64 tensor
 * becomes float64 directly (never rounded through float32 first); tensors pass through unchanged.
 */
export function toTensorAs(x: TensorLike, name: string, like: DType): Tensor {
  if (x instanceof Tensor) return x;
  if (isFloat(like) && (Array.isArray(x) || typeof x === 'number')) return fromValues(name, x, like);
  return toTensor(x, name, like);
}

/** A prediction tensor as floating point (int32/bool become float32, float64 stays float64). */
export function toFloat(x: TensorLike, name: string): Tensor {
  const t = toTensor(x, name);
  return isFloat(t.dtype) ? t : cast(t, 'float32');
}

/** Labels in the predictions' dtype (a JS array converts straight into it). */
export function labelsLike(yTrue: TensorLike, yPred: Tensor, name: string): Tensor {
  const t = toTensorAs(yTrue, name, yPred.dtype);
  return t.dtype === yPred.dtype ? t : cast(t, yPred.dtype);
}

/**
 * Keras's `remove_squeezable_dimensions` as used by `squeeze_or_expand_dimensions`: when the ranks
 * differ by one and the larger tensor ends in a size-1 axis, that axis is dropped, so [N] labels meet
 * [N, 1] predictions. A [N] label vector against [N, C] (C > 1) predictions is left alone (sparse
 * labels).
 */
export function squeezeOrExpand(yTrue: Tensor, yPred: Tensor): [Tensor, Tensor] {
  const rt = yTrue.rank;
  const rp = yPred.rank;
  if (rp - rt === 1 && yPred.shape[rp - 1] !== 1) return [yTrue, yPred];
  if (rp - rt === 1 && yPred.shape[rp - 1] === 1) return [yTrue, squeeze(yPred, -1)];
  if (rt - rp === 1 && yTrue.shape[rt - 1] === 1) return [squeeze(yTrue, -1), yPred];
  return [yTrue, yPred];
}

/**
 * Converts and lines up labels and predictions for a loss or metric named `name`: predictions as
 * floating point, labels cast to their dtype, squeezable axes removed, and then equal shapes required
 * (with a hint when the labels look like sparse class indices).
 */
export function prepareSameShape(name: string, yTrue: TensorLike, yPred: TensorLike): [Tensor, Tensor] {
  const p0 = toFloat(yPred, name);
  const t0 = labelsLike(yTrue, p0, name);
  const [t, p] = squeezeOrExpand(t0, p0);
  if (!shapesEqual(t.shape, p.shape)) {
    const hint =
      p.rank === t.rank + 1 && shapesEqual(t.shape, p.shape.slice(0, -1))
        ? ' (integer class labels need sparse_categorical_crossentropy / sparse_categorical_accuracy)'
        : '';
    throw new RangeError(
      `${name}: yTrue and yPred must have the same shape, got yTrue ${formatShape(t0.shape)} and yPred ${formatShape(p0.shape)}${hint}`,
    );
  }
  return [t, p];
}

/**
 * Keras's sample-weight alignment: a weight one rank above the losses loses its trailing axis (it
 * must be 1), a weight one rank below gains one. The result must broadcast against the losses.
 */
export function alignSampleWeight(owner: string, losses: Tensor, sampleWeight: TensorLike): Tensor {
  let w = toTensorAs(sampleWeight, owner, losses.dtype);
  if (w.dtype !== losses.dtype) w = cast(w, losses.dtype);
  const original = w.shape;
  if (w.rank > 0) {
    if (w.rank - losses.rank === 1 && w.shape[w.rank - 1] === 1) w = squeeze(w, -1);
    else if (losses.rank - w.rank === 1) w = expandDims(w, -1);
  }
  try {
    broadcastShapes(owner, losses.shape, w.shape);
  } catch {
    throw new RangeError(
      `${owner}: sampleWeight of shape ${formatShape(original)} does not match the per-sample values of shape ${formatShape(losses.shape)}`,
    );
  }
  return w;
}

/**
 * Weights and reduces per-sample losses (Keras's `compute_weighted_loss`): 'none' returns the
 * weighted losses, 'sum' their sum, 'sum_over_batch_size' their sum divided by their number of
 * elements. `mask` (0/1 in the losses' dtype) drops entries; with 'sum_over_batch_size' the sum is then
 * divided by the number of unmasked entries.
 */
export function computeWeightedLoss(
  owner: string,
  losses: Tensor,
  sampleWeight: TensorLike | null | undefined,
  reduction: Reduction,
  mask?: Tensor,
): Tensor {
  let weighted = losses;
  if (sampleWeight !== undefined && sampleWeight !== null) {
    weighted = mul(weighted, alignSampleWeight(owner, losses, sampleWeight));
  }
  if (mask) weighted = mul(weighted, mask);
  if (reduction === 'none') return weighted;
  const total = sum(weighted);
  if (reduction === 'sum') return total;
  let count = weighted.size;
  if (mask) {
    const m = mask.dataSync();
    let valid = 0;
    for (let i = 0; i < m.length; i++) valid += m[i]!;
    count = valid * (weighted.size / mask.size);
  }
  // Keras's div_no_nan: an empty batch gives 0, not NaN.
  return count === 0 ? mul(total, 0) : div(total, count);
}

/** Keras's `match_dtype_and_rank` (used by compile/fit): [N] labels and weights next to [N, K]
 * predictions gain a trailing axis, and labels take the predictions' dtype when both are floating. */
export function matchDtypeAndRank(
  yTrue: TensorLike,
  yPred: TensorLike,
  sampleWeight?: TensorLike | null,
): { yTrue: Tensor; yPred: Tensor; sampleWeight: Tensor | null } {
  const p = toTensor(yPred, 'matchDtypeAndRank');
  let t = toTensorAs(yTrue, 'matchDtypeAndRank', p.dtype);
  let w = sampleWeight === undefined || sampleWeight === null ? null : toTensor(sampleWeight, 'sampleWeight');
  if (t.rank === 1 && p.rank === 2) t = expandDims(t, -1);
  if (w && w.rank === 1 && p.rank === 2) w = expandDims(w, -1);
  if (isFloat(t.dtype) && isFloat(p.dtype) && t.dtype !== p.dtype) t = cast(t, p.dtype);
  return { yTrue: t, yPred: p, sampleWeight: w };
}

/** snake_case of a class name: 'MeanSquaredError' -> 'mean_squared_error', 'AUC' -> 'auc'. */
export function snakeCase(name: string): string {
  return name
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/**
 * The error for an unknown identifier: names the resolver, the identifier, the closest known name
 * when one is close, and every known name.
 */
export function unknownIdentifier(
  owner: string,
  kind: string,
  name: string,
  known: readonly string[],
  plural = `${kind}s`,
): Error {
  const lower = name.toLowerCase();
  let best = '';
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = k;
    }
  }
  const suggestion =
    bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? ` Did you mean '${best}'?` : '';
  // List the snake_case spellings; their camelCase and class-name forms are accepted as well.
  const listed = [...new Set(known.filter((k) => k === k.toLowerCase()))].sort();
  const shown = listed.length ? listed : [...known].sort();
  return new Error(
    `${owner}: unknown ${kind} '${name}'.${suggestion} Known ${plural}: ${shown.join(', ')}` +
      (listed.length && listed.length < known.length ? ' (and their camelCase and class-name forms)' : ''),
  );
}

/** A `{ className, config }` record (Keras's serialized form; `class_name` is accepted too). */
export interface Serialized {
  className: string;
  config?: Record<string, unknown>;
}

export function isSerialized(value: unknown): value is Serialized {
  if (typeof value !== 'object' || value === null || value instanceof Tensor) return false;
  const v = value as Record<string, unknown>;
  return typeof v['className'] === 'string' || typeof v['class_name'] === 'string';
}

export function serializedName(value: Serialized): string {
  const v = value as unknown as Record<string, unknown>;
  return (v['className'] ?? v['class_name']) as string;
}

/** Builds an instance from a config record with the class's `fromConfig` when it has one. */
export function fromConfigOf<T>(cls: new (config?: never) => T, config: Record<string, unknown>): T {
  const fromConfig = (cls as unknown as { fromConfig?: (c: Record<string, unknown>) => T }).fromConfig;
  return typeof fromConfig === 'function' ? fromConfig.call(cls, config) : new cls(config as never);
}
