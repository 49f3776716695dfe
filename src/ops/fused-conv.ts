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
import { reluBackprop } from './binary.js';
import { type Conv2DOptions, conv2dBackpropFilterOp, conv2dBackpropInputOp, conv2dGeometryOf } from './nn.js';
import { defineOp, type OpDef, runOp } from './op.js';
import { sum } from './reduce.js';
import { describeTensor } from './util.js';

interface FusedConvAttrs {
  g: Conv2DGeometry;
  activation: FusedActivation;
}

export const fusedConv2dOp: OpDef<FusedConvAttrs> = defineOp<FusedConvAttrs>({
  name: 'fusedConv2d',
  infer: ([x], { g }) => ({ shape: [g.batch, g.outHeight, g.outWidth, g.outChannels], dtype: x!.dtype }),
  kernel: (backend, [x, f, b], { g, activation }, out) =>
    new Tensor(backend.conv2dBiasActivation(x!, f!, b!, g, activation), out.shape, out.dtype),
  grad: (dy, { inputs, output, attrs }, needs) => {
    // relu'(z) is step(z), and z > 0 exactly where the output y = relu(z) is.
    const dz = attrs.activation === 'relu' ? reluBackprop(dy, output) : dy;
    const { g } = attrs;
    return [
      needs[0] ? runOp(conv2dBackpropInputOp, [dz, inputs[1]!], { g }) : null,
      needs[1] ? runOp(conv2dBackpropFilterOp, [inputs[0]!, dz], { g }) : null,
      needs[2] ? sum(dz, [0, 1, 2]) : null,
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

/** activation(conv2d(x, filter) + bias) in one pass, as tfjs's tf.fused.conv2d. */
export function fusedConv2d(args: FusedConv2DArgs): Tensor {
  const { g, x, filter } = conv2dGeometryOf('fused.conv2d', args.x, args.filter, args);
  const activation = args.activation ?? 'linear';
  if (activation !== 'linear' && activation !== 'relu') {
    throw new RangeError(
      `fused.conv2d: activation must be 'linear' or 'relu', got ${JSON.stringify(activation)}`,
    );
  }
  const bias = toTensor(
    args.bias ?? new Tensor(new Float64Array(g.outChannels), [g.outChannels], 'float64'),
    'fused.conv2d',
    x.dtype,
  );
  const b = bias.dtype === x.dtype ? bias : bias.cast(x.dtype);
  if (b.rank !== 1 || b.shape[0] !== g.outChannels) {
    throw new RangeError(
      `fused.conv2d: expected a bias of shape [${g.outChannels}] for filter ${formatShape(filter.shape)}, got ${describeTensor(b)}`,
    );
  }
  return runOp(fusedConv2dOp, [x, filter, b], { g, activation });
}
