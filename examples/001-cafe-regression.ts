/**
 * Seed 001: the "cafe" regression (10 points): gradients of the sum of squared errors with a persistent
 * GradientTape, in scalar and in matrix form, and the least-squares solution inv(X'X) X'y.
 *
 *   npm run build && node dist/examples/001-cafe-regression.js
 */
import * as tf from 'tapeflow';
import { type ExampleResult, fmt, isMain, report } from './_report.js';

const cafeX = [20.1, 22.2, 22.7, 23.3, 24.4, 25.1, 26.2, 27.3, 28.4, 30.4];
const cafeY = [
  55.4183651, 58.19427589, 61.23082496, 62.31255873, 63.1070028, 63.69569103, 67.24704918, 71.43650092,
  73.10130336, 77.84988286,
];

export async function run(): Promise<ExampleResult> {
  const x = tf.tensor(cafeX, { dtype: 'float64' });
  const y = tf.tensor(cafeY, { dtype: 'float64' });
  const beta0 = tf.variable(9.0);
  const beta1 = tf.variable(2.0);
  const tape = new tf.GradientTape({ persistent: true });
  const loss = tape.record(() => tf.reduceSum(tf.square(y.sub(beta0).sub(beta1.mul(x)))));
  const rows = [
    { what: 'scalar form: d/dbeta0 at (9, 2)', got: String(tape.gradient(loss, beta0)!.numpy()), notes: '-126.78691' },
    { what: 'scalar form: d/dbeta1 at (9, 2)', got: String(tape.gradient(loss, beta1)!.numpy()), notes: '-3208.8396' },
  ];

  const X = tf.tensor([...Array(10).fill(1), ...cafeX], { dtype: 'float64' }).reshape([2, 10]).T;
  const yCol = y.reshape([10, 1]);
  const gradAt = (beta: tf.Tensor) => {
    const t = new tf.GradientTape({ persistent: true });
    t.watch(beta);
    const l = t.record(() => {
      const r = yCol.sub(X.matmul(beta));
      return r.T.matmul(r);
    });
    return Array.from(t.gradient(l, beta)!.dataSync());
  };
  const g = gradAt(tf.tensor([9, 2], { dtype: 'float64' }).reshape([2, 1]));
  rows.push({ what: 'matrix form at (9, 2)', got: g.map((v) => fmt(v, 8)).join(', '), notes: '-126.78690968, -3208.83947922' });
  const betaHat = tf.linalg.inv(X.T.matmul(X)).matmul(X.T).matmul(yCol);
  rows.push({ what: 'OLS beta_hat = inv(XtX) Xt y', got: Array.from(betaHat.dataSync(), (v) => fmt(v, 6)).join(', '), notes: '9.944573, 2.215705' });
  rows.push({
    what: 'gradient at the OLS optimum',
    got: gradAt(betaHat).map((v) => v.toExponential(2)).join(', '),
    notes: '-5.57e-12, -1.41e-10 (rounding noise)',
  });
  rows.push({
    what: 'gradient at beta_true (10.2, 2.2)',
    got: gradAt(tf.tensor([[10.2], [2.2]], { dtype: 'float64' })).map((v) => fmt(v, 4)).join(', '),
    notes: '-2.7469, -71.4595',
  });
  const grid = tf.linspace(-10, 10, 100, 'float64');
  const best = tf.argmin(grid.div(2).sub(1).square()).numpy() as number;
  rows.push({ what: 'grid search: argmin of (beta/2-1)^2', got: `${best} (beta = ${grid.dataSync()[best]})`, notes: '59 (beta = 1.9191919191919187)' });
  return { seed: '001', title: 'cafe regression: gradients and least squares', rows, figures: [] };
}

if (isMain(import.meta.url)) await report(await run());
