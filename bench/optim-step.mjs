// The optimizer-step workload ("optim-adam"): one Adam step over 1M float32 parameters held in 100
// tensors of 10,000, with fixed gradients, in tapeflow (tf.optim.Adam, PyTorch-style step(); and
// tf.optimizers.Adam, Keras-style applyGradients), tfjs (tf.train.adam) and PyTorch (torch.optim.Adam,
// foreach=True, in bench/torch_optim.py). Every peer uses lr 1e-3, betas 0.9/0.999 and eps 1e-8, so all
// compute m/(sqrt(v_hat) + eps) with the same numbers; the result is checked against a float64 reference.

import { protocol, randomData } from './workloads.mjs';

// The libraries, loaded once (run.mjs reports a missing dist/ through its tapeflow peer).
const tapeflow = await import('../dist/index.js').catch(() => null);
const tfjsLib = await import('@tensorflow/tfjs').catch(() => null);

/** See protocol.optim in workloads.mjs (shared with bench/torch_optim.py). */
export const optimProtocol = protocol.optim;

/** Initial values and gradients of tensor k (deterministic, shared by the JS peers). */
export function optimData(k, size) {
  return { init: randomData(size, 7919 * (k + 1)), grad: randomData(size, 104729 * (k + 1)) };
}

/** Sampled (tensor, element) positions for the check. */
export function optimSamples(p = optimProtocol) {
  const out = [];
  for (let s = 0; s < p.checkSamples; s++) out.push([(s * 37 + 11) % p.tensors, (s * 7919 + 13) % p.size]);
  return out;
}

/** Float64 Adam (PyTorch's form) with a constant gradient, `steps` steps from x0. */
function adamReference(x0, g, steps, p) {
  let x = x0;
  let m = 0;
  let v = 0;
  for (let t = 1; t <= steps; t++) {
    m = p.beta1 * m + (1 - p.beta1) * g;
    v = p.beta2 * v + (1 - p.beta2) * g * g;
    const bc1 = 1 - p.beta1 ** t;
    const bc2 = 1 - p.beta2 ** t;
    x -= (p.lr / bc1) * (m / (Math.sqrt(v) / Math.sqrt(bc2) + p.eps));
  }
  return x;
}

/** `values[i]` are the sampled parameters after `steps` steps; max abs error against the reference. */
export function optimMaxErr(values, steps, p = optimProtocol) {
  let worst = 0;
  optimSamples(p).forEach(([k, i], s) => {
    const { init, grad } = optimData(k, p.size);
    const want = adamReference(init[i], grad[i], steps, p);
    const err = Math.abs(values[s] - want);
    worst = Number.isNaN(err) ? Number.NaN : Math.max(worst, err);
  });
  return worst;
}

export const OPTIM_TOL = 1e-5;

export function checkOptim(maxErr) {
  if (maxErr === undefined || maxErr === null) return { ok: false, note: 'no check value' };
  if (!(maxErr <= OPTIM_TOL)) return { ok: false, note: `max abs err ${maxErr} > ${OPTIM_TOL}` };
  return { ok: true, note: `max abs err ${maxErr.toExponential(1)}` };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Times `step()` with the protocol; returns ms per step (median over runs) and the check. */
export function timeSteps(step, sample, p = optimProtocol) {
  for (let i = 0; i < p.warmupSteps; i++) step();
  const samplesMs = [];
  for (let r = 0; r < p.runs; r++) {
    const t0 = performance.now();
    for (let i = 0; i < p.stepsPerRun; i++) step();
    samplesMs.push((performance.now() - t0) / p.stepsPerRun);
  }
  const steps = p.warmupSteps + p.runs * p.stepsPerRun;
  const maxErr = optimMaxErr(sample(), steps, p);
  return { value: median(samplesMs), samplesMs, steps, maxErr, check: checkOptim(maxErr) };
}

/** run.mjs's measure() for the optim group: the peer's module name is 'tapeflow' or 'tfjs'. */
export function measureOptim(peerName) {
  if (peerName === 'tapeflow') {
    if (!tapeflow) throw new Error('cannot load dist/index.js');
    return tapeflowTorchStyle(tapeflow);
  }
  if (peerName === 'tfjs') {
    if (!tfjsLib) throw new Error('cannot load @tensorflow/tfjs');
    return tfjsAdam(tfjsLib);
  }
  throw new Error(`optim workload: unknown peer ${peerName}`);
}

/** run.mjs's checkTorch() for the optim group: torch returns the sampled values and its step count. */
export function checkTorchOptim(r) {
  return checkOptim(optimMaxErr(r.values, r.steps));
}

// ---- peers ----------------------------------------------------------------------------------------

/** tapeflow, PyTorch-style: tf.optim.Adam over tensors whose .grad is set once. */
export function tapeflowTorchStyle(tf, p = optimProtocol) {
  const params = [];
  for (let k = 0; k < p.tensors; k++) {
    const { init, grad } = optimData(k, p.size);
    const t = tf.tensor(init, { shape: [p.size], requiresGrad: true });
    t.grad = tf.tensor(grad, { shape: [p.size] });
    params.push(t);
  }
  const opt = new tf.optim.Adam(params, { lr: p.lr, betas: [p.beta1, p.beta2], eps: p.eps });
  return timeSteps(
    () => opt.step(),
    () => optimSamples(p).map(([k, i]) => params[k].dataSync()[i]),
    p,
  );
}

/** tapeflow, Keras-style: tf.optimizers.Adam.applyGradients over variables. */
export function tapeflowKerasStyle(tf, p = optimProtocol) {
  const vars = [];
  const pairs = [];
  for (let k = 0; k < p.tensors; k++) {
    const { init, grad } = optimData(k, p.size);
    const v = tf.variable(tf.tensor(init, { shape: [p.size] }));
    vars.push(v);
    pairs.push([tf.tensor(grad, { shape: [p.size] }), v]);
  }
  // Keras's Adam puts eps on the uncorrected root; eps / sqrt(1 - b2^t) would match PyTorch's exactly.
  // With gradients of order 1 the difference is far below the check's tolerance.
  const opt = new tf.optimizers.Adam({ learningRate: p.lr, beta1: p.beta1, beta2: p.beta2, epsilon: p.eps });
  return timeSteps(
    () => opt.applyGradients(pairs),
    () => optimSamples(p).map(([k, i]) => vars[k].dataSync()[i]),
    p,
  );
}

/** tfjs: tf.train.adam(...).applyGradients({ name: grad }). */
export function tfjsAdam(tfjs, p = optimProtocol) {
  const vars = [];
  const grads = {};
  for (let k = 0; k < p.tensors; k++) {
    const { init, grad } = optimData(k, p.size);
    const name = `optim_bench_${k}`;
    vars.push(tfjs.variable(tfjs.tensor1d(init), true, name));
    grads[name] = tfjs.tensor1d(grad);
  }
  const opt = tfjs.train.adam(p.lr, p.beta1, p.beta2, p.eps);
  try {
    return timeSteps(
      () => opt.applyGradients(grads),
      () => optimSamples(p).map(([k, i]) => vars[k].dataSync()[i]),
      p,
    );
  } finally {
    opt.dispose();
    for (const v of vars) v.dispose();
    for (const g of Object.values(grads)) g.dispose();
  }
}
