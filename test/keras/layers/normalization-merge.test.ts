import { describe, expect, it } from 'vitest';
import * as tf from '../../../src/index.js';
import { closeTo, expectLayerGradients, randomInput } from './helpers.js';

const L = tf.keras.layers;
const f64 = { dtype: 'float64' as const };

describe('BatchNormalization', () => {
  it('normalizes with batch statistics in training and updates the moving averages', () => {
    const bn = new L.BatchNormalization({ momentum: 0.5, epsilon: 0 });
    const x = tf.tensor([
      [1, 10],
      [3, 30],
    ]);
    const y = bn.apply(x, { training: true });
    closeTo(y.dataSync(), [-1, -1, 1, 1], 1e-5);
    const [gamma, beta, movingMean, movingVar] = bn.getWeights().map((w) => Array.from(w.dataSync()));
    expect(gamma).toEqual([1, 1]);
    expect(beta).toEqual([0, 0]);
    closeTo(movingMean!, [1, 10], 1e-6); // 0.5 * 0 + 0.5 * [2, 20]
    closeTo(movingVar!, [1, 50.5], 1e-5); // 0.5 * 1 + 0.5 * [1, 100]
    expect(bn.trainableWeights.map((w) => w.name.split('/')[1])).toEqual(['gamma:0', 'beta:0']);
    expect(bn.nonTrainableWeights.map((w) => w.name.split('/')[1])).toEqual([
      'moving_mean:0',
      'moving_variance:0',
    ]);
  });

  it('uses the moving statistics in inference, and when frozen', () => {
    const bn = new L.BatchNormalization({ epsilon: 0 });
    bn.apply(tf.zeros([1, 2]));
    bn.setWeights([tf.tensor([2, 1]), tf.tensor([0, 1]), tf.tensor([1, 2]), tf.tensor([4, 1])]);
    closeTo(bn.apply(tf.tensor([[3, 3]])).dataSync(), [2, 2]);
    bn.trainable = false;
    const before = bn.getWeights()[2]!.dataSync()[0];
    closeTo(bn.apply(tf.tensor([[3, 3]]), { training: true }).dataSync(), [2, 2]);
    expect(bn.getWeights()[2]!.dataSync()[0]).toBe(before);
  });

  it('normalizes per channel of an image (axis -1) and its gradients are right', () => {
    const x = randomInput([3, 2, 2, 2]);
    const bn = new L.BatchNormalization(f64);
    const y = bn.apply(x, { training: true });
    const m = tf.mean(y, [0, 1, 2]).dataSync();
    closeTo(m, [0, 0], 1e-9);
    expectLayerGradients(new L.BatchNormalization(f64), [x], { training: true });
    expectLayerGradients(new L.BatchNormalization({ ...f64, axis: 1 }), [randomInput([4, 3])], {
      training: false,
    });
  });
});

describe('LayerNormalization', () => {
  it('normalizes each sample over the last axis', () => {
    const ln = new L.LayerNormalization({ epsilon: 0 });
    const y = ln.apply(
      tf.tensor([
        [1, 2, 3],
        [10, 10, 40],
      ]),
    );
    const v = Math.sqrt(2 / 3);
    closeTo(y.dataSync(), [-1 / v, 0, 1 / v, -Math.SQRT1_2, -Math.SQRT1_2, Math.SQRT2], 1e-5);
    expect(ln.weights.map((w) => w.shape)).toEqual([[3], [3]]);
  });

  it('gradients (float64), also over several axes', () => {
    expectLayerGradients(new L.LayerNormalization(f64), [randomInput([2, 3, 4])]);
    expectLayerGradients(new L.LayerNormalization({ ...f64, axis: [1, 2] }), [randomInput([2, 3, 2])]);
  });
});

describe('Embedding', () => {
  it('looks up rows; float indices are cast; shape [N, T] -> [N, T, d]', () => {
    const e = new L.Embedding(5, 2);
    e.apply(tf.tensor([[0]], { dtype: 'int32' }));
    e.setWeights([
      tf.tensor([
        [0, 0],
        [1, 1],
        [2, 2],
        [3, 3],
        [4, 4],
      ]),
    ]);
    expect(e.apply(tf.tensor([[4, 1]])).numpy()).toEqual([
      [
        [4, 4],
        [1, 1],
      ],
    ]);
    expect(e.apply(tf.keras.Input({ shape: [7], dtype: 'int32' })).shape).toEqual([null, 7, 2]);
    const first = new L.Embedding(10, 3, { inputLength: 4 });
    expect(first.batchInputShape).toEqual([null, 4]);
  });

  it('gradients reach the table', () => {
    const e = new L.Embedding(4, 3, f64);
    expectLayerGradients(
      e,
      [
        tf.tensor(
          [
            [1, 3],
            [1, 0],
          ],
          { dtype: 'int32' },
        ),
      ],
      { skipInputs: true },
    );
  });

  it('trains inside a Sequential model with integer inputs', async () => {
    const model = new tf.keras.Sequential([
      new L.Embedding(3, 2, { inputLength: 1 }),
      new L.Flatten(),
      new L.Dense(1),
    ]);
    model.compile({ loss: 'mse', optimizer: new tf.keras.optimizers.Adam({ learningRate: 0.1 }) });
    const x = tf.tensor([[0], [1], [2]], { dtype: 'int32' });
    const h = await model.fit(x, tf.tensor([[0], [1], [2]]), { epochs: 50, verbose: 0 });
    expect(h.history['loss']!.at(-1)!).toBeLessThan(0.05);
  });
});

describe('merge layers', () => {
  const a = tf.tensor([[1, 2]]);
  const b = tf.tensor([[3, 5]]);
  it('values and shapes', () => {
    expect(new L.Add().apply([a, b]).numpy()).toEqual([[4, 7]]);
    expect(new L.Subtract().apply([a, b]).numpy()).toEqual([[-2, -3]]);
    expect(new L.Multiply().apply([a, b, b]).numpy()).toEqual([[9, 50]]);
    expect(new L.Average().apply([a, b]).numpy()).toEqual([[2, 3.5]]);
    expect(new L.Maximum().apply([a, b]).numpy()).toEqual([[3, 5]]);
    expect(new L.Minimum().apply([a, b]).numpy()).toEqual([[1, 2]]);
    expect(new L.Concatenate().apply([a, b]).numpy()).toEqual([[1, 2, 3, 5]]);
    expect(new L.Concatenate({ axis: 0 }).apply([a, b]).numpy()).toEqual([
      [1, 2],
      [3, 5],
    ]);
    const x = tf.keras.Input({ shape: [4, 3] });
    const y = tf.keras.Input({ shape: [4, 5] });
    expect(new L.Concatenate().apply([x, y]).shape).toEqual([null, 4, 8]);
    expect(() => new L.Concatenate({ axis: 1 }).apply([x, y])).toThrow(
      /Concatenate\) requires inputs with matching shapes/,
    );
    expect(() => new L.Add().apply([x, y])).toThrow(
      /Add\): inputs with incompatible shapes \(None, 4, 3\), \(None, 4, 5\)/,
    );
    expect(() => new L.Add().apply(a)).toThrow(/must be called on a list of at least 2 inputs/);
  });

  it('gradients (float64)', () => {
    const xs = [randomInput([2, 3], 1), randomInput([2, 3], 2)];
    for (const layer of [
      new L.Add(f64),
      new L.Multiply(f64),
      new L.Subtract(f64),
      new L.Average(f64),
      new L.Maximum(f64),
      new L.Concatenate({ ...f64, axis: -1 }),
    ]) {
      expectLayerGradients(layer, xs);
    }
  });
});
