import { afterEach, describe, expect, it } from 'vitest';
import { clearRecycled, recycle, takeRecycled, trackAllocations } from '../../src/backend/recycle.js';
import * as tf from '../../src/index.js';

// Keras's train step hands its gradients' storage back once a built-in optimizer has applied them, so
// that the next step allocates its gradients from it (see src/backend/recycle.ts).

afterEach(() => clearRecycled());

function model(optimizer: tf.keras.optimizers.Optimizer) {
  const L = tf.keras.layers;
  const m = new tf.keras.Sequential([
    new L.Dense(64, { activation: 'relu', inputShape: [100] }),
    new L.Dense(3),
  ]);
  m.compile({ optimizer, loss: 'meanSquaredError' });
  return m;
}

describe('gradient storage recycling', () => {
  it("hands a built-in optimizer step's gradients back, with the same training result", async () => {
    const x = tf.random.uniform([32, 100], 0, 1, { seed: 1 });
    const y = tf.random.uniform([32, 3], 0, 1, { seed: 2 });
    tf.random.setSeed(5);
    const a = model(new tf.keras.optimizers.Adam({ learningRate: 0.01 }));
    await a.fit(x, y, { batchSize: 8, epochs: 2, shuffle: false, verbose: 0 });
    // The last step's kernel gradient (100 x 64) waits in the pool.
    expect(takeRecycled(Float32Array, 6400)).toBeDefined();
    // A subclass may keep its gradients: nothing is handed back, and the numbers are the same.
    clearRecycled();
    class Plain extends tf.keras.optimizers.Adam {}
    tf.random.setSeed(5);
    const b = model(new Plain({ learningRate: 0.01 }));
    await b.fit(x, y, { batchSize: 8, epochs: 2, shuffle: false, verbose: 0 });
    expect(takeRecycled(Float32Array, 6400)).toBeUndefined();
    expect(Array.from(b.predict(x).dataSync())).toEqual(Array.from(a.predict(x).dataSync()));
  });

  it('takes back only arrays allocated while tracking, and hands each out once', () => {
    const user = new Float32Array(5000);
    recycle([user]);
    expect(takeRecycled(Float32Array, 5000)).toBeUndefined();
    const made = trackAllocations(() => tf.ones([5000]).add(1).storage);
    recycle([made, made]);
    expect(takeRecycled(Float32Array, 5000)).toBe(made);
    expect(takeRecycled(Float32Array, 5000)).toBeUndefined();
    // A reused array is not eligible again unless it was reused under tracking.
    recycle([made]);
    expect(takeRecycled(Float32Array, 5000)).toBeUndefined();
  });

  it('a zero-filled allocation from the pool is zero', () => {
    const made = trackAllocations(() => tf.ones([5000]).add(1).storage);
    recycle([made]);
    const z = tf.zeros([5000]);
    expect(z.storage).toBe(made);
    expect(Array.from(z.dataSync()).every((v) => v === 0)).toBe(true);
  });
});
