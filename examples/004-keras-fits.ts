/**
 * Seed 004: Keras fits of y = 2x^2 + 3x + 5 on the features [x^2, x]: a Sequential Dense(1) with RMSprop
 * (batch 10, 300 epochs) and the functional API (Input -> Dense -> Model) with Adam(0.05); History charts.
 *
 *   npm run build && node dist/examples/004-keras-fits.js
 */
import * as tf from 'tapeflow';
import { type ExampleResult, fmt, isMain, report } from './_report.js';

export async function run(): Promise<ExampleResult> {
  tf.random.setSeed(4);
  const xs = Array.from({ length: 100 }, (_, i) => -5 + 0.1 * i);
  const X = tf.tensor(xs.map((v) => [v * v, v]));
  const y = tf.tensor(xs.map((v) => [2 * v * v + 3 * v + 5]));

  const model = new tf.keras.Sequential();
  model.add(new tf.keras.layers.Dense(1, { inputDim: 2 }));
  model.compile({ loss: 'mse', optimizer: new tf.keras.optimizers.RMSprop({ learningRate: 0.05 }) });
  const h = await model.fit(X, y, { batchSize: 10, epochs: 300, verbose: 0 });
  const [kernel, bias] = model.getWeights().map((w) => Array.from(w.dataSync()));

  const xIn = tf.keras.Input({ batchShape: [null, 2] });
  const yOut = new tf.keras.layers.Dense(1).apply(xIn);
  const fm = new tf.keras.Model({ inputs: xIn, outputs: yOut });
  fm.compile({ loss: 'mse', optimizer: new tf.keras.optimizers.Adam({ learningRate: 0.05 }) });
  const h2 = await fm.fit(X, y, { batchSize: 10, epochs: 300, verbose: 0 });
  const [k2, b2] = fm.getWeights().map((w) => Array.from(w.dataSync()));

  const rows = [
    { what: 'Sequential + RMSprop: w1, w2, b0', got: [kernel![0]!, kernel![1]!, bias![0]!].map((v) => fmt(v, 2)).join(', '), notes: '2.00, 3.00, 5.01' },
    { what: 'Sequential: final loss (mse)', got: fmt(h.history.loss!.at(-1)!, 4), notes: '' },
    { what: 'functional + Adam(0.05): w1, w2, b0', got: [k2![0]!, k2![1]!, b2![0]!].map((v) => fmt(v, 2)).join(', '), notes: '2, 3, 5 (true values)' },
    { what: 'functional: layers', got: fm.layers.map((l) => l.constructor.name).join(', '), notes: 'InputLayer, Dense' },
  ];
  const figures = [
    await tf.viz.historyChart(h, { title: 'Seed 004: Sequential + RMSprop, loss per epoch', logLoss: true }),
    await tf.viz.historyChart(h2, { title: 'Seed 004: functional + Adam, loss per epoch', logLoss: true }),
  ];
  return { seed: '004', title: 'Keras Sequential and functional fits', rows, figures };
}

if (isMain(import.meta.url)) await report(await run());
