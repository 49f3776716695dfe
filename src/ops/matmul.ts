import { promoteTypes } from '../backend/dtype.js';
import { type TensorLike, toTensor } from '../tensor/convert.js';
import { broadcastShapes, formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { mul } from './binary.js';
import { cast } from './cast.js';
import { defineOp, runOp } from './op.js';
import { sum, sumToShape } from './reduce.js';
import { expandDims, reshape, squeeze, transpose } from './shape.js';
import { binaryOperands } from './util.js';

interface MatmulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

export const matmulOp = defineOp<MatmulAttrs>({
  name: 'matmul',
  infer: ([a, b], { transposeA, transposeB }) => {
    const ar = a!.rank;
    const br = b!.rank;
    const describe = () =>
      `${formatShape(a!.shape)}${transposeA ? '^T' : ''} @ ${formatShape(b!.shape)}${transposeB ? '^T' : ''}`;
    if (ar < 2 || br < 2) throw new RangeError(`matmul: expected tensors of rank >= 2, got ${describe()}`);
    if (a!.dtype === 'bool' || b!.dtype === 'bool' || a!.dtype !== b!.dtype) {
      throw new TypeError(
        `matmul: expected two float32, float64 or int32 tensors of one dtype, got ${formatShape(a!.shape)} ${a!.dtype} and ${formatShape(b!.shape)} ${b!.dtype}`,
      );
    }
    const m = transposeA ? a!.shape[ar - 1]! : a!.shape[ar - 2]!;
    const ka = transposeA ? a!.shape[ar - 2]! : a!.shape[ar - 1]!;
    const kb = transposeB ? b!.shape[br - 1]! : b!.shape[br - 2]!;
    const n = transposeB ? b!.shape[br - 2]! : b!.shape[br - 1]!;
    if (ka !== kb) throw new RangeError(`matmul: inner dimensions differ: ${describe()} (${ka} vs ${kb})`);
    const batch = broadcastShapes('matmul', a!.shape.slice(0, ar - 2), b!.shape.slice(0, br - 2));
    return { shape: [...batch, m, n], dtype: a!.dtype };
  },
  kernel: (backend, [a, b], { transposeA, transposeB }, out) =>
    new Tensor(backend.matmul(a!, b!, transposeA, transposeB, out.shape), out.shape, out.dtype),
  prepare: (backend, [a, b], { transposeA, transposeB }, out) =>
    backend.prepare?.matmul(a!, b!, transposeA, transposeB, out.shape) ?? null,
  grad: (dy, { inputs, attrs }, needs) => {
    const [a, b] = inputs as [Tensor, Tensor];
    const { transposeA: ta, transposeB: tb } = attrs;
    let da: Tensor | null = null;
    let db: Tensor | null = null;
    if (needs[0]) da = ta ? matmul(b, dy, tb, true) : matmul(dy, b, false, !tb);
    if (needs[1]) db = tb ? matmul(dy, a, true, ta) : matmul(a, dy, !ta, false);
    return [da && sumToShape(da, a.shape), db && sumToShape(db, b.shape)];
  },
});

/**
 * Matrix product with NumPy's rules: batched over leading axes (broadcast), 1-D operands promoted to
 * a row/column and the added axis removed afterwards; `transposeA/B` transpose the last two axes.
 */
export function matmul(a: TensorLike, b: TensorLike, transposeA = false, transposeB = false): Tensor {
  let [ta, tb] = binaryOperands('matmul', a, b);
  if (ta.dtype !== tb.dtype && ta.dtype !== 'bool' && tb.dtype !== 'bool') {
    const dtype = promoteTypes(ta.dtype, tb.dtype);
    ta = cast(ta, dtype);
    tb = cast(tb, dtype);
  }
  if (ta.rank === 0 || tb.rank === 0) {
    throw new RangeError(
      `matmul: expected tensors of rank >= 1, got ${formatShape(ta.shape)} @ ${formatShape(tb.shape)}`,
    );
  }
  const vectorA = ta.rank === 1;
  const vectorB = tb.rank === 1;
  if (vectorA) ta = expandDims(ta, 0);
  if (vectorB) tb = expandDims(tb, 1);
  let y = runOp(matmulOp, [ta, tb], {
    transposeA: vectorA ? false : transposeA,
    transposeB: vectorB ? false : transposeB,
  });
  if (vectorA) y = squeeze(y, -2);
  if (vectorB) y = squeeze(y, -1);
  return y;
}

/** Dot product of vectors, or matrix-vector / matrix-matrix product for rank <= 2, as tf.dot. */
export function dot(a: TensorLike, b: TensorLike): Tensor {
  const [ta, tb] = binaryOperands('dot', a, b);
  if (ta.rank > 2 || tb.rank > 2 || ta.rank === 0 || tb.rank === 0) {
    throw new RangeError(
      `dot: expected tensors of rank 1 or 2, got ${formatShape(ta.shape)} and ${formatShape(tb.shape)}`,
    );
  }
  if (ta.rank === 1 && tb.rank === 1) {
    if (ta.shape[0] !== tb.shape[0]) {
      throw new RangeError(
        `dot: vectors differ in length: ${formatShape(ta.shape)} and ${formatShape(tb.shape)}`,
      );
    }
    return sum(mul(ta, tb));
  }
  return matmul(ta, tb);
}

/** Outer product of two vectors: [n] x [m] -> [n, m]. */
export function outer(a: TensorLike, b: TensorLike): Tensor {
  const [ta, tb] = binaryOperands('outer', a, b);
  if (ta.rank !== 1 || tb.rank !== 1) {
    throw new RangeError(
      `outer: expected two vectors, got ${formatShape(ta.shape)} and ${formatShape(tb.shape)}`,
    );
  }
  return mul(reshape(ta, [ta.shape[0]!, 1]), reshape(tb, [1, tb.shape[0]!]));
}

/** Transpose of the last two axes (a matrix transpose for rank 2; a vector stays as it is). */
export function matrixTranspose(x: TensorLike): Tensor {
  const t = toTensor(x, 'T');
  if (t.rank < 2) return t;
  const perm = [...t.shape.keys()];
  perm[t.rank - 2] = t.rank - 1;
  perm[t.rank - 1] = t.rank - 2;
  return transpose(t, perm);
}
