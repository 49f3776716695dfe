import * as tf from '../../../src/index.js';
import type { LinalgStructureOpName } from '../../../src/ops/registry.js';
import { type Check, rand } from './support.js';

// Fixed weights that make the outputs position-dependent (drawn once: f must be deterministic).
const W55 = rand([2, 5, 5]);
const W34 = rand([2, 3, 4]);

export const linalgStructureChecks: Record<LinalgStructureOpName, Check> = {
  einsum: {
    inputs: () => [rand([2, 3, 3]), rand([3, 4]), rand([2, 4])],
    // A batched bilinear form, a diagonal, a trace over broadcast '...' and an outer product together.
    fn: (a, b, c) =>
      tf
        .einsum('bij,jk,bk->bi', a, b, c)
        .sum()
        .add(
          tf
            .einsum('bii->bi', a)
            .mul(tf.einsum('...ij,jk->...ik', a, b).sum(-1))
            .sum(),
        )
        .add(
          tf
            .einsum('i,j->ij', c.reshape([8]), c.reshape([8]))
            .square()
            .sum(),
        ),
  },
  diag: {
    inputs: () => [rand([2, 3])],
    fn: (v) =>
      tf.linalg
        .diag(v)
        .add(tf.linalg.diag(v, 2).slice([0, 0, 0], [2, 3, 3]))
        .square(),
  },
  diagPart: {
    inputs: () => [rand([2, 3, 4])],
    fn: (a) =>
      tf.linalg
        .diagPart(a)
        .add(tf.linalg.diagPart(a, -1).slice([0, 0], [2, 2]).sum(-1, true))
        .square(),
  },
  trace: { inputs: () => [rand([2, 3, 4])], fn: (a) => tf.linalg.trace(a.square()) },
  bandPart: {
    inputs: () => [rand([2, 3, 4])],
    fn: (a) =>
      tf.linalg
        .bandPart(a, 1, 0)
        .add(tf.linalg.bandPart(a, -1, 1))
        .square()
        .mul(W34),
  },
  matrixNorm: {
    // Ties in the column / row sums (where the 1 and Infinity norms are not differentiable) are unlikely.
    inputs: () => [rand([2, 3, 4], 0.2, 1, true)],
    fn: (a) =>
      tf.linalg
        .matrixNorm(a)
        .add(tf.linalg.matrixNorm(a, 1))
        .add(tf.linalg.matrixNorm(a, -1))
        .add(tf.linalg.matrixNorm(a, Infinity, [0, 2]).sum())
        .add(tf.linalg.matrixNorm(a, -Infinity, [-1, -2], true).sum())
        .add(tf.linalg.matrixNorm(a, 'nuc').sum())
        .add(tf.linalg.matrixNorm(a, 2, [0, 2]).sum())
        .add(tf.linalg.matrixNorm(a, -2).sum()),
  },
  linalgNorm: {
    inputs: () => [rand([2, 5], 0.2, 1, true)],
    fn: (x) =>
      tf.linalg
        .norm(x)
        .add(tf.linalg.norm(x, -Infinity, 1).sum())
        .add(tf.linalg.norm(x, -1, 0).sum())
        .add(tf.linalg.norm(x, 'fro'))
        .add(tf.linalg.norm(x, 1, [1, 0]))
        .add(tf.linalg.diag(x).mul(W55).sum()),
  },
};
