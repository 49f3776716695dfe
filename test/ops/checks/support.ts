import * as tf from '../../../src/index.js';
import { RandomGenerator } from '../../../src/random/generator.js';
import type { Tensor } from '../../../src/tensor/tensor.js';

/** One entry of the registry-driven gradient check (see ../gradcheck.test.ts). */
export type Check =
  | {
      inputs: () => Tensor[];
      fn: (...xs: Tensor[]) => Tensor;
      /** Skip the second-order check (only where the first derivative is itself not differentiable). */
      firstOrderOnly?: string;
      eps?: number;
      atol?: number;
      rtol?: number;
    }
  | { notDifferentiable: (...xs: Tensor[]) => Tensor; inputs: () => Tensor[] };

export const rng = new RandomGenerator(20261123);
/** Uniform float64 in [lo, hi), optionally with random signs (to keep |x| away from 0). */
export function rand(shape: number[], lo = -1, hi = 1, signed = false): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(n);
  rng.fillUniform(data, lo, hi);
  if (signed) for (let i = 0; i < n; i++) if (rng.nextFloat64() < 0.5) data[i] = -data[i]!;
  return tf.tensor(data, { shape, dtype: 'float64' });
}
/** A well-conditioned matrix: random plus n on the diagonal. */
export function wellConditioned(n: number, batch: number[] = []): Tensor {
  return rand([...batch, n, n]).add(tf.eye(n, n, 'float64').mul(n));
}
export const x23 = () => [rand([2, 3])];
export const unary = (fn: (x: Tensor) => Tensor, lo = -1, hi = 1, signed = false): Check => ({
  inputs: () => [rand([2, 3], lo, hi, signed)],
  fn,
});
export const binary = (
  fn: (a: Tensor, b: Tensor) => Tensor,
  aShape = [3, 1],
  bShape = [1, 4],
  range: [number, number] = [-1, 1],
): Check => ({
  inputs: () => [rand(aShape, ...range), rand(bShape, ...range)],
  fn,
});
export const notDiff = (f: (...xs: Tensor[]) => Tensor, inputs: () => Tensor[] = x23): Check => ({
  notDifferentiable: f,
  inputs,
});
export const boolInput = () => [rand([2, 3]).greater(0)];
