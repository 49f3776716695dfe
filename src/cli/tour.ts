/**
 * `npm start`: a tour of the lecture notes' examples (seeds 000, 001, 002), each computed with tapeflow
 * and printed beside the number the notes print.
 */
import * as tf from '../index.js';
import { formatArray } from '../tensor/format.js';

const rows: [string, string, string][] = [];
function show(example: string, got: string, notes: string): void {
  rows.push([example, got, notes]);
}
const fmt = (v: number, digits: number) => v.toFixed(digits);
const values = (t: tf.Tensor) => Array.from(t.dataSync());

function seed000(): void {
  const a = tf.constant(2, 'int32');
  show('000 tf.constant(2)', String(a), '<tf.Tensor: shape(), dtype=int32, numpy=2>');
  show('000 tf.multiply(5, tf.add(2, 3))', String(tf.multiply(5, tf.add(2, 3)).numpy()), '25');

  const x = tf.range(-5, 5, 0.1);
  const y = x.mul(x).mul(2).add(x.mul(3)).add(5);
  const w1 = tf.variable(1.0);
  const w2 = tf.variable(1.0);
  const b = tf.variable(1.0);
  const notes: Record<number, string> = {
    0: '15.3396',
    10: '7.1791',
    20: '5.3826',
    30: '4.7400',
    40: '4.1643',
    990: '0.6283',
  };
  let loss = 0;
  const started = performance.now();
  for (let epoch = 0; epoch < 1000; epoch++) {
    const tape = new tf.GradientTape();
    const l = tape.record(() =>
      tf.sqrt(tf.reduceMean(tf.square(w1.mul(x).mul(x).add(w2.mul(x)).add(b).sub(y)))),
    );
    const [dw1, dw2, db] = tape.gradient(l, [w1, w2, b]);
    w1.assignSub(dw1!.mul(0.01));
    w2.assignSub(dw2!.mul(0.01));
    b.assignSub(db!.mul(0.01));
    loss = l.numpy() as number;
    if (epoch in notes) show(`000 quadratic fit: loss at epoch ${epoch}`, fmt(loss, 4), notes[epoch]!);
  }
  const ms = performance.now() - started;
  show(
    '000 quadratic fit: w1, w2, b',
    [w1, w2, b].map((v) => fmt(v.numpy() as number, 2)).join(', '),
    '1.95, 3.00, 4.97',
  );
  show('000 quadratic fit: final loss', fmt(loss, 4), '0.6283');
  show('000 quadratic fit: 1000 tape steps took', `${ms.toFixed(0)} ms`, '(first run, with JIT warm-up)');
}

function seed001(): void {
  const cafeX = [20.1, 22.2, 22.7, 23.3, 24.4, 25.1, 26.2, 27.3, 28.4, 30.4];
  const cafeY = [
    55.4183651, 58.19427589, 61.23082496, 62.31255873, 63.1070028, 63.69569103, 67.24704918, 71.43650092,
    73.10130336, 77.84988286,
  ];
  const x = tf.tensor(cafeX, { dtype: 'float64' });
  const y = tf.tensor(cafeY, { dtype: 'float64' });
  const beta0 = tf.variable(9.0);
  const beta1 = tf.variable(2.0);
  const tape = new tf.GradientTape({ persistent: true });
  const loss = tape.record(() => tf.reduceSum(tf.square(y.sub(beta0).sub(beta1.mul(x)))));
  show(
    '001 cafe gradient, scalar form, d/dbeta0',
    String(tape.gradient(loss, beta0)),
    '...numpy=-126.78691>',
  );
  show(
    '001 cafe gradient, scalar form, d/dbeta1',
    String(tape.gradient(loss, beta1)),
    '...numpy=-3208.8396>',
  );

  const X = tf.tensor([...Array(10).fill(1), ...cafeX], { dtype: 'float64' }).reshape([2, 10]).T;
  const yCol = y.reshape([10, 1]);
  const gradAt = (beta: tf.Tensor) => {
    const t = new tf.GradientTape({ persistent: true });
    t.watch(beta);
    const l = t.record(() => {
      const r = yCol.sub(X.matmul(beta));
      return r.T.matmul(r);
    });
    return values(t.gradient(l, beta)!);
  };
  const g = gradAt(tf.tensor([9, 2], { dtype: 'float64' }).reshape([2, 1]));
  show('001 cafe gradient, matrix form', g.map((v) => fmt(v, 8)).join(', '), '-126.78690968, -3208.83947922');
  const betaHat = tf.linalg.inv(X.T.matmul(X)).matmul(X.T).matmul(yCol);
  show(
    '001 OLS beta_hat = inv(XtX) Xt y',
    values(betaHat)
      .map((v) => fmt(v, 6))
      .join(', '),
    '(9.944573, 2.215705)',
  );
  show(
    '001 gradient at the OLS optimum',
    gradAt(betaHat)
      .map((v) => v.toExponential(2))
      .join(', '),
    '-5.57e-12, -1.41e-10 (rounding noise)',
  );
  show(
    '001 gradient at beta_true (10.2, 2.2)',
    gradAt(tf.tensor([[10.2], [2.2]], { dtype: 'float64' }))
      .map((v) => fmt(v, 4))
      .join(', '),
    '-2.7469, -71.4595',
  );

  const grid = tf.linspace(-10, 10, 100, 'float64');
  const gridLoss = grid.div(2).sub(1).square();
  const best = tf.argmin(gridLoss).numpy() as number;
  show(
    '001 grid search: argmin of (beta/2-1)^2',
    `${best} (beta = ${grid.dataSync()[best]})`,
    '59 (beta = 1.9191919191919187)',
  );

  const alpha = 0.01 / 6;
  const beta = tf.variable(-10.0);
  const printed: Record<number, string> = {
    1: '-9.99',
    2: '-9.980008',
    100: '-9.040152',
    1000: '-3.2133687',
    10000: '1.997125',
  };
  for (let k = 1; k <= 10000; k++) {
    const t = new tf.GradientTape({ persistent: true });
    const l = t.record(() => beta.div(2).sub(1).pow(2));
    beta.assignSub(t.gradient(l, beta)!.mul(alpha));
    if (k in printed)
      show(
        `001 gradient descent from -10, after ${k} step(s)`,
        formatArray(beta.dataSync(), [], 'float32'),
        printed[k]!,
      );
  }
}

function seed002(): void {
  const a = tf.tensor([2], { requiresGrad: true });
  const b = tf.tensor([6], { requiresGrad: true });
  const Q = a.pow(3).mul(3).sub(b.pow(2));
  Q.backward();
  show('002 Q = 3a^3 - b^2 at a=2, b=6', String(values(Q)[0]), '-12');
  show('002 Q.backward(): a.grad, b.grad', `${values(a.grad!)[0]}, ${values(b.grad!)[0]}`, '36, -12');
}

seed000();
seed001();
seed002();

const width = Math.max(...rows.map((r) => r[0].length));
const gotWidth = Math.min(48, Math.max(...rows.map((r) => r[1].length)));
console.log(`${'example'.padEnd(width)}  ${'tapeflow'.padEnd(gotWidth)}  notes`);
console.log('-'.repeat(width + gotWidth + 20));
for (const [example, got, notes] of rows)
  console.log(`${example.padEnd(width)}  ${got.padEnd(gotWidth)}  ${notes}`);
