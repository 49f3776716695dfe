/** BatchNormalization and LayerNormalization. */
import { add, mul, sub } from '../../ops/binary.js';
import { moments } from '../../ops/reduce.js';
import { reshape } from '../../ops/shape.js';
import { rsqrt } from '../../ops/unary.js';
import type { Variable } from '../../ops/variable.js';
import { noGrad } from '../../tensor/recording.js';
import { normalizeAxis } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { InputSpec } from '../engine/input-spec.js';
import { type CallArgs, Layer, type LayerArgs } from '../engine/layer.js';
import {
  type Initializer,
  type InitializerLike,
  initializers,
  type Regularizer,
  type RegularizerLike,
  regularizers,
  resolveInitializer,
  resolveRegularizer,
} from '../engine/resolve.js';
import { declareKeepsNoTensors } from '../engine/step-memory.js';
import { formatShapeSpec, type ShapeSpec } from '../engine/symbolic.js';

interface NormArgs extends LayerArgs {
  epsilon?: number;
  /** Add the learned offset beta (default true). */
  center?: boolean;
  /** Multiply by the learned scale gamma (default true). */
  scale?: boolean;
  betaInitializer?: InitializerLike;
  gammaInitializer?: InitializerLike;
  betaRegularizer?: RegularizerLike | null;
  gammaRegularizer?: RegularizerLike | null;
}

/** The shape [1, ..., d, ..., 1] that broadcasts a per-feature vector along the given axes of a rank-r input. */
function broadcastShape(rank: number, axes: readonly number[], shape: readonly number[]): number[] {
  const out = new Array<number>(rank).fill(1);
  axes.forEach((a) => {
    out[a] = shape[a]!;
  });
  return out;
}

abstract class Normalization extends Layer {
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly betaInitializer: Initializer;
  readonly gammaInitializer: Initializer;
  readonly betaRegularizer: Regularizer | null;
  readonly gammaRegularizer: Regularizer | null;
  gamma: Variable | null = null;
  beta: Variable | null = null;

  constructor(a: NormArgs, defaultEpsilon: number) {
    super(a);
    this.epsilon = a.epsilon ?? defaultEpsilon;
    this.center = a.center ?? true;
    this.scale = a.scale ?? true;
    this.betaInitializer = resolveInitializer(a.betaInitializer ?? 'zeros');
    this.gammaInitializer = resolveInitializer(a.gammaInitializer ?? 'ones');
    this.betaRegularizer = resolveRegularizer(a.betaRegularizer);
    this.gammaRegularizer = resolveRegularizer(a.gammaRegularizer);
  }

  /** The axes the statistics are per (normalized from the given ones) for an input shape. */
  protected featureAxes(owner: string, axis: number | readonly number[], shape: ShapeSpec): number[] {
    const list = typeof axis === 'number' ? [axis] : [...axis];
    const axes = list.map((a) => normalizeAxis(owner, a, shape.length));
    for (const a of axes) {
      if (shape[a] === null) {
        throw new RangeError(
          `Layer "${this.name}" (${owner}): axis ${a} of the input must have a known size, got input shape ${formatShapeSpec(shape)}`,
        );
      }
    }
    return axes;
  }

  protected makeScaleOffset(paramShape: number[]): void {
    if (this.scale) {
      this.gamma = this.addWeight('gamma', paramShape, {
        initializer: this.gammaInitializer,
        regularizer: this.gammaRegularizer,
      });
    }
    if (this.center) {
      this.beta = this.addWeight('beta', paramShape, {
        initializer: this.betaInitializer,
        regularizer: this.betaRegularizer,
      });
    }
  }

  /** (x - mean) / sqrt(variance + eps) * gamma + beta, with the parameters broadcast to the input. */
  protected normalize(x: Tensor, mean: Tensor, variance: Tensor, paramShape: number[]): Tensor {
    let invStd = rsqrt(add(variance, this.epsilon));
    if (this.gamma) invStd = mul(invStd, reshape(this.gamma, paramShape));
    let y = mul(sub(x, mean), invStd);
    if (this.beta) y = add(y, reshape(this.beta, paramShape));
    return y;
  }

  override computeOutputShape(inputShape: ShapeSpec): ShapeSpec {
    return inputShape;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      betaInitializer: initializers.serialize(this.betaInitializer),
      gammaInitializer: initializers.serialize(this.gammaInitializer),
      betaRegularizer: this.betaRegularizer && regularizers.serialize(this.betaRegularizer),
      gammaRegularizer: this.gammaRegularizer && regularizers.serialize(this.gammaRegularizer),
    };
  }
}

export interface BatchNormalizationArgs extends NormArgs {
  /** The feature axis (default -1, channels last). */
  axis?: number;
  /** Weight of the old moving statistics in each update (default 0.99). */
  momentum?: number;
  movingMeanInitializer?: InitializerLike;
  movingVarianceInitializer?: InitializerLike;
}

/**
 * Normalizes each feature with the batch's mean and variance in training (and updates the moving
 * averages: moving = moving * momentum + batch * (1 - momentum)), and with the moving averages in
 * inference. A frozen layer (`trainable = false`) always runs in inference mode, as in Keras.
 */
export class BatchNormalization extends Normalization {
  readonly axis: number;
  readonly momentum: number;
  readonly movingMeanInitializer: Initializer;
  readonly movingVarianceInitializer: Initializer;
  movingMean: Variable | null = null;
  movingVariance: Variable | null = null;
  private axes: number[] = [];

  constructor(args: BatchNormalizationArgs = {}) {
    super(args, 1e-3);
    this.axis = args.axis ?? -1;
    this.momentum = args.momentum ?? 0.99;
    this.movingMeanInitializer = resolveInitializer(args.movingMeanInitializer ?? 'zeros');
    this.movingVarianceInitializer = resolveInitializer(args.movingVarianceInitializer ?? 'ones');
  }

  override build(inputShape: ShapeSpec): void {
    const axis = this.featureAxes('BatchNormalization', this.axis, inputShape)[0]!;
    const size = inputShape[axis] as number;
    this.makeScaleOffset([size]);
    this.movingMean = this.addWeight('moving_mean', [size], {
      initializer: this.movingMeanInitializer,
      trainable: false,
    });
    this.movingVariance = this.addWeight('moving_variance', [size], {
      initializer: this.movingVarianceInitializer,
      trainable: false,
    });
    this.axes = [...inputShape.keys()].filter((a) => a !== axis);
    this.inputSpec = new InputSpec({ ndim: inputShape.length, axes: { [axis]: size } });
    this.built = true;
  }

  override call(inputs: Tensor, args: CallArgs = {}): Tensor {
    const featureAxis = [...inputs.shape.keys()].filter((a) => !this.axes.includes(a));
    const paramShape = broadcastShape(inputs.rank, featureAxis, inputs.shape);
    if (args.training && this.trainable) {
      const { mean, variance } = moments(inputs, this.axes, true);
      noGrad(() => {
        const m = this.momentum;
        const flatMean = reshape(mean, this.movingMean!.shape);
        const flatVar = reshape(variance, this.movingVariance!.shape);
        this.movingMean!.assign(add(mul(this.movingMean!, m), mul(flatMean, 1 - m)));
        this.movingVariance!.assign(add(mul(this.movingVariance!, m), mul(flatVar, 1 - m)));
      });
      return this.normalize(inputs, mean, variance, paramShape);
    }
    return this.normalize(
      inputs,
      reshape(this.movingMean!, paramShape),
      reshape(this.movingVariance!, paramShape),
      paramShape,
    );
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      axis: this.axis,
      momentum: this.momentum,
      movingMeanInitializer: initializers.serialize(this.movingMeanInitializer),
      movingVarianceInitializer: initializers.serialize(this.movingVarianceInitializer),
    };
  }
}

export interface LayerNormalizationArgs extends NormArgs {
  /** The axes normalized over (default -1). */
  axis?: number | readonly number[];
}

/** Normalizes each sample over `axis` (default the last), with per-feature gamma and beta. */
export class LayerNormalization extends Normalization {
  readonly axis: number | number[];
  private axes: number[] = [];

  constructor(args: LayerNormalizationArgs = {}) {
    super(args, 1e-3);
    const axis = args.axis ?? -1;
    this.axis = typeof axis === 'number' ? axis : [...axis];
  }

  override build(inputShape: ShapeSpec): void {
    this.axes = this.featureAxes('LayerNormalization', this.axis, inputShape);
    this.makeScaleOffset(this.axes.map((a) => inputShape[a] as number));
    this.built = true;
  }

  override call(inputs: Tensor): Tensor {
    const { mean, variance } = moments(inputs, this.axes, true);
    return this.normalize(inputs, mean, variance, broadcastShape(inputs.rank, this.axes, inputs.shape));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}

// These layers' calls keep none of their tensors (engine/step-memory.ts).
declareKeepsNoTensors(BatchNormalization, LayerNormalization);
