import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';
import golden from '../fixtures/golden-seeds.json' with { type: 'json' };

const cafe = golden.cafe;
const flat = (t: tf.Tensor) => Array.from(t.dataSync());

describe('seed 001: cafe regression gradients', () => {
  it('scalar form with float32 variables gives (-126.78691, -3208.8396) as float32', () => {
    const x = tf.tensor(cafe.x, { dtype: 'float64' });
    const y = tf.tensor(cafe.y, { dtype: 'float64' });
    const beta0 = tf.variable(9.0);
    const beta1 = tf.variable(2.0);
    const tape = new tf.GradientTape({ persistent: true });
    const loss = tape.record(() => tf.reduceSum(tf.square(y.sub(beta0).sub(beta1.mul(x)))));
    const g0 = tape.gradient(loss, beta0)!;
    const g1 = tape.gradient(loss, beta1)!;
    expect(g0.dtype).toBe('float32');
    expect(g1.dtype).toBe('float32');
    // The notes' digits are the float64 gradient rounded to float32.
    expect(String(g0)).toBe('<tf.Tensor: shape=(), dtype=float32, numpy=-126.78691>');
    expect(String(g1)).toBe('<tf.Tensor: shape=(), dtype=float32, numpy=-3208.8396>');
  });

  const X = tf.tensor([...Array(10).fill(1), ...cafe.x], { dtype: 'float64' }).reshape([2, 10]).T;
  const yCol = tf.tensor(cafe.y, { dtype: 'float64' }).reshape([10, 1]);
  const lossAt = (beta: tf.Tensor) => {
    const tape = new tf.GradientTape({ persistent: true });
    tape.watch(beta);
    const loss = tape.record(() => {
      const r = yCol.sub(X.matmul(beta));
      return r.T.matmul(r);
    });
    return tape.gradient(loss, beta)!;
  };

  it('matrix form at (9, 2) gives [[-126.78690968], [-3208.83947922]] in float64', () => {
    expect(X.shape).toEqual([10, 2]);
    const g = lossAt(tf.tensor([9, 2], { dtype: 'float64' }).reshape([2, 1]));
    expect(g.shape).toEqual([2, 1]);
    const [g0, g1] = flat(g);
    expect(g0).toBeCloseTo(cafe.matrix_form.at_9_2.analytic[0]!, 8);
    expect(g1).toBeCloseTo(cafe.matrix_form.at_9_2.analytic[1]!, 7);
    // The theoretical value -2 X'y + 2 X'X beta agrees.
    const beta = tf.tensor([[9], [2]], { dtype: 'float64' });
    const theory = flat(X.T.matmul(yCol).mul(-2).add(X.T.matmul(X).matmul(beta).mul(2)));
    expect(theory[0]).toBeCloseTo(g0!, 9);
    expect(theory[1]).toBeCloseTo(g1!, 8);
  });

  it('the gradient at the OLS optimum inv(X^T X) X^T y is zero up to rounding', () => {
    const betaHat = tf.linalg.inv(X.T.matmul(X)).matmul(X.T).matmul(yCol);
    const [b0, b1] = flat(betaHat);
    expect(b0).toBeCloseTo(cafe.matrix_form.beta_hat.b[0]!, 9);
    expect(b1).toBeCloseTo(cafe.matrix_form.beta_hat.b[1]!, 10);
    const [g0, g1] = flat(lossAt(betaHat));
    expect(Math.abs(g0!)).toBeLessThan(1e-8);
    expect(Math.abs(g1!)).toBeLessThan(1e-7);
  });

  it('the gradient at beta_true (10.2, 2.2) is (-2.7469, -71.4595)', () => {
    const [g0, g1] = flat(lossAt(tf.tensor([[10.2], [2.2]], { dtype: 'float64' })));
    expect(g0).toBeCloseTo(-2.74690966, 6);
    expect(g1).toBeCloseTo(-71.45947888, 5);
  });
});

describe('seed 001: grid search and numpy-like helpers', () => {
  it('linspace(-10, 10, 100) and argmin find beta[59] = 1.9191919', () => {
    const beta = tf.linspace(-10, 10, 100, 'float64');
    const loss = beta.div(2).sub(1).square();
    const i = tf.argmin(loss);
    expect(i.numpy()).toBe(59);
    expect(beta.dataSync()[59]).toBeCloseTo(1.9191919191919187, 12);
    expect(tf.argmin([1, 2, -3, 3, 4]).numpy()).toBe(2);
    expect(tf.argmin([1, 2, 3, -3, 4]).numpy()).toBe(3);
  });
});

describe('seed 001: 1-D gradient descent on (beta/2 - 1)^2', () => {
  const alpha = 0.01 / 6;
  const run = (steps: number) => {
    const beta = tf.variable(-10.0);
    for (let k = 0; k < steps; k++) {
      const tape = new tf.GradientTape({ persistent: true });
      const loss = tape.record(() => beta.div(2).sub(1).pow(2));
      beta.assignSub(tape.gradient(loss, beta)!.mul(alpha));
    }
    return beta;
  };
  const notes: [number, number][] = [
    [1, -9.99],
    [2, -9.980008],
    [100, -9.040152],
    [1000, -3.2133687],
    [10000, 1.997125],
  ];
  for (const [steps, value] of notes) {
    it(`after ${steps} steps beta is ${value} (float32, 1e-6 relative)`, () => {
      const beta = run(steps);
      expect(beta.dtype).toBe('float32');
      const got = beta.numpy() as number;
      expect(Math.abs(got - value) / Math.abs(value)).toBeLessThan(1e-6);
    });
  }

  it('the first gradient is -6 and prints like the notes', () => {
    const beta = tf.variable(-10.0);
    const tape = new tf.GradientTape({ persistent: true });
    const loss = tape.record(() => beta.div(2).sub(1).pow(2));
    const g = tape.gradient(loss, beta)!;
    expect(String(g)).toBe('<tf.Tensor: shape=(), dtype=float32, numpy=-6.0>');
    beta.assignSub(g.mul(alpha));
    expect(String(beta)).toBe(
      "<tf.Variable 'Variable:0' shape=() dtype=float32, numpy=-9.99>".replace('Variable:0', beta.name),
    );
  });
});
