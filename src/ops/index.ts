import './methods.js';

export * from './activations.js';
export * from './binary.js';
export { cast } from './cast.js';
export { clipByValue } from './clip.js';
export * from './creation.js';
export { einsum } from './einsum.js';
export { gather, scatterAdd } from './gather.js';
export { dot, matmul, matrixTranspose, outer } from './matmul.js';
export {
  avgPool,
  type Conv2DOptions,
  conv2d,
  logSoftmax,
  maxPool,
  softmax,
  sparseSoftmaxCrossEntropyWithLogits,
} from './nn.js';
export * from './reduce.js';
export {
  broadcastTo,
  concat,
  expandDims,
  flip,
  pad,
  reshape,
  slice,
  split,
  squeeze,
  stack,
  tile,
  transpose,
  unstack,
} from './shape.js';
export * from './unary.js';
export { Variable, type VariableOptions, variable } from './variable.js';
export { where } from './where.js';
