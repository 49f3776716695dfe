import { describe, expect, it } from 'vitest';
import * as tf from '../../../src/index.js';

function quadraticData() {
  const xs: number[] = [];
  for (let i = 0; i < 100; i++) xs.push(-5 + 0.1 * i);
  const X = tf.tensor(xs.map((v) => [v * v, v]));
  const y = tf.tensor(xs.map((v) => [2 * v * v + 3 * v + 5]));
  return { X, y };
}

describe('seed 004: Keras fits of y = 2x^2 + 3x + 5', () => {
  it('Sequential Dense(1, inputDim 2) with RMSprop, batch 10, 300 epochs', async () => {
    tf.random.setSeed(4);
    const { X, y } = quadraticData();
    const model = new tf.keras.Sequential();
    model.add(new tf.keras.layers.Dense(1, { inputDim: 2 }));
    model.compile({ loss: 'mse', optimizer: new tf.keras.optimizers.RMSprop({ learningRate: 0.05 }) });
    const h = await model.fit(X, y, { batchSize: 10, epochs: 300, verbose: 0 });
    expect(h.history['loss']).toHaveLength(300);
    const [kernel, bias] = model.getWeights().map((w) => w.dataSync());
    expect(Math.abs(kernel![0]! - 2)).toBeLessThan(0.1);
    expect(Math.abs(kernel![1]! - 3)).toBeLessThan(0.1);
    expect(Math.abs(bias![0]! - 5)).toBeLessThan(0.1);
    expect(h.history['loss']![299]!).toBeLessThan(h.history['loss']![0]!);
  });

  it('functional Input -> Dense -> Model with Adam', async () => {
    tf.random.setSeed(5);
    const { X, y } = quadraticData();
    const xIn = tf.keras.Input({ batchShape: [null, 2] });
    const yOut = new tf.keras.layers.Dense(1).apply(xIn);
    const model = new tf.keras.Model({ inputs: xIn, outputs: yOut });
    expect(model.layers.map((l) => l.constructor.name)).toEqual(['InputLayer', 'Dense']);
    model.compile({ loss: 'mse', optimizer: new tf.keras.optimizers.Adam({ learningRate: 0.05 }) });
    await model.fit(X, y, { batchSize: 10, epochs: 300, verbose: 0 });
    const [kernel, bias] = model.getWeights().map((w) => w.dataSync());
    expect(Math.abs(kernel![0]! - 2)).toBeLessThan(0.05);
    expect(Math.abs(kernel![1]! - 3)).toBeLessThan(0.05);
    expect(Math.abs(bias![0]! - 5)).toBeLessThan(0.1);
  });
});

describe('API.md spellings type-check and run', () => {
  it("seed 003's custom training loop with model.apply(x, { training: true })", async () => {
    tf.random.setSeed(3);
    const feats: number[][] = [];
    const labels: number[] = [];
    for (let i = 0; i < 128; i++) {
      const c = i % 2;
      feats.push([0, 1, 2, 3].map((k) => (c ? 1 : -1) * (0.5 + ((i * 7 + k * 13) % 10) / 20)));
      labels.push(c);
    }
    const images = tf.tensor(feats);
    const lab = tf.tensor(labels, { dtype: 'int32' });
    const model = new tf.keras.Sequential([
      new tf.keras.layers.Dense(8, { inputDim: 4, activation: 'relu' }),
      new tf.keras.layers.Dense(2),
    ]);
    const opt = new tf.keras.optimizers.Adam({ learningRate: 0.01 });
    const lossFn = new tf.keras.losses.SparseCategoricalCrossentropy({ fromLogits: true });
    const acc = new tf.keras.metrics.SparseCategoricalAccuracy();
    for (let epoch = 0; epoch < 3; epoch++) {
      acc.resetState();
      const ds = tf.data.Dataset.fromTensorSlices([images, lab]).shuffle(1024).batch(32);
      for await (const [xb, yb] of ds) {
        const tape = new tf.GradientTape();
        const [logits, lossVal] = tape.record(() => {
          const logits = model.apply(xb, { training: true });
          return [logits, lossFn.apply(yb, logits)] as const;
        });
        const g = tape.gradient(lossVal, model.trainableWeights);
        opt.applyGradients(model.trainableWeights.map((w, i) => [g[i], w]));
        acc.updateState(yb, logits);
      }
    }
    expect(Number(acc.result().dataSync()[0])).toBeGreaterThan(0.95);
  });
});
