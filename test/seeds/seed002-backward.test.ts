import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';

describe('seed 002: PyTorch-style autograd', () => {
  it('Q = 3a^3 - b^2 at a=2, b=6: Q = -12, dQ/da = 36, dQ/db = -12', () => {
    const a = tf.tensor([2], { requiresGrad: true });
    const b = tf.tensor([6], { requiresGrad: true });
    const Q = a.pow(3).mul(3).sub(b.pow(2));
    expect(Q.numpy()).toEqual([-12]);
    expect(Q.gradFn?.name).toBe('sub');
    Q.backward(tf.tensor([1]));
    expect(a.grad!.numpy()).toEqual([36]);
    expect(b.grad!.numpy()).toEqual([-12]);
  });

  it('.grad accumulates across backward calls until zeroed', () => {
    const a = tf.tensor([2], { requiresGrad: true });
    for (let i = 0; i < 3; i++) a.pow(3).mul(3).sum().backward();
    expect(a.grad!.numpy()).toEqual([108]);
    a.grad = null;
    a.square().sum().backward();
    expect(a.grad!.numpy()).toEqual([4]);
  });

  it('an optimizer step by hand, as torch.optim.SGD does: p -= lr * p.grad', () => {
    const w = tf.tensor([1, -2], { requiresGrad: true });
    w.square().sum().backward();
    const updated = tf.noGrad(() => w.sub(w.grad!.mul(0.1)));
    expect(Array.from(updated.dataSync()).map((v) => Number(v.toFixed(6)))).toEqual([0.8, -1.6]);
    expect(updated.requiresGrad).toBe(false);
  });
});
