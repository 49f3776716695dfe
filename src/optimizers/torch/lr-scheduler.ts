import { Tensor } from '../../tensor/tensor.js';
import { checkBoolean, checkNumber, checkOptions, describe } from '../common.js';
import type { Optimizer, ParamGroup } from './optimizer.js';

// biome-ignore lint/suspicious/noExplicitAny: schedulers drive any optimizer's groups
type AnyOptimizer = Optimizer<any>;
type Group = ParamGroup<{ lr: number }>;

/** A JSON-able snapshot of a scheduler (what `stateDict()` returns). */
export type SchedulerState = Record<string, unknown>;

function checkOptimizer(where: string, optimizer: unknown): AnyOptimizer {
  const o = optimizer as AnyOptimizer;
  if (o === null || typeof o !== 'object' || !Array.isArray(o.paramGroups)) {
    throw new TypeError(`${where}: expected a tf.optim optimizer, got ${describe(optimizer)}`);
  }
  return o;
}

function cloneValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(cloneValue);
  if (v instanceof Map) return Object.fromEntries(v);
  return v;
}

/**
 * Base of PyTorch's epoch-based schedulers (torch.optim.lr_scheduler.LRScheduler): `step()` advances
 * `lastEpoch` and sets each group's `lr` from `getLr()`, written in PyTorch's chainable (recursive) form,
 * so that it composes with other schedulers and with manual changes of `lr`. Construction performs the
 * initial step (lastEpoch 0).
 */
export abstract class LRScheduler {
  readonly optimizer: AnyOptimizer;
  lastEpoch: number;
  baseLrs: number[];
  protected stepCount = 0;
  private lastLr: number[] = [];

  constructor(optimizer: AnyOptimizer, lastEpoch = -1) {
    const cls = this.constructor.name;
    this.optimizer = checkOptimizer(cls, optimizer);
    checkNumber(cls, 'lastEpoch', lastEpoch, { min: -1, integer: true });
    const groups = this.groups;
    if (lastEpoch === -1) {
      for (const g of groups) if (g.initialLr === undefined) g.initialLr = g.lr;
    } else {
      groups.forEach((g, i) => {
        if (g.initialLr === undefined) {
          throw new Error(
            `${cls}: param group ${i} has no initialLr, which resuming (lastEpoch >= 0) requires`,
          );
        }
      });
    }
    this.baseLrs = groups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
  }

  protected get groups(): Group[] {
    return this.optimizer.paramGroups as Group[];
  }

  /** Subclasses call this at the end of their constructor (PyTorch's _initial_step). */
  protected initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** The learning rates for the current `lastEpoch`. */
  abstract getLr(): number[];

  /** Advances one epoch (or one batch, for OneCycleLR) and sets each group's lr. */
  step(): void {
    this.stepCount++;
    this.lastEpoch++;
    const lrs = this.getLr();
    this.groups.forEach((g, i) => {
      g.lr = lrs[i]!;
    });
    this.lastLr = this.groups.map((g) => g.lr);
  }

  /** The learning rates the last `step()` set. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Every field except the optimizer, JSON-able. */
  stateDict(): SchedulerState {
    const out: SchedulerState = {};
    for (const [k, v] of Object.entries(this)) if (k !== 'optimizer') out[k] = cloneValue(v);
    return out;
  }

  loadStateDict(state: SchedulerState): void {
    if (state === null || typeof state !== 'object') {
      throw new TypeError(
        `${this.constructor.name}.loadStateDict: expected an object, got ${describe(state)}`,
      );
    }
    const self = this as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(state)) {
      if (k === 'optimizer') continue;
      if (!(k in this)) throw new TypeError(`${this.constructor.name}.loadStateDict: unknown field '${k}'`);
      self[k] = cloneValue(v);
    }
  }
}

// ---------------------------------------------------------------- StepLR

/** Multiplies each group's lr by gamma every stepSize epochs. */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, options: { stepSize: number; gamma?: number; lastEpoch?: number }) {
    checkOptions('StepLR', options, ['stepSize', 'gamma', 'lastEpoch']);
    super(optimizer, options?.lastEpoch ?? -1);
    this.stepSize = checkNumber('StepLR', 'stepSize', options.stepSize, { min: 1, integer: true });
    this.gamma = checkNumber('StepLR', 'gamma', options.gamma ?? 0.1);
    this.initialStep();
  }

  getLr(): number[] {
    const e = this.lastEpoch;
    if (e === 0 || e % this.stepSize !== 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }
}

// ---------------------------------------------------------------- MultiStepLR

/** Multiplies each group's lr by gamma at each milestone (a repeated milestone applies gamma again). */
export class MultiStepLR extends LRScheduler {
  readonly milestones: number[];
  readonly gamma: number;

  constructor(
    optimizer: AnyOptimizer,
    options: { milestones: number[]; gamma?: number; lastEpoch?: number },
  ) {
    checkOptions('MultiStepLR', options, ['milestones', 'gamma', 'lastEpoch']);
    super(optimizer, options?.lastEpoch ?? -1);
    if (!Array.isArray(options.milestones))
      throw new TypeError('MultiStepLR: milestones must be an array of epochs');
    options.milestones.forEach((m, i) => {
      checkNumber('MultiStepLR', `milestones[${i}]`, m, { min: 0, integer: true });
    });
    this.milestones = [...options.milestones].sort((a, b) => a - b);
    this.gamma = checkNumber('MultiStepLR', 'gamma', options.gamma ?? 0.1);
    this.initialStep();
  }

  getLr(): number[] {
    const count = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (count === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma ** count);
  }
}

// ---------------------------------------------------------------- ExponentialLR

/** Multiplies each group's lr by gamma every epoch. */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, options: { gamma: number; lastEpoch?: number }) {
    checkOptions('ExponentialLR', options, ['gamma', 'lastEpoch']);
    super(optimizer, options?.lastEpoch ?? -1);
    this.gamma = checkNumber('ExponentialLR', 'gamma', options.gamma);
    this.initialStep();
  }

  getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }
}

// ---------------------------------------------------------------- CosineAnnealingLR

/**
 * Cosine annealing from each group's initial lr to etaMin over tMax epochs (then back up, periodically),
 * in PyTorch's recursive form:
 * lr_t = etaMin + (lr_{t-1} - etaMin) (1 + cos(pi t / tMax)) / (1 + cos(pi (t - 1) / tMax)).
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: AnyOptimizer, options: { tMax: number; etaMin?: number; lastEpoch?: number }) {
    checkOptions('CosineAnnealingLR', options, ['tMax', 'etaMin', 'lastEpoch']);
    super(optimizer, options?.lastEpoch ?? -1);
    this.tMax = checkNumber('CosineAnnealingLR', 'tMax', options.tMax, { min: 0, minOpen: true });
    this.etaMin = checkNumber('CosineAnnealingLR', 'etaMin', options.etaMin ?? 0);
    this.initialStep();
  }

  getLr(): number[] {
    const e = this.lastEpoch;
    const T = this.tMax;
    const eta = this.etaMin;
    if (e === 0) return this.groups.map((g) => g.lr);
    if (this.stepCount === 1 && e > 0) {
      return this.baseLrs.map((b) => eta + ((b - eta) * (1 + Math.cos((e * Math.PI) / T))) / 2);
    }
    if ((e - 1 - T) % (2 * T) === 0) {
      return this.groups.map((g, i) => g.lr + ((this.baseLrs[i]! - eta) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return this.groups.map(
      (g) =>
        ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (g.lr - eta) + eta,
    );
  }
}

// ---------------------------------------------------------------- OneCycleLR

export interface OneCycleLROptions {
  /** Peak lr, one number or one per group. */
  maxLr: number | number[];
  /** Total steps; or give epochs and stepsPerEpoch. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent rising. Default 0.3. */
  pctStart?: number;
  /** 'cos' (default) or 'linear'. */
  annealStrategy?: 'cos' | 'linear';
  /** Cycle momentum (SGD's momentum or Adam-style betas[0]) inversely to lr. Default true. */
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  /** initial lr = maxLr / divFactor. Default 25. */
  divFactor?: number;
  /** min lr = initial lr / finalDivFactor. Default 1e4. */
  finalDivFactor?: number;
  /** Rise, fall back to the initial lr, then anneal to the minimum. Default false. */
  threePhase?: boolean;
  lastEpoch?: number;
}

interface Phase {
  endStep: number;
  startLr: 'initialLr' | 'maxLr' | 'minLr';
  endLr: 'initialLr' | 'maxLr' | 'minLr';
  startMomentum: 'maxMomentum' | 'baseMomentum';
  endMomentum: 'maxMomentum' | 'baseMomentum';
}

/**
 * The 1cycle policy (Smith & Topin 2017), stepped once per batch: the lr rises from maxLr / divFactor to
 * maxLr over pctStart of totalSteps, then anneals to initial / finalDivFactor; momentum moves the other
 * way between maxMomentum and baseMomentum.
 */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  readonly annealStrategy: 'cos' | 'linear';
  readonly cycleMomentum: boolean;
  readonly useBeta1: boolean;
  readonly phases: Phase[];
  readonly maxLrs: number[];
  readonly minLrs: number[];
  readonly initialLrs: number[];
  readonly maxMomentums: number[];
  readonly baseMomentums: number[];

  constructor(optimizer: AnyOptimizer, options: OneCycleLROptions) {
    const c = 'OneCycleLR';
    checkOptions(c, options, [
      'maxLr',
      'totalSteps',
      'epochs',
      'stepsPerEpoch',
      'pctStart',
      'annealStrategy',
      'cycleMomentum',
      'baseMomentum',
      'maxMomentum',
      'divFactor',
      'finalDivFactor',
      'threePhase',
      'lastEpoch',
    ]);
    const opt = checkOptimizer(c, optimizer);
    const o = options;
    let total: number;
    if (o.totalSteps !== undefined)
      total = checkNumber(c, 'totalSteps', o.totalSteps, { min: 1, integer: true });
    else if (o.epochs !== undefined && o.stepsPerEpoch !== undefined) {
      total =
        checkNumber(c, 'epochs', o.epochs, { min: 1, integer: true }) *
        checkNumber(c, 'stepsPerEpoch', o.stepsPerEpoch, { min: 1, integer: true });
    } else throw new TypeError(`${c}: give totalSteps, or epochs and stepsPerEpoch`);
    const pct = checkNumber(c, 'pctStart', o.pctStart ?? 0.3, { min: 0, max: 1 });
    const anneal = o.annealStrategy ?? 'cos';
    if (anneal !== 'cos' && anneal !== 'linear') {
      throw new TypeError(`${c}: annealStrategy must be 'cos' or 'linear', got ${describe(anneal)}`);
    }
    const divFactor = checkNumber(c, 'divFactor', o.divFactor ?? 25, { min: 0, minOpen: true });
    const finalDiv = checkNumber(c, 'finalDivFactor', o.finalDivFactor ?? 1e4, { min: 0, minOpen: true });
    const perGroup = (name: string, v: number | number[] | undefined, dflt: number): number[] => {
      const n = opt.paramGroups.length;
      const list = Array.isArray(v) ? v : Array.from({ length: n }, () => v ?? dflt);
      if (list.length !== n)
        throw new RangeError(`${c}: expected ${n} values for ${name}, got ${list.length}`);
      list.forEach((x, i) => {
        checkNumber(c, `${name}[${i}]`, x);
      });
      return [...list];
    };
    if (o.maxLr === undefined) throw new TypeError(`${c}: maxLr is required`);
    const maxLrs = perGroup('maxLr', o.maxLr, 0);
    const lastEpoch = o.lastEpoch ?? -1;
    const initialLrs = maxLrs.map((m) => m / divFactor);
    if (lastEpoch === -1) {
      opt.paramGroups.forEach((g, i) => {
        g.initialLr = initialLrs[i]!;
      });
    }
    const cycle = checkBoolean(c, 'cycleMomentum', o.cycleMomentum ?? true);
    const hasMomentum = 'momentum' in opt.defaults;
    const hasBetas = 'betas' in opt.defaults;
    if (cycle && !hasMomentum && !hasBetas) {
      throw new TypeError(`${c}: the optimizer must have momentum or betas when cycleMomentum is true`);
    }
    const maxM = perGroup('maxMomentum', o.maxMomentum, 0.95);
    const baseM = perGroup('baseMomentum', o.baseMomentum, 0.85);
    if (cycle && lastEpoch === -1) {
      opt.paramGroups.forEach((g, i) => {
        if (hasBetas) g.betas = [maxM[i]!, (g.betas as number[])[1]!];
        else g.momentum = maxM[i]!;
      });
    }
    super(opt, lastEpoch);
    this.totalSteps = total;
    this.annealStrategy = anneal;
    this.cycleMomentum = cycle;
    this.useBeta1 = hasBetas;
    this.maxLrs = maxLrs;
    this.initialLrs = initialLrs;
    this.minLrs = initialLrs.map((l) => l / finalDiv);
    this.maxMomentums = maxM;
    this.baseMomentums = baseM;
    this.phases = o.threePhase
      ? [
          {
            endStep: pct * total - 1,
            startLr: 'initialLr',
            endLr: 'maxLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'baseMomentum',
          },
          {
            endStep: 2 * pct * total - 2,
            startLr: 'maxLr',
            endLr: 'initialLr',
            startMomentum: 'baseMomentum',
            endMomentum: 'maxMomentum',
          },
          {
            endStep: total - 1,
            startLr: 'initialLr',
            endLr: 'minLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'maxMomentum',
          },
        ]
      : [
          {
            endStep: pct * total - 1,
            startLr: 'initialLr',
            endLr: 'maxLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'baseMomentum',
          },
          {
            endStep: total - 1,
            startLr: 'maxLr',
            endLr: 'minLr',
            startMomentum: 'baseMomentum',
            endMomentum: 'maxMomentum',
          },
        ];
    this.initialStep();
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'linear') return (end - start) * pct + start;
    return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
  }

  getLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps) {
      throw new RangeError(
        `OneCycleLR: tried to step ${step} times; the specified number of total steps is ${this.totalSteps}`,
      );
    }
    return this.groups.map((g, i) => {
      const values = {
        initialLr: this.initialLrs[i]!,
        maxLr: this.maxLrs[i]!,
        minLr: this.minLrs[i]!,
        maxMomentum: this.maxMomentums[i]!,
        baseMomentum: this.baseMomentums[i]!,
      };
      let start = 0;
      let lr = g.lr;
      for (let k = 0; k < this.phases.length; k++) {
        const ph = this.phases[k]!;
        if (step <= ph.endStep || k === this.phases.length - 1) {
          const pct = (step - start) / (ph.endStep - start);
          lr = this.anneal(values[ph.startLr], values[ph.endLr], pct);
          if (this.cycleMomentum) {
            const m = this.anneal(values[ph.startMomentum], values[ph.endMomentum], pct);
            if (this.useBeta1) g.betas = [m, (g.betas as number[])[1]!];
            else g.momentum = m;
          }
          break;
        }
        start = ph.endStep;
      }
      return lr;
    });
  }
}

// ---------------------------------------------------------------- ReduceLROnPlateau

export interface ReduceLROnPlateauOptions {
  /** 'min' (default): the metric should fall; 'max': rise. */
  mode?: 'min' | 'max';
  /** new lr = lr * factor. Default 0.1, must be < 1. */
  factor?: number;
  /** Epochs without improvement tolerated. Default 10. */
  patience?: number;
  /** Default 1e-4. */
  threshold?: number;
  /** 'rel' (default): improvement relative to the best; 'abs': absolute. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction. Default 0. */
  cooldown?: number;
  /** Lower bound, one number or one per group. Default 0. */
  minLr?: number | number[];
  /** Reductions smaller than this are skipped. Default 1e-8. */
  eps?: number;
}

/** Reduces the lr by `factor` when a metric has stopped improving for `patience` epochs: `step(metric)`. */
export class ReduceLROnPlateau {
  readonly optimizer: AnyOptimizer;
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: AnyOptimizer, options: ReduceLROnPlateauOptions = {}) {
    const c = 'ReduceLROnPlateau';
    this.optimizer = checkOptimizer(c, optimizer);
    checkOptions(c, options, [
      'mode',
      'factor',
      'patience',
      'threshold',
      'thresholdMode',
      'cooldown',
      'minLr',
      'eps',
    ]);
    this.mode = options.mode ?? 'min';
    if (this.mode !== 'min' && this.mode !== 'max')
      throw new TypeError(`${c}: mode must be 'min' or 'max', got ${describe(this.mode)}`);
    this.factor = checkNumber(c, 'factor', options.factor ?? 0.1, { max: 1, maxOpen: true });
    this.patience = checkNumber(c, 'patience', options.patience ?? 10, { min: 0, integer: true });
    this.threshold = checkNumber(c, 'threshold', options.threshold ?? 1e-4);
    this.thresholdMode = options.thresholdMode ?? 'rel';
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs') {
      throw new TypeError(`${c}: thresholdMode must be 'rel' or 'abs', got ${describe(this.thresholdMode)}`);
    }
    this.cooldown = checkNumber(c, 'cooldown', options.cooldown ?? 0, { min: 0, integer: true });
    const n = this.optimizer.paramGroups.length;
    const minLr = options.minLr ?? 0;
    this.minLrs = Array.isArray(minLr) ? [...minLr] : Array.from({ length: n }, () => minLr);
    if (this.minLrs.length !== n)
      throw new RangeError(`${c}: expected ${n} minLr values, got ${this.minLrs.length}`);
    this.minLrs.forEach((m, i) => {
      checkNumber(c, `minLr[${i}]`, m, { min: 0 });
    });
    this.eps = checkNumber(c, 'eps', options.eps ?? 1e-8, { min: 0 });
    this.best = this.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr as number);
  }

  private isBetter(a: number, best: number): boolean {
    const t = this.threshold;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - t) : a < best - t;
    return this.thresholdMode === 'rel' ? a > best * (t + 1) : a > best + t;
  }

  /** One epoch's metric (a number or a scalar tensor). */
  step(metric: number | Tensor): void {
    const current = metric instanceof Tensor ? Number(metric.dataSync()[0]) : metric;
    if (typeof current !== 'number')
      throw new TypeError(`ReduceLROnPlateau.step: metric must be a number, got ${describe(metric)}`);
    this.lastEpoch++;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else this.numBadEpochs++;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const old = g.lr as number;
        const next = Math.max(old * this.factor, this.minLrs[i]!);
        if (old - next > this.eps) g.lr = next;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr as number);
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): SchedulerState {
    const out: SchedulerState = {};
    for (const [k, v] of Object.entries(this)) if (k !== 'optimizer') out[k] = cloneValue(v);
    return out;
  }

  loadStateDict(state: SchedulerState): void {
    const self = this as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(state)) {
      if (k === 'optimizer') continue;
      if (!(k in this)) throw new TypeError(`ReduceLROnPlateau.loadStateDict: unknown field '${k}'`);
      // JSON turns the initial best (an infinity) into null.
      if (k === 'best' && v === null)
        self[k] = this.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
      else self[k] = cloneValue(v);
    }
  }
}
