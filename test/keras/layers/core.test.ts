import { describe, expect, it } from 'vitest';
import * as tf from '../../../src/index.js';
import { closeTo, expectLayerGradients, randomInput } from './helpers.js';

const L = tf.keras.layers;

describe('base Layer', () => {
  it('builds lazily on the first input shape, with addWeight, trainable and non-trainable weights', () => {
    class Scale extends L.Layer {
      w: tf.Variable | null = null;
      count: tf.Variable | null = null;
      override build(shape: readonly (number | null)[]) {
        this.w = this.addWeight('w', [shape[shape.length - 1]!], { initializer: 'ones' });
        this.count = this.addWeight({ name: 'count', shape: [], initializer: 'zeros', trainable: false });
      }
      override call(x: tf.Tensor) {
        return x.mul(this.w!);
      }
    }
    const layer = new Scale();
    expect(layer.built).toBe(false);
    expect(layer.weights).toEqual([]);
    const y = layer.apply(tf.tensor([[1, 2, 3]]));
    expect(layer.built).toBe(true);
    expect(y.numpy()).toEqual([[1, 2, 3]]);
    expect(layer.trainableWeights.map((w) => w.name)).toEqual(['scale/w:0']);
    expect(layer.nonTrainableWeights.map((w) => w.name)).toEqual(['scale/count:0']);
    expect(layer.weights.map((w) => w.name)).toEqual(['scale/w:0', 'scale/count:0']);
    layer.trainable = false;
    expect(layer.trainableWeights).toEqual([]);
    expect(layer.nonTrainableWeights).toHaveLength(2);
    expect(layer.weights[0]!.trainable).toBe(false);
    layer.trainable = true;
    expect(layer.trainableWeights).toHaveLength(1);
  });

  it('getWeights returns values that later training does not change; setWeights checks shapes', () => {
    const d = new L.Dense(2);
    d.apply(tf.zeros([1, 3]));
    const before = d.getWeights();
    d.setWeights([tf.ones([3, 2]), tf.tensor([1, 2])]);
    expect(before[0]!.dataSync()).not.toEqual(new Float32Array(6).fill(1));
    expect(d.getWeights()[1]!.numpy()).toEqual([1, 2]);
    expect(() => d.setWeights([tf.ones([2, 2]), tf.zeros([2])])).toThrow(
      /weight 0 \('dense(_\d+)?\/kernel:0'\) has shape \[3,2\].*\[2,2\]/,
    );
    expect(() => d.setWeights([tf.ones([3, 2])])).toThrow(/expected 2 arrays/);
  });

  it('passes the training flag to call, and nested layers inherit it', () => {
    const seen: unknown[] = [];
    class Probe extends L.Layer {
      override call(x: tf.Tensor, args: { training?: boolean } = {}) {
        seen.push(args.training);
        return x;
      }
    }
    class Outer extends L.Layer {
      inner = new Probe();
      override call(x: tf.Tensor) {
        return this.inner.apply(x);
      }
    }
    const outer = new Outer();
    outer.apply(tf.ones([1]), { training: true });
    outer.apply(tf.ones([1]));
    expect(seen).toEqual([true, false]);
  });

  it('collects regularization losses, and activity regularization per call', () => {
    const d = new L.Dense(1, { kernelRegularizer: 'l2', biasRegularizer: 'l1', activityRegularizer: 'l1' });
    d.apply(tf.ones([2, 2]));
    d.setWeights([tf.tensor([[1], [2]]), tf.tensor([3])]);
    const y = d.apply(tf.ones([2, 2]));
    const losses = d.losses.map((l) => Number(l.dataSync()[0]));
    // l2 0.01 * (1 + 4), l1 0.01 * 3, activity l1 0.01 * sum|y| / batch = 0.01 * (6 + 6) / 2
    closeTo(losses, [0.05, 0.03, 0.06], 1e-6);
    expect(y.numpy()).toEqual([[6], [6]]);
  });

  it('infers output shapes of custom layers by running call on samples', () => {
    class Pairs extends L.Layer {
      override call(x: tf.Tensor) {
        return x.reshape([x.shape[0]!, -1, 2]);
      }
    }
    const out = new Pairs().apply(tf.keras.Input({ shape: [6] }));
    expect(out.shape).toEqual([null, 3, 2]);
  });

  it('getConfig names the options', () => {
    const d = new L.Dense(3, { activation: 'relu', useBias: false, name: 'fc' });
    const c = d.getConfig();
    expect(c).toMatchObject({
      name: 'fc',
      units: 3,
      activation: 'relu',
      useBias: false,
      trainable: true,
      dtype: 'float32',
    });
  });

  it('counts parameters once built', () => {
    const d = new L.Dense(4);
    expect(() => d.countParams()).toThrow(/not built/);
    d.apply(tf.zeros([1, 3]));
    expect(d.countParams()).toBe(16);
  });
});

describe('Dense', () => {
  it('computes activation(x @ kernel + bias) on rank 2 and higher inputs', () => {
    const d = new L.Dense(2, { activation: 'relu' });
    d.apply(tf.zeros([1, 3]));
    d.setWeights([
      tf.tensor([
        [1, -1],
        [0, 1],
        [2, 0],
      ]),
      tf.tensor([0.5, -10]),
    ]);
    expect(d.apply(tf.tensor([[1, 2, 3]])).numpy()).toEqual([[7.5, 0]]);
    const y3 = d.apply(tf.ones([2, 4, 3]));
    expect(y3.shape).toEqual([2, 4, 2]);
    expect(d.apply(tf.keras.Input({ shape: [5, 3] })).shape).toEqual([null, 5, 2]);
  });

  it('accepts units in the options object too', () => {
    expect(new L.Dense({ units: 7 }).units).toBe(7);
    expect(() => new L.Dense(0)).toThrow(/units must be a positive integer/);
  });

  it('gradients (float64)', () => {
    expectLayerGradients(new L.Dense(3, { dtype: 'float64', activation: 'tanh' }), [randomInput([4, 5])]);
    expectLayerGradients(new L.Dense(2, { dtype: 'float64' }), [randomInput([2, 3, 4])]);
  });
});

describe('Activation, Dropout, Flatten, Reshape, Permute, RepeatVector, Lambda', () => {
  it('Activation by name and by function', () => {
    expect(new L.Activation('relu').apply(tf.tensor([-1, 2])).numpy()).toEqual([0, 2]);
    expect(new L.Activation((x: tf.Tensor) => x.mul(3)).apply(tf.tensor([1])).numpy()).toEqual([3]);
    expectLayerGradients(new L.Activation('sigmoid', { dtype: 'float64' }), [randomInput([3, 4])]);
  });

  it('Dropout drops only in training, scales by 1/(1-rate), and is reproducible with a seed', () => {
    const x = tf.ones([1000]);
    const d = new L.Dropout(0.5, { seed: 42 });
    expect(d.apply(x).numpy()).toEqual(x.numpy());
    const y = d.apply(x, { training: true }).dataSync();
    const kept = Array.from(y).filter((v) => v !== 0);
    expect(kept.every((v) => v === 2)).toBe(true);
    expect(kept.length).toBeGreaterThan(400);
    expect(kept.length).toBeLessThan(600);
    const again = new L.Dropout(0.5, { seed: 42 }).apply(x, { training: true }).dataSync();
    expect(Array.from(again)).toEqual(Array.from(y));
    const second = d.apply(x, { training: true }).dataSync();
    expect(Array.from(second)).not.toEqual(Array.from(y));
    const shaped = new L.Dropout(0.5, { noiseShape: [null, 1], seed: 1 }).apply(tf.ones([4, 6]), {
      training: true,
    });
    for (const row of shaped.numpy() as number[][]) expect(new Set(row).size).toBe(1);
    expect(() => new L.Dropout(1)).toThrow(/rate/);
    expectLayerGradients(new L.Dropout(0.3, { dtype: 'float64' }), [randomInput([3, 4])]);
  });

  it('Flatten, Reshape, Permute, RepeatVector', () => {
    const x = tf.range(0, 24).reshape([2, 3, 4]);
    expect(new L.Flatten().apply(x).shape).toEqual([2, 12]);
    expect(new L.Reshape([4, 3]).apply(x).shape).toEqual([2, 4, 3]);
    expect(new L.Reshape([-1, 6]).apply(tf.keras.Input({ shape: [3, 4] })).shape).toEqual([null, 2, 6]);
    expect(() => new L.Reshape([5]).apply(tf.keras.Input({ shape: [3, 4] }))).toThrow(/cannot reshape/);
    const p = new L.Permute([2, 1]).apply(x);
    expect(p.shape).toEqual([2, 4, 3]);
    expect((p.numpy() as number[][][])[0]![1]).toEqual([1, 5, 9]);
    expect(new L.RepeatVector(3).apply(tf.tensor([[1, 2]])).numpy()).toEqual([
      [
        [1, 2],
        [1, 2],
        [1, 2],
      ],
    ]);
    for (const layer of [
      new L.Flatten({ dtype: 'float64' }),
      new L.Reshape([12], { dtype: 'float64' }),
      new L.Permute([2, 1], { dtype: 'float64' }),
    ]) {
      expectLayerGradients(layer, [randomInput([2, 3, 4])]);
    }
    expectLayerGradients(new L.RepeatVector(2, { dtype: 'float64' }), [randomInput([2, 3])]);
  });

  it('Lambda wraps a function, with shape inference or a given outputShape', () => {
    const lam = new L.Lambda((x) => (x as tf.Tensor).square().sum(-1, true));
    expect(lam.apply(tf.tensor([[1, 2]])).numpy()).toEqual([[5]]);
    expect(lam.apply(tf.keras.Input({ shape: [7] })).shape).toEqual([null, 1]);
    const given = new L.Lambda((x) => x, { outputShape: [9] });
    expect(given.apply(tf.keras.Input({ shape: [9] })).shape).toEqual([null, 9]);
    expectLayerGradients(new L.Lambda((x) => (x as tf.Tensor).sin(), { dtype: 'float64' }), [
      randomInput([2, 3]),
    ]);
  });
});

describe('building by hand', () => {
  it('layer.build(shape) creates the weights once and marks the layer built', () => {
    class Bias extends L.Layer {
      b: tf.Variable | null = null;
      override build(shape: readonly (number | null)[]) {
        this.b = this.addWeight('b', [shape[1]!], { initializer: 'ones' });
      }
      override call(x: tf.Tensor) {
        return x.add(this.b!);
      }
    }
    const layer = new Bias();
    layer.build([null, 2]);
    expect(layer.built).toBe(true);
    layer.apply(tf.zeros([1, 2]));
    expect(layer.weights).toHaveLength(1);
  });
});
