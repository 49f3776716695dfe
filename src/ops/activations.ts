import { type TensorLike, toTensor } from '../tensor/convert.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, div, greater, less, mul } from './binary.js';
import { abs, erf, exp, expm1, log1p, neg, relu, tanh } from './unary.js';
import { where } from './where.js';

/** min(max(x, 0), 6); the gradient is 1 on (0, 6) and 0 outside, as in TensorFlow. */
export function relu6(x: TensorLike): Tensor {
  const t = toTensor(x, 'relu6');
  return where(less(t, 6), relu(t), add(mul(t, 0), 6));
}

export function leakyRelu(x: TensorLike, alpha = 0.2): Tensor {
  const t = toTensor(x, 'leakyRelu');
  return where(greater(t, 0), t, mul(t, alpha));
}

export function elu(x: TensorLike, alpha = 1): Tensor {
  const t = toTensor(x, 'elu');
  return where(greater(t, 0), t, mul(expm1(t), alpha));
}

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** Scaled ELU with the self-normalising constants of Klambauer et al. (2017). */
export function selu(x: TensorLike): Tensor {
  return mul(elu(x, SELU_ALPHA), SELU_SCALE);
}

/** GELU: exact x * Phi(x) by default, or the tanh approximation with `approximate: true`. */
export function gelu(x: TensorLike, approximate = false): Tensor {
  const t = toTensor(x, 'gelu');
  if (approximate) {
    const inner = mul(add(t, mul(mul(mul(t, t), t), 0.044715)), Math.sqrt(2 / Math.PI));
    return mul(mul(t, 0.5), add(tanh(inner), 1));
  }
  return mul(mul(t, 0.5), add(erf(mul(t, Math.SQRT1_2)), 1));
}

/** log(1 + exp(x)) without overflow: max(x, 0) + log1p(exp(-|x|)). */
export function softplus(x: TensorLike): Tensor {
  const t = toTensor(x, 'softplus');
  return add(relu(t), log1p(exp(neg(abs(t)))));
}

export function softsign(x: TensorLike): Tensor {
  const t = toTensor(x, 'softsign');
  return div(t, add(abs(t), 1));
}

/** x * sigmoid(x). */
export function silu(x: TensorLike): Tensor {
  const t = toTensor(x, 'silu');
  return div(t, add(exp(neg(t)), 1));
}
