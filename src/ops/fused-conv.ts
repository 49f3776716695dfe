/**
 * conv2d + bias + activation as one op (tf.fused.conv2d): the first layers of image models spend their
 * time writing activations, and the unfused chain writes the full [N, OH, OW, CO] tensor three times
 * (convolution, bias, relu) where this writes it once. The gradient is written with the unfused ops, so
 * it is differentiable again.
 */
import type { Conv2DGeometry, FusedActivation } from '../backend/backend.js';
import { type TensorLike, toTensor } from '../tensor/convert.js';
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { add, reluBackprop } from './binary.js';
import {
  type Conv2DOptions,
  conv2dBackpropFilterOp,
  conv2dBackpropInputOp,
  conv2dGeometryOf,
  conv2dOp,
} from './nn.js';
import { defineOp, type OpDef, runOp } from './op.js';
import { sum } from './reduce.js';
import { reshape, slice } from './shape.js';
import { describeTensor } from './util.js';

interface FusedConvAttrs {
  g: Conv2DGeometry;
  activation: FusedActivation;
}

/** Length of the packed [filter gradient, bias gradient] tensor of a convolution. */
export function filterBiasSize(g: Conv2DGeometry): number {
  return g.filterHeight * g.filterWidth * g.inChannels * g.outChannels + g.outChannels;
}

/** The filter [fh, fw, Cin, Cout] and bias [Cout] parts of a packed [filter, bias] tensor. */
export function unpackFilterBias(packed: Tensor, g: Conv2DGeometry): { filter: Tensor; bias: Tensor } {
  const k = filterBiasSize(g) - g.outChannels;
  return {
    filter: reshape(slice(packed, [0], [k]), [g.filterHeight, g.filterWidth, g.inChannels, g.outChannels]),
    bias: slice(packed, [k], [g.outChannels]),
  };
}

export const fusedConv2dOp: OpDef<FusedConvAttrs> = defineOp<FusedConvAttrs>({
  name: 'fusedConv2d',
  infer: ([x], { g }) => ({ shape: [g.batch, g.outHeight, g.outWidth, g.outChannels], dtype: x!.dtype }),
  kernel: (backend, [x, f, b], { g, activation }, out) =>
    new Tensor(backend.conv2dBiasActivation(x!, f!, b!, g, activation), out.shape, out.dtype),
  grad: (dy, { inputs, output, attrs }, needs) => {
    const { g } = attrs;
    const relu = attrs.activation === 'relu';
    if (!needs[0]) {
      // The usual case (a first layer, whose input needs no gradient): filter and bias gradients in one
      // pass over dy, without writing relu's masked gradient out.
      const packed = runOp(conv2dBackpropFilterBiasOp, [inputs[0]!, dy, output], { g, relu });
      const { filter, bias } = unpackFilterBias(packed, g);
      return [null, needs[1] ? filter : null, needs[2] ? bias : null];
    }
    // relu'(z) is step(z), and z > 0 exactly where the output y = relu(z) is.
    const dz = relu ? reluBackprop(dy, output) : dy;
    return [
      needs[0] ? runOp(conv2dBackpropInputOp, [dz, inputs[1]!], { g }) : null,
      needs[1] ? runOp(conv2dBackpropFilterOp, [inputs[0]!, dz], { g }) : null,
      needs[2] ? sum(dz, [0, 1, 2]) : null,
    ];
  },
});

interface FilterBiasAttrs {
  g: Conv2DGeometry;
  /** dy is masked by relu's output (inputs[2]) when true; inputs[2] is unused otherwise. */
  relu: boolean;
}

/**
 * [filter gradient, bias gradient] of conv2d + bias (+ relu) from x, dy and the layer's output, packed in
 * one flat tensor (one primitive, one pass). Linear in dy once the relu mask is fixed, so its own gradient
 * is a convolution of the incoming filter part plus the bias part, masked again.
 */
export const conv2dBackpropFilterBiasOp: OpDef<FilterBiasAttrs> = defineOp<FilterBiasAttrs>({
  name: 'conv2dBackpropFilterBias',
  infer: ([x], { g }) => ({ shape: [filterBiasSize(g)], dtype: x!.dtype }),
  kernel: (backend, [x, dy, y], { g, relu }, out) =>
    new Tensor(backend.conv2dBackpropFilterBias(x!, dy!, relu ? y! : null, g), out.shape, out.dtype),
  grad: (dOut, { inputs, attrs }, needs) => {
    const [x, dy, y] = inputs as [Tensor, Tensor, Tensor];
    const { g, relu } = attrs;
    const { filter: dFilter, bias: dBias } = unpackFilterBias(dOut, g);
    const mask = (t: Tensor) => (relu ? reluBackprop(t, y) : t);
    return [
      needs[0] ? runOp(conv2dBackpropInputOp, [mask(dy), dFilter], { g }) : null,
      needs[1] ? mask(add(runOp(conv2dOp, [x, dFilter], { g }), dBias)) : null,
      null,
    ];
  },
});

export interface FusedConv2DArgs extends Conv2DOptions {
  x: TensorLike;
  filter: TensorLike;
  /** [outChannels]; zeros when omitted. */
  bias?: TensorLike;
  activation?: FusedActivation;
}

/** Checks fused.conv2d's operands (naming `opName` in errors): the geometry and the bias in x's dtype. */
export function fusedConvOperands(opName: string, args: FusedConv2DArgs) {
  const { g, x, filter } = conv2dGeometryOf(opName, args.x, args.filter, args);
  const activation = args.activation ?? 'linear';
  if (activation !== 'linear' && activation !== 'relu') {
    throw new RangeError(
      `${opName}: activation must be 'linear' or 'relu', got ${JSON.stringify(activation)}`,
    );
  }
  const bias = toTensor(
    args.bias ?? new Tensor(new Float64Array(g.outChannels), [g.outChannels], 'float64'),
    opName,
    x.dtype,
  );
  const b = bias.dtype === x.dtype ? bias : bias.cast(x.dtype);
  if (b.rank !== 1 || b.shape[0] !== g.outChannels) {
    throw new RangeError(
      `${opName}: expected a bias of shape [${g.outChannels}] for filter ${formatShape(filter.shape)}, got ${describeTensor(b)}`,
    );
  }
  return { g, x, filter, bias: b, activation };
}

/** activation(conv2d(x, filter) + bias) in one pass, as tfjs's tf.fused.conv2d. */
export function fusedConv2d(args: FusedConv2DArgs): Tensor {
  const { g, x, filter, bias, activation } = fusedConvOperands('fused.conv2d', args);
  return runOp(fusedConv2dOp, [x, filter, bias], { g, activation });
}
