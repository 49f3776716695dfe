/**
 * Seed 000: the same quadratic fit with Keras's SGD with momentum, then with Nesterov momentum (NAG),
 * applying the gradients the notes' way: opt.applyGradients(zip(grads, vars)).
 *
 *   npm run build && node dist/examples/000-quadratic-momentum-nag.js
 */
import * as tf from 'tapeflow';
import { type ExampleResult, fmt, isMain, type Row, report } from './_report.js';

function fit(nesterov: boolean) {
  const x = tf.range(-5, 5, 0.1);
  const y = x.mul(x).mul(2).add(x.mul(3)).add(5);
  const vars = [tf.variable(1.0), tf.variable(1.0), tf.variable(1.0)];
  const [w1, w2, b] = vars as [tf.Variable, tf.Variable, tf.Variable];
  const opt = new tf.optimizers.SGD({ learningRate: 0.01, momentum: 0.9, nesterov });
  const losses: number[] = [];
  let firstGrads: number[] = [];
  for (let epoch = 0; epoch < 1000; epoch++) {
    const tape = new tf.GradientTape();
    const loss = tape.record(() =>
      tf.sqrt(tf.reduceMean(tf.square(w1.mul(x).mul(x).add(w2.mul(x)).add(b).sub(y)))),
    );
    const grads = tape.gradient(loss, vars);
    if (epoch === 0) firstGrads = grads.map((g) => g!.numpy() as number);
    opt.applyGradients(vars.map((v, i) => [grads[i]!, v] as const));
    losses.push(loss.numpy() as number);
  }
  return { losses, firstGrads, weights: vars.map((v) => v.numpy() as number) };
}

export async function run(): Promise<ExampleResult> {
  const momentum = fit(false);
  const nag = fit(true);
  const rows: Row[] = [
    {
      what: 'gradients at w1 = w2 = b = 1',
      got: momentum.firstGrads.map((g) => String(Number(g.toPrecision(8)))).join(', '),
      notes: '(the notes print gradients from a later step: 4.311927, -2.3566594, -0.026132978)',
    },
  ];
  for (const [name, r] of [
    ['Momentum 0.9', momentum],
    ['NAG (nesterov)', nag],
  ] as const) {
    rows.push({ what: `${name}: final loss`, got: fmt(r.losses[r.losses.length - 1]!, 4), notes: '' });
    rows.push({ what: `${name}: w1, w2, b`, got: r.weights.map((v) => fmt(v, 2)).join(', '), notes: '2, 3, 5 (true values)' });
  }
  const chart = await tf.viz.historyChart(
    { loss: momentum.losses, val_loss: nag.losses },
    { title: 'Seed 000: RMSE per step, SGD momentum (train line) vs NAG (validation line)', logLoss: true },
  );
  return { seed: '000', title: 'quadratic fit with Momentum and NAG', rows, figures: [chart] };
}

if (isMain(import.meta.url)) await report(await run());
