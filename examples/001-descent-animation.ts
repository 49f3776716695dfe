/**
 * Seed 001: gradient descent on (beta/2 - 1)^2 from beta = -10 with alpha = 0.01/6 (the notes' numbers),
 * and the notes' animation of the point sliding down the curve for three learning rates
 * (tf.viz.descent: HTML with play/pause/scrub, and an animated GIF).
 *
 *   npm run build && node dist/examples/001-descent-animation.js
 */
import * as tf from 'tapeflow';
import { type ExampleResult, isMain, report } from './_report.js';

export async function run(): Promise<ExampleResult> {
  const alpha = 0.01 / 6;
  const beta = tf.variable(-10.0);
  const printed: Record<number, string> = { 1: '-9.99', 2: '-9.980008', 100: '-9.040152', 1000: '-3.2133687', 10000: '1.997125' };
  const rows = [];
  for (let k = 1; k <= 10000; k++) {
    const tape = new tf.GradientTape();
    const loss = tape.record(() => beta.div(2).sub(1).pow(2));
    beta.assignSub(tape.gradient(loss, beta)!.mul(alpha));
    if (k in printed) rows.push({ what: `beta after ${k} step(s)`, got: String(beta.numpy()), notes: printed[k]! });
  }
  const animation = await tf.viz.descent({ learningRates: [0.01 / 6, 0.1, 1.0], labels: ['0.01/6', '0.1', '1.0'], steps: 100 });
  return { seed: '001', title: '1-D gradient descent and its animation', rows, figures: [animation] };
}

if (isMain(import.meta.url)) {
  const result = await run();
  await report(result);
  const gif = `${process.env.TAPEFLOW_OUT ?? 'tapeflow-output'}/seed001-descent.gif`;
  console.log(`wrote ${await result.figures[0]!.save(gif)}`);
}
