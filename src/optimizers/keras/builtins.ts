import type { TypedArray } from '../../backend/dtype.js';
import type { Variable } from '../../ops/variable.js';
import { formatShape, shapesEqual } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import {
  beginUpdate,
  checkBoolean,
  checkNumber,
  commitUpdate,
  exclusiveStorage,
  gradData,
  newTarget,
} from '../common.js';
import { type AdadeltaHyper, adadelta } from '../rules/adadelta.js';
import { type AdagradHyper, adagrad } from '../rules/adagrad.js';
import { type AdamHyper, adam } from '../rules/adam.js';
import { type AdamaxHyper, adamax } from '../rules/adamax.js';
import { type LionHyper, lion } from '../rules/lion.js';
import { type NadamHyper, nadam, nadamSchedule } from '../rules/nadam.js';
import { type RmspropHyper, rmsprop } from '../rules/rmsprop.js';
import { type SgdHyper, sgd } from '../rules/sgd.js';
import type { Float } from '../rules/types.js';
import { Optimizer, type OptimizerOptions } from './optimizer.js';
import type { JSONValue } from './schedules.js';

/**
 * The built-in optimizers: each variable's update is one fused loop over the typed arrays of the
 * variable, its gradient and its slots (the shared rules in ../rules). A subclass that overrides
 * `updateStep` gets the generic tensor path instead, and may call `super.updateStep` for the built-in one.
 */
/**
 * One variable's update: read `src`, write `dst` (possibly the same array); `keep` is the decoupled
 * weight-decay factor and `scale` the clipping factor of the gradient (both 1 when unused).
 */
interface FusedUpdate {
  src: Float;
  dst: Float;
  grad: TypedArray;
  variable: Variable;
  lr: number;
  keep: number;
  scale: number;
}

const EMPTY = new Float64Array(0);

abstract class BuiltinOptimizer extends Optimizer {
  protected override applyDense(
    grad: TypedArray,
    scale: number,
    variable: Variable,
    learningRate: number,
  ): void {
    if (this.updateStep !== BuiltinOptimizer.prototype.updateStep) {
      super.applyDense(grad, scale, variable, learningRate);
      return;
    }
    const keep = this.usesWeightDecay(variable) ? 1 - this.weightDecay! * learningRate : 1;
    this.run(grad, variable, learningRate, keep, scale);
  }

  /**
   * The built-in update of one variable (Keras's update_step): no clipping, weight decay or iteration
   * count, which `applyGradients` adds around it. Uses `iterations + 1` as the step number.
   */
  override updateStep(grad: Tensor, variable: Variable, learningRate: number): void {
    if (!shapesEqual(grad.shape, variable.shape)) {
      throw new RangeError(
        `${this.constructor.name}.updateStep: gradient of shape ${formatShape(grad.shape)} does not match variable '${variable.name}' of shape ${formatShape(variable.shape)}`,
      );
    }
    this.build([variable]);
    this.run(gradData(grad), variable, learningRate, 1, 1);
  }

  private readonly target = newTarget();
  private readonly update: FusedUpdate = {
    src: EMPTY,
    dst: EMPTY,
    grad: EMPTY,
    variable: null as unknown as Variable,
    lr: 0,
    keep: 1,
    scale: 1,
  };

  private run(grad: TypedArray, variable: Variable, lr: number, keep: number, scale: number): void {
    const target = beginUpdate(variable, this.target);
    const u = this.update;
    u.src = target.src;
    u.dst = target.dst;
    u.grad = grad;
    u.variable = variable;
    u.lr = lr;
    u.keep = keep;
    u.scale = scale;
    this.fused(u);
    commitUpdate(variable, target);
  }

  /** Runs the rule on one variable (see FusedUpdate). */
  protected abstract fused(update: FusedUpdate): void;

  /** The slots every variable gets, in order (created by `createSlots` with `slotInitialValue`). */
  protected abstract slotNames(): readonly string[];

  protected slotInitialValue(_name: string): number {
    return 0;
  }

  protected override createSlots(varList: readonly Variable[]): void {
    for (const v of varList)
      for (const name of this.slotNames()) this.addSlot(v, name, this.slotInitialValue(name));
  }

  /** Copies the per-call learning rate, weight-decay and clipping factors into a rule's hyperparameters. */
  protected common<H extends { lr: number; keep: number; scale: number }>(h: H, u: FusedUpdate): H {
    h.lr = u.lr;
    h.keep = u.keep;
    h.scale = u.scale;
    return h;
  }

  /** A slot's storage for in-place update (created when missing, e.g. after a hyperparameter change). */
  protected slot(variable: Variable, name: string, initial = 0): Float {
    return exclusiveStorage(this.findSlot(variable, name) ?? this.addSlot(variable, name, initial));
  }
}

/** Fills in defaults for options left undefined; anything but a plain object passes through to be rejected. */
function withDefaults<T extends object>(options: T, defaults: Partial<T>): T {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) return options;
  const out: Record<string, unknown> = { ...(options as Record<string, unknown>) };
  for (const [k, v] of Object.entries(defaults)) if (out[k] === undefined) out[k] = v;
  return out as T;
}

const betaRule = { min: 0, max: 1, maxOpen: true };

// ---------------------------------------------------------------- SGD

export interface SGDOptions extends OptimizerOptions {
  /** Default 0: plain gradient descent. In [0, 1]. */
  momentum?: number;
  nesterov?: boolean;
}

/**
 * Gradient descent (Keras): without momentum `v -= lr g`; with momentum `m` the velocity slot
 * 'momentum' is `vel = m vel - lr g` and `v += vel`, or with nesterov `v += m vel - lr g`.
 * Defaults: learningRate 0.01, momentum 0, nesterov false.
 */
export class SGD extends BuiltinOptimizer {
  private readonly h: SgdHyper = {
    keep: 1,
    l2: 0,
    scale: 1,
    lr: 0,
    momentum: 0,
    dampening: 0,
    nesterov: false,
    form: 'keras',
    first: false,
  };
  momentum: number;
  nesterov: boolean;

  constructor(options: SGDOptions = {}) {
    super(withDefaults(options, { learningRate: 0.01 }), ['momentum', 'nesterov']);
    this.momentum = checkNumber('SGD', 'momentum', options.momentum ?? 0, { min: 0, max: 1 });
    this.nesterov = checkBoolean('SGD', 'nesterov', options.nesterov ?? false);
  }

  protected slotNames(): readonly string[] {
    return this.momentum !== 0 ? ['momentum'] : [];
  }

  protected fused(u: FusedUpdate): void {
    const { src, dst, grad: g, variable: v } = u;
    const buf = this.momentum !== 0 ? this.slot(v, 'momentum') : null;
    const h = this.common(this.h, u);
    h.momentum = this.momentum;
    h.nesterov = this.nesterov;
    sgd(src, dst, g, buf, h);
  }

  override getConfig(): Record<string, JSONValue> {
    return { ...super.getConfig(), momentum: this.momentum, nesterov: this.nesterov };
  }
}

// ---------------------------------------------------------------- Adagrad

export interface AdagradOptions extends OptimizerOptions {
  /** Starting value of the accumulator slot. Default 0.1. */
  initialAccumulatorValue?: number;
  /** Default 1e-7, added inside the root: `v -= lr g / sqrt(acc + epsilon)`. */
  epsilon?: number;
}

/** Adagrad (Keras): slot 'accumulator' `acc += g^2`, `v -= lr g / sqrt(acc + epsilon)`. Defaults: lr 0.001. */
export class Adagrad extends BuiltinOptimizer {
  private readonly h: AdagradHyper = { keep: 1, l2: 0, scale: 1, lr: 0, eps: 0, form: 'keras' };
  initialAccumulatorValue: number;
  epsilon: number;

  constructor(options: AdagradOptions = {}) {
    super(options, ['initialAccumulatorValue', 'epsilon']);
    this.initialAccumulatorValue = checkNumber(
      'Adagrad',
      'initialAccumulatorValue',
      options.initialAccumulatorValue ?? 0.1,
      { min: 0 },
    );
    this.epsilon = checkNumber('Adagrad', 'epsilon', options.epsilon ?? 1e-7, { min: 0 });
  }

  protected slotNames(): readonly string[] {
    return ['accumulator'];
  }

  protected override slotInitialValue(): number {
    return this.initialAccumulatorValue;
  }

  protected fused(u: FusedUpdate): void {
    const { src, dst, grad: g, variable: v } = u;
    const h = this.common(this.h, u);
    h.eps = this.epsilon;
    adagrad(src, dst, g, this.slot(v, 'accumulator', this.initialAccumulatorValue), h);
  }

  override getConfig(): Record<string, JSONValue> {
    return {
      ...super.getConfig(),
      initialAccumulatorValue: this.initialAccumulatorValue,
      epsilon: this.epsilon,
    };
  }
}

// ---------------------------------------------------------------- RMSprop

export interface RMSpropOptions extends OptimizerOptions {
  /** Decay of the mean square. Default 0.9. */
  rho?: number;
  /** Default 0. */
  momentum?: number;
  /** Default 1e-7, inside the root. */
  epsilon?: number;
  /** Subtract the square of the mean gradient (slot 'mg'). Default false. */
  centered?: boolean;
}

/**
 * RMSprop (Keras): slot 'rms' `ms = rho ms + (1 - rho) g^2`; `inc = lr g / sqrt(ms [- mg^2] + epsilon)`;
 * with momentum the slot 'momentum' `buf = momentum buf + inc`, `v -= buf`; else `v -= inc`.
 */
export class RMSprop extends BuiltinOptimizer {
  private readonly h: RmspropHyper = {
    keep: 1,
    l2: 0,
    scale: 1,
    lr: 0,
    decay: 0,
    eps: 0,
    momentum: 0,
    form: 'keras',
  };
  rho: number;
  momentum: number;
  epsilon: number;
  centered: boolean;

  constructor(options: RMSpropOptions = {}) {
    super(options, ['rho', 'momentum', 'epsilon', 'centered']);
    this.rho = checkNumber('RMSprop', 'rho', options.rho ?? 0.9, { min: 0, max: 1 });
    this.momentum = checkNumber('RMSprop', 'momentum', options.momentum ?? 0, { min: 0 });
    this.epsilon = checkNumber('RMSprop', 'epsilon', options.epsilon ?? 1e-7, { min: 0 });
    this.centered = checkBoolean('RMSprop', 'centered', options.centered ?? false);
  }

  protected slotNames(): readonly string[] {
    return ['rms', ...(this.momentum > 0 ? ['momentum'] : []), ...(this.centered ? ['mg'] : [])];
  }

  protected fused(u: FusedUpdate): void {
    const { src, dst, grad: g, variable: v } = u;
    rmsprop(
      src,
      dst,
      g,
      this.slot(v, 'rms'),
      this.centered ? this.slot(v, 'mg') : null,
      this.momentum > 0 ? this.slot(v, 'momentum') : null,
      this.hyper(u),
    );
  }

  private hyper(u: FusedUpdate): RmspropHyper {
    const h = this.common(this.h, u);
    h.decay = this.rho;
    h.eps = this.epsilon;
    h.momentum = this.momentum;
    return h;
  }

  override getConfig(): Record<string, JSONValue> {
    const { rho, momentum, epsilon, centered } = this;
    return { ...super.getConfig(), rho, momentum, epsilon, centered };
  }
}

// ---------------------------------------------------------------- Adadelta

export interface AdadeltaOptions extends OptimizerOptions {
  /** Default 0.95. */
  rho?: number;
  /** Default 1e-7. */
  epsilon?: number;
}

/**
 * Adadelta (Keras): slots 'accum_grad' and 'accum_var';
 * `s = rho s + (1 - rho) g^2; d = sqrt(u + eps) / sqrt(s + eps) g; u = rho u + (1 - rho) d^2; v -= lr d`.
 * Defaults: learningRate 0.001, rho 0.95, epsilon 1e-7.
 */
export class Adadelta extends BuiltinOptimizer {
  private readonly h: AdadeltaHyper = { keep: 1, l2: 0, scale: 1, lr: 0, rho: 0, eps: 0 };
  rho: number;
  epsilon: number;

  constructor(options: AdadeltaOptions = {}) {
    super(options, ['rho', 'epsilon']);
    this.rho = checkNumber('Adadelta', 'rho', options.rho ?? 0.95, { min: 0, max: 1 });
    this.epsilon = checkNumber('Adadelta', 'epsilon', options.epsilon ?? 1e-7, { min: 0 });
  }

  protected slotNames(): readonly string[] {
    return ['accum_grad', 'accum_var'];
  }

  protected fused(u: FusedUpdate): void {
    const { src, dst, grad: g, variable: v } = u;
    const h = this.common(this.h, u);
    h.rho = this.rho;
    h.eps = this.epsilon;
    adadelta(src, dst, g, this.slot(v, 'accum_grad'), this.slot(v, 'accum_var'), h);
  }

  override getConfig(): Record<string, JSONValue> {
    return { ...super.getConfig(), rho: this.rho, epsilon: this.epsilon };
  }
}

// ---------------------------------------------------------------- Adam, AdamW

export interface AdamOptions extends OptimizerOptions {
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-7, added to the root of the uncorrected second moment. */
  epsilon?: number;
  /** Keep the running maximum of the second moment (slot 'vhat'). Default false. */
  amsgrad?: boolean;
}

/**
 * Adam (Keras): slots 'm', 'v' (and 'vhat' with amsgrad);
 * `m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2); var -= lr sqrt(1 - b2^t) / (1 - b1^t) m / (sqrt(v) + epsilon)`.
 * Defaults: learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7, amsgrad false.
 */
export class Adam extends BuiltinOptimizer {
  private readonly h: AdamHyper = {
    keep: 1,
    l2: 0,
    scale: 1,
    lr: 0,
    beta1: 0,
    beta2: 0,
    eps: 0,
    step: 0,
    form: 'keras',
  };
  beta1: number;
  beta2: number;
  epsilon: number;
  amsgrad: boolean;

  constructor(options: AdamOptions = {}) {
    super(options, ['beta1', 'beta2', 'epsilon', 'amsgrad']);
    const cls = new.target.name;
    this.beta1 = checkNumber(cls, 'beta1', options.beta1 ?? 0.9, betaRule);
    this.beta2 = checkNumber(cls, 'beta2', options.beta2 ?? 0.999, betaRule);
    this.epsilon = checkNumber(cls, 'epsilon', options.epsilon ?? 1e-7, { min: 0 });
    this.amsgrad = checkBoolean(cls, 'amsgrad', options.amsgrad ?? false);
  }

  protected slotNames(): readonly string[] {
    return this.amsgrad ? ['m', 'v', 'vhat'] : ['m', 'v'];
  }

  protected fused(u: FusedUpdate): void {
    const { src, dst, grad: g, variable: v } = u;
    const h = this.common(this.h, u);
    h.beta1 = this.beta1;
    h.beta2 = this.beta2;
    h.eps = this.epsilon;
    h.step = this.iterations + 1;
    adam(src, dst, g, this.slot(v, 'm'), this.slot(v, 'v'), this.amsgrad ? this.slot(v, 'vhat') : null, h);
  }

  override getConfig(): Record<string, JSONValue> {
    const { beta1, beta2, epsilon, amsgrad } = this;
    return { ...super.getConfig(), beta1, beta2, epsilon, amsgrad };
  }
}

export interface AdamWOptions extends AdamOptions {
  /** Decoupled weight decay, required; default 0.004. */
  weightDecay?: number;
}

/** AdamW (Keras): Adam with decoupled weight decay `var -= var * weightDecay * lr` (default 0.004). */
export class AdamW extends Adam {
  constructor(options: AdamWOptions = {}) {
    if (options?.weightDecay === null)
      throw new TypeError('AdamW: weightDecay must be a number (default 0.004), got null');
    super(withDefaults(options, { weightDecay: 0.004 }));
  }
}

// ---------------------------------------------------------------- Nadam

export interface NadamOptions extends OptimizerOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/**
 * Nadam (Keras): Adam with Nesterov momentum and Dozat's momentum schedule
 * `mu_t = b1 (1 - 0.5 * 0.96^t)` (Keras 3 / TF >= 2.11; PyTorch uses 0.96^(0.004 t)). Slots 'm', 'v';
 * the product of the mu_t is optimizer-wide state (saved by getState).
 */
export class Nadam extends BuiltinOptimizer {
  private readonly h: NadamHyper = {
    keep: 1,
    l2: 0,
    scale: 1,
    lr: 0,
    beta1: 0,
    beta2: 0,
    eps: 0,
    step: 0,
    mu: 0,
    muNext: 0,
    muProduct: 1,
  };
  beta1: number;
  beta2: number;
  epsilon: number;
  private uProduct = 1;
  private stepMu = { mu: 0, muNext: 0, muProduct: 1 };

  constructor(options: NadamOptions = {}) {
    super(options, ['beta1', 'beta2', 'epsilon']);
    this.beta1 = checkNumber('Nadam', 'beta1', options.beta1 ?? 0.9, betaRule);
    this.beta2 = checkNumber('Nadam', 'beta2', options.beta2 ?? 0.999, betaRule);
    this.epsilon = checkNumber('Nadam', 'epsilon', options.epsilon ?? 1e-7, { min: 0 });
  }

  protected slotNames(): readonly string[] {
    return ['m', 'v'];
  }

  protected override prepareStep(): void {
    this.stepMu = nadamSchedule(this.beta1, this.iterations + 1, 1, this.uProduct);
    this.uProduct = this.stepMu.muProduct;
  }

  protected fused(u: FusedUpdate): void {
    const { src, dst, grad: g, variable: v } = u;
    const h = this.common(this.h, u);
    h.beta1 = this.beta1;
    h.beta2 = this.beta2;
    h.eps = this.epsilon;
    h.step = this.iterations + 1;
    h.mu = this.stepMu.mu;
    h.muNext = this.stepMu.muNext;
    h.muProduct = this.stepMu.muProduct;
    nadam(src, dst, g, this.slot(v, 'm'), this.slot(v, 'v'), h);
  }

  protected override getExtraState(): Record<string, number> {
    return { uProduct: this.uProduct };
  }

  protected override setExtraState(extra: Record<string, number>): void {
    this.uProduct = extra.uProduct ?? 1;
    this.stepMu = { mu: 0, muNext: 0, muProduct: this.uProduct };
  }

  override getConfig(): Record<string, JSONValue> {
    const { beta1, beta2, epsilon } = this;
    return { ...super.getConfig(), beta1, beta2, epsilon };
  }
}

// ---------------------------------------------------------------- Adamax

export interface AdamaxOptions extends OptimizerOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/**
 * Adamax (Keras): slots 'm' and 'v' (the infinity norm u);
 * `m += (g - m)(1 - b1); u = max(b2 u, |g|); var -= lr m / ((1 - b1^t)(u + epsilon))`.
 */
export class Adamax extends BuiltinOptimizer {
  private readonly h: AdamaxHyper = {
    keep: 1,
    l2: 0,
    scale: 1,
    lr: 0,
    beta1: 0,
    beta2: 0,
    eps: 0,
    step: 0,
    form: 'keras',
  };
  beta1: number;
  beta2: number;
  epsilon: number;

  constructor(options: AdamaxOptions = {}) {
    super(options, ['beta1', 'beta2', 'epsilon']);
    this.beta1 = checkNumber('Adamax', 'beta1', options.beta1 ?? 0.9, betaRule);
    this.beta2 = checkNumber('Adamax', 'beta2', options.beta2 ?? 0.999, betaRule);
    this.epsilon = checkNumber('Adamax', 'epsilon', options.epsilon ?? 1e-7, { min: 0 });
  }

  protected slotNames(): readonly string[] {
    return ['m', 'v'];
  }

  protected fused(u: FusedUpdate): void {
    const { src, dst, grad: g, variable: v } = u;
    const h = this.common(this.h, u);
    h.beta1 = this.beta1;
    h.beta2 = this.beta2;
    h.eps = this.epsilon;
    h.step = this.iterations + 1;
    adamax(src, dst, g, this.slot(v, 'm'), this.slot(v, 'v'), h);
  }

  override getConfig(): Record<string, JSONValue> {
    const { beta1, beta2, epsilon } = this;
    return { ...super.getConfig(), beta1, beta2, epsilon };
  }
}

// ---------------------------------------------------------------- Lion

export interface LionOptions extends OptimizerOptions {
  /** Interpolation for the update direction. Default 0.9, in (0, 1]. */
  beta1?: number;
  /** Decay of the momentum slot. Default 0.99. */
  beta2?: number;
}

/** Lion (Keras): `var -= lr sign(b1 m + (1 - b1) g); m = b2 m + (1 - b2) g` (slot 'm'). */
export class Lion extends BuiltinOptimizer {
  private readonly h: LionHyper = { keep: 1, l2: 0, scale: 1, lr: 0, beta1: 0, beta2: 0 };
  beta1: number;
  beta2: number;

  constructor(options: LionOptions = {}) {
    super(options, ['beta1', 'beta2']);
    this.beta1 = checkNumber('Lion', 'beta1', options.beta1 ?? 0.9, { min: 0, max: 1, minOpen: true });
    this.beta2 = checkNumber('Lion', 'beta2', options.beta2 ?? 0.99, { min: 0, max: 1 });
  }

  protected slotNames(): readonly string[] {
    return ['m'];
  }

  protected fused(u: FusedUpdate): void {
    const { src, dst, grad: g, variable: v } = u;
    const h = this.common(this.h, u);
    h.beta1 = this.beta1;
    h.beta2 = this.beta2;
    lion(src, dst, g, this.slot(v, 'm'), h);
  }

  override getConfig(): Record<string, JSONValue> {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2 };
  }
}

const BUILTINS = new Set<unknown>([SGD, Adagrad, RMSprop, Adadelta, Adam, AdamW, Nadam, Adamax, Lion]);

/**
 * Whether an optimizer is one of the built-ins as they ship (not a subclass, which could keep the
 * gradients it is given): then nothing refers to the gradients once applyGradients has returned.
 */
export function keepsNoGradients(optimizer: unknown): boolean {
  return (
    optimizer !== null &&
    typeof optimizer === 'object' &&
    BUILTINS.has(optimizer.constructor) &&
    (optimizer as Optimizer).applyGradients === Optimizer.prototype.applyGradients
  );
}
