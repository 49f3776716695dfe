import { describe, expect, it } from 'vitest';
import * as tf from '../../../src/index.js';
import { closeTo, expectLayerGradients, randomInput } from './helpers.js';

const L = tf.keras.layers;
const f64 = { dtype: 'float64' as const };

type Mat = number[][];
const sig = (v: number) => 1 / (1 + Math.exp(-v));
/** Row vector times matrix. */
function vm(v: number[], m: Mat): number[] {
  return m[0]!.map((_, j) => v.reduce((s, vi, i) => s + vi * m[i]![j]!, 0));
}
function toMat(t: tf.Tensor): Mat {
  return t.numpy() as Mat;
}

/** Plain-JS LSTM over one sequence: Keras's gate order i, f, c, o. */
function lstmReference(
  xs: number[][],
  W: Mat,
  U: Mat,
  b: number[],
  units: number,
): { hs: number[][]; c: number[] } {
  let h = new Array(units).fill(0);
  let c = new Array(units).fill(0);
  const hs: number[][] = [];
  for (const x of xs) {
    const z = vm(x, W).map((v, j) => v + vm(h, U)[j]! + b[j]!);
    const g = (k: number, j: number) => z[k * units + j]!;
    c = c.map((cj, j) => sig(g(1, j)) * cj + sig(g(0, j)) * Math.tanh(g(2, j)));
    h = c.map((cj, j) => sig(g(3, j)) * Math.tanh(cj));
    hs.push(h);
  }
  return { hs, c };
}

/** Plain-JS GRU (reset after, Keras 2's default): gates z, r, h; bias rows [input, recurrent]. */
function gruReference(xs: number[][], W: Mat, U: Mat, b: Mat, units: number): number[][] {
  let h = new Array(units).fill(0);
  const hs: number[][] = [];
  for (const x of xs) {
    const xw = vm(x, W).map((v, j) => v + b[0]![j]!);
    const hu = vm(h, U).map((v, j) => v + b[1]![j]!);
    h = h.map((hj, j) => {
      const z = sig(xw[j]! + hu[j]!);
      const r = sig(xw[units + j]! + hu[units + j]!);
      const cand = Math.tanh(xw[2 * units + j]! + r * hu[2 * units + j]!);
      return z * hj + (1 - z) * cand;
    });
    hs.push(h);
  }
  return hs;
}

describe('recurrent layers', () => {
  const x = tf.random.normal([2, 4, 3], 0, 1, { seed: 11 });

  it('output and state shapes, eager and symbolic', () => {
    expect(new L.SimpleRNN(5).apply(x).shape).toEqual([2, 5]);
    expect(new L.LSTM(5, { returnSequences: true }).apply(x).shape).toEqual([2, 4, 5]);
    const [out, h, c] = new L.LSTM(5, { returnState: true }).applyAll(x);
    expect([out!.shape, h!.shape, c!.shape]).toEqual([
      [2, 5],
      [2, 5],
      [2, 5],
    ]);
    expect(out!.numpy()).toEqual(h!.numpy());
    const sym = new L.GRU(6, { returnSequences: true, returnState: true }).applyAll(
      tf.keras.Input({ shape: [null, 3] }),
    );
    expect(sym.map((t) => t.shape)).toEqual([
      [null, null, 6],
      [null, 6],
    ]);
    expect(new L.LSTM(2).apply(tf.keras.Input({ shape: [7, 3] })).shape).toEqual([null, 2]);
  });

  it('LSTM matches the reference equations, with the forget bias initialized to 1', () => {
    const lstm = new L.LSTM(2, { returnSequences: true, returnState: true });
    const [seq, , c] = lstm.applyAll(x);
    const [W, U, b] = lstm.getWeights();
    expect(Array.from(b!.dataSync())).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
    const xs = (x.numpy() as number[][][])[1]!;
    const ref = lstmReference(xs, toMat(W!), toMat(U!), Array.from(b!.dataSync()), 2);
    closeTo((seq!.numpy() as number[][][])[1]!.flat(), ref.hs.flat());
    closeTo((c!.numpy() as number[][])[1]!, ref.c);
  });

  it('GRU (resetAfter) and SimpleRNN match the reference equations', () => {
    const gru = new L.GRU(3, { returnSequences: true, biasInitializer: 'randomNormal' });
    const seq = gru.apply(x);
    const [W, U, b] = gru.getWeights();
    expect(b!.shape).toEqual([2, 9]);
    const ref = gruReference((x.numpy() as number[][][])[0]!, toMat(W!), toMat(U!), toMat(b!), 3);
    closeTo((seq.numpy() as number[][][])[0]!.flat(), ref.flat());

    const rnn = new L.SimpleRNN(2, { activation: 'relu' });
    const last = rnn.apply(x);
    const [Ws, Us, bs] = rnn.getWeights().map(toMat);
    let h = [0, 0];
    for (const xt of (x.numpy() as number[][][])[0]!) {
      h = vm(xt, Ws!).map((v, j) => Math.max(0, v + vm(h, Us!)[j]! + (bs as unknown as number[])[j]!));
    }
    closeTo((last.numpy() as number[][])[0]!, h);
  });

  it('goBackwards reads the sequence from the end; initial states can be passed with the input', () => {
    const fwd = new L.SimpleRNN(2, { returnSequences: true });
    const bwd = new L.SimpleRNN(2, { returnSequences: true, goBackwards: true });
    fwd.apply(x);
    bwd.apply(x);
    bwd.setWeights(fwd.getWeights());
    const reversed = tf.flip(x, 1);
    closeTo(bwd.apply(x).dataSync(), fwd.apply(reversed).dataSync());
    const lstm = new L.LSTM(2);
    const h0 = tf.ones([2, 2]);
    const c0 = tf.zeros([2, 2]);
    const a = lstm.apply([x, h0, c0]);
    const b = lstm.apply(x);
    expect(a.shape).toEqual([2, 2]);
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(b.dataSync()));
  });

  it('gradients (float64)', () => {
    const xs = randomInput([2, 3, 2]);
    expectLayerGradients(new L.SimpleRNN(2, f64), [xs]);
    expectLayerGradients(new L.LSTM(2, { ...f64, returnSequences: true }), [xs]);
    expectLayerGradients(new L.LSTM(2, { ...f64, returnState: true }), [xs]);
    expectLayerGradients(new L.GRU(2, { ...f64, returnSequences: true }), [xs]);
    expectLayerGradients(new L.GRU(2, { ...f64, resetAfter: false }), [xs]);
  });

  it('learns to sum a sequence when trained with fit', async () => {
    tf.random.setSeed(3);
    const n = 64;
    const data = tf.random.uniform([n, 5, 1], -1, 1, { seed: 12 });
    const target = data.sum(1);
    const model = new tf.keras.Sequential([new L.LSTM(8, { inputShape: [5, 1] }), new L.Dense(1)]);
    model.compile({ loss: 'mse', optimizer: new tf.keras.optimizers.Adam({ learningRate: 0.02 }) });
    const h = await model.fit(data, target, { epochs: 40, batchSize: 16, verbose: 0 });
    expect(h.history['loss']!.at(-1)!).toBeLessThan(0.5 * h.history['loss']![0]!);
  });
});

describe('MultiHeadAttention', () => {
  it("has Keras's weight shapes and output shape", () => {
    const mha = new L.MultiHeadAttention(2, 3);
    const q = tf.random.normal([2, 4, 5], 0, 1, { seed: 1 });
    const v = tf.random.normal([2, 6, 7], 0, 1, { seed: 2 });
    const out = mha.apply([q, v]);
    expect(out.shape).toEqual([2, 4, 5]);
    expect(mha.weights.map((w) => [w.name.replace('multi_head_attention/', ''), w.shape])).toEqual([
      ['query/kernel:0', [5, 2, 3]],
      ['query/bias:0', [2, 3]],
      ['key/kernel:0', [7, 2, 3]],
      ['key/bias:0', [2, 3]],
      ['value/kernel:0', [7, 2, 3]],
      ['value/bias:0', [2, 3]],
      ['attention_output/kernel:0', [2, 3, 5]],
      ['attention_output/bias:0', [5]],
    ]);
    const [o, scores] = mha.applyAll([q, v], { returnAttentionScores: true });
    expect(o!.shape).toEqual([2, 4, 5]);
    expect(scores!.shape).toEqual([2, 2, 4, 6]);
    closeTo(tf.sum(scores!, -1).dataSync(), new Array(16).fill(1));
    const sym = mha.apply([tf.keras.Input({ shape: [4, 5] }), tf.keras.Input({ shape: [6, 7] })]);
    expect(sym.shape).toEqual([null, 4, 5]);
  });

  it('matches single-head attention written out, and masks', () => {
    const mha = new L.MultiHeadAttention(1, 2, { useBias: false });
    const x = tf.random.normal([1, 3, 2], 0, 1, { seed: 5 });
    const out = mha.apply([x, x]);
    const [wq, wk, wv, wo] = mha.getWeights().map((w) => w.reshape([2, 2]));
    const q = x.reshape([3, 2]).matmul(wq!).div(Math.sqrt(2));
    const k = x.reshape([3, 2]).matmul(wk!);
    const v = x.reshape([3, 2]).matmul(wv!);
    const ref = tf
      .softmax(q.matmul(k, false, true), -1)
      .matmul(v)
      .matmul(wo!);
    closeTo(out.dataSync(), ref.dataSync());
    const [, causal] = mha.applyAll([x, x], { useCausalMask: true, returnAttentionScores: true });
    const s = causal!.numpy() as number[][][][];
    expect(s[0]![0]![0]![1]).toBeLessThan(1e-6);
    expect(s[0]![0]![1]![2]).toBeLessThan(1e-6);
    const mask = tf.tensor([
      [
        [1, 0, 0],
        [1, 1, 0],
        [1, 1, 1],
      ],
    ]);
    closeTo(
      mha.apply([x, x], { attentionMask: mask }).dataSync(),
      mha.apply([x, x], { useCausalMask: true }).dataSync(),
    );
  });

  it('gradients (float64)', () => {
    expectLayerGradients(new L.MultiHeadAttention(2, 2, f64), [
      randomInput([1, 3, 2], 1),
      randomInput([1, 2, 3], 2),
    ]);
  });
});
