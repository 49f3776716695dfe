/**
 * conv2d + bias + activation followed by max pooling, as one op. A first convolution layer's output is
 * the largest tensor of a small CNN (64 x 26 x 26 x 32 floats = 5.5 MB for a batch of Fashion-MNIST),
 * written once and read back by the pooling, then its gradient written and read again. Fused, a backend
 * computes only the few convolution rows under each pooled row, in cache, and the filter and bias
 * gradients come from the pooled gradient and the winners' positions: the large tensor never exists.
 * The gradients are written with other ops, so they are differentiable again.
 */
import type { Conv2DGeometry, FusedActivation } from '../backend/backend.js';
import { pool2dGeometry } from '../backend/js/pool.js';
import { Tensor } from '../tensor/tensor.js';
import { add, reluBackprop } from './binary.js';
import { type FusedConv2DArgs, filterBiasSize, fusedConvOperands, unpackFilterBias } from './fused-conv.js';
import { gather, scatterAdd, trustIndices } from './gather.js';
import { conv2dBackpropFilterOp, conv2dBackpropInputOp, conv2dOp, pair } from './nn.js';
import { defineOp, type OpDef, runOp } from './op.js';
import { sum } from './reduce.js';
import { reshape } from './shape.js';
import { noteSideOutput } from './trace.js';

interface ConvPoolAttrs {
  /** The convolution's geometry. */
  g: Conv2DGeometry;
  /** The pooling's geometry over the convolution's output [N, OH, OW, CO]. */
  pool: Conv2DGeometry;
  activation: FusedActivation;
}

/** Per pooled output, the flat index of its winner in the (unwritten) convolution output. */
const convWinners = new WeakMap<Tensor, Int32Array>();

/** The winners recorded for a fusedConv2dMaxPool output (for tests and the gradient). */
export function pooledWinners(pooled: Tensor): Int32Array | undefined {
  return convWinners.get(pooled);
}

const convSize = (g: Conv2DGeometry) => g.batch * g.outHeight * g.outWidth * g.outChannels;

/** The convolution output's gradient: each pooled gradient added at its window's winner. */
function routeToWinners(dPooled: Tensor, winners: Int32Array, g: Conv2DGeometry): Tensor {
  const n = convSize(g);
  const idx = trustIndices(new Tensor(winners, [winners.length], 'int32'), n);
  return reshape(scatterAdd(reshape(dPooled, [dPooled.size]), idx, 0, n), [
    g.batch,
    g.outHeight,
    g.outWidth,
    g.outChannels,
  ]);
}

export const fusedConv2dMaxPoolOp: OpDef<ConvPoolAttrs> = defineOp<ConvPoolAttrs>({
  name: 'fusedConv2dMaxPool',
  infer: ([x], { pool }) => ({
    shape: [pool.batch, pool.outHeight, pool.outWidth, pool.outChannels],
    dtype: x!.dtype,
  }),
  kernel: (backend, [x, f, b], { g, pool, activation }, out) => {
    const { y, argmax } = backend.conv2dBiasActivationMaxPool(x!, f!, b!, g, activation, pool);
    const t = new Tensor(y, out.shape, out.dtype);
    convWinners.set(t, argmax);
    noteSideOutput(argmax);
    return t;
  },
  grad: (dy, { inputs, output, attrs }, needs) => {
    const { g, pool } = attrs;
    const relu = attrs.activation === 'relu';
    const winners = convWinners.get(output)!;
    if (!needs[0]) {
      // A first layer: filter and bias gradients straight from the pooled gradient.
      const packed = runOp(
        conv2dMaxPoolBackpropFilterBiasOp,
        [inputs[0]!, dy, output, winnerTensor(winners)],
        {
          g,
          pool,
          relu,
        },
      );
      const { filter, bias } = unpackFilterBias(packed, g);
      return [null, needs[1] ? filter : null, needs[2] ? bias : null];
    }
    // relu'(z) is 1 exactly where the winner's output, the pooled output, is > 0.
    const dz = routeToWinners(relu ? reluBackprop(dy, output) : dy, winners, g);
    return [
      runOp(conv2dBackpropInputOp, [dz, inputs[1]!], { g }),
      needs[1] ? runOp(conv2dBackpropFilterOp, [inputs[0]!, dz], { g }) : null,
      needs[2] ? sum(dz, [0, 1, 2]) : null,
    ];
  },
});

interface ConvPoolGradAttrs {
  g: Conv2DGeometry;
  pool: Conv2DGeometry;
  /** The pooled gradient counts only where the pooled output (inputs[2]) is > 0; inputs[2] is unused otherwise. */
  relu: boolean;
}

/** The forward pass's winners as an int32 tensor (an input of the gradient op, not an attribute). */
function winnerTensor(winners: Int32Array): Tensor {
  return new Tensor(winners, [winners.length], 'int32');
}

/**
 * [filter gradient, bias gradient] of fusedConv2dMaxPool from x, the pooled gradient and the pooled
 * output, packed in one flat tensor. With dz the pooled gradient routed to the winners (masked), it is
 * [conv2dBackpropFilter(x, dz), sum of dz]: linear in dz, so its own gradient is a convolution of the
 * incoming filter part plus the bias part, read back at the winners.
 */
export const conv2dMaxPoolBackpropFilterBiasOp: OpDef<ConvPoolGradAttrs> = defineOp<ConvPoolGradAttrs>({
  name: 'conv2dMaxPoolBackpropFilterBias',
  infer: ([x], { g }) => ({ shape: [filterBiasSize(g)], dtype: x!.dtype }),
  kernel: (backend, [x, dy, y, winners], { g, pool, relu }, out) =>
    new Tensor(
      backend.conv2dMaxPoolBackpropFilterBias(
        x!,
        dy!,
        relu ? y! : null,
        winners!.storage as Int32Array,
        g,
        pool,
      ),
      out.shape,
      out.dtype,
    ),
  grad: (dOut, { inputs, attrs }, needs) => {
    const [x, dy, y, winnerIndices] = inputs as [Tensor, Tensor, Tensor, Tensor];
    const winners = winnerIndices.storage as Int32Array;
    const { g, relu } = attrs;
    const { filter: dFilter, bias: dBias } = unpackFilterBias(dOut, g);
    const mask = (t: Tensor) => (relu ? reluBackprop(t, y) : t);
    let dPooled: Tensor | null = null;
    if (needs[1]) {
      const dz = add(runOp(conv2dOp, [x, dFilter], { g }), dBias);
      const idx = trustIndices(new Tensor(winners, [winners.length], 'int32'), convSize(g));
      dPooled = mask(reshape(gather(reshape(dz, [dz.size]), idx, 0), dy.shape));
    }
    return [
      needs[0] ? runOp(conv2dBackpropInputOp, [routeToWinners(mask(dy), winners, g), dFilter], { g }) : null,
      dPooled,
      null,
      null,
    ];
  },
});

/** The pooling geometry over the output of the convolution `g` (strides default to the pool size). */
export function poolOverConv(
  opName: string,
  g: Conv2DGeometry,
  poolSize: readonly [number, number],
  strides: readonly [number, number],
  padding: 'valid' | 'same',
): Conv2DGeometry {
  return pool2dGeometry(
    opName,
    [g.batch, g.outHeight, g.outWidth, g.outChannels],
    poolSize,
    strides,
    padding,
  );
}

export interface FusedConv2DMaxPoolArgs extends FusedConv2DArgs {
  poolSize: number | readonly number[];
  /** Defaults to the pool size, as Keras. */
  poolStrides?: number | readonly number[];
  poolPadding?: 'valid' | 'same';
}

/**
 * maxPool(activation(conv2d(x, filter) + bias), poolSize, poolStrides, poolPadding) in one op, without
 * the convolution's output ever being written (see the file's comment).
 */
export function fusedConv2dMaxPool(args: FusedConv2DMaxPoolArgs): Tensor {
  const opName = 'fused.conv2dMaxPool';
  const { g, x, filter, bias, activation } = fusedConvOperands(opName, args);
  const size = pair(opName, 'poolSize', args.poolSize);
  const pool = poolOverConv(
    opName,
    g,
    size,
    pair(opName, 'poolStrides', args.poolStrides ?? size),
    args.poolPadding ?? 'valid',
  );
  return runOp(fusedConv2dMaxPoolOp, [x, filter, bias], { g, pool, activation });
}
