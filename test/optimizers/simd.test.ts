import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';
import { adamF32 } from '../../src/optimizers/rules/adam-simd.js';

// Adam's float32 fast path (WebAssembly SIMD, rules/adam-simd.ts) against a float64 reference, in both
// forms, on sizes that cross its chunks (16384) and leave partial vectors at the end.

function reference(
  init: Float32Array,
  grads: (t: number, i: number) => number,
  steps: number,
  form: 'keras' | 'torch',
) {
  const p = Float64Array.from(init);
  const m = new Float64Array(p.length);
  const v = new Float64Array(p.length);
  const [lr, b1, b2, eps] = [0.01, 0.9, 0.999, form === 'keras' ? 1e-7 : 1e-8];
  for (let t = 1; t <= steps; t++) {
    for (let i = 0; i < p.length; i++) {
      const g = Math.fround(grads(t, i));
      m[i] = b1 * m[i]! + (1 - b1) * g;
      v[i] = b2 * v[i]! + (1 - b2) * g * g;
      const bc1 = 1 - b1 ** t;
      const bc2 = 1 - b2 ** t;
      p[i]! -=
        form === 'torch'
          ? (lr / bc1) * (m[i]! / (Math.sqrt(v[i]!) / Math.sqrt(bc2) + eps))
          : ((lr * Math.sqrt(bc2)) / bc1) * (m[i]! / (Math.sqrt(v[i]!) + eps));
    }
  }
  return p;
}

describe('Adam float32 SIMD path', () => {
  const gradAt = (t: number, i: number) => Math.sin(0.37 * i + 1.3 * t) * (1 + (i % 7));
  for (const n of [256, 1001, 40_003]) {
    for (const form of ['torch', 'keras'] as const) {
      it(`${form} form, ${n} elements`, () => {
        const init = Float32Array.from({ length: n }, (_, i) => Math.cos(i));
        const want = reference(init, gradAt, 5, form);
        let got: Float32Array;
        if (form === 'torch') {
          const p = tf.tensor(init.slice(), { requiresGrad: true });
          const opt = new tf.optim.Adam([p], { lr: 0.01 });
          for (let t = 1; t <= 5; t++) {
            p.grad = tf.tensor(Float32Array.from({ length: n }, (_, i) => gradAt(t, i)));
            opt.step();
          }
          got = p.dataSync() as Float32Array;
        } else {
          const v = tf.variable(tf.tensor(init.slice()));
          const opt = new tf.optimizers.Adam({ learningRate: 0.01 });
          for (let t = 1; t <= 5; t++)
            opt.applyGradients([[tf.tensor(Float32Array.from({ length: n }, (_, i) => gradAt(t, i))), v]]);
          got = v.dataSync() as Float32Array;
        }
        let worst = 0;
        for (let i = 0; i < n; i++)
          worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / Math.max(1e-3, Math.abs(want[i]!)));
        expect(worst).toBeLessThan(1e-5);
      });
    }
  }

  it('is available here (Node 20 has WebAssembly SIMD), so the benchmark measures it', () => {
    const a = new Float32Array(4);
    expect(
      adamF32(a, a, a, new Float32Array(4), new Float32Array(4), 0.9, 0.999, 0.1, 0.001, 0.01, 1, 1e-8),
    ).toBe(true);
  });
});
