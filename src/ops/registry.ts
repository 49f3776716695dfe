/**
 * Every op tapeflow defines, in one place. `primitives` have a kernel and a gradient rule; `composites`
 * are written with other ops (their gradients follow). The test suite walks both: every differentiable
 * entry must have a numerical gradient check, and `tsc` rejects a check table that misses a name.
 */
import * as activations from './activations.js';
import { binaryOps, squaredDifference } from './binary.js';
import { castOp } from './cast.js';
import { clipByValue } from './clip.js';
import { einsum } from './einsum.js';
import { conv2dBackpropFilterBiasOp, fusedConv2dOp } from './fused-conv.js';
import { conv2dMaxPoolBackpropFilterBiasOp, fusedConv2dMaxPoolOp } from './fused-conv-pool.js';
import { gatherOp, scatterAddOp } from './gather.js';
import {
  type DecompositionOpName,
  decompositionComposites,
  decompositionPrimitives,
} from './linalg/decompositions.js';
import { linalgStructureOps } from './linalg/structure.js';
import { detOp, invOp, solveOp } from './linalg.js';
import { dot, matmulOp, outer } from './matmul.js';
import {
  avgPoolBackpropOp,
  avgPoolOp,
  conv2dBackpropFilterOp,
  conv2dBackpropInputOp,
  conv2dOp,
  maxPoolOp,
} from './nn.js';
import type { OpDef } from './op.js';
import { argOps, cumsumOp, logSumExp, mean, moments, norm, reduceOps, std, variance } from './reduce.js';
import {
  broadcastToOp,
  concatOp,
  expandDims,
  flipOp,
  pad,
  reshapeOp,
  sliceOp,
  split,
  squeeze,
  stack,
  tile,
  transposeOp,
  unsliceOp,
  unstack,
} from './shape.js';
import { type SoftmaxOpName, softmaxPrimitives } from './softmax.js';
import { unaryOps } from './unary.js';
import { whereOp } from './where.js';

// biome-ignore lint/suspicious/noExplicitAny: the registry holds ops with different attribute types.
type AnyOp = OpDef<any>;

export const primitives = {
  ...unaryOps,
  ...binaryOps,
  cast: castOp as AnyOp,
  where: whereOp as AnyOp,
  ...(reduceOps as Record<keyof typeof reduceOps, AnyOp>),
  ...(argOps as Record<keyof typeof argOps, AnyOp>),
  cumsum: cumsumOp as AnyOp,
  reshape: reshapeOp as AnyOp,
  transpose: transposeOp as AnyOp,
  broadcastTo: broadcastToOp as AnyOp,
  slice: sliceOp as AnyOp,
  unslice: unsliceOp as AnyOp,
  flip: flipOp as AnyOp,
  concat: concatOp as AnyOp,
  gather: gatherOp as AnyOp,
  scatterAdd: scatterAddOp as AnyOp,
  matmul: matmulOp as AnyOp,
  conv2d: conv2dOp as AnyOp,
  fusedConv2d: fusedConv2dOp as AnyOp,
  conv2dBackpropFilterBias: conv2dBackpropFilterBiasOp as AnyOp,
  fusedConv2dMaxPool: fusedConv2dMaxPoolOp as AnyOp,
  conv2dMaxPoolBackpropFilterBias: conv2dMaxPoolBackpropFilterBiasOp as AnyOp,
  conv2dBackpropInput: conv2dBackpropInputOp as AnyOp,
  conv2dBackpropFilter: conv2dBackpropFilterOp as AnyOp,
  maxPool: maxPoolOp as AnyOp,
  avgPool: avgPoolOp as AnyOp,
  avgPoolBackprop: avgPoolBackpropOp as AnyOp,
  inv: invOp as AnyOp,
  solve: solveOp as AnyOp,
  det: detOp as AnyOp,
  ...(decompositionPrimitives as Record<keyof typeof decompositionPrimitives, AnyOp>),
  ...(softmaxPrimitives as Record<SoftmaxOpName, AnyOp>),
};

export const composites = {
  relu6: activations.relu6,
  leakyRelu: activations.leakyRelu,
  elu: activations.elu,
  selu: activations.selu,
  gelu: activations.gelu,
  softplus: activations.softplus,
  softsign: activations.softsign,
  silu: activations.silu,
  squaredDifference,
  clipByValue,
  mean,
  variance,
  std,
  moments,
  logSumExp,
  norm,
  expandDims,
  squeeze,
  stack,
  unstack,
  split,
  tile,
  pad,
  dot,
  outer,
  einsum,
  ...linalgStructureOps,
  ...decompositionComposites,
};

export type PrimitiveName = keyof typeof primitives;
/** einsum and tf.linalg's structure functions (issue 3), checked in test/ops/checks/linalg-structure.ts. */
export type LinalgStructureOpName = 'einsum' | keyof typeof linalgStructureOps;
/** The softmax family and fused sparse cross-entropy, checked in test/ops/checks/softmax.ts. */
export type { SoftmaxOpName };
/** The ops of the core (issue 2); later groups add their own names (and exclude them here). */
export type CoreOpName = Exclude<
  PrimitiveName | keyof typeof composites,
  LinalgStructureOpName | DecompositionOpName | SoftmaxOpName
>;
export type CompositeName = keyof typeof composites;
export type OpName = PrimitiveName | CompositeName;
