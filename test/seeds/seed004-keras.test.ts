import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';

// Seed 004 (Keras, TensorFlow 2.2): the notes fit y = 2x^2 + 3x + 5 on x = arange(-5, 5, 0.1) with a
// Dense(1) over the features [x^2, x], first as a Sequential model (RMSprop, batch 10, 300 epochs;
// the notes print w1 = 2.00, w2 = 3.00, b0 = 5.01), then with the functional API (Input -> Dense ->
// Model, Adam); they contrast batch, stochastic and mini-batch updates; and they fit a line by
// ordinary least squares (OLS) and total least squares (TLS) with custom losses and
// `opt.minimize(lambda: loss(x), var_list=[w, b])`.

/** The notes' data: x = np.arange(-5, 5, 0.1); X_data = np.stack([x*x, x]).T; y = 2x^2 + 3x + 5. */
function quadraticData() {
  const x = tf.range(-5, 5, 0.1);
  const X = tf.stack([x.mul(x), x]).T;
  const y = x.mul(x).mul(2).add(x.mul(3)).add(5).reshape([-1, 1]);
  return { x, X, y };
}

/** [w1, w2, b] of a Dense(1) over [x^2, x]. */
function coefficients(model: tf.keras.Model): number[] {
  const [kernel, bias] = model.getWeights();
  return [...kernel!.dataSync(), ...bias!.dataSync()].map(Number);
}

describe('seed 004: the quadratic fit with Keras', () => {
  it('Sequential Dense(1) with RMSprop(0.05), batch 10, 300 epochs ends at w1 2.00, w2 3.00, b 5.01', async () => {
    tf.random.setSeed(4);
    const { X, y } = quadraticData();
    expect(X.shape).toEqual([100, 2]);
    const model = new tf.keras.Sequential(); // an empty model
    model.add(new tf.keras.layers.Dense(1, { inputDim: 2 })); // the bias comes with it
    model.compile({ loss: 'mse', optimizer: new tf.keras.optimizers.RMSprop({ learningRate: 0.05 }) });
    const h = await model.fit(X, y, { batchSize: 10, epochs: 300, verbose: 0 });

    const loss = h.history['loss']!;
    expect(loss).toHaveLength(300);
    expect(loss[299]!).toBeLessThan(loss[0]! / 100);
    expect(model.optimizer!.iterations).toBe(300 * 10); // 10 mini-batches per epoch
    // The notes: w1 = 2.00, w2 = 3.00, b0 = 5.01. RMSprop at this rate ends where its last batches
    // pushed it, so the digits after the first decimal depend on the shuffles: within 0.1.
    const [w1, w2, b] = coefficients(model);
    expect(w1!).toBeCloseTo(2.0, 1);
    expect(Math.abs(w1! - 2.0)).toBeLessThan(0.1);
    expect(Math.abs(w2! - 3.0)).toBeLessThan(0.1);
    expect(Math.abs(b! - 5.01)).toBeLessThan(0.1);
    // The fitted model predicts y (a few points, through predict).
    const pred = model
      .predict(
        tf.tensor([
          [0, 0],
          [4, 2],
          [1, -1],
        ]),
      )
      .dataSync();
    [5, 19, 4].forEach((want, i) => {
      expect(Math.abs(pred[i]! - want)).toBeLessThan(0.3);
    });
  });

  it('functional API: Input(batchShape [null, 2]) -> Dense(1) -> Model, Adam(0.05), gives (2, 3, 5) +-0.05', async () => {
    tf.random.setSeed(5);
    const { X, y } = quadraticData();
    const xInput = tf.keras.Input({ batchShape: [null, X.shape[1]!] });
    const yOutput = new tf.keras.layers.Dense(1).apply(xInput);
    const model = new tf.keras.Model({ inputs: xInput, outputs: yOutput });
    // The notes list model.layers: [InputLayer, Dense].
    expect(model.layers.map((l) => l.constructor.name)).toEqual(['InputLayer', 'Dense']);
    model.compile({ loss: 'mse', optimizer: new tf.keras.optimizers.Adam({ learningRate: 0.05 }) });
    const h = await model.fit(X, y, { batchSize: 10, epochs: 300, verbose: 0 });
    // h.history['loss'] is what the notes plot: it falls by orders of magnitude.
    const loss = h.history['loss']!;
    expect(loss).toHaveLength(300);
    expect(loss[299]!).toBeLessThan(1e-3 * loss[0]!);
    const [w1, w2, b] = coefficients(model);
    expect(Math.abs(w1! - 2)).toBeLessThan(0.05);
    expect(Math.abs(w2! - 3)).toBeLessThan(0.05);
    expect(Math.abs(b! - 5)).toBeLessThan(0.05);
  });
});

describe('seed 004: batch, stochastic and mini-batch updates', () => {
  /** A Dense(1) over [x^2, x] starting from fixed weights, compiled with plain SGD. */
  function fixedModel(lr: number) {
    const model = new tf.keras.Sequential([new tf.keras.layers.Dense(1, { inputDim: 2 })]);
    model.setWeights([tf.tensor([[0.5], [-0.25]]), tf.tensor([0.1])]);
    const optimizer = new tf.keras.optimizers.SGD({ learningRate: lr });
    model.compile({ loss: 'mse', optimizer });
    return { model, optimizer };
  }

  /** Gradient descent by hand over the samples in batches of `batchSize`, in order. */
  function byHand(X: tf.Tensor, y: tf.Tensor, batchSize: number, epochs: number, lr: number): number[] {
    const w = tf.variable(tf.tensor([[0.5], [-0.25]]));
    const b = tf.variable(tf.tensor([0.1]));
    const n = X.shape[0]!;
    for (let epoch = 0; epoch < epochs; epoch++) {
      for (let start = 0; start < n; start += batchSize) {
        const size = Math.min(batchSize, n - start);
        const xb = X.slice([start, 0], [size, 2]);
        const yb = y.slice([start, 0], [size, 1]);
        const tape = new tf.GradientTape();
        const loss = tape.record(() => tf.reduceMean(tf.square(xb.matmul(w).add(b).sub(yb))));
        const [dw, db] = tape.gradient(loss, [w, b]);
        w.assignSub(dw!.mul(lr));
        b.assignSub(db!.mul(lr));
      }
    }
    return [...w.dataSync(), ...b.dataSync()].map(Number);
  }

  // batchSize = all 100 samples: batch; 1: stochastic; 10: mini-batch. Without shuffling, fit must do
  // exactly the updates of descent by hand over the same batches.
  for (const [mode, batchSize] of [
    ['batch', 100],
    ['stochastic', 1],
    ['mini-batch', 10],
  ] as const) {
    it(`${mode} (batchSize ${batchSize}): fit makes the updates of descent by hand`, async () => {
      const { X, y } = quadraticData();
      const lr = 0.001;
      const epochs = 3;
      const { model, optimizer } = fixedModel(lr);
      await model.fit(X, y, { batchSize, epochs, shuffle: false, verbose: 0 });
      expect(optimizer.iterations).toBe(epochs * Math.ceil(100 / batchSize));
      const want = byHand(X, y, batchSize, epochs, lr);
      coefficients(model).forEach((v, i) => {
        expect(v).toBeCloseTo(want[i]!, 4);
      });
    });
  }

  it('batch is steady but slow, stochastic fast but noisy, mini-batch in between (the notes)', async () => {
    const { X, y } = quadraticData();
    const epochs = 5;
    const runs: Record<string, { losses: number[]; rises: number }> = {};
    for (const [mode, batchSize] of [
      ['batch', 100],
      ['mini-batch', 10],
      ['stochastic', 1],
    ] as const) {
      tf.random.setSeed(7);
      const { model } = fixedModel(0.001);
      // The loss over all the data after every update.
      const losses: number[] = [];
      const afterEachUpdate = new tf.keras.callbacks.LambdaCallback({
        onBatchEnd: () => {
          losses.push(tf.reduceMean(tf.square(model.predict(X).sub(y))).numpy() as number);
        },
      });
      await model.fit(X, y, { batchSize, epochs, verbose: 0, callbacks: [afterEachUpdate] });
      let rises = 0;
      for (let i = 1; i < losses.length; i++) if (losses[i]! > losses[i - 1]!) rises++;
      runs[mode] = { losses, rises };
    }
    const batch = runs['batch']!;
    const mini = runs['mini-batch']!;
    const stochastic = runs['stochastic']!;
    // One update per epoch over all the data, 10 per epoch over 10 samples each, or one per sample.
    expect([batch.losses.length, mini.losses.length, stochastic.losses.length]).toEqual([5, 50, 500]);
    // Batch: every update lowers the loss over the data (steady) ...
    expect(batch.rises).toBe(0);
    // ... a single sample often pulls the wrong way (noisy, jagged); mini-batches less often.
    expect(stochastic.rises / stochastic.losses.length).toBeGreaterThan(0.1);
    expect(stochastic.rises / stochastic.losses.length).toBeGreaterThan(mini.rises / mini.losses.length);
    // With the same learning rate and epochs, more updates get further: stochastic < mini < batch.
    expect(stochastic.losses.at(-1)!).toBeLessThan(mini.losses.at(-1)!);
    expect(mini.losses.at(-1)!).toBeLessThan(batch.losses.at(-1)!);
  });
});

describe('seed 004: OLS and TLS line fits with custom losses and minimize', () => {
  /** Points around y = 0.1 x + 0.3, like the notes' (their OLS line is y = 0.0973 x + 0.2988). */
  function lineData() {
    tf.random.setSeed(2022);
    const x = tf.random.normal([100], 0, 1);
    const y = x
      .mul(0.1)
      .add(0.3)
      .add(tf.random.normal([100], 0, 0.05));
    return { x, y };
  }

  type LineLoss = (w: tf.Variable, b: tf.Variable, y: tf.Tensor) => (x: tf.Tensor) => tf.Tensor;

  /**
   * The notes' training: w starts random (not 0: "a weight of 0 lets nothing through"), b at 0, then
   * `opt.minimize(lambda: loss(x), var_list=[w, b])` step after step, recording train_loss.
   */
  function fitLine(lossOf: LineLoss, x: tf.Tensor, y: tf.Tensor, steps = 1500) {
    const w = tf.variable(tf.random.normal([]));
    const b = tf.variable(0.0);
    const loss = lossOf(w, b, y);
    const opt = new tf.keras.optimizers.Adam({ learningRate: 0.01 });
    const trainLoss: number[] = [];
    for (let i = 0; i < steps; i++) {
      opt.minimize(() => loss(x), [w, b]);
      trainLoss.push(loss(x).numpy() as number);
    }
    return { w: w.numpy() as number, b: b.numpy() as number, trainLoss, loss, vars: [w, b] as const };
  }

  /** Closed-form OLS in float64: beta = inv(XᵀX) Xᵀ y with X = [1, x]; lstsq must agree. */
  function olsLine(x: tf.Tensor, y: tf.Tensor) {
    const X = tf.stack([tf.onesLike(x), x], 1).cast('float64');
    const Y = y.reshape([-1, 1]).cast('float64');
    const beta = tf.linalg.inv(X.T.matmul(X)).matmul(X.T).matmul(Y).dataSync();
    const viaLstsq = tf.linalg.lstsq(X, Y).dataSync();
    expect(viaLstsq[0]!).toBeCloseTo(beta[0]!, 10);
    expect(viaLstsq[1]!).toBeCloseTo(beta[1]!, 10);
    return { slope: beta[1]!, intercept: beta[0]! };
  }

  // The notes' OLS loss, in TensorFlow functions.
  const olsLoss: LineLoss = (w, b, y) => (x) => {
    const yPred = tf.add(tf.multiply(w, x), b); // y_pred = w * x + b
    return tf.reduceMean(tf.square(tf.subtract(yPred, y)));
  };

  // The notes' TLS loss: the squared distance from each point to the line, |w x + b - y| / sqrt(w^2 + 1).
  const tlsLoss: LineLoss = (w, b, y) => (x) => {
    const bunja = tf.abs(tf.subtract(tf.add(tf.multiply(w, x), b), y));
    const bunmo = tf.sqrt(tf.add(tf.square(w), tf.constant(1.0)));
    return tf.reduceMean(tf.square(tf.divide(bunja, bunmo)));
  };

  it('OLS: minimize reaches the closed-form least-squares line (inv(XᵀX)Xᵀy and lstsq)', () => {
    const { x, y } = lineData();
    const fitted = fitLine(olsLoss, x, y);
    expect(fitted.trainLoss.at(-1)!).toBeLessThan(fitted.trainLoss[0]!);
    const ols = olsLine(x, y);
    expect(Math.abs(fitted.w - ols.slope)).toBeLessThan(1e-3);
    expect(Math.abs(fitted.b - ols.intercept)).toBeLessThan(1e-3);
    // Near the line the data came from.
    expect(Math.abs(ols.slope - 0.1)).toBeLessThan(0.03);
    expect(Math.abs(ols.intercept - 0.3)).toBeLessThan(0.03);
  });

  it('OLS with a custom tf.keras.losses.Loss subclass (seed 003 CustomMSE) gives the same line', () => {
    const { x, y } = lineData();
    class CustomMSE extends tf.keras.losses.Loss {
      override call(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
        return tf.reduceMean(tf.square(yTrue.sub(yPred)));
      }
    }
    const mse = new CustomMSE();
    const fitted = fitLine((w, b, y) => (x) => mse.apply(y, w.mul(x).add(b)), x, y);
    const ols = olsLine(x, y);
    expect(Math.abs(fitted.w - ols.slope)).toBeLessThan(1e-3);
    expect(Math.abs(fitted.b - ols.intercept)).toBeLessThan(1e-3);
  });

  it('TLS: minimize reaches the orthogonal-regression line from the SVD and the eigenvectors of the centred data', () => {
    const { x, y } = lineData();
    const fitted = fitLine(tlsLoss, x, y);
    expect(fitted.trainLoss.at(-1)!).toBeLessThan(fitted.trainLoss[0]!);

    // Closed form: centre the data; the line's normal is the direction of least variance: the right
    // singular vector of the smallest singular value, the eigenvector of the smallest eigenvalue of
    // the scatter matrix. slope = -n_x / n_y, and the line passes through the mean.
    const D = tf.stack([x, y], 1).cast('float64');
    const mean = D.mean(0);
    const C = D.sub(mean);
    const { s, v } = tf.linalg.svd(C);
    expect(s.dataSync()[0]!).toBeGreaterThan(s.dataSync()[1]!);
    const vv = v.dataSync(); // [2, 2], column 1 is the smallest singular value's
    const slopeSvd = -vv[1]! / vv[3]!;
    const { eigenvalues, eigenvectors } = tf.linalg.eigh(C.T.matmul(C));
    expect(eigenvalues.dataSync()[0]!).toBeLessThan(eigenvalues.dataSync()[1]!);
    const ev = eigenvectors.dataSync(); // ascending: column 0 is the smallest eigenvalue's
    const slopeEig = -ev[0]! / ev[2]!;
    expect(slopeEig).toBeCloseTo(slopeSvd, 10);
    const [mx, my] = mean.dataSync();
    const interceptTls = my! - slopeSvd * mx!;

    expect(Math.abs(fitted.w - slopeSvd)).toBeLessThan(1e-3);
    expect(Math.abs(fitted.b - interceptTls)).toBeLessThan(1e-3);

    // TLS tilts further than OLS (the notes: 0.1149 against 0.0973), and the OLS line's
    // perpendicular loss is no smaller than the TLS line's.
    const ols = olsLine(x, y);
    expect(Math.abs(slopeSvd)).toBeGreaterThan(Math.abs(ols.slope));
    const best = fitted.loss(x).numpy() as number;
    const [w, b] = fitted.vars;
    w.assign(ols.slope);
    b.assign(ols.intercept);
    expect(best).toBeLessThanOrEqual((fitted.loss(x).numpy() as number) + 1e-7);
  });
});
