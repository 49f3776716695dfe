/**
 * Seed 000: fitting y = 2x^2 + 3x + 5 by gradient descent written by hand: three tf.Variables, a
 * GradientTape for the RMSE loss, and assignSub(lr * grad), 1000 steps with lr 0.01.
 *
 *   npm run build && node dist/examples/000-quadratic-by-hand.js
 */
import * as tf from 'tapeflow';
import { type ExampleResult, fmt, isMain, report } from './_report.js';

export async function run(): Promise<ExampleResult> {
  const x = tf.range(-5, 5, 0.1);
  const y = x.mul(x).mul(2).add(x.mul(3)).add(5);
  const w1 = tf.variable(1.0);
  const w2 = tf.variable(1.0);
  const b = tf.variable(1.0);
  const notes: Record<number, string> = { 0: '15.3396', 10: '7.1791', 20: '5.3826', 30: '4.7400', 40: '4.1643', 990: '0.6283' };
  const rows = [];
  const losses: number[] = [];
  for (let epoch = 0; epoch < 1000; epoch++) {
    const tape = new tf.GradientTape();
    const loss = tape.record(() =>
      tf.sqrt(tf.reduceMean(tf.square(w1.mul(x).mul(x).add(w2.mul(x)).add(b).sub(y)))),
    );
    const [dw1, dw2, db] = tape.gradient(loss, [w1, w2, b]);
    w1.assignSub(dw1!.mul(0.01));
    w2.assignSub(dw2!.mul(0.01));
    b.assignSub(db!.mul(0.01));
    losses.push(loss.numpy() as number);
    if (epoch in notes) rows.push({ what: `loss at epoch ${epoch}`, got: fmt(losses[epoch]!, 4), notes: notes[epoch]! });
  }
  rows.push({
    what: 'w1, w2, b',
    got: [w1, w2, b].map((v) => fmt(v.numpy() as number, 2)).join(', '),
    notes: '1.95, 3.00, 4.97',
  });
  const chart = await tf.viz.historyChart({ loss: losses }, { title: 'Seed 000: RMSE per step, lr 0.01', logLoss: true });
  return { seed: '000', title: 'quadratic fit by hand (GradientTape, assignSub)', rows, figures: [chart] };
}

if (isMain(import.meta.url)) await report(await run());
