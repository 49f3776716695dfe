import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';

const ce = tf.nn.sparseSoftmaxCrossEntropyWithLogits;
const inf = Number.POSITIVE_INFINITY;

describe('softmax / logSoftmax primitives', () => {
  it('match exp(x - logSumExp(x)) on every axis, float32 and float64', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const x = tf.tensor([3, -1, 0.5, 2, 7, -4, 0, 1, 100, 101, 99, -100], { shape: [2, 2, 3], dtype });
      for (const axis of [0, 1, 2, -1]) {
        const ref = tf.sub(x, tf.logSumExp(x, axis, true));
        const tol = dtype === 'float32' ? 1e-5 : 1e-14;
        const ls = tf.logSoftmax(x, axis).dataSync();
        const sm = tf.softmax(x, axis).dataSync();
        ref.dataSync().forEach((v, i) => {
          expect(Math.abs(ls[i]! - v)).toBeLessThan(tol * (1 + Math.abs(v)));
          expect(Math.abs(sm[i]! - Math.exp(v))).toBeLessThan(tol);
        });
        expect(tf.softmax(x, axis).dtype).toBe(dtype);
      }
    }
  });
  it('propagates NaN, +inf and all -inf rows as NaN (PyTorch), -inf entries get 0', () => {
    const x = tf.tensor([1, Number.NaN, 2, 1, inf, 2, -inf, -inf, -inf, -inf, 0, 1], { shape: [4, 3] });
    const y = Array.from(tf.softmax(x).dataSync());
    expect(y.slice(0, 9).every(Number.isNaN)).toBe(true);
    expect(y[9]).toBe(0);
    expect(Math.abs(y[10]! + y[11]! - 1)).toBeLessThan(1e-6);
    expect(tf.logSoftmax(x).dataSync()[9]).toBe(-inf);
  });
  it('handles empty rows and zero rows; ints become float32', () => {
    expect(tf.softmax(tf.zeros([0, 3])).shape).toEqual([0, 3]);
    expect(tf.logSoftmax(tf.zeros([2, 0])).shape).toEqual([2, 0]);
    expect(tf.softmax(tf.tensor([1, 2], { dtype: 'int32' })).dtype).toBe('float32');
    expect(() => tf.softmax(tf.zeros([2, 3]), 2)).toThrow(/softmax: axis 2 is out of range/);
  });
});

describe('sparseSoftmaxCrossEntropyWithLogits (fused)', () => {
  const logits = tf.tensor(
    [
      [2, 1, 0.1],
      [0.5, 2.5, -1],
    ],
    { dtype: 'float64' },
  );
  const labels = tf.tensor([0, 2], { dtype: 'int32' });
  it('equals -logSoftmax(x)[label] and its gradient is softmax - onehot', () => {
    const loss = ce(labels, logits);
    const ref = tf.logSoftmax(logits).neg().dataSync();
    expect(loss.shape).toEqual([2]);
    expect(loss.dataSync()[0]).toBeCloseTo(ref[0]!, 14);
    expect(loss.dataSync()[1]).toBeCloseTo(ref[5]!, 14);
    const w = tf.tensor([1, 2], { dtype: 'float64' });
    const g = tf.grad((x: tf.Tensor) => ce(labels, x).mul(w).sum())(logits)!;
    const p = tf.softmax(logits).dataSync();
    const expected = [p[0]! - 1, p[1]!, p[2]!, 2 * p[3]!, 2 * p[4]!, 2 * (p[5]! - 1)];
    Array.from(g.dataSync()).forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 14);
    });
  });
  it('propagates NaN and infinities as PyTorch', () => {
    const x = tf.tensor([
      [Number.NaN, 0],
      [inf, 0],
      [-inf, 0],
      [0, -inf],
    ]);
    const l = Array.from(ce(tf.tensor([1, 1, 1, 1], { dtype: 'int32' }), x).dataSync());
    expect(Number.isNaN(l[0]!) && Number.isNaN(l[1]!)).toBe(true);
    expect(l[2]).toBe(0);
    expect(l[3]).toBe(inf);
  });
  it('accepts zero rows and batched leading axes', () => {
    expect(ce(tf.zeros([0], 'int32'), tf.zeros([0, 4])).shape).toEqual([0]);
    expect(ce(tf.zeros([2, 3], 'int32'), tf.zeros([2, 3, 4])).shape).toEqual([2, 3]);
  });
  it('names the op, the bad label, shapes and dtypes in its errors', () => {
    expect(() => ce(tf.tensor([0, 3], { dtype: 'int32' }), logits)).toThrow(
      /sparseSoftmaxCrossEntropy: label 3 .*logits \[2,3\] with 3 classes/,
    );
    expect(() => ce(tf.tensor([-1, 0], { dtype: 'int32' }), logits)).toThrow(/label -1/);
    expect(() => ce(tf.tensor([0, 1, 2], { dtype: 'int32' }), logits)).toThrow(
      /sparseSoftmaxCrossEntropy: labels \[3\] must have the shape of logits \[2,3\]/,
    );
    expect(() => ce(labels, tf.tensor([[1, 2, 3]], { dtype: 'int32' }))).toThrow(
      /sparseSoftmaxCrossEntropy: expected float32\/float64 logits and int32 labels, got logits \[1,3\] int32/,
    );
    expect(() => ce(tf.tensor([0.5, 1]), logits)).toThrow(/sparseSoftmaxCrossEntropy/);
  });
});
