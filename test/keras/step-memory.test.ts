import { afterEach, describe, expect, it } from 'vitest';
import { clearRecycled, takeRecycled } from '../../src/backend/recycle.js';
import * as tf from '../../src/index.js';

// Keras's trainStep hands the arrays of its own step back to the allocator when nothing else can hold
// them (src/keras/engine/step-memory.ts). These tests train the same model with and without that, and
// check that tensors a user's code keeps are never overwritten by a later step.

afterEach(() => clearRecycled());

const L = tf.keras.layers;
/** A Dense subclass: not a declared class, so a model holding it keeps its step's memory. */
class OwnDense extends L.Dense {}

const x = tf.random.uniform([128, 100], 0, 1, { seed: 1 });
const y = tf.random.uniform([128, 48], 0, 1, { seed: 2 });

function model(
  dense: typeof L.Dense,
  extra: tf.keras.layers.Layer[] = [],
  loss: tf.keras.losses.LossIdentifier = 'mse',
) {
  tf.random.setSeed(5);
  const m = new tf.keras.Sequential([
    new dense(64, { activation: 'relu', inputShape: [100] }),
    new L.BatchNormalization(),
    new L.Dropout(0.25),
    ...extra,
    new dense(48),
  ]);
  m.compile({ optimizer: new tf.keras.optimizers.Adam({ learningRate: 0.01 }), loss });
  return m;
}

/** Keeps every input it sees, with a copy of its values at the time. */
class Keep extends tf.keras.layers.Layer {
  readonly seen: [tf.Tensor, number[]][] = [];
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const t = inputs as tf.Tensor;
    this.seen.push([t, Array.from(t.dataSync())]);
    return t;
  }
}

describe("a training step's own memory", () => {
  it('goes back to the allocator, with the same training result as a model that keeps it', async () => {
    const a = model(L.Dense);
    await a.fit(x, y, { batchSize: 64, epochs: 3, shuffle: false, verbose: 0 });
    // the step's 64 x 64 activations and their gradients wait in the pool for the next step (the
    // weights' gradients, 100 x 64, go back in either case)
    expect(takeRecycled(Float32Array, 64 * 64)).toBeDefined();
    clearRecycled();
    const b = model(OwnDense);
    await b.fit(x, y, { batchSize: 64, epochs: 3, shuffle: false, verbose: 0 });
    expect(takeRecycled(Float32Array, 64 * 64)).toBeUndefined();
    // every weight, the batch normalization's moving statistics included
    expect(a.weights.length).toBe(b.weights.length);
    a.weights.forEach((w, i) => {
      expect(Array.from(w.dataSync())).toEqual(Array.from(b.weights[i]!.dataSync()));
    });
    expect(Array.from(a.predict(x).dataSync())).toEqual(Array.from(b.predict(x).dataSync()));
  });

  it('is kept when a layer of the model may hold its tensors', async () => {
    const keep = new Keep();
    const m = model(L.Dense, [keep]);
    await m.fit(x, y, { batchSize: 128, epochs: 3, shuffle: false, verbose: 0 });
    expect(keep.seen.length).toBeGreaterThanOrEqual(3);
    for (const [t, values] of keep.seen) expect(Array.from(t.dataSync())).toEqual(values);
  });

  it('is kept when the loss is user code', async () => {
    const seen: [tf.Tensor, number[]][] = [];
    const loss = (yTrue: tf.Tensor, yPred: tf.Tensor) => {
      const d = yPred.sub(yTrue);
      seen.push([d, Array.from(d.dataSync())]);
      return d.square().mean(-1);
    };
    const m = model(L.Dense, [], loss);
    await m.fit(x, y, { batchSize: 128, epochs: 3, shuffle: false, verbose: 0 });
    expect(seen.length).toBe(3);
    for (const [t, values] of seen) expect(Array.from(t.dataSync())).toEqual(values);
  });
});
