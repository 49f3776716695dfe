import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';

// A model's graph runs Conv2D (bias, relu or linear) followed by MaxPooling2D as one fused op when the
// pooling alone reads the convolution's output (src/ops/fused-conv-pool.ts). Fused or not, the numbers
// must be the same: these tests train and predict both ways.

const L = tf.keras.layers;

/** A Conv2D subclass: its call may differ from Conv2D's, so the graph never fuses it. */
class UnfusedConv2D extends L.Conv2D {}

function cnn(conv: typeof L.Conv2D, activation: 'relu' | 'linear', pool: tf.keras.layers.MaxPooling2D) {
  tf.random.setSeed(3);
  const m = new tf.keras.Sequential([
    new conv(4, 3, { activation, inputShape: [9, 8, 2], padding: 'same' }),
    pool,
    new L.Flatten(),
    new L.Dense(3),
  ]);
  m.compile({
    optimizer: new tf.keras.optimizers.Adam({ learningRate: 0.01 }),
    loss: new tf.keras.losses.SparseCategoricalCrossentropy({ fromLogits: true }),
  });
  return m;
}

const x = tf.random.uniform([12, 9, 8, 2], -1, 1, { seed: 11 });
const y = tf.tensor(
  Array.from({ length: 12 }, (_, i) => i % 3),
  { shape: [12], dtype: 'int32' },
);

function closeTo(a: Float32Array | ArrayLike<number>, b: ArrayLike<number>, tol: number) {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(tol);
}

describe('Conv2D + MaxPooling2D fusion in a model graph', () => {
  for (const activation of ['relu', 'linear'] as const) {
    for (const [size, strides, padding] of [
      [2, 2, 'valid'],
      [3, 2, 'same'],
    ] as const) {
      it(`trains and predicts as the unfused layers (${activation}, pool ${size}/${strides} ${padding})`, async () => {
        const pool = () => new L.MaxPooling2D({ poolSize: size, strides, padding });
        const fused = cnn(L.Conv2D, activation, pool());
        const plain = cnn(UnfusedConv2D, activation, pool());
        closeTo(fused.predict(x).dataSync(), plain.predict(x).dataSync(), 1e-6);
        const hf = await fused.fit(x, y, { batchSize: 4, epochs: 3, shuffle: false, verbose: 0 });
        const hp = await plain.fit(x, y, { batchSize: 4, epochs: 3, shuffle: false, verbose: 0 });
        closeTo(hf.history.loss!, hp.history.loss!, 1e-5);
        fused.weights.forEach((w, i) => {
          closeTo(w.dataSync(), plain.weights[i]!.dataSync(), 1e-5);
        });
      });
    }
  }

  it('fuses float64 layers too, with the same numbers', () => {
    const build = (conv: typeof L.Conv2D) => {
      tf.random.setSeed(6);
      return new tf.keras.Sequential([
        new conv(3, 2, { activation: 'relu', inputShape: [9, 8, 2], dtype: 'float64', strides: 2 }),
        new L.MaxPooling2D({ poolSize: 2, dtype: 'float64' }),
        new L.Flatten({ dtype: 'float64' }),
      ]);
    };
    const fused = build(L.Conv2D).predict(x);
    expect(fused.dtype).toBe('float64');
    closeTo(fused.dataSync(), build(UnfusedConv2D).predict(x).dataSync(), 1e-12);
  });

  it('runs the pair as one fused call in the graph', () => {
    const m = cnn(L.Conv2D, 'relu', new L.MaxPooling2D(2));
    const seen: string[] = [];
    const pool = m.layers[1]!;
    const callAfter = pool.callAfter.bind(pool);
    pool.callAfter = (previous, input) => {
      const out = callAfter(previous, input);
      seen.push(out === null ? 'unfused' : out.shape.join('x'));
      return out;
    };
    m.predict(x);
    expect(seen).toEqual(['12x4x4x4']);
  });

  it("does not fuse when the convolution's output is read elsewhere", async () => {
    tf.random.setSeed(4);
    const input = tf.keras.Input({ shape: [9, 8, 2] });
    const conv = new L.Conv2D(3, 3, { activation: 'relu' });
    const c = conv.apply(input);
    const pooled = new L.Flatten().apply(new L.MaxPooling2D(2).apply(c));
    const direct = new L.Flatten().apply(c);
    const model = new tf.keras.Model({ inputs: input, outputs: [pooled, direct] });
    const [p, d] = model.predict(x) as unknown as tf.Tensor[];
    const z = tf.relu(tf.conv2d(x, conv.kernel!, {}).add(conv.bias!));
    closeTo(d!.dataSync(), z.reshape([12, -1]).dataSync(), 1e-6);
    closeTo(p!.dataSync(), tf.maxPool(z, 2).reshape([12, -1]).dataSync(), 1e-6);
  });

  it('leaves other activations and layer subclasses to run one by one', () => {
    const m = cnn(L.Conv2D, 'relu', new L.MaxPooling2D(2));
    const pool = m.layers[1]!;
    // tanh does not fuse: the pair runs unfused and gives tanh's numbers
    const tanhConv = new L.Conv2D(4, 3, { activation: 'tanh', padding: 'same' });
    tanhConv.apply(x);
    expect(pool.callAfter(tanhConv, x)).toBeNull();
    expect(pool.callAfter(new UnfusedConv2D(4, 3, { padding: 'same' }), x)).toBeNull();
  });
});
