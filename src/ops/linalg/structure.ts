/**
 * Structural matrix functions of tf.linalg: diagonals, trace, band parts and norms. All are composites
 * of differentiable ops (strided slices and their adjoint for diagonals, where for bands, reductions for
 * norms, singular values for the spectral and nuclear norms), so gradients of every order follow.
 */
import { type TensorLike, toTensor } from '../../tensor/convert.js';
import { formatShape, normalizeAxis } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { div, mul, notEqual } from '../binary.js';
import { cast } from '../cast.js';
import { type Axis, max, min, sum, norm as vectorNorm } from '../reduce.js';
import { reshape, slice, transpose, unslice } from '../shape.js';
import { abs, exp, log, sqrt, square } from '../unary.js';
import { checkInteger, floatOf } from '../util.js';
import { where } from '../where.js';
import { svd } from './decompositions.js';

function requireMatrix(opName: string, t: Tensor): void {
  if (t.rank < 2) {
    throw new RangeError(
      `${opName}: expected a matrix or a batch of them [..., m, n], got ${formatShape(t.shape)}`,
    );
  }
}

/**
 * A diagonal matrix from its diagonal, batched: [..., n] -> [..., n + |k|, n + |k|], with `v` on the k-th
 * diagonal (k > 0 above the main one, k < 0 below) and zeros elsewhere; tf.linalg.diag / torch.diag_embed.
 */
export function diag(v: TensorLike, k = 0): Tensor {
  const t = toTensor(v, 'linalg.diag');
  checkInteger('linalg.diag', 'k', k);
  if (t.rank < 1)
    throw new RangeError(`linalg.diag: expected a vector or a batch of them [..., n], got a scalar`);
  const n = t.shape[t.rank - 1]!;
  const size = n + Math.abs(k);
  const batch = t.shape.slice(0, -1);
  // Entry i goes to flat position offset + i * (size + 1) of the row-major [size, size] matrix.
  const offset = k >= 0 ? k : -k * size;
  const placed = unslice(
    t,
    [...batch, size * size],
    [...batch.map(() => 0), n === 0 ? 0 : offset],
    [...batch.map(() => 1), size + 1],
  );
  return reshape(placed, [...batch, size, size]);
}

/**
 * The k-th diagonal of a matrix, batched: [..., m, n] -> [..., min(m, n)] for k = 0 (k > 0 above the
 * main diagonal, k < 0 below; an offset past the matrix gives an empty diagonal); tf.linalg.diag_part.
 */
export function diagPart(a: TensorLike, k = 0): Tensor {
  const t = toTensor(a, 'linalg.diagPart');
  requireMatrix('linalg.diagPart', t);
  checkInteger('linalg.diagPart', 'k', k);
  const m = t.shape[t.rank - 2]!;
  const n = t.shape[t.rank - 1]!;
  const batch = t.shape.slice(0, -2);
  const length = Math.max(0, k >= 0 ? Math.min(m, n - k) : Math.min(m + k, n));
  // Entry (i, i + k) of the row-major matrix sits at flat position offset + i * (n + 1).
  const offset = length === 0 ? 0 : k >= 0 ? k : -k * n;
  const flat = reshape(t, [...batch, m * n]);
  return slice(flat, [...batch.map(() => 0), offset], [...batch, length], [...batch.map(() => 1), n + 1]);
}

/** Sum of the main diagonal over the last two axes: [..., m, n] -> [...]; tf.linalg.trace. */
export function trace(a: TensorLike): Tensor {
  const t = toTensor(a, 'linalg.trace');
  requireMatrix('linalg.trace', t);
  return sum(diagPart(t), -1);
}

/**
 * Keeps the band of each matrix with `numLower` subdiagonals and `numUpper` superdiagonals (a negative
 * count keeps that whole triangle) and zeros the rest; tf.linalg.band_part. bandPart(a, 0, -1) is the
 * upper triangle, bandPart(a, -1, 0) the lower one, bandPart(a, 0, 0) the diagonal.
 */
export function bandPart(a: TensorLike, numLower: number, numUpper: number): Tensor {
  const t = toTensor(a, 'linalg.bandPart');
  requireMatrix('linalg.bandPart', t);
  checkInteger('linalg.bandPart', 'numLower', numLower);
  checkInteger('linalg.bandPart', 'numUpper', numUpper);
  const m = t.shape[t.rank - 2]!;
  const n = t.shape[t.rank - 1]!;
  const mask = new Uint8Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      if ((numLower < 0 || i - j <= numLower) && (numUpper < 0 || j - i <= numUpper)) mask[i * n + j] = 1;
    }
  }
  return where(new Tensor(mask, [m, n], 'bool'), t, 0);
}

/** The orders of matrixNorm, as NumPy's matrix norms. */
export type MatrixNormOrd = 'fro' | 'nuc' | number;

/**
 * Matrix norm over two axes (the last two by default), as numpy.linalg.norm / torch.linalg.matrix_norm:
 * 'fro' (Frobenius), 'nuc' (sum of singular values), 1 / -1 (largest / smallest absolute column sum),
 * Infinity / -Infinity (largest / smallest absolute row sum), 2 / -2 (largest / smallest singular value).
 */
export function matrixNorm(
  a: TensorLike,
  ord: MatrixNormOrd = 'fro',
  axis: readonly number[] = [-2, -1],
  keepDims = false,
): Tensor {
  const t = toTensor(a, 'linalg.matrixNorm');
  const [r, c] = matrixAxes('linalg.matrixNorm', t, axis);
  const f = cast(t, floatOf(t.dtype));
  const kept = t.shape.map((d, i) => (i === r || i === c ? 1 : d));
  const reduced = t.shape.filter((_, i) => i !== r && i !== c);
  const finish = (y: Tensor) => reshape(y, keepDims ? kept : reduced);
  switch (ord) {
    case 'fro':
      return sqrt(sum(square(f), [r, c], keepDims));
    case 1:
      return finish(max(sum(abs(f), r, true), c, true));
    case -1:
      return finish(min(sum(abs(f), r, true), c, true));
    case Number.POSITIVE_INFINITY:
      return finish(max(sum(abs(f), c, true), r, true));
    case Number.NEGATIVE_INFINITY:
      return finish(min(sum(abs(f), c, true), r, true));
    case 'nuc':
    case 2:
    case -2: {
      // Singular values of the matrices moved to the last two axes: [...rest, min(m, n)].
      const rest = t.shape.flatMap((_, i) => (i === r || i === c ? [] : [i]));
      const s = singularValues(transpose(f, [...rest, r, c]));
      const y = ord === 'nuc' ? sum(s, -1) : ord === 2 ? max(s, -1) : min(s, -1);
      return finish(y);
    }
    default:
      throw new RangeError(
        `linalg.matrixNorm: ord must be 'fro', 'nuc', 1, -1, 2, -2, Infinity or -Infinity, got ${String(ord)}`,
      );
  }
}

function matrixAxes(opName: string, t: Tensor, axis: readonly number[]): [number, number] {
  if (!Array.isArray(axis) || axis.length !== 2) {
    throw new RangeError(`${opName}: a matrix norm needs two axes, got ${JSON.stringify(axis)}`);
  }
  if (t.rank < 2) {
    throw new RangeError(`${opName}: a matrix norm needs a tensor of rank >= 2, got ${formatShape(t.shape)}`);
  }
  const r = normalizeAxis(opName, axis[0]!, t.rank);
  const c = normalizeAxis(opName, axis[1]!, t.rank);
  if (r === c) {
    throw new RangeError(
      `${opName}: the two axes of a matrix norm must differ, got [${axis.join(',')}] for ${formatShape(t.shape)}`,
    );
  }
  return [r, c];
}

/** The orders of linalg.norm: vector orders, and the matrix orders 'fro' and 'nuc'. */
export type NormOrd = 'euclidean' | 'fro' | 'nuc' | number;

/**
 * tf.linalg.norm (numpy.linalg.norm): a vector norm over `axis` (one axis, or all entries when omitted)
 * or a matrix norm when `axis` names two axes or `ord` is 'fro' / 'nuc' (the last two axes when `axis`
 * is omitted). Vector orders: 'euclidean' (= 2), any p > 0, Infinity, -Infinity (smallest |x|), 0 (the
 * count of nonzeros, not differentiable) and p < 0 (sum(|x|^p)^(1/p)). Matrix orders: see matrixNorm
 * ('euclidean' there means 'fro').
 */
export function norm(x: TensorLike, ord: NormOrd = 'euclidean', axis?: Axis, keepDims = false): Tensor {
  const t = toTensor(x, 'linalg.norm');
  const axes = axis === undefined || axis === null ? null : typeof axis === 'number' ? [axis] : [...axis];
  if (axes !== null && axes.length !== 1 && axes.length !== 2) {
    throw new RangeError(
      `linalg.norm: axis must be one axis (vector norm) or two (matrix norm), got [${axes.join(',')}]`,
    );
  }
  if ((axes !== null && axes.length === 2) || ord === 'fro' || ord === 'nuc') {
    if (axes !== null && axes.length === 1) {
      throw new RangeError(
        `linalg.norm: ord '${String(ord)}' is a matrix norm and needs two axes, got [${axes[0]}]`,
      );
    }
    return matrixNorm(t, ord === 'euclidean' ? 'fro' : ord, axes ?? [-2, -1], keepDims);
  }
  if (typeof ord === 'number' && !(ord > 0)) {
    const f = abs(cast(t, floatOf(t.dtype)));
    if (ord === Number.NEGATIVE_INFINITY) return min(f, axis, keepDims);
    if (ord === 0) return sum(cast(notEqual(f, 0), f.dtype), axis, keepDims);
    if (ord < 0) return exp(div(log(sum(exp(mul(log(f), ord)), axis, keepDims)), ord));
  }
  return vectorNorm(t, ord as number | 'euclidean', axis, keepDims);
}

/** Singular values, [..., m, n] -> [..., min(m, n)], descending. */
function singularValues(a: Tensor): Tensor {
  return svd(a, { computeUv: false }).s;
}

/** The functions of this module by their registry names (`norm` is registered as linalgNorm). */
export const linalgStructureOps = { diag, diagPart, trace, bandPart, matrixNorm, linalgNorm: norm };
