// tapeflow's side of each workload. Imports the built package (npm run build -> dist/).

import * as tf from '../dist/index.js';

export const name = 'tapeflow';
export const label = 'tapeflow';

export async function init() {
  return { version: tf.version, backend: tf.getBackend() };
}

/** Seed 000, exactly as docs/API.md "Variables, GradientTape, descent by hand" writes it. */
export function seedLoop({ steps, lr }) {
  const x = tf.range(-5, 5, 0.1); // 100 points, float32
  const y = x.mul(x).mul(2).add(x.mul(3)).add(5);
  const w1 = tf.variable(1.0);
  const w2 = tf.variable(1.0);
  const b = tf.variable(1.0);
  let loss;
  for (let epoch = 0; epoch < steps; epoch++) {
    const tape = new tf.GradientTape();
    loss = tape.record(() =>
      tf.sqrt(tf.reduceMean(tf.square(w1.mul(x).mul(x).add(w2.mul(x)).add(b).sub(y)))),
    );
    const [dw1, dw2, db] = tape.gradient(loss, [w1, w2, b]);
    w1.assignSub(dw1.mul(lr));
    w2.assignSub(dw2.mul(lr));
    b.assignSub(db.mul(lr));
  }
  return {
    loss: loss.numpy(),
    w1: w1.numpy(),
    w2: w2.numpy(),
    b: b.numpy(),
    points: x.shape[0],
    dtype: loss.dtype,
  };
}

export function perOp(op, inputs) {
  let call;
  if (op === 'matmul') {
    const a = tf.tensor(inputs.m1).reshape([2, 2]);
    const b = tf.tensor(inputs.m2).reshape([2, 2]);
    call = () => tf.matmul(a, b);
  } else {
    const a = tf.tensor(inputs.a);
    const b = tf.tensor(inputs.b);
    call = { add: () => tf.add(a, b), mul: () => tf.mul(a, b), exp: () => tf.exp(a) }[op];
  }
  return {
    run(calls) {
      let r;
      for (let i = 0; i < calls; i++) r = call();
      return r;
    },
    sample() {
      const r = call();
      return { values: Array.from(r.dataSync()), dtype: r.dtype, shape: r.shape };
    },
  };
}

export function matmul(n, aData, bData) {
  const a = tf.tensor(aData, { shape: [n, n] });
  const b = tf.tensor(bData, { shape: [n, n] });
  let c;
  return {
    run() {
      c = tf.matmul(a, b);
    },
    result() {
      return c.dataSync();
    },
    dispose() {},
  };
}
