/**
 * tf.keras.regularizers: weight penalties added to a model's loss. `reg.apply(weights)` is Python's
 * `reg(weights)`; a custom regularizer subclasses `Regularizer`, overrides `call(weights)` (returning
 * a scalar tensor) and `getConfig()`, and `static fromConfig(config)` when its constructor does not take
 * that record.
 */
import { isFloat } from '../backend/dtype.js';
import { abs, add, cast, mul, square, sum } from '../ops/index.js';
import { type TensorLike, toTensor } from '../tensor/convert.js';
import { Tensor } from '../tensor/tensor.js';
import {
  fromConfigOf,
  isSerialized,
  type Serialized,
  serializedName,
  unknownIdentifier,
} from './losses-utils.js';

export type RegularizerConfig = Record<string, unknown>;

function zeroLike(t: Tensor): Tensor {
  return new Tensor(t.dtype === 'float64' ? new Float64Array(1) : new Float32Array(1), [], t.dtype);
}

/** Base class of every regularizer: a function from a weight tensor to a scalar penalty. */
export class Regularizer {
  /** The penalty for `weights`; the base class penalises nothing (0). */
  call(weights: Tensor): Tensor {
    return zeroLike(weights);
  }

  /** Python's `regularizer(weights)`: converts the weights (to floating point) and calls `call`. */
  apply(weights: TensorLike): Tensor {
    let w = toTensor(weights, this.constructor.name);
    if (!isFloat(w.dtype)) w = cast(w, 'float32');
    const penalty = this.call(w);
    if (!(penalty instanceof Tensor)) {
      if (typeof penalty === 'number') return toTensor(penalty, this.constructor.name, w.dtype);
      throw new TypeError(`${this.constructor.name}.call must return a Tensor, got ${typeof penalty}`);
    }
    return penalty;
  }

  getConfig(): RegularizerConfig {
    return {};
  }

  /** Rebuilds a regularizer from `getConfig()`'s record (`new this(config)`). */
  static fromConfig(config: RegularizerConfig): Regularizer {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass fromConfig was called on
    return new (this as unknown as new (c: RegularizerConfig) => Regularizer)(config);
  }
}

function coefficient(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`${owner}: ${name} must be a finite number, got ${String(value)}`);
  }
  return value;
}

export interface L1L2Options {
  l1?: number;
  l2?: number;
}

/** l1 * sum(|w|) + l2 * sum(w^2); both coefficients default to 0 (Keras's L1L2 class). */
export class L1L2 extends Regularizer {
  readonly l1: number;
  readonly l2: number;
  constructor(options: L1L2Options = {}) {
    super();
    this.l1 = coefficient('L1L2', 'l1', options.l1 ?? 0);
    this.l2 = coefficient('L1L2', 'l2', options.l2 ?? 0);
  }
  override call(weights: Tensor): Tensor {
    let penalty = zeroLike(weights);
    if (this.l1) penalty = add(penalty, mul(sum(abs(weights)), this.l1));
    if (this.l2) penalty = add(penalty, mul(sum(square(weights)), this.l2));
    return penalty;
  }
  override getConfig(): RegularizerConfig {
    return { l1: this.l1, l2: this.l2 };
  }
}

/** l1 * sum(|w|), l1 = 0.01 by default. `new L1(0.001)` or `new L1({ l1: 0.001 })`. */
export class L1 extends Regularizer {
  readonly l1: number;
  constructor(options: { l1?: number } | number = {}) {
    super();
    this.l1 = coefficient('L1', 'l1', typeof options === 'number' ? options : (options.l1 ?? 0.01));
  }
  override call(weights: Tensor): Tensor {
    return mul(sum(abs(weights)), this.l1);
  }
  override getConfig(): RegularizerConfig {
    return { l1: this.l1 };
  }
}

/** l2 * sum(w^2) (no 1/2), l2 = 0.01 by default. `new L2(0.001)` or `new L2({ l2: 0.001 })`. */
export class L2 extends Regularizer {
  readonly l2: number;
  constructor(options: { l2?: number } | number = {}) {
    super();
    this.l2 = coefficient('L2', 'l2', typeof options === 'number' ? options : (options.l2 ?? 0.01));
  }
  override call(weights: Tensor): Tensor {
    return mul(sum(square(weights)), this.l2);
  }
  override getConfig(): RegularizerConfig {
    return { l2: this.l2 };
  }
}

/** A regularizer around a function weights => scalar penalty. */
export class FunctionRegularizer extends Regularizer {
  constructor(readonly fn: (weights: Tensor) => Tensor) {
    super();
  }
  override call(weights: Tensor): Tensor {
    return this.fn(weights);
  }
}

/** Keras's function forms: `l1(0.01)`, `l2(0.01)`, `l1L2({ l1: 0.01, l2: 0.01 })` (both default 0.01). */
export const l1 = (value: number | { l1?: number } = 0.01): L1 => new L1(value);
export const l2 = (value: number | { l2?: number } = 0.01): L2 => new L2(value);
export const l1L2 = (options: L1L2Options = {}): L1L2 =>
  new L1L2({ l1: options.l1 ?? 0.01, l2: options.l2 ?? 0.01 });
export { l1L2 as l1l2 };

// ------------------------------------------------------------------------------------ resolver

// biome-ignore lint/suspicious/noExplicitAny: constructors of different option types
type RegularizerClass = new (options?: any) => Regularizer;

const FACTORIES = new Map<string, () => Regularizer>([
  ['l1', () => new L1()],
  ['L1', () => new L1()],
  ['l2', () => new L2()],
  ['L2', () => new L2()],
  ['l1_l2', () => l1L2()],
  ['l1l2', () => l1L2()],
  ['l1L2', () => l1L2()],
  ['L1L2', () => new L1L2()],
]);

const CLASSES: Record<string, RegularizerClass> = { L1, L2, L1L2, Regularizer };

/** Every regularizer name `get` accepts. */
export const regularizerNames: readonly string[] = [...FACTORIES.keys()];

export type RegularizerIdentifier = string | Regularizer | Serialized | ((weights: Tensor) => Tensor);

/**
 * Resolves a regularizer: 'l1' / 'l2' (coefficient 0.01) or 'l1_l2' (0.01 each; the class name
 * 'L1L2' gives Keras's zero defaults); a Regularizer is returned as is; a `{ className, config }`
 * record is rebuilt; a function weights => penalty is wrapped. An unknown name throws, listing the
 * known ones.
 */
export function get(
  identifier: RegularizerIdentifier,
  customObjects: Record<string, RegularizerClass> = {},
): Regularizer {
  if (identifier instanceof Regularizer) return identifier;
  if (typeof identifier === 'string') {
    const custom = customObjects[identifier];
    if (custom) return new custom();
    const make = FACTORIES.get(identifier);
    if (!make) throw unknownIdentifier('regularizers.get', 'regularizer', identifier, regularizerNames);
    return make();
  }
  if (typeof identifier === 'function') return new FunctionRegularizer(identifier);
  if (isSerialized(identifier)) return deserialize(identifier, customObjects);
  throw new TypeError(
    `regularizers.get: expected a regularizer name, a Regularizer, a function or a { className, config } record, got ${String(identifier)}`,
  );
}

/** `{ className, config }` for a regularizer. */
export function serialize(regularizer: Regularizer): Serialized {
  return { className: regularizer.constructor.name, config: regularizer.getConfig() };
}

/**
 * Rebuilds a regularizer from `serialize`'s record with its class's `fromConfig`; custom classes are
 * looked up in `customObjects`.
 */
export function deserialize(
  record: Serialized,
  customObjects: Record<string, RegularizerClass> = {},
): Regularizer {
  const className = serializedName(record);
  const cls = customObjects[className] ?? CLASSES[className];
  if (!cls) {
    throw unknownIdentifier('regularizers.deserialize', 'regularizer', className, [
      ...Object.keys(CLASSES),
      ...Object.keys(customObjects),
    ]);
  }
  return fromConfigOf(cls, { ...(record.config ?? {}) });
}
