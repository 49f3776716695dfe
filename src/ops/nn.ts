import type { Conv2DGeometry } from '../backend/backend.js';
import { isFloat } from '../backend/dtype.js';
import { type Conv2DPadding, conv2dGeometry } from '../backend/js/conv.js';
import { pool2dGeometry } from '../backend/js/pool.js';
import { type TensorLike, toTensor } from '../tensor/convert.js';
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { div, greaterEqual, mul } from './binary.js';
import { cast } from './cast.js';
import { scatterAdd, trustIndices } from './gather.js';
import { defineOp, type OpDef, runOp } from './op.js';
import { reshape } from './shape.js';
import { noteSideOutput } from './trace.js';
import { describeTensor } from './util.js';

export { logSoftmax, softmax, sparseSoftmaxCrossEntropyWithLogits } from './softmax.js';

// ---------------------------------------------------------------- convolution

type Pair = [number, number];

export function pair(opName: string, name: string, v: number | readonly number[]): Pair {
  const p = typeof v === 'number' ? [v, v] : [...v];
  if (p.length !== 2 || p.some((k) => !Number.isInteger(k) || k < 1)) {
    throw new RangeError(
      `${opName}: ${name} must be a positive integer or a pair of them, got ${JSON.stringify(v)}`,
    );
  }
  return p as Pair;
}

interface GeometryAttrs {
  g: Conv2DGeometry;
}

export const conv2dOp: OpDef<GeometryAttrs> = defineOp<GeometryAttrs>({
  name: 'conv2d',
  infer: ([x], { g }) => ({ shape: [g.batch, g.outHeight, g.outWidth, g.outChannels], dtype: x!.dtype }),
  kernel: (backend, [x, f], { g }, out) => new Tensor(backend.conv2d(x!, f!, g), out.shape, out.dtype),
  grad: (dy, { inputs, attrs }, needs) => [
    needs[0] ? runOp(conv2dBackpropInputOp, [dy, inputs[1]!], attrs) : null,
    needs[1] ? runOp(conv2dBackpropFilterOp, [inputs[0]!, dy], attrs) : null,
  ],
});

/** dx = the transposed convolution of dy with the filter. Linear in both, so its own gradients are convolutions. */
export const conv2dBackpropInputOp: OpDef<GeometryAttrs> = defineOp<GeometryAttrs>({
  name: 'conv2dBackpropInput',
  infer: ([dy], { g }) => ({ shape: [g.batch, g.inHeight, g.inWidth, g.inChannels], dtype: dy!.dtype }),
  kernel: (backend, [dy, f], { g }, out) =>
    new Tensor(backend.conv2dBackpropInput(dy!, f!, g), out.shape, out.dtype),
  grad: (ddx, { inputs, attrs }, needs) => [
    needs[0] ? runOp(conv2dOp, [ddx, inputs[1]!], attrs) : null,
    needs[1] ? runOp(conv2dBackpropFilterOp, [ddx, inputs[0]!], attrs) : null,
  ],
});

export const conv2dBackpropFilterOp: OpDef<GeometryAttrs> = defineOp<GeometryAttrs>({
  name: 'conv2dBackpropFilter',
  infer: ([x], { g }) => ({
    shape: [g.filterHeight, g.filterWidth, g.inChannels, g.outChannels],
    dtype: x!.dtype,
  }),
  kernel: (backend, [x, dy], { g }, out) =>
    new Tensor(backend.conv2dBackpropFilter(x!, dy!, g), out.shape, out.dtype),
  grad: (ddf, { inputs, attrs }, needs) => [
    needs[0] ? runOp(conv2dBackpropInputOp, [inputs[1]!, ddf], attrs) : null,
    needs[1] ? runOp(conv2dOp, [inputs[0]!, ddf], attrs) : null,
  ],
});

export interface Conv2DOptions {
  strides?: number | readonly number[];
  padding?: Conv2DPadding;
  dilations?: number | readonly number[];
}

/** Checks conv2d's operands (naming `opName` in errors) and computes the geometry. */
export function conv2dGeometryOf(
  opName: string,
  x: TensorLike,
  filter: TensorLike,
  options: Conv2DOptions,
): { g: Conv2DGeometry; x: Tensor; filter: Tensor } {
  const tx = toTensor(x, opName);
  const tf = toTensor(filter, opName, tx.dtype);
  if (tx.rank !== 4 || tf.rank !== 4) {
    throw new RangeError(
      `${opName}: expected input [N,H,W,C] and filter [fh,fw,Cin,Cout] of rank 4, got ${formatShape(tx.shape)} and ${formatShape(tf.shape)}`,
    );
  }
  if (!isFloat(tx.dtype) || tx.dtype !== tf.dtype) {
    throw new TypeError(
      `${opName}: expected float tensors of one dtype, got ${describeTensor(tx)} and ${describeTensor(tf)}`,
    );
  }
  if (tx.shape[3] !== tf.shape[2]) {
    throw new RangeError(
      `${opName}: input has ${tx.shape[3]} channels but the filter expects ${tf.shape[2]} (input ${formatShape(tx.shape)}, filter ${formatShape(tf.shape)})`,
    );
  }
  const g = conv2dGeometry(
    opName,
    tx.shape,
    tf.shape[0]!,
    tf.shape[1]!,
    tf.shape[3]!,
    pair(opName, 'strides', options.strides ?? 1),
    options.padding ?? 'valid',
    pair(opName, 'dilations', options.dilations ?? 1),
  );
  return { g, x: tx, filter: tf };
}

/** 2-D cross-correlation, NHWC input [N,H,W,Cin] and HWIO filter [fh,fw,Cin,Cout], as tf.nn.conv2d. */
export function conv2d(x: TensorLike, filter: TensorLike, options: Conv2DOptions = {}): Tensor {
  const { g, x: tx, filter: tf } = conv2dGeometryOf('conv2d', x, filter, options);
  return runOp(conv2dOp, [tx, tf], { g });
}

// ---------------------------------------------------------------- pooling

export const maxPoolOp: OpDef<GeometryAttrs> = defineOp<GeometryAttrs>({
  name: 'maxPool',
  infer: ([x], { g }) => ({ shape: [g.batch, g.outHeight, g.outWidth, g.outChannels], dtype: x!.dtype }),
  kernel: (backend, [x], { g }, out) => {
    const { y, argmax } = backend.maxPool(x!, g);
    const t = new Tensor(y, out.shape, out.dtype);
    winners.set(t, argmax);
    noteSideOutput(argmax);
    return t;
  },
  // Route each output gradient to the input cell that won its window (accumulating where windows overlap).
  grad: (dy, { inputs, output }) => {
    const x = inputs[0]!;
    const argmax = winners.get(output)!;
    const idx = trustIndices(new Tensor(argmax, [argmax.length], 'int32'), x.size);
    return [reshape(scatterAdd(reshape(dy, [dy.size]), idx, 0, x.size), x.shape)];
  },
});

/** The winning input index of every max-pool output, kept for the gradient. */
const winners = new WeakMap<Tensor, Int32Array>();

export const avgPoolOp: OpDef<GeometryAttrs> = defineOp<GeometryAttrs>({
  name: 'avgPool',
  infer: ([x], { g }) => ({ shape: [g.batch, g.outHeight, g.outWidth, g.outChannels], dtype: x!.dtype }),
  kernel: (backend, [x], { g }, out) => new Tensor(backend.avgPool(x!, g), out.shape, out.dtype),
  grad: (dy, { attrs }) => [runOp(avgPoolBackpropOp, [dy], attrs)],
});

/** The adjoint of avgPool; its own gradient is avgPool again. */
export const avgPoolBackpropOp: OpDef<GeometryAttrs> = defineOp<GeometryAttrs>({
  name: 'avgPoolBackprop',
  infer: ([dy], { g }) => ({ shape: [g.batch, g.inHeight, g.inWidth, g.inChannels], dtype: dy!.dtype }),
  kernel: (backend, [dy], { g }, out) => new Tensor(backend.avgPoolBackprop(dy!, g), out.shape, out.dtype),
  grad: (ddx, { attrs }) => [runOp(avgPoolOp, [ddx], attrs)],
});

function poolInput(
  opName: string,
  x: TensorLike,
  poolSize: number | readonly number[],
  strides: number | readonly number[] | undefined,
  padding: Conv2DPadding,
) {
  const t = toTensor(x, opName);
  if (t.rank !== 4)
    throw new RangeError(`${opName}: expected an input [N,H,W,C] of rank 4, got ${formatShape(t.shape)}`);
  if (!isFloat(t.dtype)) throw new TypeError(`${opName}: expected a float tensor, got ${describeTensor(t)}`);
  const size = pair(opName, 'poolSize', poolSize);
  const g = pool2dGeometry(opName, t.shape, size, pair(opName, 'strides', strides ?? size), padding);
  return { t, g };
}

/** Max pooling over NHWC windows (strides default to the pool size, as Keras). */
export function maxPool(
  x: TensorLike,
  poolSize: number | readonly number[],
  strides?: number | readonly number[],
  padding: Conv2DPadding = 'valid',
): Tensor {
  const { t, g } = poolInput('maxPool', x, poolSize, strides, padding);
  return runOp(maxPoolOp, [t], { g });
}

export function avgPool(
  x: TensorLike,
  poolSize: number | readonly number[],
  strides?: number | readonly number[],
  padding: Conv2DPadding = 'valid',
): Tensor {
  const { t, g } = poolInput('avgPool', x, poolSize, strides, padding);
  return runOp(avgPoolOp, [t], { g });
}

// ---------------------------------------------------------------- dropout

/**
 * Inverted dropout: zeroes each element with probability `rate` and scales the rest by 1/(1-rate).
 * The mask comes from the given uniform sample, so a seeded generator makes it reproducible.
 */
export function dropoutWithNoise(x: TensorLike, rate: number, uniformNoise: Tensor): Tensor {
  const t = toTensor(x, 'dropout');
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`dropout: rate must be in [0, 1), got ${rate}`);
  if (rate === 0) return t;
  const keep = cast(greaterEqual(uniformNoise, rate), t.dtype);
  return div(mul(t, keep), 1 - rate);
}
