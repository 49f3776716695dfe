/**
 * tf.keras.initializers: Keras's weight initializers, with Keras's defaults, fan computation and
 * formulas. `init.apply(shape, dtype?)` is Python's `init(shape, dtype)`.
 *
 * Randomness: an initializer given a `seed` is a deterministic function of (seed, shape, dtype): it
 * returns the same values on every call and on every platform (Philox, see random/generator.ts).
 * Without a seed it draws from the library's global generator, so `tf.random.setSeed(n)` makes a whole
 * program's initial weights reproducible while successive layers still get different values.
 */
import { type DType, isDType, isFloat } from '../backend/dtype.js';
import { broadcastTo, cast, fill } from '../ops/index.js';
import * as random from '../random/index.js';
import { RandomGenerator } from '../random/index.js';
import { type TensorLike, toTensor } from '../tensor/convert.js';
import { checkShape, formatShape, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import {
  fromConfigOf,
  isSerialized,
  type Serialized,
  serializedName,
  unknownIdentifier,
} from './losses-utils.js';

export type InitializerConfig = Record<string, unknown>;

/**
 * Base class of every initializer. A custom initializer subclasses it and implements
 * `apply(shape, dtype)`; `getConfig()` returns the options that rebuild it.
 */
export abstract class Initializer {
  abstract apply(shape: readonly number[], dtype?: DType): Tensor;

  getConfig(): InitializerConfig {
    return {};
  }

  /** Rebuilds an initializer from `getConfig()`'s record (`new this(config)`). */
  static fromConfig(config: InitializerConfig): Initializer {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass fromConfig was called on
    return new (this as unknown as new (c: InitializerConfig) => Initializer)(config);
  }
}

function checkedShape(owner: string, shape: readonly number[]): number[] {
  return [...checkShape(owner, shape)];
}

function checkedDtype(owner: string, dtype: DType | undefined, floatOnly: boolean): DType {
  const d = dtype ?? 'float32';
  if (!isDType(d)) {
    throw new TypeError(`${owner}: unknown dtype '${String(d)}' (expected float32, float64, int32 or bool)`);
  }
  if (floatOnly && !isFloat(d)) {
    throw new TypeError(`${owner}: expected a floating-point dtype (float32 or float64), got ${d}`);
  }
  return d;
}

function checkSeed(owner: string, seed: unknown): number | null {
  if (seed === undefined || seed === null) return null;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new TypeError(`${owner}: seed must be a finite number, got ${String(seed)}`);
  }
  return seed;
}

function checkNumber(owner: string, name: string, value: unknown, positive = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (positive && !(value > 0))) {
    throw new RangeError(
      `${owner}: ${name} must be a finite${positive ? ' positive' : ''} number, got ${String(value)}`,
    );
  }
  return value;
}

type Distribution = 'normal' | 'truncated_normal' | 'uniform';

/** Samples of shape/dtype from the seeded generator (a fresh one per call) or the global one. */
function sample(
  seed: number | null,
  kind: Distribution,
  shape: number[],
  dtype: DType,
  a: number,
  b: number,
): Tensor {
  if (seed === null) {
    if (kind === 'normal') return random.normal(shape, a, b, { dtype });
    if (kind === 'truncated_normal') return random.truncatedNormal(shape, a, b, { dtype });
    return random.uniform(shape, a, b, { dtype });
  }
  const rng = new RandomGenerator(seed);
  const data = dtype === 'float64' ? new Float64Array(sizeOf(shape)) : new Float32Array(sizeOf(shape));
  if (kind === 'normal') rng.fillNormal(data, a, b);
  else if (kind === 'truncated_normal') rng.fillTruncatedNormal(data, a, b);
  else rng.fillUniform(data, a, b);
  return new Tensor(data, shape, dtype);
}

/**
 * Keras's fan-in and fan-out: for a dense kernel [in, out]; for a convolution kernel
 * [...spatial, in, out] both are multiplied by the receptive field size (the product of the spatial
 * dimensions); a vector has fan-in = fan-out = its length, a scalar 1.
 */
export function computeFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0]!, fanOut: shape[0]! };
  if (shape.length === 2) return { fanIn: shape[0]!, fanOut: shape[1]! };
  let receptiveField = 1;
  for (const d of shape.slice(0, -2)) receptiveField *= d;
  return {
    fanIn: shape[shape.length - 2]! * receptiveField,
    fanOut: shape[shape.length - 1]! * receptiveField,
  };
}

// -------------------------------------------------------------------------------- constants

export class Zeros extends Initializer {
  apply(shape: readonly number[], dtype?: DType): Tensor {
    return fill(checkedShape('Zeros', shape), 0, checkedDtype('Zeros', dtype, false));
  }
}

export class Ones extends Initializer {
  apply(shape: readonly number[], dtype?: DType): Tensor {
    return fill(checkedShape('Ones', shape), 1, checkedDtype('Ones', dtype, false));
  }
}

export interface ConstantOptions {
  /** A number, or an array/tensor that broadcasts to the requested shape (default 0). */
  value?: TensorLike;
}

export class Constant extends Initializer {
  readonly value: TensorLike;
  constructor(options: ConstantOptions | number = {}) {
    super();
    this.value = typeof options === 'number' ? options : (options.value ?? 0);
    if (typeof this.value === 'number') checkNumber('Constant', 'value', this.value);
  }
  apply(shape: readonly number[], dtype?: DType): Tensor {
    const s = checkedShape('Constant', shape);
    const d = checkedDtype('Constant', dtype, false);
    if (typeof this.value === 'number') return fill(s, this.value, d);
    const v = toTensor(this.value, 'Constant');
    try {
      return new Tensor(cast(broadcastTo(v, s), d).dataSync(), s, d);
    } catch {
      throw new RangeError(
        `Constant: value of shape ${formatShape(v.shape)} does not broadcast to ${formatShape(s)}`,
      );
    }
  }
  override getConfig(): InitializerConfig {
    return { value: this.value instanceof Tensor ? this.value.numpy() : this.value };
  }
}

// ---------------------------------------------------------------------------------- random

export interface RandomNormalOptions {
  mean?: number;
  stddev?: number;
  seed?: number | null;
}

/** Normal samples, mean 0 and stddev 0.05 by default. */
export class RandomNormal extends Initializer {
  readonly mean: number;
  readonly stddev: number;
  readonly seed: number | null;
  constructor(options: RandomNormalOptions = {}) {
    super();
    const owner = this.constructor.name;
    this.mean = checkNumber(owner, 'mean', options.mean ?? 0);
    this.stddev = checkNumber(owner, 'stddev', options.stddev ?? 0.05);
    if (this.stddev < 0) throw new RangeError(`${owner}: stddev must be >= 0, got ${this.stddev}`);
    this.seed = checkSeed(owner, options.seed);
  }
  apply(shape: readonly number[], dtype?: DType): Tensor {
    const owner = this.constructor.name;
    return sample(
      this.seed,
      this.kind(),
      checkedShape(owner, shape),
      checkedDtype(owner, dtype, true),
      this.mean,
      this.stddev,
    );
  }
  protected kind(): Distribution {
    return 'normal';
  }
  override getConfig(): InitializerConfig {
    return { mean: this.mean, stddev: this.stddev, seed: this.seed };
  }
}

/**
 * Normal samples redrawn until within two standard deviations of the mean (TensorFlow's
 * truncated_normal); mean 0 and stddev 0.05 by default.
 */
export class TruncatedNormal extends RandomNormal {
  protected override kind(): Distribution {
    return 'truncated_normal';
  }
}

export interface RandomUniformOptions {
  minval?: number;
  maxval?: number;
  seed?: number | null;
}

/** Uniform samples in [minval, maxval), [-0.05, 0.05) by default; int32 gives integers. */
export class RandomUniform extends Initializer {
  readonly minval: number;
  readonly maxval: number;
  readonly seed: number | null;
  constructor(options: RandomUniformOptions = {}) {
    super();
    this.minval = checkNumber('RandomUniform', 'minval', options.minval ?? -0.05);
    this.maxval = checkNumber('RandomUniform', 'maxval', options.maxval ?? 0.05);
    if (!(this.maxval > this.minval)) {
      throw new RangeError(`RandomUniform: maxval (${this.maxval}) must exceed minval (${this.minval})`);
    }
    this.seed = checkSeed('RandomUniform', options.seed);
  }
  apply(shape: readonly number[], dtype?: DType): Tensor {
    const s = checkedShape('RandomUniform', shape);
    const d = checkedDtype('RandomUniform', dtype, false);
    if (d === 'bool')
      throw new TypeError('RandomUniform: expected a float32, float64 or int32 dtype, got bool');
    if (d === 'int32') {
      const low = Math.ceil(this.minval);
      const high = Math.ceil(this.maxval);
      if (this.seed === null) return random.randint(s, low, high);
      const data = new Int32Array(sizeOf(s));
      new RandomGenerator(this.seed).fillRandint(data, low, high);
      return new Tensor(data, s, 'int32');
    }
    return sample(this.seed, 'uniform', s, d, this.minval, this.maxval);
  }
  override getConfig(): InitializerConfig {
    return { minval: this.minval, maxval: this.maxval, seed: this.seed };
  }
}

export type FanMode = 'fan_in' | 'fan_out' | 'fan_avg';
export type VarianceDistribution = 'truncated_normal' | 'untruncated_normal' | 'normal' | 'uniform';

export interface VarianceScalingOptions {
  /** Variance scale (default 1). */
  scale?: number;
  /** 'fan_in' (default), 'fan_out' or 'fan_avg' (camelCase 'fanIn'... accepted). */
  mode?: FanMode | 'fanIn' | 'fanOut' | 'fanAvg';
  /** 'truncated_normal' (default; 'normal' is the same), 'untruncated_normal' or 'uniform'. */
  distribution?: VarianceDistribution | 'truncatedNormal' | 'untruncatedNormal';
  seed?: number | null;
}

const MODES: Record<string, FanMode> = {
  fan_in: 'fan_in',
  fanIn: 'fan_in',
  fan_out: 'fan_out',
  fanOut: 'fan_out',
  fan_avg: 'fan_avg',
  fanAvg: 'fan_avg',
};

const DISTRIBUTIONS: Record<string, VarianceDistribution> = {
  truncated_normal: 'truncated_normal',
  truncatedNormal: 'truncated_normal',
  normal: 'truncated_normal',
  untruncated_normal: 'untruncated_normal',
  untruncatedNormal: 'untruncated_normal',
  uniform: 'uniform',
};

/** The standard deviation of a standard normal truncated to (-2, 2), which truncation corrects for. */
const TRUNCATED_STDDEV = 0.8796256610342398;

/**
 * Samples with variance scale / n, n = fan-in, fan-out or their average: a normal truncated at two
 * standard deviations with stddev sqrt(scale / n) / 0.87962566, an untruncated normal with stddev
 * sqrt(scale / n), or a uniform on [-limit, limit) with limit sqrt(3 scale / n).
 */
export class VarianceScaling extends Initializer {
  readonly scale: number;
  readonly mode: FanMode;
  readonly distribution: VarianceDistribution;
  readonly seed: number | null;
  constructor(options: VarianceScalingOptions = {}) {
    super();
    const owner = this.constructor.name;
    this.scale = checkNumber(owner, 'scale', options.scale ?? 1, true);
    const mode = MODES[options.mode ?? 'fan_in'];
    if (!mode) {
      throw new RangeError(
        `${owner}: mode must be 'fan_in', 'fan_out' or 'fan_avg', got ${String(options.mode)}`,
      );
    }
    const distribution = DISTRIBUTIONS[options.distribution ?? 'truncated_normal'];
    if (!distribution) {
      throw new RangeError(
        `${owner}: distribution must be 'truncated_normal', 'untruncated_normal' or 'uniform', got ${String(options.distribution)}`,
      );
    }
    this.mode = mode;
    this.distribution = distribution;
    this.seed = checkSeed(owner, options.seed);
  }

  apply(shape: readonly number[], dtype?: DType): Tensor {
    const owner = this.constructor.name;
    const s = checkedShape(owner, shape);
    const d = checkedDtype(owner, dtype, true);
    const { fanIn, fanOut } = computeFans(s);
    const n = this.mode === 'fan_in' ? fanIn : this.mode === 'fan_out' ? fanOut : (fanIn + fanOut) / 2;
    const scale = this.scale / Math.max(1, n);
    if (this.distribution === 'truncated_normal') {
      return sample(this.seed, 'truncated_normal', s, d, 0, Math.sqrt(scale) / TRUNCATED_STDDEV);
    }
    if (this.distribution === 'untruncated_normal')
      return sample(this.seed, 'normal', s, d, 0, Math.sqrt(scale));
    const limit = Math.sqrt(3 * scale);
    return sample(this.seed, 'uniform', s, d, -limit, limit);
  }

  override getConfig(): InitializerConfig {
    return { scale: this.scale, mode: this.mode, distribution: this.distribution, seed: this.seed };
  }
}

export interface SeedOptions {
  seed?: number | null;
}

function seedOf(options: SeedOptions | number | undefined): number | null | undefined {
  return typeof options === 'number' ? options : options?.seed;
}

/** Uniform on [-limit, limit), limit = sqrt(6 / (fanIn + fanOut)); Keras's default kernel initializer. */
export class GlorotUniform extends VarianceScaling {
  constructor(options: SeedOptions | number = {}) {
    super({ scale: 1, mode: 'fan_avg', distribution: 'uniform', seed: seedOf(options) ?? null });
  }
  override getConfig(): InitializerConfig {
    return { seed: this.seed };
  }
}

/** Truncated normal with stddev sqrt(2 / (fanIn + fanOut)). */
export class GlorotNormal extends VarianceScaling {
  constructor(options: SeedOptions | number = {}) {
    super({ scale: 1, mode: 'fan_avg', distribution: 'truncated_normal', seed: seedOf(options) ?? null });
  }
  override getConfig(): InitializerConfig {
    return { seed: this.seed };
  }
}

/** Truncated normal with stddev sqrt(2 / fanIn). */
export class HeNormal extends VarianceScaling {
  constructor(options: SeedOptions | number = {}) {
    super({ scale: 2, mode: 'fan_in', distribution: 'truncated_normal', seed: seedOf(options) ?? null });
  }
  override getConfig(): InitializerConfig {
    return { seed: this.seed };
  }
}

/** Uniform on [-limit, limit), limit = sqrt(6 / fanIn). */
export class HeUniform extends VarianceScaling {
  constructor(options: SeedOptions | number = {}) {
    super({ scale: 2, mode: 'fan_in', distribution: 'uniform', seed: seedOf(options) ?? null });
  }
  override getConfig(): InitializerConfig {
    return { seed: this.seed };
  }
}

/** Truncated normal with stddev sqrt(1 / fanIn). */
export class LecunNormal extends VarianceScaling {
  constructor(options: SeedOptions | number = {}) {
    super({ scale: 1, mode: 'fan_in', distribution: 'truncated_normal', seed: seedOf(options) ?? null });
  }
  override getConfig(): InitializerConfig {
    return { seed: this.seed };
  }
}

/** Uniform on [-limit, limit), limit = sqrt(3 / fanIn). */
export class LecunUniform extends VarianceScaling {
  constructor(options: SeedOptions | number = {}) {
    super({ scale: 1, mode: 'fan_in', distribution: 'uniform', seed: seedOf(options) ?? null });
  }
  override getConfig(): InitializerConfig {
    return { seed: this.seed };
  }
}

// ------------------------------------------------------------------------------- orthogonal

/**
 * Thin QR of a row-major m x n matrix (m >= n) by Householder reflections, in float64: returns Q
 * (m x n, orthonormal columns) and the diagonal of R.
 */
function householderQr(a: Float64Array, m: number, n: number): { q: Float64Array; rDiag: Float64Array } {
  const r = Float64Array.from(a);
  const reflectors: (Float64Array | null)[] = [];
  const rDiag = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let norm = 0;
    for (let i = k; i < m; i++) norm += r[i * n + k]! ** 2;
    norm = Math.sqrt(norm);
    const x0 = r[k * n + k]!;
    const alpha = x0 >= 0 ? -norm : norm;
    const v = new Float64Array(m - k);
    for (let i = k; i < m; i++) v[i - k] = r[i * n + k]!;
    v[0]! -= alpha;
    let vNorm = 0;
    for (let i = 0; i < v.length; i++) vNorm += v[i]! ** 2;
    vNorm = Math.sqrt(vNorm);
    if (vNorm === 0) {
      reflectors.push(null);
      rDiag[k] = x0;
      continue;
    }
    for (let i = 0; i < v.length; i++) v[i]! /= vNorm;
    // R[k:, k:] -= 2 v (v^T R[k:, k:])
    for (let j = k; j < n; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += v[i - k]! * r[i * n + j]!;
      for (let i = k; i < m; i++) r[i * n + j]! -= 2 * v[i - k]! * dot;
    }
    reflectors.push(v);
    rDiag[k] = r[k * n + k]!;
  }
  // Q = H_0 H_1 ... H_{n-1} applied to the first n columns of the identity.
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * n + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = reflectors[k];
    if (!v) continue;
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += v[i - k]! * q[i * n + j]!;
      for (let i = k; i < m; i++) q[i * n + j]! -= 2 * v[i - k]! * dot;
    }
  }
  return { q, rDiag };
}

export interface OrthogonalOptions {
  /** Multiplies the orthogonal matrix (default 1). */
  gain?: number;
  seed?: number | null;
}

/**
 * An orthogonal matrix (Saxe et al. 2014), as Keras: the shape is flattened to rows = product of all
 * but the last axis and cols = the last axis; a normal matrix of shape (max, min) is QR-decomposed, Q's
 * columns take the signs of R's diagonal (so Q is uniformly distributed), Q is transposed when rows <
 * cols, multiplied by `gain` and reshaped.
 */
export class Orthogonal extends Initializer {
  readonly gain: number;
  readonly seed: number | null;
  constructor(options: OrthogonalOptions = {}) {
    super();
    this.gain = checkNumber('Orthogonal', 'gain', options.gain ?? 1);
    this.seed = checkSeed('Orthogonal', options.seed);
  }
  apply(shape: readonly number[], dtype?: DType): Tensor {
    const s = checkedShape('Orthogonal', shape);
    const d = checkedDtype('Orthogonal', dtype, true);
    if (s.length < 2) {
      throw new RangeError(
        `Orthogonal: the tensor to initialize must be at least two-dimensional, got shape ${formatShape(s)}`,
      );
    }
    const cols = s[s.length - 1]!;
    const rows = sizeOf(s) / (cols || 1);
    if (rows === 0 || cols === 0) return fill(s, 0, d);
    const big = Math.max(rows, cols);
    const small = Math.min(rows, cols);
    const normal = sample(this.seed, 'normal', [big, small], 'float64', 0, 1).dataSync() as Float64Array;
    const { q, rDiag } = householderQr(normal, big, small);
    for (let j = 0; j < small; j++) {
      if (rDiag[j]! < 0) for (let i = 0; i < big; i++) q[i * small + j] = -q[i * small + j]!;
    }
    const out = d === 'float64' ? new Float64Array(rows * cols) : new Float32Array(rows * cols);
    if (rows >= cols) {
      for (let i = 0; i < out.length; i++) out[i] = this.gain * q[i]!;
    } else {
      // Q is cols x rows here; the result is its transpose.
      for (let i = 0; i < rows; i++)
        for (let j = 0; j < cols; j++) out[i * cols + j] = this.gain * q[j * rows + i]!;
    }
    return new Tensor(out, s, d);
  }
  override getConfig(): InitializerConfig {
    return { gain: this.gain, seed: this.seed };
  }
}

export interface IdentityOptions {
  /** Multiplies the identity matrix (default 1). */
  gain?: number;
}

/** gain times the identity matrix (2-D shapes only; rectangular shapes get ones on the diagonal). */
export class Identity extends Initializer {
  readonly gain: number;
  constructor(options: IdentityOptions = {}) {
    super();
    this.gain = checkNumber('Identity', 'gain', options.gain ?? 1);
  }
  apply(shape: readonly number[], dtype?: DType): Tensor {
    const s = checkedShape('Identity', shape);
    const d = checkedDtype('Identity', dtype, false);
    if (s.length !== 2) {
      throw new RangeError(`Identity: can only initialize 2-D matrices, got shape ${formatShape(s)}`);
    }
    const [rows, cols] = s as [number, number];
    const out = fill(s, 0, d);
    const data = out.storage;
    for (let i = 0; i < Math.min(rows, cols); i++) data[i * cols + i] = this.gain;
    return out;
  }
  override getConfig(): InitializerConfig {
    return { gain: this.gain };
  }
}

/** An initializer around a function (shape, dtype) => Tensor. */
export class FunctionInitializer extends Initializer {
  constructor(readonly fn: (shape: readonly number[], dtype: DType) => Tensor) {
    super();
  }
  apply(shape: readonly number[], dtype?: DType): Tensor {
    const d = dtype ?? 'float32';
    const out = this.fn(shape, d);
    if (!(out instanceof Tensor)) {
      throw new TypeError(`initializer function must return a Tensor, got ${typeof out}`);
    }
    return out.dtype === d ? out : cast(out, d);
  }
}

// ------------------------------------------------------------------------------------ resolver

// biome-ignore lint/suspicious/noExplicitAny: constructors of different option types
type InitializerClass = new (options?: any) => Initializer;

const INITIALIZER_NAMES: readonly [InitializerClass, readonly string[]][] = [
  [Zeros, ['zeros', 'zero', 'Zeros']],
  [Ones, ['ones', 'one', 'Ones']],
  [Constant, ['constant', 'Constant']],
  [RandomNormal, ['random_normal', 'randomNormal', 'normal', 'RandomNormal']],
  [RandomUniform, ['random_uniform', 'randomUniform', 'uniform', 'RandomUniform']],
  [TruncatedNormal, ['truncated_normal', 'truncatedNormal', 'TruncatedNormal']],
  [VarianceScaling, ['variance_scaling', 'varianceScaling', 'VarianceScaling']],
  [GlorotUniform, ['glorot_uniform', 'glorotUniform', 'GlorotUniform']],
  [GlorotNormal, ['glorot_normal', 'glorotNormal', 'GlorotNormal']],
  [HeNormal, ['he_normal', 'heNormal', 'HeNormal']],
  [HeUniform, ['he_uniform', 'heUniform', 'HeUniform']],
  [LecunNormal, ['lecun_normal', 'lecunNormal', 'LecunNormal']],
  [LecunUniform, ['lecun_uniform', 'lecunUniform', 'LecunUniform']],
  [Orthogonal, ['orthogonal', 'Orthogonal']],
  [Identity, ['identity', 'Identity']],
];

const BY_NAME = new Map<string, InitializerClass>();
for (const [cls, names] of INITIALIZER_NAMES) for (const n of names) BY_NAME.set(n, cls);

/** Every initializer name `get` accepts. */
export const initializerNames: readonly string[] = [...BY_NAME.keys()];

export type InitializerIdentifier =
  | string
  | Initializer
  | Serialized
  | ((shape: readonly number[], dtype: DType) => Tensor);

/**
 * Resolves an initializer: a name ('glorot_uniform', 'glorotUniform', 'GlorotUniform', ...) gives one
 * with default options; an Initializer is returned as is; a `{ className, config }` record (as
 * `serialize` writes and Keras/TensorFlow.js files hold) is rebuilt; a function (shape, dtype) =>
 * Tensor is wrapped. An unknown name throws, listing the known ones.
 */
export function get(
  identifier: InitializerIdentifier,
  customObjects: Record<string, InitializerClass> = {},
): Initializer {
  if (identifier instanceof Initializer) return identifier;
  if (typeof identifier === 'string') {
    const cls = customObjects[identifier] ?? BY_NAME.get(identifier);
    if (!cls) throw unknownIdentifier('initializers.get', 'initializer', identifier, initializerNames);
    return new cls();
  }
  if (typeof identifier === 'function') return new FunctionInitializer(identifier);
  if (isSerialized(identifier)) return deserialize(identifier, customObjects);
  throw new TypeError(
    `initializers.get: expected an initializer name, an Initializer, a function or a { className, config } record, got ${String(identifier)}`,
  );
}

/** `{ className, config }` for an initializer. */
export function serialize(initializer: Initializer): Serialized {
  return { className: initializer.constructor.name, config: initializer.getConfig() };
}

/** Rebuilds an initializer from `serialize`'s record; custom classes are looked up in `customObjects`. */
export function deserialize(
  record: Serialized,
  customObjects: Record<string, InitializerClass> = {},
): Initializer {
  const className = serializedName(record);
  const cls = customObjects[className] ?? BY_NAME.get(className);
  if (!cls) {
    throw unknownIdentifier('initializers.deserialize', 'initializer', className, [
      ...initializerNames,
      ...Object.keys(customObjects),
    ]);
  }
  return fromConfigOf(cls, { ...(record.config ?? {}) });
}

// ------------------------------------------------------------------------------ function forms

export const zeros = (): Zeros => new Zeros();
export const ones = (): Ones => new Ones();
export const constant = (options?: ConstantOptions | number): Constant => new Constant(options);
export const randomNormal = (options?: RandomNormalOptions): RandomNormal => new RandomNormal(options);
export const randomUniform = (options?: RandomUniformOptions): RandomUniform => new RandomUniform(options);
export const truncatedNormal = (options?: RandomNormalOptions): TruncatedNormal =>
  new TruncatedNormal(options);
export const varianceScaling = (options?: VarianceScalingOptions): VarianceScaling =>
  new VarianceScaling(options);
export const glorotUniform = (options?: SeedOptions | number): GlorotUniform => new GlorotUniform(options);
export const glorotNormal = (options?: SeedOptions | number): GlorotNormal => new GlorotNormal(options);
export const heNormal = (options?: SeedOptions | number): HeNormal => new HeNormal(options);
export const heUniform = (options?: SeedOptions | number): HeUniform => new HeUniform(options);
export const lecunNormal = (options?: SeedOptions | number): LecunNormal => new LecunNormal(options);
export const lecunUniform = (options?: SeedOptions | number): LecunUniform => new LecunUniform(options);
export const orthogonal = (options?: OrthogonalOptions): Orthogonal => new Orthogonal(options);
export const identity = (options?: IdentityOptions): Identity => new Identity(options);
