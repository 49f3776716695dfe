// @tensorflow/tfjs with its pure-JS cpu backend, the same workloads written the tfjs way.

import * as tfjs from '@tensorflow/tfjs';

export const name = 'tfjs';
export const label = 'tfjs-cpu';

export async function init() {
  // The cpu backend warns once ("Hi, looks like you are running TensorFlow.js in Node.js ... tfjs-node")
  // on its first tensor. Drop exactly that message; every other warning still gets through.
  const warn = console.warn;
  console.warn = (...args) => {
    if (args.some((a) => typeof a === 'string' && a.includes('running TensorFlow.js in Node.js'))) return;
    warn(...args);
  };
  await tfjs.setBackend('cpu');
  await tfjs.ready();
  tfjs.tidy(() => tfjs.scalar(0)); // triggers the banner now, while it is filtered
  return { version: tfjs.version.tfjs, backend: tfjs.getBackend() };
}

export function seedLoop({ steps, lr }) {
  const x = tfjs.range(-5, 5, 0.1); // float32
  const y = tfjs.tidy(() => x.mul(x).mul(2).add(x.mul(3)).add(5));
  const w1 = tfjs.variable(tfjs.scalar(1));
  const w2 = tfjs.variable(tfjs.scalar(1));
  const b = tfjs.variable(tfjs.scalar(1));
  const vars = [w1, w2, b];
  let last = Number.NaN;
  for (let epoch = 0; epoch < steps; epoch++) {
    tfjs.tidy(() => {
      const { value, grads } = tfjs.variableGrads(
        () => tfjs.sqrt(tfjs.mean(tfjs.square(w1.mul(x).mul(x).add(w2.mul(x)).add(b).sub(y)))),
        vars,
      );
      for (const v of vars) v.assign(v.sub(grads[v.name].mul(lr)));
      if (epoch === steps - 1) last = value.dataSync()[0];
    });
  }
  const final = {
    loss: last,
    w1: w1.dataSync()[0],
    w2: w2.dataSync()[0],
    b: b.dataSync()[0],
    points: x.shape[0],
  };
  for (const t of [x, y, ...vars]) t.dispose();
  return final;
}

export function perOp(op, inputs) {
  let call;
  let keep;
  if (op === 'matmul') {
    const a = tfjs.tensor2d(inputs.m1, [2, 2]);
    const b = tfjs.tensor2d(inputs.m2, [2, 2]);
    keep = [a, b];
    call = () => tfjs.matMul(a, b);
  } else {
    const a = tfjs.tensor1d(inputs.a);
    const b = tfjs.tensor1d(inputs.b);
    keep = [a, b];
    call = { add: () => tfjs.add(a, b), mul: () => tfjs.mul(a, b), exp: () => tfjs.exp(a) }[op];
  }
  return {
    // One tidy per timed batch: its results are released when the batch ends, inside the timing.
    run(calls) {
      tfjs.tidy(() => {
        for (let i = 0; i < calls; i++) call();
      });
    },
    sample() {
      const r = call();
      const out = { values: Array.from(r.dataSync()), dtype: r.dtype, shape: r.shape };
      r.dispose();
      return out;
    },
    dispose() {
      for (const t of keep) t.dispose();
    },
  };
}

export function matmul(n, aData, bData) {
  const a = tfjs.tensor2d(aData, [n, n]);
  const b = tfjs.tensor2d(bData, [n, n]);
  let c;
  return {
    run() {
      c?.dispose();
      c = tfjs.matMul(a, b);
    },
    result() {
      return c.dataSync();
    },
    dispose() {
      for (const t of [a, b, c]) t?.dispose();
    },
  };
}
