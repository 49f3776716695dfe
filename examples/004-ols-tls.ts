/**
 * Seed 004: ordinary and total least squares with custom losses, minimized with
 * opt.minimize(() => loss(x), [w, b]). The notes fit random data they do not print; this example draws
 * its own (seeded) points around y = 0.1 x + 0.3, so only the shape of the result compares.
 *
 *   npm run build && node dist/examples/004-ols-tls.js
 */
import * as tf from 'tapeflow';
import { type ExampleResult, fmt, isMain, report } from './_report.js';

export async function run(): Promise<ExampleResult> {
  tf.random.setSeed(2004);
  const x = tf.random.normal([100]);
  const y = x.mul(0.1).add(0.3).add(tf.random.normal([100]).mul(0.05));

  const fit = (kind: 'OLS' | 'TLS') => {
    const w = tf.variable(tf.random.normal([]));
    const b = tf.variable(0.0);
    const loss = (xs: tf.Tensor) => {
      if (kind === 'OLS') return tf.reduceMean(tf.square(tf.add(tf.multiply(w, xs), b).sub(y)));
      const bunja = tf.abs(tf.subtract(tf.add(tf.multiply(w, xs), b), y)); // |w x + b - y|
      const bunmo = tf.sqrt(tf.add(tf.square(w), tf.constant(1.0))); // sqrt(w^2 + 1)
      return tf.reduceMean(tf.square(tf.divide(bunja, bunmo)));
    };
    const opt = new tf.optimizers.Adam({ learningRate: 0.05 });
    const trainLoss: number[] = [];
    for (let i = 0; i < 300; i++) {
      opt.minimize(() => loss(x), [w, b]);
      trainLoss.push(loss(x).numpy() as number);
    }
    return { w: w.numpy() as number, b: b.numpy() as number, trainLoss };
  };
  const ols = fit('OLS');
  const tls = fit('TLS');
  const rows = [
    { what: 'OLS: y = w * x + b', got: `y = ${fmt(ols.w, 4)} * x + ${fmt(ols.b, 4)}`, notes: 'y = 0.0973 * x + 0.2988 (their random data)' },
    { what: 'TLS: y = w * x + b', got: `y = ${fmt(tls.w, 4)} * x + ${fmt(tls.b, 4)}`, notes: 'y = 0.1149*x + 0.2963 (their random data)' },
    { what: 'TLS: loss at epochs 0, 10, 90', got: [0, 10, 90].map((e) => fmt(tls.trainLoss[e]!, 4)).join(', '), notes: '0.4777, 0.2387, 0.1845 (their data)' },
  ];
  const chart = await tf.viz.historyChart(
    { loss: ols.trainLoss, val_loss: tls.trainLoss },
    { title: 'Seed 004: OLS (train line) and TLS (validation line) loss per step', logLoss: true },
  );
  return { seed: '004', title: 'OLS and TLS with custom losses', rows, figures: [chart] };
}

if (isMain(import.meta.url)) await report(await run());
