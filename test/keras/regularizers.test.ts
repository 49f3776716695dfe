/**
 * tf.keras.regularizers: L1, L2, L1L2 values and gradients, Keras's defaults, seed 003's custom
 * regularizer (with getConfig) written as the notes write it, the resolver and bad input.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';
import * as regularizers from '../../src/keras/regularizers.js';

const value = (t: tf.Tensor): number => Number(t.dataSync()[0]);
const w = tf.tensor(
  [
    [1, -2],
    [0.5, 3],
  ],
  { dtype: 'float64' },
);
const sumAbs = 1 + 2 + 0.5 + 3;
const sumSq = 1 + 4 + 0.25 + 9;

describe('L1, L2, L1L2', () => {
  it("Keras's defaults: L1 and L2 0.01, L1L2 zeros; the function forms 0.01", () => {
    expect(new regularizers.L1().getConfig()).toEqual({ l1: 0.01 });
    expect(new regularizers.L2().getConfig()).toEqual({ l2: 0.01 });
    expect(new regularizers.L1L2().getConfig()).toEqual({ l1: 0, l2: 0 });
    expect(regularizers.l1L2().getConfig()).toEqual({ l1: 0.01, l2: 0.01 });
    expect(regularizers.l2(0.5).getConfig()).toEqual({ l2: 0.5 });
  });

  it('values: l1 sum|w|, l2 sum w^2 (no 1/2), l1l2 both', () => {
    expect(value(new regularizers.L1().apply(w))).toBeCloseTo(0.01 * sumAbs, 12);
    expect(value(new regularizers.L2({ l2: 0.1 }).apply(w))).toBeCloseTo(0.1 * sumSq, 12);
    expect(value(new regularizers.L2(0.1).apply(w))).toBeCloseTo(0.1 * sumSq, 12);
    expect(value(new regularizers.L1L2({ l1: 0.2, l2: 0.3 }).apply(w))).toBeCloseTo(
      0.2 * sumAbs + 0.3 * sumSq,
      12,
    );
    const zero = new regularizers.L1L2().apply(w);
    expect(zero.shape).toEqual([]);
    expect(value(zero)).toBe(0);
    expect(new regularizers.L2().apply(w).dtype).toBe('float64');
    expect(new regularizers.L2().apply(tf.tensor([1, 2])).dtype).toBe('float32');
  });

  it('gradients: d(l2 sum w^2)/dw = 2 l2 w, d(l1 sum|w|)/dw = l1 sign(w); gradcheck passes', () => {
    const v = tf.variable(w);
    const tape = new tf.GradientTape({ persistent: true });
    const l2 = tape.record(() => new regularizers.L2(0.1).apply(v));
    const l1 = tape.record(() => new regularizers.L1(0.1).apply(v));
    expect(tape.gradient(l2, v)!.numpy()).toEqual([
      [0.2, -0.4],
      [0.1, 0.6000000000000001],
    ]);
    expect(tape.gradient(l1, v)!.numpy()).toEqual([
      [0.1, -0.1],
      [0.1, 0.1],
    ]);
    for (const r of [
      new regularizers.L1(0.3),
      new regularizers.L2(0.3),
      new regularizers.L1L2({ l1: 0.1, l2: 0.2 }),
    ]) {
      const report = tf.gradcheck((x) => r.apply(x), [w]);
      expect(report.ok, report.toString()).toBe(true);
    }
  });
});

describe("seed 003's custom regularizer", () => {
  // As the notes write it: CustomRegularizer(keras.regularizers.Regularizer) with a factor, call =
  // reduce_sum(abs(factor * weights)) and get_config returning {"factor": factor}.
  class CustomRegularizer extends regularizers.Regularizer {
    factor: number;
    constructor(factor: number) {
      super();
      this.factor = factor;
    }
    override call(weights: tf.Tensor): tf.Tensor {
      return tf.reduceSum(tf.abs(weights.mul(this.factor)));
    }
    override getConfig() {
      return { factor: this.factor };
    }
    static override fromConfig(config: Record<string, unknown>) {
      return new CustomRegularizer(config['factor'] as number);
    }
  }

  it('penalises like an L1 with coefficient factor', () => {
    const r = new CustomRegularizer(0.01);
    expect(value(r.apply(w))).toBeCloseTo(0.01 * sumAbs, 12);
    expect(value(r.apply(w))).toBeCloseTo(value(new regularizers.L1(0.01).apply(w)), 12);
    const report = tf.gradcheck((x) => r.apply(x), [w]);
    expect(report.ok, report.toString()).toBe(true);
  });

  it('getConfig round-trips through serialize / deserialize with the class registered', () => {
    const r = new CustomRegularizer(0.25);
    const record = regularizers.serialize(r);
    expect(record).toEqual({ className: 'CustomRegularizer', config: { factor: 0.25 } });
    const copy = regularizers.deserialize(JSON.parse(JSON.stringify(record)), { CustomRegularizer });
    expect(copy).toBeInstanceOf(CustomRegularizer);
    expect((copy as CustomRegularizer).factor).toBe(0.25);
    expect(() => regularizers.deserialize(record)).toThrow(/unknown regularizer 'CustomRegularizer'/);
  });

  it('a regularizer with an options constructor needs no fromConfig', () => {
    class Smooth extends regularizers.Regularizer {
      readonly strength: number;
      constructor(options: { strength?: number } = {}) {
        super();
        this.strength = options.strength ?? 1;
      }
      override call(weights: tf.Tensor): tf.Tensor {
        return tf.sum(tf.square(weights)).mul(this.strength);
      }
      override getConfig() {
        return { strength: this.strength };
      }
    }
    const copy = regularizers.deserialize(regularizers.serialize(new Smooth({ strength: 4 })), { Smooth });
    expect(value(copy.apply([1, 1]))).toBe(8);
  });
});

describe('regularizers.get and bad input', () => {
  it('resolves names, configs, instances and functions', () => {
    expect(regularizers.get('l1')).toBeInstanceOf(regularizers.L1);
    expect(regularizers.get('L2')).toBeInstanceOf(regularizers.L2);
    expect(regularizers.get('l1_l2').getConfig()).toEqual({ l1: 0.01, l2: 0.01 });
    expect(regularizers.get('L1L2').getConfig()).toEqual({ l1: 0, l2: 0 });
    expect(regularizers.get({ className: 'L2', config: { l2: 0.5 } }).getConfig()).toEqual({ l2: 0.5 });
    const r = new regularizers.L1();
    expect(regularizers.get(r)).toBe(r);
    expect(value(regularizers.get((x: tf.Tensor) => tf.sum(x)).apply([1, 2]))).toBe(3);
    expect(value(new regularizers.Regularizer().apply([1, 2]))).toBe(0);
  });

  it('unknown names and bad coefficients throw clear errors', () => {
    expect(() => regularizers.get('l3')).toThrow(
      /regularizers.get: unknown regularizer 'l3'. Did you mean 'l1'\?/,
    );
    expect(() => regularizers.get('elastic')).toThrow(/Known regularizers: l1, l1_l2, l1l2, l2/);
    expect(() => new regularizers.L2(Number.NaN)).toThrow(/L2: l2 must be a finite number, got NaN/);
    expect(() => regularizers.get(3 as never)).toThrow(TypeError);
  });
});
