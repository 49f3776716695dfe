/**
 * tf.keras.activations: activation functions by Keras name, with Keras's defaults. `get('relu')`
 * returns the function; `serialize(fn)` gives a built-in's canonical name back (for layer configs).
 */
import {
  add,
  cast,
  clipByValue,
  elu as eluOp,
  exp,
  gelu as geluOp,
  greater,
  leakyRelu as leakyReluOp,
  logSoftmax as logSoftmaxOp,
  maximum,
  minimum,
  mul,
  neg,
  relu6 as relu6Op,
  relu as reluOp,
  selu as seluOp,
  sigmoid as sigmoidOp,
  silu,
  softmax as softmaxOp,
  softplus as softplusOp,
  softsign as softsignOp,
  sub,
  tanh as tanhOp,
} from '../ops/index.js';
import { type TensorLike, toTensor } from '../tensor/convert.js';
import type { Tensor } from '../tensor/tensor.js';
import { toFloat, unknownIdentifier } from './losses-utils.js';

/** An activation: a tensor in, a tensor of the same shape out. */
export type ActivationFunction = (x: Tensor) => Tensor;

export interface ReluOptions {
  /** Slope below the threshold (default 0). */
  alpha?: number;
  /** Upper bound of the output (default none). */
  maxValue?: number | null;
  /** Inputs at or below it give 0 (or the alpha slope) (default 0). */
  threshold?: number;
}

/**
 * Keras's relu: max(x, 0) by default; with options, x for x > threshold, alpha (x - threshold) below,
 * capped at maxValue.
 */
export function relu(x: TensorLike, options: ReluOptions = {}): Tensor {
  const t = toFloat(x, 'relu');
  const alpha = options.alpha ?? 0;
  const maxValue = options.maxValue ?? null;
  const threshold = options.threshold ?? 0;
  if (alpha === 0 && maxValue === null && threshold === 0) return reluOp(t);
  if (alpha !== 0 && maxValue === null && threshold === 0) return leakyReluOp(t, alpha);
  let negativePart: Tensor | null = null;
  if (alpha !== 0) negativePart = reluOp(threshold !== 0 ? add(neg(t), threshold) : neg(t));
  let y: Tensor;
  let clip = maxValue !== null;
  if (threshold !== 0) y = mul(t, cast(greater(t, threshold), t.dtype));
  else if (maxValue === 6) {
    y = relu6Op(t);
    clip = false;
  } else y = reluOp(t);
  if (clip) y = clipByValue(y, 0, maxValue!);
  if (negativePart) y = sub(y, mul(negativePart, alpha));
  return y;
}

export function sigmoid(x: TensorLike): Tensor {
  return sigmoidOp(toFloat(x, 'sigmoid'));
}

export function tanh(x: TensorLike): Tensor {
  return tanhOp(toFloat(x, 'tanh'));
}

/** exp(x) / sum(exp(x)) along `axis` (default -1). */
export function softmax(x: TensorLike, axis = -1): Tensor {
  const t = toFloat(x, 'softmax');
  if (t.rank === 0) throw new RangeError('softmax: expected a tensor of rank >= 1, got a scalar');
  return softmaxOp(t, axis);
}

/** log(softmax(x)) along `axis` (default -1). */
export function logSoftmax(x: TensorLike, axis = -1): Tensor {
  const t = toFloat(x, 'log_softmax');
  if (t.rank === 0) throw new RangeError('log_softmax: expected a tensor of rank >= 1, got a scalar');
  return logSoftmaxOp(t, axis);
}

/** The identity. */
export function linear(x: TensorLike): Tensor {
  return toTensor(x, 'linear');
}

/** x for x > 0, alpha (exp(x) - 1) otherwise (alpha 1). */
export function elu(x: TensorLike, alpha = 1): Tensor {
  return eluOp(toFloat(x, 'elu'), alpha);
}

/** scale * elu(x, alpha) with the self-normalising constants. */
export function selu(x: TensorLike): Tensor {
  return seluOp(toFloat(x, 'selu'));
}

/** x * Phi(x) (exact, default) or its tanh approximation. */
export function gelu(x: TensorLike, approximate = false): Tensor {
  return geluOp(toFloat(x, 'gelu'), approximate);
}

/** log(1 + exp(x)). */
export function softplus(x: TensorLike): Tensor {
  return softplusOp(toFloat(x, 'softplus'));
}

/** x / (1 + |x|). */
export function softsign(x: TensorLike): Tensor {
  return softsignOp(toFloat(x, 'softsign'));
}

/** x * sigmoid(x) (also called silu). */
export function swish(x: TensorLike): Tensor {
  return silu(toFloat(x, 'swish'));
}

/** min(max(x, 0), 6). */
export function relu6(x: TensorLike): Tensor {
  return relu6Op(toFloat(x, 'relu6'));
}

/** x for x > 0, alpha x otherwise (alpha 0.2, as tf.nn.leaky_relu). */
export function leakyRelu(x: TensorLike, alpha = 0.2): Tensor {
  return leakyReluOp(toFloat(x, 'leaky_relu'), alpha);
}

/** exp(x). */
export function exponential(x: TensorLike): Tensor {
  return exp(toFloat(x, 'exponential'));
}

/** Keras 2's piecewise-linear sigmoid: clip(0.2 x + 0.5, 0, 1). */
export function hardSigmoid(x: TensorLike): Tensor {
  const t = toFloat(x, 'hard_sigmoid');
  return minimum(maximum(add(mul(t, 0.2), 0.5), 0), 1);
}

export { swish as silu };

const ACTIVATIONS: readonly [string, ActivationFunction, readonly string[]][] = [
  ['relu', relu, []],
  ['sigmoid', sigmoid, []],
  ['tanh', tanh, []],
  ['softmax', softmax, []],
  ['linear', linear, []],
  ['elu', elu, []],
  ['selu', selu, []],
  ['gelu', gelu, []],
  ['softplus', softplus, []],
  ['softsign', softsign, []],
  ['swish', swish, []],
  ['silu', swish, []],
  ['relu6', relu6, []],
  ['leaky_relu', leakyRelu, ['leakyRelu', 'leakyrelu']],
  ['exponential', exponential, []],
  ['hard_sigmoid', hardSigmoid, ['hardSigmoid']],
  ['log_softmax', logSoftmax, ['logSoftmax']],
];

const BY_NAME = new Map<string, ActivationFunction>();
const NAME_OF = new Map<unknown, string>();
for (const [name, fn, aliases] of ACTIVATIONS) {
  BY_NAME.set(name, fn);
  for (const a of aliases) BY_NAME.set(a, fn);
  if (!NAME_OF.has(fn)) NAME_OF.set(fn, name);
}
/** Whether `fn` is one of the built-in activations (which keep nothing of their input). */
export function isBuiltin(fn: unknown): boolean {
  return NAME_OF.has(fn);
}

/** Every activation name `get` accepts. */
export const activationNames: readonly string[] = [...BY_NAME.keys()];

export type ActivationIdentifier = string | ActivationFunction | null | undefined;

/**
 * Resolves an activation: a name ('relu', 'softmax', 'leaky_relu', ...; null/undefined is 'linear')
 * gives the function; a function is returned as is. An unknown name throws, listing the known ones.
 */
export function get(identifier: ActivationIdentifier): ActivationFunction {
  if (identifier === null || identifier === undefined) return linear;
  if (typeof identifier === 'function') return identifier;
  if (typeof identifier === 'string') {
    const fn = BY_NAME.get(identifier);
    if (!fn) throw unknownIdentifier('activations.get', 'activation', identifier, activationNames);
    return fn;
  }
  throw new TypeError(
    `activations.get: expected an activation name or a function, got ${String(identifier)}`,
  );
}

/** A built-in activation's Keras name ('relu'); a custom function's own name, or 'custom_activation'. */
export function serialize(fn: ActivationFunction): string {
  return NAME_OF.get(fn) ?? (fn.name || 'custom_activation');
}

/** The activation of a name (as `get`). */
export function deserialize(name: string): ActivationFunction {
  return get(name);
}
