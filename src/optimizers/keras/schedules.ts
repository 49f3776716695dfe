import { checkBoolean, checkNumber, checkOptions, describe } from '../common.js';

/** A JSON value (what getConfig returns). */
export type JSONValue = null | boolean | number | string | JSONValue[] | { [key: string]: JSONValue };

/**
 * A learning rate as a function of the optimizer's step (Keras's LearningRateSchedule). Subclasses
 * override `call(step)` (Python's `__call__`) and `getConfig()`; `apply(step)` evaluates it, checking the
 * result. `step` is the optimizer's `iterations` before the update: 0 for the first one.
 */
export abstract class LearningRateSchedule {
  abstract call(step: number): number;

  apply(step: number): number {
    const lr = this.call(step);
    if (typeof lr !== 'number' || Number.isNaN(lr)) {
      throw new TypeError(
        `${this.constructor.name}: call(${step}) returned ${describe(lr)}, expected a number`,
      );
    }
    return lr;
  }

  getConfig(): Record<string, JSONValue> {
    return {};
  }
}

type ScheduleClass = new (config: never) => LearningRateSchedule;

/** `{ className, config }`, Keras's serialized form. */
export function serializeSchedule(s: LearningRateSchedule): {
  className: string;
  config: Record<string, JSONValue>;
} {
  return { className: s.constructor.name, config: s.getConfig() };
}

/** Rebuilds a schedule from `serializeSchedule`'s output; custom classes are passed in `customObjects`. */
export function deserializeSchedule(
  value: { className: string; config: Record<string, JSONValue> },
  customObjects: Record<string, ScheduleClass> = {},
): LearningRateSchedule {
  const cls = customObjects[value.className] ?? BUILTIN[value.className];
  if (cls === undefined) {
    throw new TypeError(
      `deserializeSchedule: unknown schedule class '${value.className}' (pass custom classes in customObjects)`,
    );
  }
  return new cls(value.config as never);
}

const where = (cls: string) => `tf.optimizers.schedules.${cls}`;

function positional<T>(
  cls: string,
  keys: readonly string[],
  args: readonly unknown[],
  allowed: readonly string[],
): Partial<T> {
  if (args.length === 1 && typeof args[0] === 'object' && args[0] !== null && !Array.isArray(args[0])) {
    checkOptions(where(cls), args[0], allowed);
    return args[0] as Partial<T>;
  }
  if (args.length > keys.length)
    throw new TypeError(`${where(cls)}: expected at most ${keys.length} arguments`);
  const out: Record<string, unknown> = {};
  args.forEach((a, i) => {
    if (a !== undefined) out[keys[i]!] = a;
  });
  return out as Partial<T>;
}

function required(cls: string, name: string, value: unknown): unknown {
  if (value === undefined) throw new TypeError(`${where(cls)}: ${name} is required`);
  return value;
}

// ---------------------------------------------------------------- ExponentialDecay

export interface ExponentialDecayOptions {
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  staircase?: boolean;
  name?: string;
}

/** lr = initial * rate^(step / decaySteps), the exponent floored when `staircase`. */
export class ExponentialDecay extends LearningRateSchedule {
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly decayRate: number;
  readonly staircase: boolean;
  readonly name: string;

  constructor(options: ExponentialDecayOptions);
  constructor(initialLearningRate: number, decaySteps: number, decayRate: number, staircase?: boolean);
  constructor(...args: unknown[]) {
    super();
    const c = 'ExponentialDecay';
    const o = positional<ExponentialDecayOptions>(
      c,
      ['initialLearningRate', 'decaySteps', 'decayRate', 'staircase', 'name'],
      args,
      ['initialLearningRate', 'decaySteps', 'decayRate', 'staircase', 'name'],
    );
    this.initialLearningRate = checkNumber(
      where(c),
      'initialLearningRate',
      required(c, 'initialLearningRate', o.initialLearningRate),
    );
    this.decaySteps = checkNumber(where(c), 'decaySteps', required(c, 'decaySteps', o.decaySteps), {
      min: 0,
      minOpen: true,
    });
    this.decayRate = checkNumber(where(c), 'decayRate', required(c, 'decayRate', o.decayRate));
    this.staircase = checkBoolean(where(c), 'staircase', o.staircase ?? false);
    this.name = o.name ?? c;
  }

  call(step: number): number {
    let p = step / this.decaySteps;
    if (this.staircase) p = Math.floor(p);
    return this.initialLearningRate * this.decayRate ** p;
  }

  override getConfig(): Record<string, JSONValue> {
    const { initialLearningRate, decaySteps, decayRate, staircase, name } = this;
    return { initialLearningRate, decaySteps, decayRate, staircase, name };
  }
}

// ---------------------------------------------------------------- InverseTimeDecay

export interface InverseTimeDecayOptions {
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  staircase?: boolean;
  name?: string;
}

/** lr = initial / (1 + rate * step / decaySteps), the ratio floored when `staircase`. */
export class InverseTimeDecay extends LearningRateSchedule {
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly decayRate: number;
  readonly staircase: boolean;
  readonly name: string;

  constructor(options: InverseTimeDecayOptions);
  constructor(initialLearningRate: number, decaySteps: number, decayRate: number, staircase?: boolean);
  constructor(...args: unknown[]) {
    super();
    const c = 'InverseTimeDecay';
    const keys = ['initialLearningRate', 'decaySteps', 'decayRate', 'staircase', 'name'];
    const o = positional<InverseTimeDecayOptions>(c, keys, args, keys);
    this.initialLearningRate = checkNumber(
      where(c),
      'initialLearningRate',
      required(c, 'initialLearningRate', o.initialLearningRate),
    );
    this.decaySteps = checkNumber(where(c), 'decaySteps', required(c, 'decaySteps', o.decaySteps), {
      min: 0,
      minOpen: true,
    });
    this.decayRate = checkNumber(where(c), 'decayRate', required(c, 'decayRate', o.decayRate));
    this.staircase = checkBoolean(where(c), 'staircase', o.staircase ?? false);
    this.name = o.name ?? c;
  }

  call(step: number): number {
    let p = step / this.decaySteps;
    if (this.staircase) p = Math.floor(p);
    return this.initialLearningRate / (1 + this.decayRate * p);
  }

  override getConfig(): Record<string, JSONValue> {
    const { initialLearningRate, decaySteps, decayRate, staircase, name } = this;
    return { initialLearningRate, decaySteps, decayRate, staircase, name };
  }
}

// ---------------------------------------------------------------- PiecewiseConstantDecay

export interface PiecewiseConstantDecayOptions {
  boundaries: number[];
  values: number[];
  name?: string;
}

/** values[0] while step <= boundaries[0], values[1] while step <= boundaries[1], ..., then the last value. */
export class PiecewiseConstantDecay extends LearningRateSchedule {
  readonly boundaries: number[];
  readonly values: number[];
  readonly name: string;

  constructor(options: PiecewiseConstantDecayOptions);
  constructor(boundaries: number[], values: number[]);
  constructor(...args: unknown[]) {
    super();
    const c = 'PiecewiseConstantDecay';
    const positionalArgs = Array.isArray(args[0]) || args.length > 1;
    if (!positionalArgs) checkOptions(where(c), args[0], ['boundaries', 'values', 'name']);
    const o = positionalArgs
      ? { boundaries: args[0] as number[], values: args[1] as number[], name: undefined }
      : (args[0] as PiecewiseConstantDecayOptions);
    if (!Array.isArray(o?.boundaries) || !Array.isArray(o?.values)) {
      throw new TypeError(`${where(c)}: boundaries and values must be arrays of numbers`);
    }
    if (o.values.length !== o.boundaries.length + 1) {
      throw new RangeError(
        `${where(c)}: values must have one more element than boundaries, got ${o.values.length} values and ${o.boundaries.length} boundaries`,
      );
    }
    o.boundaries.forEach((b, i) => {
      checkNumber(where(c), `boundaries[${i}]`, b);
      if (i > 0 && b < o.boundaries[i - 1]!)
        throw new RangeError(`${where(c)}: boundaries must be increasing`);
    });
    o.values.forEach((v, i) => {
      checkNumber(where(c), `values[${i}]`, v);
    });
    this.boundaries = [...o.boundaries];
    this.values = [...o.values];
    this.name = o.name ?? c;
  }

  call(step: number): number {
    const b = this.boundaries;
    for (let i = 0; i < b.length; i++) if (step <= b[i]!) return this.values[i]!;
    return this.values[b.length]!;
  }

  override getConfig(): Record<string, JSONValue> {
    return { boundaries: [...this.boundaries], values: [...this.values], name: this.name };
  }
}

// ---------------------------------------------------------------- PolynomialDecay

export interface PolynomialDecayOptions {
  initialLearningRate: number;
  decaySteps: number;
  endLearningRate?: number;
  power?: number;
  cycle?: boolean;
  name?: string;
}

/**
 * lr = (initial - end) * (1 - s / D)^power + end with s = min(step, D); with `cycle`, D grows to the
 * next multiple of decaySteps above step instead (D = decaySteps * ceil(step / decaySteps), at least 1).
 */
export class PolynomialDecay extends LearningRateSchedule {
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly endLearningRate: number;
  readonly power: number;
  readonly cycle: boolean;
  readonly name: string;

  constructor(options: PolynomialDecayOptions);
  constructor(
    initialLearningRate: number,
    decaySteps: number,
    endLearningRate?: number,
    power?: number,
    cycle?: boolean,
  );
  constructor(...args: unknown[]) {
    super();
    const c = 'PolynomialDecay';
    const keys = ['initialLearningRate', 'decaySteps', 'endLearningRate', 'power', 'cycle', 'name'];
    const o = positional<PolynomialDecayOptions>(c, keys, args, keys);
    this.initialLearningRate = checkNumber(
      where(c),
      'initialLearningRate',
      required(c, 'initialLearningRate', o.initialLearningRate),
    );
    this.decaySteps = checkNumber(where(c), 'decaySteps', required(c, 'decaySteps', o.decaySteps), {
      min: 0,
      minOpen: true,
    });
    this.endLearningRate = checkNumber(where(c), 'endLearningRate', o.endLearningRate ?? 0.0001);
    this.power = checkNumber(where(c), 'power', o.power ?? 1.0);
    this.cycle = checkBoolean(where(c), 'cycle', o.cycle ?? false);
    this.name = o.name ?? c;
  }

  call(step: number): number {
    let d = this.decaySteps;
    let s = step;
    if (this.cycle) d = d * Math.max(1, Math.ceil(step / d));
    else s = Math.min(step, d);
    return (
      (this.initialLearningRate - this.endLearningRate) * (1 - s / d) ** this.power + this.endLearningRate
    );
  }

  override getConfig(): Record<string, JSONValue> {
    const { initialLearningRate, decaySteps, endLearningRate, power, cycle, name } = this;
    return { initialLearningRate, decaySteps, endLearningRate, power, cycle, name };
  }
}

// ---------------------------------------------------------------- CosineDecay

export interface CosineDecayOptions {
  initialLearningRate: number;
  decaySteps: number;
  alpha?: number;
  name?: string;
  warmupTarget?: number | null;
  warmupSteps?: number;
}

/**
 * Cosine decay (Loshchilov & Hutter, SGDR) with Keras 3's optional linear warmup: for step < warmupSteps
 * lr rises linearly from initial to warmupTarget; then, with s = min(step - warmupSteps, decaySteps),
 * lr = top * ((1 - alpha) * 0.5 * (1 + cos(pi s / decaySteps)) + alpha), top = warmupTarget ?? initial.
 */
export class CosineDecay extends LearningRateSchedule {
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly alpha: number;
  readonly name: string;
  readonly warmupTarget: number | null;
  readonly warmupSteps: number;

  constructor(options: CosineDecayOptions);
  constructor(initialLearningRate: number, decaySteps: number, alpha?: number);
  constructor(...args: unknown[]) {
    super();
    const c = 'CosineDecay';
    const keys = ['initialLearningRate', 'decaySteps', 'alpha', 'name', 'warmupTarget', 'warmupSteps'];
    const o = positional<CosineDecayOptions>(c, keys, args, keys);
    this.initialLearningRate = checkNumber(
      where(c),
      'initialLearningRate',
      required(c, 'initialLearningRate', o.initialLearningRate),
    );
    this.decaySteps = checkNumber(where(c), 'decaySteps', required(c, 'decaySteps', o.decaySteps), {
      min: 0,
      minOpen: true,
    });
    this.alpha = checkNumber(where(c), 'alpha', o.alpha ?? 0);
    this.name = o.name ?? c;
    this.warmupTarget =
      o.warmupTarget === undefined || o.warmupTarget === null
        ? null
        : checkNumber(where(c), 'warmupTarget', o.warmupTarget);
    this.warmupSteps = checkNumber(where(c), 'warmupSteps', o.warmupSteps ?? 0, { min: 0 });
  }

  call(step: number): number {
    const w = this.warmupSteps;
    if (this.warmupTarget !== null && step < w) {
      return this.initialLearningRate + ((this.warmupTarget - this.initialLearningRate) * step) / w;
    }
    const top = this.warmupTarget ?? this.initialLearningRate;
    const s = Math.min(Math.max(step - (this.warmupTarget === null ? 0 : w), 0), this.decaySteps);
    const cosine = 0.5 * (1 + Math.cos((Math.PI * s) / this.decaySteps));
    return top * ((1 - this.alpha) * cosine + this.alpha);
  }

  override getConfig(): Record<string, JSONValue> {
    const { initialLearningRate, decaySteps, alpha, name, warmupTarget, warmupSteps } = this;
    return { initialLearningRate, decaySteps, alpha, name, warmupTarget, warmupSteps };
  }
}

// ---------------------------------------------------------------- CosineDecayRestarts

export interface CosineDecayRestartsOptions {
  initialLearningRate: number;
  firstDecaySteps: number;
  tMul?: number;
  mMul?: number;
  alpha?: number;
  name?: string;
}

/**
 * Cosine decay with warm restarts (SGDR): the first period lasts firstDecaySteps, each next one tMul times
 * longer, and each restart starts mMul times lower. Within period i at fraction f:
 * lr = initial * ((1 - alpha) * 0.5 * mMul^i * (1 + cos(pi f)) + alpha).
 */
export class CosineDecayRestarts extends LearningRateSchedule {
  readonly initialLearningRate: number;
  readonly firstDecaySteps: number;
  readonly tMul: number;
  readonly mMul: number;
  readonly alpha: number;
  readonly name: string;

  constructor(options: CosineDecayRestartsOptions);
  constructor(
    initialLearningRate: number,
    firstDecaySteps: number,
    tMul?: number,
    mMul?: number,
    alpha?: number,
  );
  constructor(...args: unknown[]) {
    super();
    const c = 'CosineDecayRestarts';
    const keys = ['initialLearningRate', 'firstDecaySteps', 'tMul', 'mMul', 'alpha', 'name'];
    const o = positional<CosineDecayRestartsOptions>(c, keys, args, keys);
    this.initialLearningRate = checkNumber(
      where(c),
      'initialLearningRate',
      required(c, 'initialLearningRate', o.initialLearningRate),
    );
    this.firstDecaySteps = checkNumber(
      where(c),
      'firstDecaySteps',
      required(c, 'firstDecaySteps', o.firstDecaySteps),
      {
        min: 0,
        minOpen: true,
      },
    );
    this.tMul = checkNumber(where(c), 'tMul', o.tMul ?? 2.0, { min: 0, minOpen: true });
    this.mMul = checkNumber(where(c), 'mMul', o.mMul ?? 1.0);
    this.alpha = checkNumber(where(c), 'alpha', o.alpha ?? 0);
    this.name = o.name ?? c;
  }

  call(step: number): number {
    let f = step / this.firstDecaySteps;
    let i: number;
    const t = this.tMul;
    if (t === 1) {
      i = Math.floor(f);
      f -= i;
    } else {
      i = Math.floor(Math.log(1 - f * (1 - t)) / Math.log(t));
      const done = (1 - t ** i) / (1 - t);
      f = (f - done) / t ** i;
    }
    const cosine = 0.5 * this.mMul ** i * (1 + Math.cos(Math.PI * f));
    return this.initialLearningRate * ((1 - this.alpha) * cosine + this.alpha);
  }

  override getConfig(): Record<string, JSONValue> {
    const { initialLearningRate, firstDecaySteps, tMul, mMul, alpha, name } = this;
    return { initialLearningRate, firstDecaySteps, tMul, mMul, alpha, name };
  }
}

const BUILTIN: Record<string, ScheduleClass> = {
  ExponentialDecay,
  InverseTimeDecay,
  PiecewiseConstantDecay,
  PolynomialDecay,
  CosineDecay,
  CosineDecayRestarts,
};
