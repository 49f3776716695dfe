import type { DType } from '../backend/dtype.js';
import type { TensorLike } from '../tensor/convert.js';
import { Tensor } from '../tensor/tensor.js';
import * as act from './activations.js';
import * as bin from './binary.js';
import { cast } from './cast.js';
import { clipByValue } from './clip.js';
import { gather } from './gather.js';
import { det, inv } from './linalg.js';
import { dot, matmul, matrixTranspose } from './matmul.js';
import { logSoftmax, softmax } from './nn.js';
import type { Axis } from './reduce.js';
import * as red from './reduce.js';
import * as shp from './shape.js';
import * as un from './unary.js';
import { where } from './where.js';

/**
 * Chainable methods (`x.mul(x).add(1).sum()`), attached to Tensor here so that the tensor layer does
 * not depend on the ops layer. Each forwards to the function of the same name.
 */
declare module '../tensor/tensor.js' {
  interface Tensor {
    add(b: TensorLike): Tensor;
    sub(b: TensorLike): Tensor;
    subtract(b: TensorLike): Tensor;
    mul(b: TensorLike): Tensor;
    multiply(b: TensorLike): Tensor;
    div(b: TensorLike): Tensor;
    divide(b: TensorLike): Tensor;
    pow(b: TensorLike): Tensor;
    maximum(b: TensorLike): Tensor;
    minimum(b: TensorLike): Tensor;
    mod(b: TensorLike): Tensor;
    floorDiv(b: TensorLike): Tensor;
    atan2(b: TensorLike): Tensor;
    squaredDifference(b: TensorLike): Tensor;
    equal(b: TensorLike): Tensor;
    notEqual(b: TensorLike): Tensor;
    less(b: TensorLike): Tensor;
    lessEqual(b: TensorLike): Tensor;
    greater(b: TensorLike): Tensor;
    greaterEqual(b: TensorLike): Tensor;
    logicalAnd(b: TensorLike): Tensor;
    logicalOr(b: TensorLike): Tensor;
    logicalXor(b: TensorLike): Tensor;
    logicalNot(): Tensor;
    neg(): Tensor;
    abs(): Tensor;
    sign(): Tensor;
    exp(): Tensor;
    expm1(): Tensor;
    log(): Tensor;
    log1p(): Tensor;
    sqrt(): Tensor;
    rsqrt(): Tensor;
    square(): Tensor;
    reciprocal(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    tan(): Tensor;
    asin(): Tensor;
    acos(): Tensor;
    atan(): Tensor;
    sinh(): Tensor;
    cosh(): Tensor;
    tanh(): Tensor;
    sigmoid(): Tensor;
    relu(): Tensor;
    relu6(): Tensor;
    leakyRelu(alpha?: number): Tensor;
    elu(alpha?: number): Tensor;
    selu(): Tensor;
    gelu(approximate?: boolean): Tensor;
    softplus(): Tensor;
    softsign(): Tensor;
    erf(): Tensor;
    floor(): Tensor;
    ceil(): Tensor;
    round(): Tensor;
    isNaN(): Tensor;
    isFinite(): Tensor;
    clipByValue(min: number, max: number): Tensor;
    cast(dtype: DType): Tensor;
    sum(axis?: Axis, keepDims?: boolean): Tensor;
    mean(axis?: Axis, keepDims?: boolean): Tensor;
    max(axis?: Axis, keepDims?: boolean): Tensor;
    min(axis?: Axis, keepDims?: boolean): Tensor;
    prod(axis?: Axis, keepDims?: boolean): Tensor;
    any(axis?: Axis, keepDims?: boolean): Tensor;
    all(axis?: Axis, keepDims?: boolean): Tensor;
    argmax(axis?: number): Tensor;
    argmin(axis?: number): Tensor;
    logSumExp(axis?: Axis, keepDims?: boolean): Tensor;
    variance(axis?: Axis, keepDims?: boolean, correction?: number): Tensor;
    std(axis?: Axis, keepDims?: boolean, correction?: number): Tensor;
    norm(ord?: number | 'euclidean', axis?: Axis, keepDims?: boolean): Tensor;
    cumsum(axis?: number, exclusive?: boolean, reverse?: boolean): Tensor;
    matmul(b: TensorLike, transposeA?: boolean, transposeB?: boolean): Tensor;
    dot(b: TensorLike): Tensor;
    /** Matrix transpose (last two axes), as NumPy's `.T` for matrices. */
    readonly T: Tensor;
    transpose(perm?: readonly number[]): Tensor;
    reshape(shape: readonly number[]): Tensor;
    flatten(): Tensor;
    expandDims(axis?: number): Tensor;
    squeeze(axis?: number | readonly number[]): Tensor;
    slice(
      begin: number | readonly number[],
      size?: number | readonly number[],
      steps?: readonly number[],
    ): Tensor;
    gather(indices: TensorLike, axis?: number): Tensor;
    tile(reps: readonly number[]): Tensor;
    pad(paddings: readonly (readonly [number, number])[], constantValue?: number): Tensor;
    flip(axis?: number | readonly number[]): Tensor;
    broadcastTo(shape: readonly number[]): Tensor;
    split(numOrSizes: number | readonly number[], axis?: number): Tensor[];
    unstack(axis?: number): Tensor[];
    softmax(axis?: number): Tensor;
    logSoftmax(axis?: number): Tensor;
    where(cond: TensorLike, other: TensorLike): Tensor;
    inv(): Tensor;
    det(): Tensor;
  }
}

type Method = (this: Tensor, ...args: never[]) => unknown;
const methods: Record<string, Method> = {
  add(this: Tensor, b: TensorLike) {
    return bin.add(this, b);
  },
  sub(this: Tensor, b: TensorLike) {
    return bin.sub(this, b);
  },
  subtract(this: Tensor, b: TensorLike) {
    return bin.sub(this, b);
  },
  mul(this: Tensor, b: TensorLike) {
    return bin.mul(this, b);
  },
  multiply(this: Tensor, b: TensorLike) {
    return bin.mul(this, b);
  },
  div(this: Tensor, b: TensorLike) {
    return bin.div(this, b);
  },
  divide(this: Tensor, b: TensorLike) {
    return bin.div(this, b);
  },
  pow(this: Tensor, b: TensorLike) {
    return bin.pow(this, b);
  },
  maximum(this: Tensor, b: TensorLike) {
    return bin.maximum(this, b);
  },
  minimum(this: Tensor, b: TensorLike) {
    return bin.minimum(this, b);
  },
  mod(this: Tensor, b: TensorLike) {
    return bin.mod(this, b);
  },
  floorDiv(this: Tensor, b: TensorLike) {
    return bin.floorDiv(this, b);
  },
  atan2(this: Tensor, b: TensorLike) {
    return bin.atan2(this, b);
  },
  squaredDifference(this: Tensor, b: TensorLike) {
    return bin.squaredDifference(this, b);
  },
  equal(this: Tensor, b: TensorLike) {
    return bin.equal(this, b);
  },
  notEqual(this: Tensor, b: TensorLike) {
    return bin.notEqual(this, b);
  },
  less(this: Tensor, b: TensorLike) {
    return bin.less(this, b);
  },
  lessEqual(this: Tensor, b: TensorLike) {
    return bin.lessEqual(this, b);
  },
  greater(this: Tensor, b: TensorLike) {
    return bin.greater(this, b);
  },
  greaterEqual(this: Tensor, b: TensorLike) {
    return bin.greaterEqual(this, b);
  },
  logicalAnd(this: Tensor, b: TensorLike) {
    return bin.logicalAnd(this, b);
  },
  logicalOr(this: Tensor, b: TensorLike) {
    return bin.logicalOr(this, b);
  },
  logicalXor(this: Tensor, b: TensorLike) {
    return bin.logicalXor(this, b);
  },
  logicalNot(this: Tensor) {
    return un.logicalNot(this);
  },
  relu6(this: Tensor) {
    return act.relu6(this);
  },
  leakyRelu(this: Tensor, alpha?: number) {
    return act.leakyRelu(this, alpha);
  },
  elu(this: Tensor, alpha?: number) {
    return act.elu(this, alpha);
  },
  selu(this: Tensor) {
    return act.selu(this);
  },
  gelu(this: Tensor, approximate?: boolean) {
    return act.gelu(this, approximate);
  },
  softplus(this: Tensor) {
    return act.softplus(this);
  },
  softsign(this: Tensor) {
    return act.softsign(this);
  },
  clipByValue(this: Tensor, lo: number, hi: number) {
    return clipByValue(this, lo, hi);
  },
  cast(this: Tensor, dtype: DType) {
    return cast(this, dtype);
  },
  sum(this: Tensor, axis?: Axis, keepDims?: boolean) {
    return red.sum(this, axis, keepDims);
  },
  mean(this: Tensor, axis?: Axis, keepDims?: boolean) {
    return red.mean(this, axis, keepDims);
  },
  max(this: Tensor, axis?: Axis, keepDims?: boolean) {
    return red.max(this, axis, keepDims);
  },
  min(this: Tensor, axis?: Axis, keepDims?: boolean) {
    return red.min(this, axis, keepDims);
  },
  prod(this: Tensor, axis?: Axis, keepDims?: boolean) {
    return red.prod(this, axis, keepDims);
  },
  any(this: Tensor, axis?: Axis, keepDims?: boolean) {
    return red.any(this, axis, keepDims);
  },
  all(this: Tensor, axis?: Axis, keepDims?: boolean) {
    return red.all(this, axis, keepDims);
  },
  argmax(this: Tensor, axis?: number) {
    return red.argmax(this, axis);
  },
  argmin(this: Tensor, axis?: number) {
    return red.argmin(this, axis);
  },
  logSumExp(this: Tensor, axis?: Axis, keepDims?: boolean) {
    return red.logSumExp(this, axis, keepDims);
  },
  variance(this: Tensor, axis?: Axis, keepDims?: boolean, c?: number) {
    return red.variance(this, axis, keepDims, c);
  },
  std(this: Tensor, axis?: Axis, keepDims?: boolean, c?: number) {
    return red.std(this, axis, keepDims, c);
  },
  norm(this: Tensor, ord?: number | 'euclidean', axis?: Axis, keepDims?: boolean) {
    return red.norm(this, ord, axis, keepDims);
  },
  cumsum(this: Tensor, axis?: number, exclusive?: boolean, reverse?: boolean) {
    return red.cumsum(this, axis, exclusive, reverse);
  },
  matmul(this: Tensor, b: TensorLike, ta?: boolean, tb?: boolean) {
    return matmul(this, b, ta, tb);
  },
  dot(this: Tensor, b: TensorLike) {
    return dot(this, b);
  },
  transpose(this: Tensor, perm?: readonly number[]) {
    return shp.transpose(this, perm);
  },
  reshape(this: Tensor, shape: readonly number[]) {
    return shp.reshape(this, shape);
  },
  flatten(this: Tensor) {
    return shp.reshape(this, [this.size]);
  },
  expandDims(this: Tensor, axis?: number) {
    return shp.expandDims(this, axis);
  },
  squeeze(this: Tensor, axis?: number | readonly number[]) {
    return shp.squeeze(this, axis);
  },
  slice(
    this: Tensor,
    begin: number | readonly number[],
    size?: number | readonly number[],
    steps?: readonly number[],
  ) {
    return shp.slice(this, begin, size, steps);
  },
  gather(this: Tensor, indices: TensorLike, axis?: number) {
    return gather(this, indices, axis);
  },
  tile(this: Tensor, reps: readonly number[]) {
    return shp.tile(this, reps);
  },
  pad(this: Tensor, paddings: readonly (readonly [number, number])[], c?: number) {
    return shp.pad(this, paddings, c);
  },
  flip(this: Tensor, axis?: number | readonly number[]) {
    return shp.flip(this, axis);
  },
  broadcastTo(this: Tensor, shape: readonly number[]) {
    return shp.broadcastTo(this, shape);
  },
  split(this: Tensor, n: number | readonly number[], axis?: number) {
    return shp.split(this, n, axis);
  },
  unstack(this: Tensor, axis?: number) {
    return shp.unstack(this, axis);
  },
  softmax(this: Tensor, axis?: number) {
    return softmax(this, axis);
  },
  logSoftmax(this: Tensor, axis?: number) {
    return logSoftmax(this, axis);
  },
  where(this: Tensor, cond: TensorLike, other: TensorLike) {
    return where(cond, this, other);
  },
  inv(this: Tensor) {
    return inv(this);
  },
  det(this: Tensor) {
    return det(this);
  },
} as unknown as Record<string, Method>;

for (const name of [
  'neg',
  'abs',
  'sign',
  'exp',
  'expm1',
  'log',
  'log1p',
  'sqrt',
  'rsqrt',
  'square',
  'reciprocal',
  'sin',
  'cos',
  'tan',
  'asin',
  'acos',
  'atan',
  'sinh',
  'cosh',
  'tanh',
  'sigmoid',
  'relu',
  'erf',
  'floor',
  'ceil',
  'round',
  'isNaN',
  'isFinite',
] as const) {
  const fn = un[name] as (x: Tensor) => Tensor;
  methods[name] = function (this: Tensor) {
    return fn(this);
  } as Method;
}

for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true });
}
Object.defineProperty(Tensor.prototype, 'T', {
  get(this: Tensor) {
    return matrixTranspose(this);
  },
  configurable: true,
});
