/** Shared checks for layer tests: gradients of a layer's output w.r.t. its inputs and weights, in float64. */
import { expect } from 'vitest';
import * as tf from '../../../src/index.js';

type Layer = InstanceType<typeof tf.keras.layers.Layer>;

function flatOutput(out: unknown): tf.Tensor {
  const list = Array.isArray(out) ? (out as tf.Tensor[]) : [out as tf.Tensor];
  return list.length === 1
    ? list[0]!
    : tf.concat(
        list.map((t) => t.reshape([-1])),
        0,
      );
}

export interface GradOptions {
  training?: boolean;
  atol?: number;
  rtol?: number;
  /** Inputs that are integer indices (not differentiated). */
  skipInputs?: boolean;
  callArgs?: Record<string, unknown>;
}

/**
 * Checks d(output)/d(inputs) with tf.gradcheck, and d(output)/d(each trainable weight) against central
 * differences made by assigning perturbed weight values. The layer must compute in float64.
 */
export function expectLayerGradients(layer: Layer, inputs: tf.Tensor[], options: GradOptions = {}): void {
  const args = { training: options.training ?? false, ...(options.callArgs ?? {}) };
  const run = (xs: tf.Tensor[]) => flatOutput(layer.apply(xs.length === 1 ? xs[0]! : xs, args));
  run(inputs); // builds the layer
  const tol = { atol: options.atol ?? 1e-6, rtol: options.rtol ?? 1e-4 };
  if (!options.skipInputs) {
    const report = tf.gradcheck((...xs: tf.Tensor[]) => run(xs), inputs, tol);
    expect(report.ok, `${layer.name} input gradients: ${report.toString()}`).toBe(true);
  }
  const weights = layer.trainableWeights;
  expect(weights.every((w) => w.dtype === 'float64')).toBe(true);
  const probe = run(inputs);
  const r = tf.random.normal(probe.shape, 0, 1, { dtype: 'float64', seed: 7 });
  const scalar = () => Number(tf.sum(tf.mul(run(inputs), r)).dataSync()[0]);
  const tape = new tf.GradientTape();
  const loss = tape.record(() => tf.sum(tf.mul(run(inputs), r)));
  const analytic = tape.gradient(loss, weights);
  const eps = 1e-6;
  weights.forEach((w, wi) => {
    const base = Float64Array.from(w.dataSync() as Float64Array);
    const g = analytic[wi] ? (analytic[wi]!.dataSync() as Float64Array) : new Float64Array(w.size);
    for (let k = 0; k < w.size; k++) {
      const at = (delta: number) => {
        const data = Float64Array.from(base);
        data[k]! += delta;
        w.assign(tf.tensor(data, { shape: w.shape, dtype: 'float64' }));
        return scalar();
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      w.assign(tf.tensor(base, { shape: w.shape, dtype: 'float64' }));
      const error = Math.abs(numeric - g[k]!);
      expect(error, `${w.name}[${k}]: analytic ${g[k]} numeric ${numeric}`).toBeLessThanOrEqual(
        tol.atol + tol.rtol * Math.abs(numeric),
      );
    }
  });
}

export function randomInput(shape: number[], seed = 1): tf.Tensor {
  return tf.random.normal(shape, 0, 1, { dtype: 'float64', seed });
}

export function closeTo(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++)
    expect(Math.abs(a[i]! - b[i]!), `index ${i}: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(tol);
}
