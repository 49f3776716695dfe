import { type DType, isFloat } from '../backend/dtype.js';
import { gather } from '../ops/gather.js';
import { dropoutWithNoise } from '../ops/nn.js';
import { type TensorLike, toTensor } from '../tensor/convert.js';
import { checkShape, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { RandomGenerator } from './generator.js';

export { RandomGenerator };

/**
 * The global generator behind every sampling function; `setSeed` restarts it so that a program's
 * sequence of draws is reproducible. An op given its own `seed` uses a fresh generator instead.
 */
let globalGenerator = new RandomGenerator(Date.now() ^ (Math.random() * 2 ** 31));

export function setSeed(seed: number): void {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new TypeError(`random.setSeed: seed must be a finite number, got ${String(seed)}`);
  }
  globalGenerator = new RandomGenerator(seed);
}

export interface RandomOptions {
  dtype?: DType;
  seed?: number;
}

function generatorFor(seed: number | undefined): RandomGenerator {
  return seed === undefined ? globalGenerator : new RandomGenerator(seed);
}

function floatOutput(opName: string, shape: readonly number[], dtype: DType = 'float32') {
  checkShape(opName, shape);
  if (!isFloat(dtype)) throw new TypeError(`${opName}: dtype must be float32 or float64, got ${dtype}`);
  return dtype === 'float32' ? new Float32Array(sizeOf(shape)) : new Float64Array(sizeOf(shape));
}

export function normal(shape: readonly number[], mean = 0, stddev = 1, options: RandomOptions = {}): Tensor {
  const data = floatOutput('random.normal', shape, options.dtype);
  generatorFor(options.seed).fillNormal(data, mean, stddev);
  return new Tensor(data, [...shape], options.dtype ?? 'float32');
}

/** Normal samples redrawn until within two standard deviations of the mean, as TensorFlow. */
export function truncatedNormal(
  shape: readonly number[],
  mean = 0,
  stddev = 1,
  options: RandomOptions = {},
): Tensor {
  const data = floatOutput('random.truncatedNormal', shape, options.dtype);
  generatorFor(options.seed).fillTruncatedNormal(data, mean, stddev);
  return new Tensor(data, [...shape], options.dtype ?? 'float32');
}

/** Uniform samples in [minval, maxval). */
export function uniform(
  shape: readonly number[],
  minval = 0,
  maxval = 1,
  options: RandomOptions = {},
): Tensor {
  if (!(maxval > minval))
    throw new RangeError(`random.uniform: maxval (${maxval}) must exceed minval (${minval})`);
  const data = floatOutput('random.uniform', shape, options.dtype);
  generatorFor(options.seed).fillUniform(data, minval, maxval);
  return new Tensor(data, [...shape], options.dtype ?? 'float32');
}

/** Uniform int32 samples in [low, high). */
export function randint(
  shape: readonly number[],
  low: number,
  high: number,
  options: { seed?: number } = {},
): Tensor {
  checkShape('random.randint', shape);
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new RangeError(`random.randint: expected integers low < high, got ${low} and ${high}`);
  }
  const data = new Int32Array(sizeOf(shape));
  generatorFor(options.seed).fillRandint(data, low, high);
  return new Tensor(data, [...shape], 'int32');
}

/** A random permutation of the first axis. */
export function shuffle(x: TensorLike, options: { seed?: number } = {}): Tensor {
  const t = toTensor(x, 'random.shuffle');
  if (t.rank === 0) throw new RangeError('random.shuffle: expected a tensor of rank >= 1, got a scalar');
  const perm = generatorFor(options.seed).permutation(t.shape[0]!);
  return gather(t, new Tensor(perm, [perm.length], 'int32'), 0);
}

/** Inverted dropout with a mask drawn from the global generator (or `seed`). */
export function dropout(x: TensorLike, rate: number, options: { seed?: number } = {}): Tensor {
  const t = toTensor(x, 'dropout');
  const noise = uniform(t.shape, 0, 1, { dtype: isFloat(t.dtype) ? t.dtype : 'float32', ...options });
  return dropoutWithNoise(t, rate, noise);
}
