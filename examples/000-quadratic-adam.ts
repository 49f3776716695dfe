/**
 * Seed 000: the quadratic fit with Adam (learning rate 0.05), 300 steps of opt.minimize(loss, varList).
 *
 *   npm run build && node dist/examples/000-quadratic-adam.js
 */
import * as tf from 'tapeflow';
import { type ExampleResult, fmt, isMain, report } from './_report.js';

export async function run(): Promise<ExampleResult> {
  const x = tf.range(-5, 5, 0.1);
  const y = x.mul(x).mul(2).add(x.mul(3)).add(5);
  const w1 = tf.variable(1.0);
  const w2 = tf.variable(1.0);
  const b = tf.variable(1.0);
  const loss = () => tf.sqrt(tf.reduceMean(tf.square(w1.mul(x).mul(x).add(w2.mul(x)).add(b).sub(y))));
  const opt = new tf.optimizers.Adam({ learningRate: 0.05 });
  const histLoss: number[] = [];
  for (let epoch = 0; epoch < 300; epoch++) {
    opt.minimize(loss, [w1, w2, b]);
    histLoss.push(loss().numpy() as number);
  }
  const rows = [
    { what: 'final loss', got: fmt(histLoss[histLoss.length - 1]!, 4), notes: '0.0357' },
    { what: 'w1, w2, b', got: [w1, w2, b].map((v) => fmt(v.numpy() as number, 2)).join(', '), notes: '2, 3, 5 (true values)' },
  ];
  const chart = await tf.viz.historyChart({ loss: histLoss }, { title: 'Seed 000: Adam(0.05), RMSE per step', logLoss: true });
  return { seed: '000', title: 'quadratic fit with Adam', rows, figures: [chart] };
}

if (isMain(import.meta.url)) await report(await run());
