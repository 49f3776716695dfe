import { isFloat } from '../backend/dtype.js';
import { type TensorLike, toTensor } from '../tensor/convert.js';
import { broadcastShapes, formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { mul } from './binary.js';
import { matmul, matrixTranspose } from './matmul.js';
import { defineOp, runOp } from './op.js';
import { broadcastTo, expandDims } from './shape.js';
import { neg } from './unary.js';
import { describeTensor } from './util.js';

function squareBatch(opName: string, a: Tensor): { batch: number; n: number } {
  if (a.rank < 2 || a.shape[a.rank - 1] !== a.shape[a.rank - 2]) {
    throw new RangeError(
      `${opName}: expected a square matrix or a batch of them [..., n, n], got ${formatShape(a.shape)}`,
    );
  }
  if (!isFloat(a.dtype))
    throw new TypeError(`${opName}: expected a float32 or float64 tensor, got ${describeTensor(a)}`);
  const n = a.shape[a.rank - 1]!;
  let batch = 1;
  for (let i = 0; i < a.rank - 2; i++) batch *= a.shape[i]!;
  return { batch, n };
}

export const invOp = defineOp({
  name: 'inv',
  infer: ([a]) => ({ shape: a!.shape, dtype: a!.dtype }),
  kernel: (backend, [a], _attrs, out) => {
    const { batch, n } = squareBatch('linalg.inv', a!);
    return new Tensor(backend.inv('linalg.inv', a!, batch, n), out.shape, out.dtype);
  },
  // d inv(A) = -inv(A) dA inv(A), so grad_A = -inv(A)^T dY inv(A)^T.
  grad: (dy, { output }) => {
    const t = matrixTranspose(output);
    return [neg(matmul(matmul(t, dy), t))];
  },
});

export const solveOp = defineOp({
  name: 'solve',
  infer: ([a, b]) => {
    squareBatch('linalg.solve', a!);
    const n = a!.shape[a!.rank - 1]!;
    if (b!.rank < 2 || b!.shape[b!.rank - 2] !== n || a!.rank !== b!.rank || a!.dtype !== b!.dtype) {
      throw new RangeError(
        `linalg.solve: expected A [..., n, n] and B [..., n, k] of one dtype and batch shape, got ${describeTensor(a!)} and ${describeTensor(b!)}`,
      );
    }
    broadcastShapes('linalg.solve', a!.shape.slice(0, -2), b!.shape.slice(0, -2));
    return { shape: b!.shape, dtype: b!.dtype };
  },
  kernel: (backend, [a, b], _attrs, out) => {
    const { batch, n } = squareBatch('linalg.solve', a!);
    const m = b!.shape[b!.rank - 1]!;
    return new Tensor(backend.solve('linalg.solve', a!, b!, batch, n, m), out.shape, out.dtype);
  },
  // X = A^-1 B: grad_B = A^-T dX, grad_A = -grad_B X^T.
  grad: (dy, { inputs, output }, needs) => {
    const gradB = solve(matrixTranspose(inputs[0]!), dy);
    return [needs[0] ? neg(matmul(gradB, output, false, true)) : null, needs[1] ? gradB : null];
  },
});

export const detOp = defineOp({
  name: 'det',
  infer: ([a]) => ({ shape: a!.shape.slice(0, -2), dtype: a!.dtype }),
  kernel: (backend, [a], _attrs, out) => {
    const { batch, n } = squareBatch('linalg.det', a!);
    return new Tensor(backend.det(a!, batch, n), out.shape, out.dtype);
  },
  // d det(A) / dA = det(A) inv(A)^T (Jacobi's formula); undefined for singular A, as in PyTorch's default path.
  grad: (dy, { inputs, output }) => {
    const a = inputs[0]!;
    const scale = expandDims(expandDims(mul(dy, output), -1), -1);
    return [mul(broadcastTo(scale, a.shape), matrixTranspose(inv(a)))];
  },
});

/** Inverse of a square matrix (or a batch); a singular matrix is an error naming the batch item. */
export function inv(a: TensorLike): Tensor {
  const t = toTensor(a, 'linalg.inv');
  squareBatch('linalg.inv', t);
  return runOp(invOp, [t], undefined);
}

/** Solves A X = B for X (A [..., n, n], B [..., n, k]; a vector B [n] is treated as [n, 1]). */
export function solve(a: TensorLike, b: TensorLike): Tensor {
  const ta = toTensor(a, 'linalg.solve');
  let tb = toTensor(b, 'linalg.solve', ta.dtype);
  const vector = tb.rank === 1;
  if (vector) tb = expandDims(tb, -1);
  const x = runOp(solveOp, [ta, tb], undefined);
  return vector ? x.reshape([x.shape[0]!]) : x;
}

export function det(a: TensorLike): Tensor {
  const t = toTensor(a, 'linalg.det');
  squareBatch('linalg.det', t);
  return runOp(detOp, [t], undefined);
}
