import { type TensorLike, toTensor } from '../tensor/convert.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, greater, less, mul } from './binary.js';
import { where } from './where.js';

/** Clamps to [min, max]; the gradient is 1 inside the closed interval and 0 outside (as PyTorch's clamp). */
export function clipByValue(x: TensorLike, min: number, max: number): Tensor {
  if (!(min <= max)) throw new RangeError(`clipByValue: min (${min}) must not exceed max (${max})`);
  const t = toTensor(x, 'clipByValue');
  const low = add(mul(t, 0), min);
  const high = add(mul(t, 0), max);
  return where(less(t, min), low, where(greater(t, max), high, t));
}
