import type { TypedArray } from '../../backend/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkBoolean, checkNumber, describe } from '../common.js';
import { type AdadeltaHyper, adadelta } from '../rules/adadelta.js';
import { type AdagradHyper, adagrad } from '../rules/adagrad.js';
import { type AdamHyper, adam } from '../rules/adam.js';
import { type AdamaxHyper, adamax } from '../rules/adamax.js';
import { type NadamHyper, nadam, nadamSchedule } from '../rules/nadam.js';
import { type RmspropHyper, rmsprop } from '../rules/rmsprop.js';
import { type SgdHyper, sgd } from '../rules/sgd.js';
import {
  type BaseOptions,
  Optimizer,
  type ParamGroup,
  type ParamGroupInput,
  type ParamState,
} from './optimizer.js';

type Params<O> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

const nonNegative = { min: 0 };

function checkBetas(where: string, betas: unknown): [number, number] {
  if (!Array.isArray(betas) || betas.length !== 2) {
    throw new TypeError(`${where}: betas must be [beta1, beta2], got ${describe(betas)}`);
  }
  checkNumber(where, 'betas[0]', betas[0], { min: 0, max: 1, maxOpen: true });
  checkNumber(where, 'betas[1]', betas[1], { min: 0, max: 1, maxOpen: true });
  return betas as [number, number];
}

function checkCommon(
  where: string,
  o: { lr: number; weightDecay?: number; eps?: number; maximize?: boolean },
): void {
  checkNumber(where, 'lr', o.lr, nonNegative);
  if (o.weightDecay !== undefined) checkNumber(where, 'weightDecay', o.weightDecay, nonNegative);
  if (o.eps !== undefined) checkNumber(where, 'eps', o.eps, nonNegative);
  if (o.maximize !== undefined) checkBoolean(where, 'maximize', o.maximize);
}

// ---------------------------------------------------------------- SGD

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

/**
 * PyTorch's SGD: `d = g + weightDecay p`; with momentum `buf = momentum buf + (1 - dampening) d` (the
 * first step `buf = d`), `d = nesterov ? d + momentum buf : buf`; `p -= lr d`. Defaults: lr 1e-3,
 * momentum 0, dampening 0, weightDecay 0, nesterov false, maximize false. State: 'momentumBuffer'.
 */
export class SGD extends Optimizer<SGDOptions> {
  private readonly h: SgdHyper = {
    keep: 1,
    l2: 0,
    scale: 1,
    lr: 0,
    momentum: 0,
    dampening: 0,
    nesterov: false,
    form: 'torch',
    first: false,
  };

  constructor(params: Params<SGDOptions>, options: Partial<SGDOptions> & BaseOptions = {}) {
    super(params, options, {
      lr: 1e-3,
      momentum: 0,
      dampening: 0,
      weightDecay: 0,
      nesterov: false,
      maximize: false,
    });
  }

  protected validate(o: SGDOptions, where: string): void {
    checkCommon(where, o);
    checkNumber(where, 'momentum', o.momentum, nonNegative);
    checkNumber(where, 'dampening', o.dampening);
    checkBoolean(where, 'nesterov', o.nesterov);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new RangeError(`${where}: Nesterov momentum requires a momentum > 0 and zero dampening`);
    }
  }

  protected update(group: ParamGroup<SGDOptions>, p: Tensor, g: TypedArray, state: ParamState): void {
    state.step = (state.step as number) + 1;
    const first = group.momentum !== 0 && state.momentumBuffer === undefined;
    const buf = group.momentum !== 0 ? this.buffer(state, 'momentumBuffer', p) : null;
    const h = this.h;
    this.setCommon(h, group);
    h.lr = group.lr;
    h.momentum = group.momentum;
    h.dampening = group.dampening;
    h.nesterov = group.nesterov;
    h.first = first;
    const t = this.begin(p);
    sgd(t.src, t.dst, g, buf, h);
    this.commit(p);
  }
}

// ---------------------------------------------------------------- Adagrad

export interface AdagradOptions {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

/**
 * PyTorch's Adagrad: `clr = lr / (1 + (t - 1) lrDecay); sum += g^2; p -= clr g / (sqrt(sum) + eps)`.
 * Defaults: lr 0.01, lrDecay 0, weightDecay 0, initialAccumulatorValue 0, eps 1e-10. State: 'sum'.
 */
export class Adagrad extends Optimizer<AdagradOptions> {
  private readonly h: AdagradHyper = { keep: 1, l2: 0, scale: 1, lr: 0, eps: 0, form: 'torch' };

  constructor(params: Params<AdagradOptions>, options: Partial<AdagradOptions> & BaseOptions = {}) {
    super(params, options, {
      lr: 0.01,
      lrDecay: 0,
      weightDecay: 0,
      initialAccumulatorValue: 0,
      eps: 1e-10,
      maximize: false,
    });
  }

  protected validate(o: AdagradOptions, where: string): void {
    checkCommon(where, o);
    checkNumber(where, 'lrDecay', o.lrDecay, nonNegative);
    checkNumber(where, 'initialAccumulatorValue', o.initialAccumulatorValue, nonNegative);
  }

  protected update(group: ParamGroup<AdagradOptions>, p: Tensor, g: TypedArray, state: ParamState): void {
    const step = (state.step as number) + 1;
    state.step = step;
    const sum = this.buffer(state, 'sum', p, group.initialAccumulatorValue);
    const h = this.h;
    this.setCommon(h, group);
    h.lr = group.lr / (1 + (step - 1) * group.lrDecay);
    h.eps = group.eps;
    const t = this.begin(p);
    adagrad(t.src, t.dst, g, sum, h);
    this.commit(p);
  }
}

// ---------------------------------------------------------------- RMSprop

export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

/**
 * PyTorch's RMSprop: `s = alpha s + (1 - alpha) g^2`; centered: `c = alpha c + (1 - alpha) g`, `s' = s - c^2`;
 * `den = sqrt(s') + eps`; momentum: `buf = momentum buf + g / den; p -= lr buf`; else `p -= lr g / den`.
 * Defaults: lr 0.01, alpha 0.99, eps 1e-8. State: 'squareAvg', 'momentumBuffer', 'gradAvg'.
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  private readonly h: RmspropHyper = {
    keep: 1,
    l2: 0,
    scale: 1,
    lr: 0,
    decay: 0,
    eps: 0,
    momentum: 0,
    form: 'torch',
  };

  constructor(params: Params<RMSpropOptions>, options: Partial<RMSpropOptions> & BaseOptions = {}) {
    super(params, options, {
      lr: 0.01,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0,
      centered: false,
      maximize: false,
    });
  }

  protected validate(o: RMSpropOptions, where: string): void {
    checkCommon(where, o);
    checkNumber(where, 'alpha', o.alpha, nonNegative);
    checkNumber(where, 'momentum', o.momentum, nonNegative);
    checkBoolean(where, 'centered', o.centered);
  }

  protected update(group: ParamGroup<RMSpropOptions>, p: Tensor, g: TypedArray, state: ParamState): void {
    state.step = (state.step as number) + 1;
    const sq = this.buffer(state, 'squareAvg', p);
    const buf = group.momentum > 0 ? this.buffer(state, 'momentumBuffer', p) : null;
    const avg = group.centered ? this.buffer(state, 'gradAvg', p) : null;
    const h = this.h;
    this.setCommon(h, group);
    h.lr = group.lr;
    h.decay = group.alpha;
    h.eps = group.eps;
    h.momentum = group.momentum;
    const t = this.begin(p);
    rmsprop(t.src, t.dst, g, sq, avg, buf, h);
    this.commit(p);
  }
}

// ---------------------------------------------------------------- Adadelta

export interface AdadeltaOptions {
  lr: number;
  rho: number;
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

/**
 * PyTorch's Adadelta (the same rule as Keras's): defaults lr 1.0, rho 0.9, eps 1e-6.
 * State: 'squareAvg', 'accDelta'.
 */
export class Adadelta extends Optimizer<AdadeltaOptions> {
  private readonly h: AdadeltaHyper = { keep: 1, l2: 0, scale: 1, lr: 0, rho: 0, eps: 0 };

  constructor(params: Params<AdadeltaOptions>, options: Partial<AdadeltaOptions> & BaseOptions = {}) {
    super(params, options, { lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false });
  }

  protected validate(o: AdadeltaOptions, where: string): void {
    checkCommon(where, o);
    checkNumber(where, 'rho', o.rho, { min: 0, max: 1 });
  }

  protected update(group: ParamGroup<AdadeltaOptions>, p: Tensor, g: TypedArray, state: ParamState): void {
    state.step = (state.step as number) + 1;
    const sq = this.buffer(state, 'squareAvg', p);
    const acc = this.buffer(state, 'accDelta', p);
    const h = this.h;
    this.setCommon(h, group);
    h.lr = group.lr;
    h.rho = group.rho;
    h.eps = group.eps;
    const t = this.begin(p);
    adadelta(t.src, t.dst, g, sq, acc, h);
    this.commit(p);
  }
}

// ---------------------------------------------------------------- Adam, AdamW

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

/**
 * PyTorch's Adam: `m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; [vmax = max(vmax, v)];
 * p -= lr / (1 - b1^t) m / (sqrt(v) / sqrt(1 - b2^t) + eps)`, weightDecay coupled (added to g).
 * Defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8. State: 'expAvg', 'expAvgSq', 'maxExpAvgSq'.
 */
export class Adam extends Optimizer<AdamOptions> {
  private readonly h: AdamHyper = {
    keep: 1,
    l2: 0,
    scale: 1,
    lr: 0,
    beta1: 0,
    beta2: 0,
    eps: 0,
    step: 0,
    form: 'torch',
  };

  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> & BaseOptions = {}) {
    super(params, options, Adam.defaultsFor(new.target));
  }

  private static defaultsFor(cls: unknown): AdamOptions {
    return {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: cls === AdamW ? 1e-2 : 0,
      amsgrad: false,
      maximize: false,
    };
  }

  /** Whether weight decay is decoupled (AdamW) rather than added to the gradient. */
  protected get decoupled(): boolean {
    return false;
  }

  protected validate(o: AdamOptions, where: string): void {
    checkCommon(where, o);
    checkBetas(where, o.betas);
    checkBoolean(where, 'amsgrad', o.amsgrad);
  }

  protected update(group: ParamGroup<AdamOptions>, p: Tensor, g: TypedArray, state: ParamState): void {
    const step = (state.step as number) + 1;
    state.step = step;
    const m = this.buffer(state, 'expAvg', p);
    const v = this.buffer(state, 'expAvgSq', p);
    const vmax = group.amsgrad ? this.buffer(state, 'maxExpAvgSq', p) : null;
    const h = this.h;
    this.setCommon(h, group, this.decoupled);
    h.lr = group.lr;
    h.beta1 = group.betas[0];
    h.beta2 = group.betas[1];
    h.eps = group.eps;
    h.step = step;
    const t = this.begin(p);
    adam(t.src, t.dst, g, m, v, vmax, h);
    this.commit(p);
  }
}

/**
 * PyTorch's AdamW: Adam with decoupled weight decay, `p *= 1 - lr weightDecay` before the update.
 * Defaults as Adam's but weightDecay 0.01.
 */
export class AdamW extends Adam {
  protected override get decoupled(): boolean {
    return true;
  }
}

// ---------------------------------------------------------------- NAdam

export interface NAdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  momentumDecay: number;
  maximize: boolean;
}

/**
 * PyTorch's NAdam: Adam with Nesterov momentum and the schedule `mu_t = b1 (1 - 0.5 * 0.96^(t psi))`,
 * psi = momentumDecay. Defaults: lr 2e-3, betas [0.9, 0.999], eps 1e-8, momentumDecay 4e-3.
 * State: 'muProduct', 'expAvg', 'expAvgSq'. (`maximize` is a tapeflow addition: PyTorch 1.13 lacks it.)
 */
export class NAdam extends Optimizer<NAdamOptions> {
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

  constructor(params: Params<NAdamOptions>, options: Partial<NAdamOptions> & BaseOptions = {}) {
    super(params, options, {
      lr: 2e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      momentumDecay: 4e-3,
      maximize: false,
    });
  }

  protected validate(o: NAdamOptions, where: string): void {
    checkCommon(where, o);
    checkBetas(where, o.betas);
    checkNumber(where, 'momentumDecay', o.momentumDecay, nonNegative);
  }

  protected update(group: ParamGroup<NAdamOptions>, p: Tensor, g: TypedArray, state: ParamState): void {
    const step = (state.step as number) + 1;
    state.step = step;
    const m = this.buffer(state, 'expAvg', p);
    const v = this.buffer(state, 'expAvgSq', p);
    const beta1 = group.betas[0];
    const sched = nadamSchedule(
      beta1,
      step,
      group.momentumDecay,
      (state.muProduct as number | undefined) ?? 1,
    );
    state.muProduct = sched.muProduct;
    const h = this.h;
    this.setCommon(h, group);
    h.lr = group.lr;
    h.beta1 = beta1;
    h.beta2 = group.betas[1];
    h.eps = group.eps;
    h.step = step;
    h.mu = sched.mu;
    h.muNext = sched.muNext;
    h.muProduct = sched.muProduct;
    const t = this.begin(p);
    nadam(t.src, t.dst, g, m, v, h);
    this.commit(p);
  }
}

// ---------------------------------------------------------------- Adamax

export interface AdamaxOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

/**
 * PyTorch's Adamax: `m = b1 m + (1 - b1) g; u = max(b2 u, |g| + eps); p -= lr / (1 - b1^t) m / u`.
 * Defaults: lr 2e-3, betas [0.9, 0.999], eps 1e-8. State: 'expAvg', 'expInf'.
 */
export class Adamax extends Optimizer<AdamaxOptions> {
  private readonly h: AdamaxHyper = {
    keep: 1,
    l2: 0,
    scale: 1,
    lr: 0,
    beta1: 0,
    beta2: 0,
    eps: 0,
    step: 0,
    form: 'torch',
  };

  constructor(params: Params<AdamaxOptions>, options: Partial<AdamaxOptions> & BaseOptions = {}) {
    super(params, options, { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false });
  }

  protected validate(o: AdamaxOptions, where: string): void {
    checkCommon(where, o);
    checkBetas(where, o.betas);
  }

  protected update(group: ParamGroup<AdamaxOptions>, p: Tensor, g: TypedArray, state: ParamState): void {
    const step = (state.step as number) + 1;
    state.step = step;
    const m = this.buffer(state, 'expAvg', p);
    const u = this.buffer(state, 'expInf', p);
    const h = this.h;
    this.setCommon(h, group);
    h.lr = group.lr;
    h.beta1 = group.betas[0];
    h.beta2 = group.betas[1];
    h.eps = group.eps;
    h.step = step;
    const t = this.begin(p);
    adamax(t.src, t.dst, g, m, u, h);
    this.commit(p);
  }
}
