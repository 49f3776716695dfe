import { conv2dGeometry } from '../../../src/backend/js/conv.js';
import { pool2dGeometry } from '../../../src/backend/js/pool.js';
import * as tf from '../../../src/index.js';
import { reluBackprop } from '../../../src/ops/binary.js';
import { conv2dBackpropFilterBiasOp } from '../../../src/ops/fused-conv.js';
import {
  conv2dMaxPoolBackpropFilterBiasOp,
  fusedConv2dMaxPoolOp,
  pooledWinners,
  poolOverConv,
} from '../../../src/ops/fused-conv-pool.js';
import { avgPoolBackpropOp, conv2dBackpropFilterOp, conv2dBackpropInputOp } from '../../../src/ops/nn.js';
import { runOp } from '../../../src/ops/op.js';
import type { CoreOpName } from '../../../src/ops/registry.js';
import { unslice } from '../../../src/ops/shape.js';
import { binary, boolInput, type Check, notDiff, rand, unary, wellConditioned, x23 } from './support.js';

// Fixed weights that make shape ops' outputs position-dependent (drawn once: f must be deterministic).
const W234 = rand([2, 3, 4]);
const W47 = rand([4, 7]);
const W213 = rand([2, 1, 3]);
const W23 = rand([2, 3]);
const W49 = rand([4, 9]);
const convInput = () => [rand([2, 6, 6, 2]), rand([3, 3, 2, 3])];
const convGeom = conv2dGeometry('conv2d', [2, 6, 6, 2], 3, 3, 3, [2, 2], 'same', [1, 1]);
const poolGeom = pool2dGeometry('avgPool', [1, 5, 5, 2], [3, 3], [2, 2], 'same');
// conv 3x3 'same' over [2, 5, 5, 2] -> [2, 5, 5, 3], then overlapping 3x3 windows, stride 2 -> [2, 3, 3, 3]
const convPoolGeom = conv2dGeometry('conv2d', [2, 5, 5, 2], 3, 3, 3, [1, 1], 'same', [1, 1]);
const convPoolPool = poolOverConv('maxPool', convPoolGeom, [3, 3], [2, 2], 'same');
// Winners of one forward pass, fixed for the gradient op's check (its inputs are x, dy and the output)
const convPoolWinners = pooledWinners(
  runOp(fusedConv2dMaxPoolOp, [rand([2, 5, 5, 2]), rand([3, 3, 2, 3]), rand([3])], {
    g: convPoolGeom,
    pool: convPoolPool,
    activation: 'relu',
  }),
)!;

export const coreChecks: Record<CoreOpName, Check> = {
  // ---- unary primitives
  neg: unary((x) => x.neg()),
  abs: unary((x) => x.abs(), 0.2, 1, true),
  sign: unary((x) => x.sign(), 0.2, 1, true),
  exp: unary((x) => x.exp()),
  expm1: unary((x) => x.expm1()),
  log: unary((x) => x.log(), 0.2, 2),
  log1p: unary((x) => x.log1p(), -0.5, 2),
  sqrt: unary((x) => x.sqrt(), 0.2, 2),
  rsqrt: unary((x) => x.rsqrt(), 0.2, 2),
  square: unary((x) => x.square()),
  reciprocal: unary((x) => x.reciprocal(), 0.3, 2, true),
  sin: unary((x) => x.sin(), -3, 3),
  cos: unary((x) => x.cos(), -3, 3),
  tan: unary((x) => x.tan(), -1.2, 1.2),
  asin: unary((x) => x.asin(), -0.8, 0.8),
  acos: unary((x) => x.acos(), -0.8, 0.8),
  atan: unary((x) => x.atan(), -3, 3),
  sinh: unary((x) => x.sinh(), -2, 2),
  cosh: unary((x) => x.cosh(), -2, 2),
  tanh: unary((x) => x.tanh(), -2, 2),
  asinh: unary((x) => tf.asinh(x), -2, 2),
  acosh: unary((x) => tf.acosh(x), 1.2, 3),
  atanh: unary((x) => tf.atanh(x), -0.8, 0.8),
  sigmoid: unary((x) => x.sigmoid(), -3, 3),
  relu: unary((x) => x.relu(), 0.1, 1, true),
  erf: unary((x) => x.erf(), -2, 2),
  step: notDiff((x) => tf.step(x)),
  floor: notDiff((x) => x.floor()),
  ceil: notDiff((x) => x.ceil()),
  round: notDiff((x) => x.round()),
  isNaN: notDiff((x) => x.isNaN()),
  isFinite: notDiff((x) => x.isFinite()),
  isInf: notDiff((x) => tf.isInf(x)),
  logicalNot: notDiff((c) => c.logicalNot(), boolInput),
  stopGradient: notDiff((x) => tf.stopGradient(x)),
  // ---- binary primitives (broadcasting [3,1] with [1,4] unless noted)
  add: binary((a, b) => a.add(b)),
  sub: binary((a, b) => a.sub(b), [2, 3, 4], [4]),
  mul: binary((a, b) => a.mul(b)),
  div: binary((a, b) => a.div(b.abs().add(0.5)), [2, 3, 4], [4]),
  pow: binary((a, b) => a.pow(b), [3, 1], [1, 4], [0.3, 2]),
  maximum: binary((a, b) => a.maximum(b)),
  minimum: binary((a, b) => a.minimum(b), [2, 3, 4], [4]),
  mod: binary((a, b) => a.add(2.5).mod(b.add(2)), [3, 1], [1, 4], [0.05, 0.45]),
  atan2: binary((a, b) => a.atan2(b)),
  floorDiv: notDiff(
    (a, b) => a.floorDiv(b.add(2)),
    () => [rand([3]), rand([3])],
  ),
  equal: notDiff(
    (a, b) => a.equal(b),
    () => [rand([3]), rand([3])],
  ),
  notEqual: notDiff(
    (a, b) => a.notEqual(b),
    () => [rand([3]), rand([3])],
  ),
  less: notDiff(
    (a, b) => a.less(b),
    () => [rand([3]), rand([3])],
  ),
  lessEqual: notDiff(
    (a, b) => a.lessEqual(b),
    () => [rand([3]), rand([3])],
  ),
  greater: notDiff(
    (a, b) => a.greater(b),
    () => [rand([3]), rand([3])],
  ),
  greaterEqual: notDiff(
    (a, b) => a.greaterEqual(b),
    () => [rand([3]), rand([3])],
  ),
  logicalAnd: notDiff(
    (a, b) => a.logicalAnd(b),
    () => [rand([3]).greater(0), rand([3]).greater(0)],
  ),
  logicalOr: notDiff(
    (a, b) => a.logicalOr(b),
    () => [rand([3]).greater(0), rand([3]).greater(0)],
  ),
  logicalXor: notDiff(
    (a, b) => a.logicalXor(b),
    () => [rand([3]).greater(0), rand([3]).greater(0)],
  ),
  reluBackprop: {
    // x kept away from relu's kink (|x| in [0.2, 1], either sign), where it is differentiable (as 0)
    inputs: () => [rand([3, 4]), rand([3, 4], 0.2, 1, true)],
    fn: (dy, x) => reluBackprop(dy, x).square(),
  },
  // ---- other primitives
  cast: {
    inputs: x23,
    fn: (x) => x.cast('float32').cast('float64'),
    eps: 1e-2,
    atol: 1e-4,
  },
  where: {
    inputs: () => [rand([2, 3]), rand([1, 3])],
    fn: (a, b) =>
      tf.where(
        tf.tensor([
          [true, false, true],
          [false, false, true],
        ]),
        a,
        b,
      ),
  },
  sum: { inputs: () => [rand([2, 3, 4])], fn: (x) => x.sum([0, 2], true) },
  prod: { inputs: () => [rand([3, 4], 0.3, 1.5, true)], fn: (x) => x.prod(1) },
  max: { inputs: () => [rand([3, 4])], fn: (x) => x.max(1, true) },
  min: { inputs: () => [rand([3, 4])], fn: (x) => x.min(0) },
  any: notDiff((c) => c.any(), boolInput),
  all: notDiff((c) => c.all(1), boolInput),
  argmax: notDiff((x) => x.argmax(1)),
  argmin: notDiff((x) => x.argmin(0)),
  cumsum: { inputs: () => [rand([3, 4])], fn: (x) => x.cumsum(1).add(x.cumsum(0, true, true)) },
  reshape: {
    inputs: () => [rand([2, 3, 4])],
    fn: (x) => x.reshape([6, -1]).mul(tf.range(0, 4, 1, 'float64')),
  },
  transpose: {
    inputs: () => [rand([2, 3, 4])],
    fn: (x) => x.transpose([2, 0, 1]).mul(tf.range(0, 3, 1, 'float64')),
  },
  broadcastTo: { inputs: () => [rand([3, 1])], fn: (x) => x.broadcastTo([2, 3, 4]).mul(W234) },
  slice: { inputs: () => [rand([2, 4, 5])], fn: (x) => x.slice([0, 1, 0], [-1, 2, -1], [1, 1, 2]) },
  unslice: { inputs: () => [rand([2, 3])], fn: (x) => unslice(x, [4, 7], [1, 0], [2, 3]).mul(W47) },
  flip: {
    inputs: () => [rand([2, 3])],
    fn: (x) => x.flip(1).mul(tf.tensor([1, 2, 3], { dtype: 'float64' })),
  },
  concat: { inputs: () => [rand([2, 3]), rand([2, 2])], fn: (a, b) => tf.concat([a, b], 1) },
  gather: { inputs: () => [rand([3, 4])], fn: (x) => x.gather(tf.tensor([2, 0, 2], { dtype: 'int32' }), 0) },
  scatterAdd: {
    inputs: () => [rand([3, 4])],
    fn: (u) => tf.scatterAdd(u, tf.tensor([1, 0, 1], { dtype: 'int32' }), 0, 2).square(),
  },
  matmul: {
    inputs: () => [rand([2, 3, 2]), rand([4, 3])],
    fn: (a, b) => tf.matmul(a, b, true, true).square(),
  },
  conv2d: {
    inputs: convInput,
    fn: (x, f) => tf.conv2d(x, f, { strides: 2, padding: 'same' }).square(),
  },
  fusedConv2d: {
    // relu's kink is where the finite differences break: a bias of 0.3 keeps most outputs away from it
    inputs: () => [rand([2, 5, 5, 2]), rand([3, 3, 2, 3]), rand([3])],
    fn: (x, f, b) =>
      tf.fused
        .conv2d({ x, filter: f, bias: b.add(0.3), activation: 'relu', strides: 2, padding: 'same' })
        .square(),
  },
  conv2dBackpropFilterBias: {
    // x, dy and the relu output the gradient is masked by (kept away from 0, either sign)
    inputs: () => [rand([2, 6, 6, 2]), rand([2, 3, 3, 3]), rand([2, 3, 3, 3], 0.2, 1, true)],
    fn: (x, dy, y) => runOp(conv2dBackpropFilterBiasOp, [x, dy, y], { g: convGeom, relu: true }).square(),
  },
  fusedConv2dMaxPool: {
    inputs: () => [rand([2, 5, 5, 2]), rand([3, 3, 2, 3]), rand([3])],
    fn: (x, f, b) =>
      tf.fused
        .conv2dMaxPool({
          x,
          filter: f,
          bias: b.add(0.3),
          activation: 'relu',
          padding: 'same',
          poolSize: 3,
          poolStrides: 2,
          poolPadding: 'same',
        })
        .square(),
  },
  conv2dMaxPoolBackpropFilterBias: {
    // x, the pooled gradient and the pooled output that masks it (kept away from 0, either sign)
    inputs: () => [rand([2, 5, 5, 2]), rand([2, 3, 3, 3]), rand([2, 3, 3, 3], 0.2, 1, true)],
    fn: (x, dy, y) =>
      runOp(conv2dMaxPoolBackpropFilterBiasOp, [x, dy, y, tf.tensor(convPoolWinners, undefined, 'int32')], {
        g: convPoolGeom,
        pool: convPoolPool,
        relu: true,
      }).square(),
  },
  conv2dBackpropInput: {
    inputs: () => [rand([2, 3, 3, 3]), rand([3, 3, 2, 3])],
    fn: (dy, f) => runOp(conv2dBackpropInputOp, [dy, f], { g: convGeom }).square(),
  },
  conv2dBackpropFilter: {
    inputs: () => [rand([2, 6, 6, 2]), rand([2, 3, 3, 3])],
    fn: (x, dy) => runOp(conv2dBackpropFilterOp, [x, dy], { g: convGeom }).square(),
  },
  maxPool: {
    inputs: () => [rand([1, 5, 5, 2])],
    fn: (x) => tf.maxPool(x, 3, 2, 'same').square(),
  },
  avgPool: { inputs: () => [rand([1, 5, 5, 2])], fn: (x) => tf.avgPool(x, 3, 2, 'same').square() },
  avgPoolBackprop: {
    inputs: () => [rand([1, 3, 3, 2])],
    fn: (dy) => runOp(avgPoolBackpropOp, [dy], { g: poolGeom }).square(),
  },
  inv: { inputs: () => [wellConditioned(3, [2])], fn: (a) => tf.linalg.inv(a) },
  solve: { inputs: () => [wellConditioned(3), rand([3, 2])], fn: (a, b) => tf.linalg.solve(a, b) },
  det: { inputs: () => [wellConditioned(3, [2])], fn: (a) => tf.linalg.det(a) },
  // ---- composites
  relu6: {
    inputs: () => [tf.concat([rand([3], 0.5, 5.5), rand([3], -3, -0.5), rand([3], 6.5, 8)])],
    fn: (x) => tf.relu6(x),
  },
  leakyRelu: unary((x) => tf.leakyRelu(x, 0.2), 0.1, 1, true),
  elu: unary((x) => tf.elu(x), 0.1, 1, true),
  selu: unary((x) => tf.selu(x), 0.1, 1, true),
  gelu: unary((x) => tf.gelu(x).add(tf.gelu(x, true)), -3, 3),
  softplus: unary((x) => tf.softplus(x), -3, 3),
  softsign: unary((x) => tf.softsign(x), 0.1, 2, true),
  silu: unary((x) => tf.silu(x), -3, 3),
  squaredDifference: binary((a, b) => tf.squaredDifference(a, b)),
  clipByValue: {
    inputs: () => [tf.concat([rand([3], -0.4, 0.4), rand([2], 0.6, 1), rand([2], -1, -0.6)])],
    fn: (x) => tf.clipByValue(x, -0.5, 0.5),
  },
  mean: { inputs: () => [rand([2, 3, 4])], fn: (x) => x.mean([0, 2]) },
  variance: {
    inputs: () => [rand([3, 4])],
    fn: (x) => tf.variance(x, 1).add(tf.variance(x, 0, true, 1).sum()),
  },
  std: { inputs: () => [rand([3, 4])], fn: (x) => tf.std(x, 0, false, 1) },
  moments: {
    inputs: () => [rand([4, 3])],
    fn: (x) => {
      const { mean, variance } = tf.moments(x, 0);
      return mean.mul(variance);
    },
  },
  logSumExp: { inputs: () => [rand([3, 4], -3, 3)], fn: (x) => tf.logSumExp(x, 1) },
  norm: {
    inputs: () => [rand([3, 4], 0.2, 1, true)],
    fn: (x) =>
      tf
        .norm(x)
        .add(tf.norm(x, 1, 1).sum())
        .add(tf.norm(x, 3, 0).sum())
        .add(tf.norm(x, Infinity)),
  },
  expandDims: { inputs: x23, fn: (x) => tf.expandDims(x, 1).mul(W213) },
  squeeze: { inputs: () => [rand([2, 1, 3])], fn: (x) => tf.squeeze(x).mul(W23) },
  stack: { inputs: () => [rand([2, 3]), rand([2, 3])], fn: (a, b) => tf.stack([a, b], -1).square() },
  unstack: { inputs: x23, fn: (x) => tf.unstack(x, 1)[2]!.square() },
  split: { inputs: () => [rand([2, 6])], fn: (x) => tf.split(x, [1, -1, 2], 1)[1]!.square() },
  tile: { inputs: x23, fn: (x) => tf.tile(x, [2, 3]).mul(W49) },
  pad: {
    inputs: x23,
    fn: (x) =>
      tf
        .pad(
          x,
          [
            [1, 0],
            [2, 1],
          ],
          3,
        )
        .square(),
  },
  dot: { inputs: () => [rand([4]), rand([4])], fn: (a, b) => tf.dot(a, b) },
  outer: { inputs: () => [rand([3]), rand([4])], fn: (a, b) => tf.outer(a, b) },
};
