/**
 * Recurrent layers over [batch, time, features]: SimpleRNN, LSTM and GRU, with Keras's weight layouts
 * (kernel [features, k*units], recurrent_kernel [units, k*units], gates in Keras's order) so weights
 * carry over. The input projection of all timesteps is one matmul; the recurrence steps in JS.
 */
import { isFloat } from '../../backend/dtype.js';
import { add, mul, sub } from '../../ops/binary.js';
import { ones, zeros } from '../../ops/creation.js';
import { matmul } from '../../ops/matmul.js';
import { dropoutWithNoise } from '../../ops/nn.js';
import { concat, reshape, slice, split, stack, unstack } from '../../ops/shape.js';
import type { Variable } from '../../ops/variable.js';
import { uniform } from '../../random/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs } from '../engine/layer.js';
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
import { formatShapeSpec, type ShapeSpec } from '../engine/symbolic.js';
import { requiredInt } from './core.js';

export interface RNNArgs extends LayerArgs {
  units?: number;
  activation?: ActivationLike | null;
  useBias?: boolean;
  kernelInitializer?: InitializerLike;
  recurrentInitializer?: InitializerLike;
  biasInitializer?: InitializerLike;
  kernelRegularizer?: RegularizerLike | null;
  recurrentRegularizer?: RegularizerLike | null;
  biasRegularizer?: RegularizerLike | null;
  /** Fraction of the inputs dropped in training (one mask for all timesteps). */
  dropout?: number;
  /** Fraction of the recurrent state dropped in training (one mask for all timesteps). */
  recurrentDropout?: number;
  /** Return the output of every timestep ([N, T, units]) instead of the last ([N, units]). */
  returnSequences?: boolean;
  /** Also return the final state(s): [output, h] (LSTM: [output, h, c]). */
  returnState?: boolean;
  /** Process the sequence backwards (the returned sequence is then in reverse time order, as Keras). */
  goBackwards?: boolean;
}

/** One recurrence step: the state(s) after a timestep, from the projected input and the states before it. */
type Step = (xProjected: Tensor, states: Tensor[], recurrentMask: Tensor | null) => Tensor[];

abstract class RNNBase extends Layer {
  readonly units: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly recurrentInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly recurrentRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  readonly dropout: number;
  readonly recurrentDropout: number;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  kernel: Variable | null = null;
  recurrentKernel: Variable | null = null;
  bias: Variable | null = null;

  constructor(units: number | RNNArgs, args: RNNArgs, defaults: { activation: ActivationLike }) {
    const a = typeof units === 'number' ? { ...args, units } : units;
    super(a);
    const owner = this.constructor.name;
    this.units = requiredInt(owner, 'units', a.units);
    this.activation = resolveActivation(a.activation === undefined ? defaults.activation : a.activation);
    this.useBias = a.useBias ?? true;
    this.kernelInitializer = resolveInitializer(a.kernelInitializer ?? 'glorotUniform');
    this.recurrentInitializer = resolveInitializer(a.recurrentInitializer ?? 'orthogonal');
    this.biasInitializer = resolveInitializer(a.biasInitializer ?? 'zeros');
    this.kernelRegularizer = resolveRegularizer(a.kernelRegularizer);
    this.recurrentRegularizer = resolveRegularizer(a.recurrentRegularizer);
    this.biasRegularizer = resolveRegularizer(a.biasRegularizer);
    this.dropout = a.dropout ?? 0;
    this.recurrentDropout = a.recurrentDropout ?? 0;
    for (const [name, rate] of [
      ['dropout', this.dropout],
      ['recurrentDropout', this.recurrentDropout],
    ] as const) {
      if (!(rate >= 0 && rate < 1)) throw new RangeError(`${owner}: ${name} must be in [0, 1), got ${rate}`);
    }
    this.returnSequences = a.returnSequences ?? false;
    this.returnState = a.returnState ?? false;
    this.goBackwards = a.goBackwards ?? false;
  }

  /** Number of state tensors (LSTM: h and c). */
  protected get stateCount(): number {
    return 1;
  }

  /** Columns of the kernels per unit (LSTM 4, GRU 3, SimpleRNN 1). */
  protected abstract get gates(): number;

  protected abstract makeStep(): Step;

  /** The shape of x (the first input when initial states are passed too). */
  private sequenceShape(inputShape: ShapeSpec | ShapeSpec[]): ShapeSpec {
    const first = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as ShapeSpec;
    if (first.length !== 3) {
      throw new RangeError(
        `Input 0 of layer "${this.name}" is incompatible with the layer: expected ndim=3 ([batch, timesteps, features]), found ndim=${first.length} (shape ${formatShapeSpec(first)})`,
      );
    }
    return first;
  }

  override build(inputShape: ShapeSpec | ShapeSpec[]): void {
    const shape = this.sequenceShape(inputShape);
    const features = shape[2];
    if (features === null || features === undefined) {
      throw new RangeError(
        `Layer "${this.name}": the feature axis of the input must be known, got ${formatShapeSpec(shape)}`,
      );
    }
    const k = this.gates * this.units;
    this.kernel = this.addWeight('kernel', [features, k], {
      initializer: this.kernelInitializer,
      regularizer: this.kernelRegularizer,
    });
    this.recurrentKernel = this.addWeight('recurrent_kernel', [this.units, k], {
      initializer: this.recurrentInitializer,
      regularizer: this.recurrentRegularizer,
    });
    if (this.useBias) {
      this.bias = this.addWeight('bias', this.biasShape(), {
        initializer: this.biasInitializerFor(),
        regularizer: this.biasRegularizer,
      });
    }
    this.built = true;
  }

  protected biasShape(): number[] {
    return [this.gates * this.units];
  }

  protected biasInitializerFor(): Initializer {
    return this.biasInitializer;
  }

  /** The input-side bias added to the projected inputs (all of it, except for GRU with resetAfter). */
  protected inputBias(): Tensor | null {
    return this.bias;
  }

  private dropMask(shape: number[], rate: number, dtype: 'float32' | 'float64'): Tensor {
    return dropoutWithNoise(ones(shape, dtype), rate, uniform(shape, 0, 1, { dtype }));
  }

  override call(inputs: Tensor | Tensor[], args: CallArgs = {}): Tensor | Tensor[] {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    let x = list[0]!;
    const [n, steps, features] = x.shape as [number, number, number];
    const dtype = isFloat(x.dtype) ? (x.dtype as 'float32' | 'float64') : 'float32';
    let states = list.slice(1);
    const initial = args['initialState'] as Tensor[] | undefined;
    if (states.length === 0 && initial) states = [...initial];
    if (states.length === 0)
      states = new Array(this.stateCount).fill(null).map(() => zeros([n, this.units], dtype));
    if (states.length !== this.stateCount) {
      throw new RangeError(
        `Layer "${this.name}": expected ${this.stateCount} initial state(s), got ${states.length}`,
      );
    }
    if (args.training && this.dropout > 0)
      x = mul(x, reshape(this.dropMask([n, features], this.dropout, dtype), [n, 1, features]));
    const recurrentMask =
      args.training && this.recurrentDropout > 0
        ? this.dropMask([n, this.units], this.recurrentDropout, dtype)
        : null;
    const k = this.gates * this.units;
    let projected = reshape(matmul(reshape(x, [n * steps, features]), this.kernel!), [n, steps, k]);
    const bias = this.inputBias();
    if (bias) projected = add(projected, bias);
    const perStep = steps === 0 ? [] : unstack(projected, 1);
    if (this.goBackwards) perStep.reverse();
    const step = this.makeStep();
    const outputs: Tensor[] = [];
    for (const xt of perStep) {
      states = step(xt, states, recurrentMask);
      if (this.returnSequences) outputs.push(states[0]!);
    }
    const output = this.returnSequences
      ? steps === 0
        ? zeros([n, 0, this.units], dtype)
        : stack(outputs, 1)
      : states[0]!;
    return this.returnState ? [output, ...states] : output;
  }

  /** h @ recurrent_kernel, with the recurrent dropout mask applied to h in training. */
  protected recurrent(h: Tensor, mask: Tensor | null, kernel: Tensor = this.recurrentKernel!): Tensor {
    return matmul(mask ? mul(h, mask) : h, kernel);
  }

  override computeOutputShape(inputShape: ShapeSpec | ShapeSpec[]): ShapeSpec | ShapeSpec[] {
    const shape = this.sequenceShape(inputShape);
    const output: ShapeSpec = this.returnSequences
      ? [shape[0] ?? null, shape[1] ?? null, this.units]
      : [shape[0] ?? null, this.units];
    if (!this.returnState) return output;
    return [output, ...new Array(this.stateCount).fill(null).map(() => [shape[0] ?? null, this.units])];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: activationName(this.activation),
      useBias: this.useBias,
      kernelInitializer: initializers.serialize(this.kernelInitializer),
      recurrentInitializer: initializers.serialize(this.recurrentInitializer),
      biasInitializer: initializers.serialize(this.biasInitializer),
      kernelRegularizer: this.kernelRegularizer && regularizers.serialize(this.kernelRegularizer),
      recurrentRegularizer: this.recurrentRegularizer && regularizers.serialize(this.recurrentRegularizer),
      biasRegularizer: this.biasRegularizer && regularizers.serialize(this.biasRegularizer),
      dropout: this.dropout,
      recurrentDropout: this.recurrentDropout,
      returnSequences: this.returnSequences,
      returnState: this.returnState,
      goBackwards: this.goBackwards,
    };
  }
}

/** h_t = activation(x_t W + h_{t-1} U + b). */
export class SimpleRNN extends RNNBase {
  constructor(units: number | RNNArgs, args: RNNArgs = {}) {
    super(units, args, { activation: 'tanh' });
  }

  protected get gates(): number {
    return 1;
  }

  protected makeStep(): Step {
    return (xt, [h], mask) => [this.activation(add(xt, this.recurrent(h!, mask)))];
  }
}

export interface LSTMArgs extends RNNArgs {
  recurrentActivation?: ActivationLike;
  /** Initialize the forget gate's bias to 1 (default true, as Keras). */
  unitForgetBias?: boolean;
}

/** Long short-term memory; gates i, f, c, o in the kernels' column order. States [h, c]. */
export class LSTM extends RNNBase {
  readonly recurrentActivation: Activation;
  readonly unitForgetBias: boolean;

  constructor(units: number | LSTMArgs, args: LSTMArgs = {}) {
    super(units, args, { activation: 'tanh' });
    const a = typeof units === 'number' ? args : units;
    this.recurrentActivation = resolveActivation(a.recurrentActivation ?? 'sigmoid');
    this.unitForgetBias = a.unitForgetBias ?? true;
  }

  protected override get stateCount(): number {
    return 2;
  }

  protected get gates(): number {
    return 4;
  }

  protected override biasInitializerFor(): Initializer {
    if (!this.unitForgetBias) return this.biasInitializer;
    const base = this.biasInitializer;
    const u = this.units;
    return new initializers.FunctionInitializer((shape, dtype) => {
      // Keras: [init(units), ones(units), init(2 * units)] for the gates i, f, c, o.
      const rest = base.apply([3 * u], dtype);
      const [first, others] = split(rest, [u, 2 * u], 0) as [Tensor, Tensor];
      return reshape(concat([first, ones([u], rest.dtype), others], 0), shape);
    });
  }

  protected makeStep(): Step {
    const u = this.units;
    return (xt, [h, c], mask) => {
      const z = add(xt, this.recurrent(h!, mask));
      const gate = (i: number) => slice(z, [0, i * u], [-1, u]);
      const i = this.recurrentActivation(gate(0));
      const f = this.recurrentActivation(gate(1));
      const cNew = add(mul(f, c!), mul(i, this.activation(gate(2))));
      const o = this.recurrentActivation(gate(3));
      return [mul(o, this.activation(cNew)), cNew];
    };
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      recurrentActivation: activationName(this.recurrentActivation),
      unitForgetBias: this.unitForgetBias,
    };
  }
}

export interface GRUArgs extends RNNArgs {
  recurrentActivation?: ActivationLike;
  /** Apply the reset gate after the recurrent matmul (default true: Keras 2's CuDNN-compatible GRU, bias [2, 3*units]). */
  resetAfter?: boolean;
}

/** Gated recurrent unit; gates z, r, h in the kernels' column order. */
export class GRU extends RNNBase {
  readonly recurrentActivation: Activation;
  readonly resetAfter: boolean;

  constructor(units: number | GRUArgs, args: GRUArgs = {}) {
    super(units, args, { activation: 'tanh' });
    const a = typeof units === 'number' ? args : units;
    this.recurrentActivation = resolveActivation(a.recurrentActivation ?? 'sigmoid');
    this.resetAfter = a.resetAfter ?? true;
  }

  protected get gates(): number {
    return 3;
  }

  protected override biasShape(): number[] {
    return this.resetAfter ? [2, 3 * this.units] : [3 * this.units];
  }

  protected override inputBias(): Tensor | null {
    if (!this.bias) return null;
    return this.resetAfter ? reshape(slice(this.bias, [0, 0], [1, -1]), [3 * this.units]) : this.bias;
  }

  protected makeStep(): Step {
    const u = this.units;
    const recurrentBias =
      this.bias && this.resetAfter ? reshape(slice(this.bias, [1, 0], [1, -1]), [3 * u]) : null;
    return (xt, [h], mask) => {
      const xPart = (i: number) => slice(xt, [0, i * u], [-1, u]);
      let z: Tensor;
      let r: Tensor;
      let candidate: Tensor;
      if (this.resetAfter) {
        let hu = this.recurrent(h!, mask);
        if (recurrentBias) hu = add(hu, recurrentBias);
        const hPart = (i: number) => slice(hu, [0, i * u], [-1, u]);
        z = this.recurrentActivation(add(xPart(0), hPart(0)));
        r = this.recurrentActivation(add(xPart(1), hPart(1)));
        candidate = this.activation(add(xPart(2), mul(r, hPart(2))));
      } else {
        const uzr = slice(this.recurrentKernel!, [0, 0], [-1, 2 * u]);
        const uh = slice(this.recurrentKernel!, [0, 2 * u], [-1, u]);
        const hzr = this.recurrent(h!, mask, uzr);
        z = this.recurrentActivation(add(xPart(0), slice(hzr, [0, 0], [-1, u])));
        r = this.recurrentActivation(add(xPart(1), slice(hzr, [0, u], [-1, u])));
        candidate = this.activation(add(xPart(2), this.recurrent(mul(r, h!), mask, uh)));
      }
      // h = z * h_prev + (1 - z) * candidate
      return [add(mul(z, h!), mul(sub(1, z), candidate))];
    };
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      recurrentActivation: activationName(this.recurrentActivation),
      resetAfter: this.resetAfter,
    };
  }
}
