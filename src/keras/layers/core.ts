/** Core layers: Dense, Activation, Dropout, Flatten, Reshape, Permute, RepeatVector, Lambda. */
import { isFloat } from '../../backend/dtype.js';
import { add } from '../../ops/binary.js';
import { matmul } from '../../ops/matmul.js';
import { dropoutWithNoise } from '../../ops/nn.js';
import { expandDims, reshape, tile, transpose } from '../../ops/shape.js';
import type { Variable } from '../../ops/variable.js';
import { RandomGenerator, uniform } from '../../random/index.js';
import { formatShape } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { InputSpec } from '../engine/input-spec.js';
import { type CallArgs, Layer, type LayerArgs, type OutputSpecs } from '../engine/layer.js';
import {
  type Activation as ActivationFn,
  type ActivationLike,
  activationName,
  type InitializerLike,
  initializers,
  type RegularizerLike,
  regularizers,
  resolveActivation,
  resolveInitializer,
  resolveRegularizer,
} from '../engine/resolve.js';
import { declareKeepsNoTensors } from '../engine/step-memory.js';
import { formatShapeSpec, type ShapeSpec, type SymbolicTensor } from '../engine/symbolic.js';

/** A required positive integer option: given first (`new Dense(4)`) or in the options (`{ units: 4 }`). */
export function requiredInt(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`${owner}: ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** The last axis of an input shape, which must be known to size a weight. */
export function lastDim(layer: Layer, shape: ShapeSpec, what = 'last dimension'): number {
  const d = shape[shape.length - 1];
  if (d === null || d === undefined) {
    throw new RangeError(
      `Layer "${layer.name}" (${layer.constructor.name}): the ${what} of its input must be known to create the weights, got input shape ${formatShapeSpec(shape)}`,
    );
  }
  return d;
}

export interface DenseArgs extends LayerArgs {
  units?: number;
  activation?: ActivationLike | null;
  useBias?: boolean;
  kernelInitializer?: InitializerLike;
  biasInitializer?: InitializerLike;
  kernelRegularizer?: RegularizerLike | null;
  biasRegularizer?: RegularizerLike | null;
}

/** `activation(x @ kernel + bias)` over the last axis (Keras's Dense). */
export class Dense extends Layer {
  readonly units: number;
  readonly activation: ActivationFn;
  readonly useBias: boolean;
  readonly kernelInitializer: ReturnType<typeof resolveInitializer>;
  readonly biasInitializer: ReturnType<typeof resolveInitializer>;
  readonly kernelRegularizer: ReturnType<typeof resolveRegularizer>;
  readonly biasRegularizer: ReturnType<typeof resolveRegularizer>;
  kernel: Variable | null = null;
  bias: Variable | null = null;

  constructor(units: number | DenseArgs, args: DenseArgs = {}) {
    const a = typeof units === 'number' ? { ...args, units } : units;
    super(a);
    this.units = requiredInt('Dense', 'units', a.units);
    this.activation = resolveActivation(a.activation);
    this.useBias = a.useBias ?? true;
    this.kernelInitializer = resolveInitializer(a.kernelInitializer ?? 'glorotUniform');
    this.biasInitializer = resolveInitializer(a.biasInitializer ?? 'zeros');
    this.kernelRegularizer = resolveRegularizer(a.kernelRegularizer);
    this.biasRegularizer = resolveRegularizer(a.biasRegularizer);
    this.inputSpec = new InputSpec({ minNdim: 2 });
  }

  override build(inputShape: ShapeSpec): void {
    const inDim = lastDim(this, inputShape);
    this.kernel = this.addWeight('kernel', [inDim, this.units], {
      initializer: this.kernelInitializer,
      regularizer: this.kernelRegularizer,
    });
    if (this.useBias) {
      this.bias = this.addWeight('bias', [this.units], {
        initializer: this.biasInitializer,
        regularizer: this.biasRegularizer,
      });
    }
    this.inputSpec = new InputSpec({ minNdim: 2, axes: { [-1]: inDim } });
    this.built = true;
  }

  override call(inputs: Tensor): Tensor {
    let y: Tensor;
    if (inputs.rank === 2) {
      y = matmul(inputs, this.kernel!);
    } else {
      const lead = inputs.shape.slice(0, -1);
      y = reshape(matmul(reshape(inputs, [-1, inputs.shape[inputs.rank - 1]!]), this.kernel!), [
        ...lead,
        this.units,
      ]);
    }
    if (this.bias) y = add(y, this.bias);
    return this.activation(y);
  }

  override computeOutputShape(inputShape: ShapeSpec): ShapeSpec {
    return [...inputShape.slice(0, -1), this.units];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: activationName(this.activation),
      useBias: this.useBias,
      kernelInitializer: initializers.serialize(this.kernelInitializer),
      biasInitializer: initializers.serialize(this.biasInitializer),
      kernelRegularizer: this.kernelRegularizer && regularizers.serialize(this.kernelRegularizer),
      biasRegularizer: this.biasRegularizer && regularizers.serialize(this.biasRegularizer),
    };
  }
}

export interface ActivationArgs extends LayerArgs {
  activation?: ActivationLike;
}

/** Applies an activation function: `new Activation('relu')`. */
export class Activation extends Layer {
  readonly activation: ActivationFn;

  constructor(activation: ActivationLike | ActivationArgs, args: ActivationArgs = {}) {
    const a =
      typeof activation === 'object' && activation !== null && !('apply' in activation)
        ? (activation as ActivationArgs)
        : { ...args, activation: activation as ActivationLike };
    super(a);
    this.activation = resolveActivation(a.activation);
  }

  override call(inputs: Tensor): Tensor {
    return this.activation(inputs);
  }

  override computeOutputShape(inputShape: ShapeSpec): ShapeSpec {
    return inputShape;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), activation: activationName(this.activation) };
  }
}

export interface DropoutArgs extends LayerArgs {
  rate?: number;
  /** Shape of the mask (null: the input's size), e.g. `[null, 1, null]` to drop whole timesteps' features. */
  noiseShape?: ShapeSpec | null;
  /** Seed of the layer's own generator: the masks are then the same sequence on every run. */
  seed?: number | null;
}

/**
 * Zeroes a fraction `rate` of the inputs in training and scales the rest by 1/(1-rate); identity in
 * inference. With a `seed` it draws from its own generator, else from the global one
 * (`tf.random.setSeed`).
 */
export class Dropout extends Layer {
  readonly rate: number;
  readonly noiseShape: ShapeSpec | null;
  readonly seed: number | null;
  private readonly generator: RandomGenerator | null;

  constructor(rate: number | DropoutArgs, args: DropoutArgs = {}) {
    const a = typeof rate === 'number' ? { ...args, rate } : rate;
    super(a);
    const r = a.rate;
    if (typeof r !== 'number' || !(r >= 0 && r < 1)) {
      throw new RangeError(`Dropout: rate must be a number in [0, 1), got ${String(r)}`);
    }
    this.rate = r;
    this.noiseShape = a.noiseShape ?? null;
    this.seed = a.seed ?? null;
    this.generator = this.seed === null ? null : new RandomGenerator(this.seed);
    this.inputKind = 'any';
  }

  override call(inputs: Tensor, args: CallArgs = {}): Tensor {
    if (!args.training || this.rate === 0) return inputs;
    const dtype = isFloat(inputs.dtype) ? inputs.dtype : 'float32';
    const shape = this.noiseShape ? this.noiseShape.map((d, i) => d ?? inputs.shape[i]!) : [...inputs.shape];
    if (shape.length !== inputs.rank) {
      throw new RangeError(
        `Dropout "${this.name}": noiseShape ${formatShapeSpec(this.noiseShape!)} does not match input shape ${formatShape(inputs.shape)}`,
      );
    }
    let noise: Tensor;
    if (this.generator) {
      const data =
        dtype === 'float64'
          ? new Float64Array(shape.reduce((a, b) => a * b, 1))
          : new Float32Array(shape.reduce((a, b) => a * b, 1));
      this.generator.fillUniform(data, 0, 1);
      noise = new Tensor(data, shape, dtype);
    } else {
      noise = uniform(shape, 0, 1, { dtype });
    }
    return dropoutWithNoise(inputs, this.rate, noise);
  }

  override computeOutputShape(inputShape: ShapeSpec): ShapeSpec {
    return inputShape;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate, noiseShape: this.noiseShape, seed: this.seed };
  }
}

/** Flattens all axes but the batch: [N, a, b] -> [N, a*b]. */
export class Flatten extends Layer {
  constructor(args: LayerArgs = {}) {
    super(args);
    this.inputKind = 'any';
    this.inputSpec = new InputSpec({ minNdim: 1 });
  }

  override call(inputs: Tensor): Tensor {
    if (inputs.rank === 1) return expandDims(inputs, 1);
    return reshape(inputs, [inputs.shape[0]!, -1]);
  }

  override computeOutputShape(inputShape: ShapeSpec): ShapeSpec {
    const rest = inputShape.slice(1);
    const size = rest.some((d) => d === null) ? null : rest.reduce<number>((a, b) => a * (b as number), 1);
    return [inputShape[0] ?? null, size];
  }
}

export interface ReshapeArgs extends LayerArgs {
  targetShape?: readonly number[];
}

/** Reshapes each sample to `targetShape` (one entry may be -1). */
export class Reshape extends Layer {
  readonly targetShape: number[];

  constructor(targetShape: readonly number[] | ReshapeArgs, args: ReshapeArgs = {}) {
    const a = Array.isArray(targetShape)
      ? { ...args, targetShape: targetShape as readonly number[] }
      : (targetShape as ReshapeArgs);
    super(a);
    const t = a.targetShape;
    if (
      !Array.isArray(t) ||
      t.some((d) => !Number.isInteger(d) || d < -1) ||
      t.filter((d) => d === -1).length > 1
    ) {
      throw new RangeError(
        `Reshape: targetShape must hold positive integers and at most one -1, got ${JSON.stringify(t)}`,
      );
    }
    this.targetShape = [...t];
    this.inputKind = 'any';
  }

  override call(inputs: Tensor): Tensor {
    return reshape(inputs, [inputs.shape[0]!, ...this.targetShape]);
  }

  override computeOutputShape(inputShape: ShapeSpec): ShapeSpec {
    const rest = inputShape.slice(1);
    const known = this.targetShape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    const out: (number | null)[] = [...this.targetShape];
    const unknownAt = this.targetShape.indexOf(-1);
    if (rest.some((d) => d === null)) {
      if (unknownAt >= 0) out[unknownAt] = null;
    } else {
      const total = (rest as number[]).reduce((a, b) => a * b, 1);
      if (unknownAt >= 0 ? total % known !== 0 : total !== known) {
        throw new RangeError(
          `Layer "${this.name}" (Reshape): cannot reshape input of shape ${formatShapeSpec(inputShape)} (${total} values per sample) to ${JSON.stringify(this.targetShape)}`,
        );
      }
      if (unknownAt >= 0) out[unknownAt] = total / known;
    }
    return [inputShape[0] ?? null, ...out];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), targetShape: [...this.targetShape] };
  }
}

export interface PermuteArgs extends LayerArgs {
  dims?: readonly number[];
}

/** Permutes the non-batch axes; `dims` counts them from 1, as Keras: `new Permute([2, 1])`. */
export class Permute extends Layer {
  readonly dims: number[];

  constructor(dims: readonly number[] | PermuteArgs, args: PermuteArgs = {}) {
    const a = Array.isArray(dims) ? { ...args, dims: dims as readonly number[] } : (dims as PermuteArgs);
    super(a);
    const d = a.dims;
    const sorted = d ? [...d].sort((x, y) => x - y) : [];
    if (!d || sorted.some((v, i) => v !== i + 1)) {
      throw new RangeError(`Permute: dims must be a permutation of 1..n, got ${JSON.stringify(d)}`);
    }
    this.dims = [...d];
    this.inputKind = 'any';
    this.inputSpec = new InputSpec({ ndim: d.length + 1 });
  }

  override call(inputs: Tensor): Tensor {
    return transpose(inputs, [0, ...this.dims]);
  }

  override computeOutputShape(inputShape: ShapeSpec): ShapeSpec {
    return [inputShape[0] ?? null, ...this.dims.map((d) => inputShape[d] ?? null)];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), dims: [...this.dims] };
  }
}

/** Repeats a [N, d] input n times: [N, n, d]. */
export class RepeatVector extends Layer {
  readonly n: number;

  constructor(n: number | (LayerArgs & { n?: number }), args: LayerArgs = {}) {
    const a = typeof n === 'number' ? { ...args, n } : n;
    super(a);
    this.n = requiredInt('RepeatVector', 'n', a.n);
    this.inputKind = 'any';
    this.inputSpec = new InputSpec({ ndim: 2 });
  }

  override call(inputs: Tensor): Tensor {
    return tile(expandDims(inputs, 1), [1, this.n, 1]);
  }

  override computeOutputShape(inputShape: ShapeSpec): ShapeSpec {
    return [inputShape[0] ?? null, this.n, inputShape[1] ?? null];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), n: this.n };
  }
}

export interface LambdaArgs extends LayerArgs {
  /** The output shape without the batch axis, or a function of the input shape; else inferred by running fn. */
  outputShape?: ShapeSpec | ((inputShape: ShapeSpec | ShapeSpec[]) => ShapeSpec | ShapeSpec[]);
  /** Extra arguments passed to fn. */
  arguments?: Record<string, unknown>;
}

/** Wraps a function of tensors as a layer (no weights): `new Lambda((x) => x.mul(2))`. */
export class Lambda extends Layer {
  readonly fn: (inputs: Tensor | Tensor[], args?: Record<string, unknown>) => Tensor | Tensor[];
  readonly fnArgs: Record<string, unknown>;
  private readonly outputShapeSpec: LambdaArgs['outputShape'];

  constructor(
    fn: (inputs: Tensor | Tensor[], args?: Record<string, unknown>) => Tensor | Tensor[],
    args: LambdaArgs = {},
  ) {
    super(args);
    if (typeof fn !== 'function') throw new TypeError(`Lambda: expected a function, got ${String(fn)}`);
    this.fn = fn;
    this.fnArgs = args.arguments ?? {};
    this.outputShapeSpec = args.outputShape;
    this.inputKind = 'any';
  }

  override call(inputs: Tensor | Tensor[]): Tensor | Tensor[] {
    return Object.keys(this.fnArgs).length ? this.fn(inputs, this.fnArgs) : this.fn(inputs);
  }

  protected override computeOutputSpec(inputs: readonly SymbolicTensor[], packed: boolean): OutputSpecs {
    const spec = this.outputShapeSpec;
    if (spec === undefined) return super.computeOutputSpec(inputs, packed);
    const shapes = inputs.map((t) => t.shape);
    const out =
      typeof spec === 'function' ? spec(packed ? shapes : shapes[0]!) : [shapes[0]?.[0] ?? null, ...spec];
    const dtype = inputs[0]?.dtype ?? this.dtype;
    if (out.length > 0 && out.every((d) => Array.isArray(d))) {
      return { packed: true, outputs: (out as ShapeSpec[]).map((shape) => ({ shape, dtype })) };
    }
    return { packed: false, outputs: [{ shape: out as ShapeSpec, dtype }] };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), function: this.fn.name || 'lambda', arguments: this.fnArgs };
  }
}

// These layers' calls keep none of their tensors (engine/step-memory.ts).
declareKeepsNoTensors(Dense, Activation, Dropout, Flatten, Reshape, Permute, RepeatVector);
