import * as tf from '../../../src/index.js';
import { runOp } from '../../../src/ops/op.js';
import type { SoftmaxOpName } from '../../../src/ops/registry.js';
import {
  logSoftmaxGradOp,
  softmaxGradOp,
  sparseClassIndicesOp,
  sparseSoftmaxCrossEntropyGradOp,
} from '../../../src/ops/softmax.js';
import { type Check, notDiff, rand } from './support.js';

// Fixed weights and labels (drawn once: f must be deterministic).
const W24 = rand([2, 4]);
const W234 = rand([2, 3, 4]);
const labels3 = tf.tensor([2, 0, 3], { dtype: 'int32' });
const labels23 = tf.tensor(
  [
    [1, 0, 4],
    [4, 2, 2],
  ],
  { dtype: 'int32' },
);

export const softmaxChecks: Record<SoftmaxOpName, Check> = {
  // the last axis, another axis (swapped to the end and back) and a rank-3 batch
  softmax: {
    inputs: () => [rand([2, 4], -2, 2)],
    fn: (x) =>
      tf
        .softmax(x)
        .mul(W24)
        .add(tf.softmax(x, 0).square())
        .sum()
        .add(
          tf
            .softmax(x.reshape([2, 2, 2]), 1)
            .mul(W24.reshape([2, 2, 2]))
            .sum(),
        ),
  },
  logSoftmax: {
    inputs: () => [rand([2, 3, 4], -2, 2)],
    fn: (x) => tf.logSoftmax(x).mul(W234).sum().add(tf.logSoftmax(x, 1).square().sum()),
  },
  softmaxGrad: {
    inputs: () => [rand([2, 3, 4], -2, 2), rand([2, 3, 4])],
    // through y = softmax(x) so y stays a distribution; dy free
    fn: (x, dy) => runOp(softmaxGradOp, [tf.softmax(x), dy], undefined).mul(W234),
  },
  logSoftmaxGrad: {
    inputs: () => [rand([2, 3, 4], -2, 2), rand([2, 3, 4])],
    fn: (x, dy) => runOp(logSoftmaxGradOp, [tf.logSoftmax(x), dy], undefined).mul(W234),
  },
  sparseSoftmaxCrossEntropy: {
    inputs: () => [rand([3, 4], -2, 2), rand([2, 3, 5], -3, 3)],
    fn: (a, b) =>
      tf.nn
        .sparseSoftmaxCrossEntropyWithLogits(labels3, a)
        .square()
        .sum()
        .add(
          tf.nn
            .sparseSoftmaxCrossEntropyWithLogits(labels23, b)
            .mul(W24.slice([0, 0], [2, 3]))
            .sum(),
        ),
  },
  sparseSoftmaxCrossEntropyGrad: {
    inputs: () => [rand([3, 4], -2, 2), rand([3])],
    fn: (x, dy) =>
      runOp(sparseSoftmaxCrossEntropyGradOp, [x, labels3, dy], undefined).mul(W24.slice([0, 0], [1, 4])),
  },
  // float labels (Keras's usual) to int32 indices; 5 is the ignored class
  sparseClassIndices: notDiff(
    (labels) => runOp(sparseClassIndicesOp, [labels], { classes: 4, ignoreClass: 5, opName: 'test' }),
    () => [
      tf.tensor(
        [
          [0, 3, 5],
          [2, 1, 0],
        ],
        { dtype: 'float64' },
      ),
    ],
  ),
};
