/**
 * Convolutions, channels last: Conv1D ([N, W, C]), Conv2D and DepthwiseConv2D ([N, H, W, C]),
 * Conv2DTranspose. Kernels have Keras's layouts: Conv2D (kh, kw, in, filters), Conv1D (k, in, filters),
 * Conv2DTranspose (kh, kw, filters, in), DepthwiseConv2D (kh, kw, in, multiplier).
 */
import { conv2dGeometry } from '../../backend/js/conv.js';
import { add } from '../../ops/binary.js';
import { type FusedConv2DArgs, fusedConv2d } from '../../ops/fused-conv.js';
import { conv2d, conv2dBackpropInputOp } from '../../ops/nn.js';
import { runOp } from '../../ops/op.js';
import { concat, expandDims, reshape, slice, squeeze } from '../../ops/shape.js';
import type { Variable } from '../../ops/variable.js';
import type { Tensor } from '../../tensor/tensor.js';
import { InputSpec } from '../engine/input-spec.js';
import { Layer, type LayerArgs } from '../engine/layer.js';
import {
  type Activation,
  type ActivationLike,
  activationName,
  type Initializer,
  type InitializerLike,
  initializers,
  type Regularizer,
  type RegularizerLike,
  regularizers,
  resolveActivation,
  resolveInitializer,
  resolveRegularizer,
} from '../engine/resolve.js';
import { declareKeepsNoTensors } from '../engine/step-memory.js';
import type { Dim, ShapeSpec } from '../engine/symbolic.js';
import { lastDim, requiredInt } from './core.js';

export type ConvPadding = 'valid' | 'same' | 'causal';

export interface ConvArgs extends LayerArgs {
  filters?: number;
  kernelSize?: number | readonly number[];
  strides?: number | readonly number[];
  padding?: ConvPadding;
  /** Only 'channelsLast' (Keras's channels_last) is supported. */
  dataFormat?: 'channelsLast';
  dilationRate?: number | readonly number[];
  activation?: ActivationLike | null;
  useBias?: boolean;
  kernelInitializer?: InitializerLike;
  biasInitializer?: InitializerLike;
  kernelRegularizer?: RegularizerLike | null;
  biasRegularizer?: RegularizerLike | null;
}

function tuple(
  owner: string,
  name: string,
  v: number | readonly number[] | undefined,
  rank: number,
  fallback: number,
): number[] {
  const value = v ?? fallback;
  const list = typeof value === 'number' ? new Array<number>(rank).fill(value) : [...value];
  if (list.length !== rank || list.some((k) => !Number.isInteger(k) || k < 1)) {
    throw new RangeError(
      `${owner}: ${name} must be a positive integer or ${rank} of them, got ${JSON.stringify(v)}`,
    );
  }
  return list;
}

/** Output length of a convolution axis, null when the input length is not known. */
export function convOutputLength(
  length: Dim,
  kernel: number,
  padding: ConvPadding,
  stride: number,
  dilation = 1,
): Dim {
  if (length === null) return null;
  const span = (kernel - 1) * dilation + 1;
  if (padding === 'same' || padding === 'causal') return Math.ceil(length / stride);
  return Math.floor((length - span) / stride) + 1;
}

/** What Conv1D, Conv2D, Conv2DTranspose and DepthwiseConv2D share: options, weights, bias and activation. */
abstract class BaseConv extends Layer {
  readonly rank: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: ConvPadding;
  readonly dilationRate: number[];
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  kernel: Variable | null = null;
  bias: Variable | null = null;

  constructor(rank: number, a: ConvArgs) {
    super(a);
    const owner = this.constructor.name;
    this.rank = rank;
    this.kernelSize = tuple(owner, 'kernelSize', a.kernelSize, rank, 0);
    this.strides = tuple(owner, 'strides', a.strides, rank, 1);
    this.dilationRate = tuple(owner, 'dilationRate', a.dilationRate, rank, 1);
    this.padding = a.padding ?? 'valid';
    if (!['valid', 'same', 'causal'].includes(this.padding) || (this.padding === 'causal' && rank !== 1)) {
      throw new RangeError(
        `${owner}: padding must be 'valid' or 'same'${rank === 1 ? " or 'causal'" : ''}, got '${String(this.padding)}'`,
      );
    }
    if (a.dataFormat !== undefined && a.dataFormat !== 'channelsLast') {
      throw new RangeError(
        `${owner}: only dataFormat 'channelsLast' is supported, got '${String(a.dataFormat)}'`,
      );
    }
    if (this.strides.some((s) => s > 1) && this.dilationRate.some((d) => d > 1)) {
      throw new RangeError(`${owner}: strides > 1 cannot be combined with dilationRate > 1`);
    }
    this.activation = resolveActivation(a.activation);
    this.useBias = a.useBias ?? true;
    this.kernelInitializer = resolveInitializer(a.kernelInitializer ?? 'glorotUniform');
    this.biasInitializer = resolveInitializer(a.biasInitializer ?? 'zeros');
    this.kernelRegularizer = resolveRegularizer(a.kernelRegularizer);
    this.biasRegularizer = resolveRegularizer(a.biasRegularizer);
    this.inputSpec = new InputSpec({ ndim: rank + 2 });
  }

  protected makeWeights(kernelShape: number[], biasSize: number, inChannels: number): void {
    this.kernel = this.addWeight('kernel', kernelShape, {
      initializer: this.kernelInitializer,
      regularizer: this.kernelRegularizer,
    });
    if (this.useBias) {
      this.bias = this.addWeight('bias', [biasSize], {
        initializer: this.biasInitializer,
        regularizer: this.biasRegularizer,
      });
    }
    this.inputSpec = new InputSpec({ ndim: this.rank + 2, axes: { [-1]: inChannels } });
    this.built = true;
  }

  protected finish(y: Tensor): Tensor {
    return this.activation(this.bias ? add(y, this.bias) : y);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      kernelSize: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      dataFormat: 'channelsLast',
      dilationRate: [...this.dilationRate],
      activation: activationName(this.activation),
      useBias: this.useBias,
      kernelInitializer: initializers.serialize(this.kernelInitializer),
      biasInitializer: initializers.serialize(this.biasInitializer),
      kernelRegularizer: this.kernelRegularizer && regularizers.serialize(this.kernelRegularizer),
      biasRegularizer: this.biasRegularizer && regularizers.serialize(this.biasRegularizer),
    };
  }
}

function convArgs(
  owner: string,
  filters: number | ConvArgs,
  kernelSize: number | readonly number[] | ConvArgs | undefined,
  args: ConvArgs,
): ConvArgs {
  if (typeof filters === 'object') return filters;
  if (typeof kernelSize === 'object' && !Array.isArray(kernelSize)) return { ...kernelSize, filters };
  if (kernelSize === undefined) throw new TypeError(`${owner}: kernelSize is required`);
  return { ...args, filters, kernelSize: kernelSize as number | readonly number[] };
}

/** 2-D convolution: `new Conv2D(32, 3, { activation: 'relu', padding: 'same' })`. */
export class Conv2D extends BaseConv {
  readonly filters: number;

  constructor(filters: number | ConvArgs, kernelSize?: number | readonly number[], args: ConvArgs = {}) {
    const a = convArgs('Conv2D', filters, kernelSize, args);
    super(2, a);
    this.filters = requiredInt('Conv2D', 'filters', a.filters);
  }

  override build(inputShape: ShapeSpec): void {
    const c = lastDim(this, inputShape, 'channel axis');
    this.makeWeights([...this.kernelSize, c, this.filters], this.filters, c);
  }

  override call(inputs: Tensor): Tensor {
    const options = {
      strides: this.strides,
      padding: this.padding as 'valid' | 'same',
      dilations: this.dilationRate,
    };
    const activation = activationName(this.activation);
    // Bias and relu in the convolution's own pass: one write of the output instead of three.
    if (this.bias && (activation === 'relu' || activation === 'linear')) {
      return fusedConv2d({ x: inputs, filter: this.kernel!, bias: this.bias, activation, ...options });
    }
    return this.finish(conv2d(inputs, this.kernel!, options));
  }

  /**
   * The operands of this layer's call as one fused convolution (bias, then relu or nothing) on `x`, or
   * null when the call is something else: a subclass (its call may differ), no bias, another
   * activation, an activity regularizer, or an input the layer's own checks should judge.
   */
  fusedCallArgs(x: Tensor): FusedConv2DArgs | null {
    const activation = activationName(this.activation);
    if (
      Object.getPrototypeOf(this) !== Conv2D.prototype ||
      !this.built ||
      !this.bias ||
      this.activityRegularizer ||
      (activation !== 'relu' && activation !== 'linear') ||
      x.dtype !== this.dtype ||
      x.rank !== 4 ||
      x.shape[3] !== this.kernel!.shape[2]
    ) {
      return null;
    }
    return {
      x,
      filter: this.kernel!,
      bias: this.bias,
      activation,
      strides: this.strides,
      padding: this.padding as 'valid' | 'same',
      dilations: this.dilationRate,
    };
  }

  override computeOutputShape(s: ShapeSpec): ShapeSpec {
    return [
      s[0] ?? null,
      convOutputLength(
        s[1] ?? null,
        this.kernelSize[0]!,
        this.padding,
        this.strides[0]!,
        this.dilationRate[0]!,
      ),
      convOutputLength(
        s[2] ?? null,
        this.kernelSize[1]!,
        this.padding,
        this.strides[1]!,
        this.dilationRate[1]!,
      ),
      this.filters,
    ];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), filters: this.filters };
  }
}

/** 1-D convolution over [N, steps, channels]; padding 'causal' looks only backwards in time. */
export class Conv1D extends BaseConv {
  readonly filters: number;

  constructor(filters: number | ConvArgs, kernelSize?: number | readonly number[], args: ConvArgs = {}) {
    const a = convArgs('Conv1D', filters, kernelSize, args);
    super(1, a);
    this.filters = requiredInt('Conv1D', 'filters', a.filters);
  }

  override build(inputShape: ShapeSpec): void {
    const c = lastDim(this, inputShape, 'channel axis');
    this.makeWeights([this.kernelSize[0]!, c, this.filters], this.filters, c);
  }

  override call(inputs: Tensor): Tensor {
    const k = this.kernelSize[0]!;
    const d = this.dilationRate[0]!;
    const padding =
      this.padding === 'causal'
        ? ([
            [0, 0],
            [(k - 1) * d, 0],
          ] as [[number, number], [number, number]])
        : this.padding;
    const x = expandDims(inputs, 1);
    const f = reshape(this.kernel!, [1, k, this.kernel!.shape[1]!, this.filters]);
    const y = conv2d(x, f, { strides: [1, this.strides[0]!], padding, dilations: [1, d] });
    return this.finish(squeeze(y, 1));
  }

  override computeOutputShape(s: ShapeSpec): ShapeSpec {
    return [
      s[0] ?? null,
      convOutputLength(
        s[1] ?? null,
        this.kernelSize[0]!,
        this.padding,
        this.strides[0]!,
        this.dilationRate[0]!,
      ),
      this.filters,
    ];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), filters: this.filters };
  }
}

/** Output length of a transposed convolution axis (the input length of the matching forward convolution). */
function transposeLength(
  length: Dim,
  kernel: number,
  padding: ConvPadding,
  stride: number,
  dilation: number,
): Dim {
  if (length === null) return null;
  if (padding === 'same') return length * stride;
  return (length - 1) * stride + (kernel - 1) * dilation + 1;
}

/**
 * The transpose (gradient) of Conv2D, to upsample: output height (in-1)*stride + kernel ('valid') or
 * in*stride ('same'). Its kernel is (kh, kw, filters, inChannels).
 */
export class Conv2DTranspose extends BaseConv {
  readonly filters: number;

  constructor(filters: number | ConvArgs, kernelSize?: number | readonly number[], args: ConvArgs = {}) {
    const a = convArgs('Conv2DTranspose', filters, kernelSize, args);
    super(2, a);
    this.filters = requiredInt('Conv2DTranspose', 'filters', a.filters);
  }

  override build(inputShape: ShapeSpec): void {
    const c = lastDim(this, inputShape, 'channel axis');
    this.makeWeights([...this.kernelSize, this.filters, c], this.filters, c);
  }

  override call(inputs: Tensor): Tensor {
    const [n, h, w] = inputs.shape as [number, number, number, number];
    const [kh, kw] = this.kernelSize as [number, number];
    const [sh, sw] = this.strides as [number, number];
    const [dh, dw] = this.dilationRate as [number, number];
    const outH = transposeLength(h, kh, this.padding, sh, dh)!;
    const outW = transposeLength(w, kw, this.padding, sw, dw)!;
    const g = conv2dGeometry(
      `${this.name} (Conv2DTranspose)`,
      [n, outH, outW, this.filters],
      kh,
      kw,
      inputs.shape[3]!,
      [sh, sw],
      this.padding as 'valid' | 'same',
      [dh, dw],
    );
    return this.finish(runOp(conv2dBackpropInputOp, [inputs, this.kernel!], { g }));
  }

  override computeOutputShape(s: ShapeSpec): ShapeSpec {
    return [
      s[0] ?? null,
      transposeLength(
        s[1] ?? null,
        this.kernelSize[0]!,
        this.padding,
        this.strides[0]!,
        this.dilationRate[0]!,
      ),
      transposeLength(
        s[2] ?? null,
        this.kernelSize[1]!,
        this.padding,
        this.strides[1]!,
        this.dilationRate[1]!,
      ),
      this.filters,
    ];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), filters: this.filters };
  }
}

export interface DepthwiseConvArgs
  extends Omit<ConvArgs, 'filters' | 'kernelInitializer' | 'kernelRegularizer'> {
  depthMultiplier?: number;
  depthwiseInitializer?: InitializerLike;
  depthwiseRegularizer?: RegularizerLike | null;
}

/**
 * Convolves each input channel with its own `depthMultiplier` filters (no mixing across channels);
 * output channel c*multiplier + m comes from input channel c.
 */
export class DepthwiseConv2D extends BaseConv {
  readonly depthMultiplier: number;

  constructor(kernelSize: number | readonly number[] | DepthwiseConvArgs, args: DepthwiseConvArgs = {}) {
    const a: DepthwiseConvArgs =
      typeof kernelSize === 'object' && !Array.isArray(kernelSize)
        ? (kernelSize as DepthwiseConvArgs)
        : { ...args, kernelSize: kernelSize as number | readonly number[] };
    super(2, {
      ...a,
      kernelInitializer: a.depthwiseInitializer ?? 'glorotUniform',
      kernelRegularizer: a.depthwiseRegularizer ?? null,
    });
    this.depthMultiplier = requiredInt('DepthwiseConv2D', 'depthMultiplier', a.depthMultiplier ?? 1);
  }

  override build(inputShape: ShapeSpec): void {
    const c = lastDim(this, inputShape, 'channel axis');
    this.kernel = this.addWeight('depthwise_kernel', [...this.kernelSize, c, this.depthMultiplier], {
      initializer: this.kernelInitializer,
      regularizer: this.kernelRegularizer,
    });
    if (this.useBias) {
      this.bias = this.addWeight('bias', [c * this.depthMultiplier], {
        initializer: this.biasInitializer,
        regularizer: this.biasRegularizer,
      });
    }
    this.inputSpec = new InputSpec({ ndim: 4, axes: { [-1]: c } });
    this.built = true;
  }

  override call(inputs: Tensor): Tensor {
    const c = inputs.shape[3]!;
    const [kh, kw] = this.kernelSize as [number, number];
    const options = {
      strides: this.strides,
      padding: this.padding as 'valid' | 'same',
      dilations: this.dilationRate,
    };
    const parts: Tensor[] = [];
    for (let ch = 0; ch < c; ch++) {
      const x = slice(inputs, [0, 0, 0, ch], [-1, -1, -1, 1]);
      const f = slice(this.kernel!, [0, 0, ch, 0], [kh, kw, 1, this.depthMultiplier]);
      parts.push(conv2d(x, f, options));
    }
    return this.finish(parts.length === 1 ? parts[0]! : concat(parts, 3));
  }

  override computeOutputShape(s: ShapeSpec): ShapeSpec {
    const c = s[3] ?? null;
    return [
      s[0] ?? null,
      convOutputLength(
        s[1] ?? null,
        this.kernelSize[0]!,
        this.padding,
        this.strides[0]!,
        this.dilationRate[0]!,
      ),
      convOutputLength(
        s[2] ?? null,
        this.kernelSize[1]!,
        this.padding,
        this.strides[1]!,
        this.dilationRate[1]!,
      ),
      c === null ? null : c * this.depthMultiplier,
    ];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), depthMultiplier: this.depthMultiplier };
  }
}

// These layers' calls keep none of their tensors (engine/step-memory.ts).
declareKeepsNoTensors(Conv2D, Conv1D, Conv2DTranspose, DepthwiseConv2D);
