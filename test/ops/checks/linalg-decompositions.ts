import * as tf from '../../../src/index.js';
import type { DecompositionOpName } from '../../../src/ops/linalg/decompositions.js';
import type { Tensor } from '../../../src/tensor/tensor.js';
import { type Check, rand, wellConditioned } from './support.js';

/**
 * Checks for the decompositions (src/ops/linalg/decompositions.ts). Eigenvectors and singular vectors
 * are determined only up to sign, so their checks use sign-invariant functions of them
 * (V diag(c) V^T, U diag(c) V^T, |v|); Q and R of a Householder QR are smooth functions of A away
 * from the (measure-zero) sign switches, so they are checked directly. Symmetric inputs are built as
 * X + X^T (or X X^T + 3 I), so the symmetric gradients of cholesky and eigh are the true ones.
 */

const flat = (t: Tensor) => t.reshape([-1]);
const weights = (k: number) => tf.range(1, k + 1, 1, 'float64');
/** V diag(c) V^T with c = 1..k: invariant to the sign of each column of V. */
const spread = (v: Tensor) => tf.matmul(v.mul(weights(v.shape[v.rank - 1]!)), v, false, true);
const eye3 = tf.eye(3, 3, 'float64');
/** A matrix with negative determinant for the second batch item (rows swapped). */
const swapRows = tf.tensor(
  [
    [0, 1, 0],
    [1, 0, 0],
    [0, 0, 1],
  ],
  { dtype: 'float64' },
);

export const linalgDecompositionChecks: Record<DecompositionOpName, Check> = {
  cholesky: {
    inputs: () => [rand([2, 3, 3])],
    fn: (x) => tf.linalg.cholesky(tf.matmul(x, x, false, true).add(eye3.mul(3))),
  },
  triangularSolve: {
    // A batch of 2 against one right-hand side (batch broadcasting), all four lower/adjoint cases.
    inputs: () => [wellConditioned(3, [2]), rand([3, 2])],
    fn: (a, b) =>
      tf.concat(
        [
          tf.linalg.triangularSolve(a, b),
          tf.linalg.triangularSolve(a, b, { adjoint: true }),
          tf.linalg.triangularSolve(a, b, { lower: false }),
          tf.linalg.triangularSolve(a, b, { lower: false, adjoint: true }),
        ],
        -1,
      ),
  },
  qr: {
    // Tall reduced, wide (reduced = complete) and square complete.
    inputs: () => [rand([2, 4, 3]), rand([3, 5]), rand([3, 3])],
    fn: (tall, wide, sq) => {
      const a = tf.linalg.qr(tall);
      const b = tf.linalg.qr(wide);
      const c = tf.linalg.qr(sq, { mode: 'complete' });
      return tf.concat([a.q, a.r, b.q, b.r, c.q, c.r].map(flat));
    },
  },
  eigh: {
    inputs: () => [rand([2, 3, 3])],
    fn: (x) => {
      const { eigenvalues, eigenvectors } = tf.linalg.eigh(x.add(tf.matrixTranspose(x)));
      const absProducts = eigenvectors.abs().mul(eigenvectors.abs().flip(-1));
      return tf.concat([flat(eigenvalues), flat(spread(eigenvectors)), flat(absProducts)]);
    },
  },
  svd: {
    // Tall and wide, reduced and full (full: only the first k columns are determined), and s alone.
    inputs: () => [rand([2, 4, 3]), rand([3, 5])],
    fn: (tall, wide) => {
      const parts: Tensor[] = [];
      for (const x of [tall, wide]) {
        const { s, u, v } = tf.linalg.svd(x);
        const c = weights(s.shape[s.rank - 1]!);
        parts.push(s, tf.matmul(u.mul(c), v, false, true), spread(u), spread(v));
        const full = tf.linalg.svd(x, { fullMatrices: true });
        const k = s.shape[s.rank - 1]!;
        const lead = x.rank - 2;
        const first = (t: Tensor) =>
          t.slice(new Array<number>(lead + 2).fill(0), [...new Array<number>(lead + 1).fill(-1), k]);
        parts.push(tf.matmul(first(full.u).mul(c.sqrt()), first(full.v), false, true));
        parts.push(tf.linalg.svd(x, { computeUv: false }).s.square());
      }
      return tf.concat(parts.map(flat));
    },
  },
  slogdet: {
    inputs: () => [wellConditioned(3, [2])],
    fn: (a) => {
      const { sign, logAbsDet } = tf.linalg.slogdet(
        tf.stack([a.slice([0], [1]).reshape([3, 3]), tf.matmul(swapRows, a.slice([1], [1]).reshape([3, 3]))]),
      );
      return logAbsDet.mul(sign);
    },
  },
  lstsq: {
    // Overdetermined (least squares, batched A with one B) and underdetermined (minimum norm, vector b).
    inputs: () => [rand([2, 5, 3]), rand([5, 2]), rand([3, 5]), rand([3])],
    fn: (a, b, wide, c) => tf.concat([flat(tf.linalg.lstsq(a, b)), tf.linalg.lstsq(wide, c)]),
  },
  pinv: {
    inputs: () => [rand([2, 4, 3]), rand([3, 5])],
    fn: (tall, wide) => tf.concat([flat(tf.linalg.pinv(tall)), flat(tf.linalg.pinv(wide))]),
  },
};
