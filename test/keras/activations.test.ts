/**
 * tf.keras.activations: every name against its formula written out in JS, Keras's relu options,
 * gradients, the resolver (null is linear) and serialization of names.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';
import * as activations from '../../src/keras/activations.js';

const xs = [-3.5, -1.2, -0.3, 0.4, 1.1, 2.5, 6.7];
const flat = (t: tf.Tensor): number[] => Array.from(t.dataSync(), Number);
const x64 = tf.tensor(xs, { dtype: 'float64' });

/** erf by the series 2/sqrt(pi) exp(-x^2) sum 2^n x^(2n+1) / (1 3 5 ... (2n+1)): positive terms only. */
function erf(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 400; n++) {
    term *= (2 * x * x) / (2 * n + 1);
    sum += term;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const SELU_A = 1.6732632423543772;
const SELU_S = 1.0507009873554805;

const formulas: Record<string, (v: number) => number> = {
  relu: (v) => Math.max(v, 0),
  sigmoid,
  tanh: Math.tanh,
  linear: (v) => v,
  elu: (v) => (v > 0 ? v : Math.expm1(v)),
  selu: (v) => SELU_S * (v > 0 ? v : SELU_A * Math.expm1(v)),
  gelu: (v) => 0.5 * v * (1 + erf(v / Math.SQRT2)),
  softplus: (v) => Math.log1p(Math.exp(v)),
  softsign: (v) => v / (1 + Math.abs(v)),
  swish: (v) => v * sigmoid(v),
  silu: (v) => v * sigmoid(v),
  relu6: (v) => Math.min(Math.max(v, 0), 6),
  leaky_relu: (v) => (v > 0 ? v : 0.2 * v),
  exponential: Math.exp,
  hard_sigmoid: (v) => Math.min(Math.max(0.2 * v + 0.5, 0), 1),
};

describe('activations by name against their formulas (float64)', () => {
  for (const [name, f] of Object.entries(formulas)) {
    it(name, () => {
      const got = flat(activations.get(name)(x64));
      got.forEach((g, i) => {
        expect(Math.abs(g - f(xs[i]!)), `${name}(${xs[i]})`).toBeLessThan(
          1e-12 * Math.max(1, Math.abs(f(xs[i]!))),
        );
      });
    });
  }

  it('softmax and log_softmax along the last axis', () => {
    const m = tf.tensor(
      [
        [1, 2, 3],
        [-1, 0, 5],
      ],
      { dtype: 'float64' },
    );
    const rows = [
      [1, 2, 3],
      [-1, 0, 5],
    ];
    const want = rows.map((r) => {
      const e = r.map(Math.exp);
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / s);
    });
    const sm = flat(activations.get('softmax')(m));
    sm.forEach((v, i) => {
      expect(v).toBeCloseTo(want.flat()[i]!, 14);
    });
    const lsm = flat(activations.get('log_softmax')(m));
    lsm.forEach((v, i) => {
      expect(v).toBeCloseTo(Math.log(want.flat()[i]!), 13);
    });
    expect(activations.softmax(m, 0).shape).toEqual([2, 3]);
  });

  it("Keras's relu options: alpha, maxValue, threshold", () => {
    const r = (o: activations.ReluOptions) => flat(activations.relu(x64, o)).map((v) => v + 0);
    expect(r({ maxValue: 2 })).toEqual(xs.map((v) => Math.min(Math.max(v, 0), 2)));
    expect(r({ alpha: 0.1 })).toEqual(xs.map((v) => (v > 0 ? v : 0.1 * v)));
    expect(r({ threshold: 1 })).toEqual(xs.map((v) => (v > 1 ? v : 0)));
    const combined = r({ alpha: 0.5, maxValue: 6, threshold: 0.5 });
    combined.forEach((g, i) => {
      const v = xs[i]!;
      const want = v > 0.5 ? Math.min(v, 6) : 0.5 * (v - 0.5);
      expect(g).toBeCloseTo(want, 12);
    });
    expect(r({ maxValue: 6 })).toEqual(xs.map((v) => Math.min(Math.max(v, 0), 6)));
  });

  it('gradients pass gradcheck for the smooth ones and away from kinks', () => {
    for (const name of [
      'sigmoid',
      'tanh',
      'elu',
      'selu',
      'gelu',
      'softplus',
      'softsign',
      'swish',
      'relu',
      'leaky_relu',
      'softmax',
      'log_softmax',
      'exponential',
      'hard_sigmoid',
      'relu6',
    ]) {
      const f = activations.get(name);
      const report = tf.gradcheck((x) => f(x), [tf.tensor([[-1.7, -0.4, 0.3, 1.9]], { dtype: 'float64' })]);
      expect(report.ok, `${name}: ${report}`).toBe(true);
    }
  });

  it('int inputs become float32', () => {
    expect(activations.get('sigmoid')(tf.tensor([0, 1], { dtype: 'int32' })).dtype).toBe('float32');
  });
});

describe('activations.get / serialize', () => {
  it('null and undefined mean linear; functions pass through; camelCase names work', () => {
    expect(activations.get(null)).toBe(activations.linear);
    expect(activations.get(undefined)).toBe(activations.linear);
    const f = (x: tf.Tensor) => x.mul(2);
    expect(activations.get(f)).toBe(f);
    expect(activations.get('leakyRelu')).toBe(activations.get('leaky_relu'));
    expect(activations.get('hardSigmoid')).toBe(activations.hardSigmoid);
    expect(activations.get('relu')).toBe(activations.relu);
  });

  it('serialize gives the Keras name of a built-in and the name of a custom function', () => {
    expect(activations.serialize(activations.get('relu'))).toBe('relu');
    expect(activations.serialize(activations.get('silu'))).toBe('swish');
    expect(activations.serialize(activations.relu)).toBe('relu');
    expect(activations.serialize(activations.get('log_softmax'))).toBe('log_softmax');
    expect(activations.serialize(activations.get(null))).toBe('linear');
    function myAct(x: tf.Tensor) {
      return x;
    }
    expect(activations.serialize(myAct)).toBe('myAct');
    expect(activations.deserialize('tanh')).toBe(activations.tanh);
  });

  it('unknown names throw, suggesting the closest and listing the known ones', () => {
    expect(() => activations.get('rleu')).toThrow(
      /activations.get: unknown activation 'rleu'. Did you mean 'relu'\?/,
    );
    expect(() => activations.get('mish')).toThrow(/Known activations: .*elu.*gelu.*relu.*softmax.*tanh/);
    expect(() => activations.get(5 as never)).toThrow(TypeError);
    expect(() => activations.softmax(3)).toThrow(/softmax: expected a tensor of rank >= 1/);
  });
});
