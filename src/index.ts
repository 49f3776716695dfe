/**
 * tapeflow: tensors, automatic differentiation (GradientTape and backward()), and the numerical core
 * of TensorFlow 2 / PyTorch, for TypeScript. `import * as tf from 'tapeflow'`.
 */

import * as activations from './ops/activations.js';
import { fusedConv2d } from './ops/fused-conv.js';
import { fusedConv2dMaxPool } from './ops/fused-conv-pool.js';
import * as nnOps from './ops/nn.js';
import { moments } from './ops/reduce.js';
import { relu, sigmoid, tanh } from './ops/unary.js';
import * as randomOps from './random/index.js';
import { dropout } from './random/index.js';

export * from './autograd/index.js';
export { type DType, getBackend, setBackend } from './backend/index.js';
export * as data from './data/index.js';
/** Linear algebra with gradients (`tf.linalg.inv`, `solve`, `det`, ...). */
export * as linalg from './linalg/index.js';
export * from './ops/index.js';
export type { TensorLike } from './tensor/convert.js';
export { type MemoryInfo, memory } from './tensor/memory.js';
export { Node } from './tensor/node.js';
export { noGrad } from './tensor/recording.js';
export { isTensor, type NestedArray, Tensor } from './tensor/tensor.js';

/** Seeded, reproducible sampling (Philox-based; see random/generator.ts). */
export const random = {
  setSeed: randomOps.setSeed,
  normal: randomOps.normal,
  truncatedNormal: randomOps.truncatedNormal,
  uniform: randomOps.uniform,
  randint: randomOps.randint,
  shuffle: randomOps.shuffle,
};

/** TensorFlow's tf.nn namespace. */
export const nn = {
  ...activations,
  relu,
  sigmoid,
  tanh,
  softmax: nnOps.softmax,
  logSoftmax: nnOps.logSoftmax,
  sparseSoftmaxCrossEntropyWithLogits: nnOps.sparseSoftmaxCrossEntropyWithLogits,
  conv2d: nnOps.conv2d,
  maxPool: nnOps.maxPool,
  avgPool: nnOps.avgPool,
  moments,
  dropout,
};

/**
 * Fused kernels, as tfjs's tf.fused: `tf.fused.conv2d({ x, filter, bias, activation: 'relu' })`, and
 * `tf.fused.conv2dMaxPool({ ..., poolSize: 2 })` (the convolution's output is never written).
 */
export const fused = { conv2d: fusedConv2d, conv2dMaxPool: fusedConv2dMaxPool };

export { dropout };
export const version = '0.1.0';
export * as keras from './keras/index.js';
export { optim, optimizers } from './optimizers/index.js';
export * as viz from './viz/index.js';
