// Soak test: 10,000 training steps of an MLP 784-128-10 (batch 128, float32, random inputs) on the native
// backend (TAPEFLOW_BACKEND overrides), two ways, each in its own process:
//   tape: GradientTape + SGD by hand on an MSE loss over one-hot targets (assignSub per weight);
//   fit:  Keras Sequential, Adam, sparse categorical cross-entropy from logits, model.fit.
// RSS is sampled every 250 steps (after a full garbage collection); the report is the RSS growth after
// warm-up (the first 1,000 steps). Issue 6 asks for under 5%; exits 1 when either run grows 5% or more.
//
// V8 sizes its young generation by how much survives its collections, doubling it (up to 2 x 16 MiB) at
// unpredictable points of a long run; that one-off resize alone is +8-16 MiB of RSS, more than 5% of
// this process. The runs pin the young generation at its maximum from the start (V8's
// --min/--max-semi-space-size), so that what remains to grow is the program's own memory.
//
//   npm run build && node bench/soak-mlp.mjs [steps] [tape|fit]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const V8_FLAGS = ['--expose-gc', '--min-semi-space-size=16', '--max-semi-space-size=16'];
const steps = Number(process.argv[2] ?? 10_000);
const mode = process.argv[3];

if (mode === undefined) {
  // The parent: one child per way of training, each with the V8 flags above.
  let failed = false;
  for (const way of ['tape', 'fit']) {
    const r = spawnSync(process.execPath, [...V8_FLAGS, fileURLToPath(import.meta.url), String(steps), way], {
      stdio: 'inherit',
    });
    if (r.status !== 0) failed = true;
  }
  process.exitCode = failed ? 1 : 0;
} else {
  await soak(mode);
}

async function soak(way) {
  const tf = await import('../dist/index.js');
  const { randomData } = await import('./workloads.mjs');
  if (!process.env.TAPEFLOW_BACKEND) {
    try {
      tf.setBackend('native');
    } catch (e) {
      console.log(`native backend not available (${e.message}); soaking the JS backend`);
    }
  }
  const warmup = Math.min(1000, Math.floor(steps / 10));
  const batch = 128;
  const samples = [];
  const sample = (step) => {
    globalThis.gc?.();
    const m = process.memoryUsage();
    const mib = (v) => v / 2 ** 20;
    samples.push({
      step,
      rssMiB: mib(m.rss),
      heapMiB: mib(m.heapTotal),
      externalMiB: mib(m.external),
      arrayBuffersMiB: mib(m.arrayBuffers),
    });
  };
  const t0 = performance.now();
  let finalLoss;
  if (way === 'tape') finalLoss = tapeLoop(tf, randomData, batch, sample);
  else finalLoss = await fitLoop(tf, randomData, batch, sample);
  const seconds = (performance.now() - t0) / 1000;

  const after = samples.filter((s) => s.step > warmup);
  const base = after[0]?.rssMiB ?? Number.NaN;
  const peak = Math.max(...after.map((s) => s.rssMiB));
  const last = after.at(-1)?.rssMiB ?? Number.NaN;
  const growth = (100 * (last - base)) / base;
  console.log(
    `soak-mlp (${way}) on ${tf.getBackend()}: ${steps} steps in ${seconds.toFixed(1)} s (${((steps * batch) / seconds).toFixed(0)} samples/s), final loss ${finalLoss.toFixed(4)}`,
  );
  console.log(`  RSS (MiB) every 250 steps: ${samples.map((s) => s.rssMiB.toFixed(0)).join(' ')}`);
  console.log(
    `  RSS after warm-up (${warmup} steps): ${base.toFixed(1)} -> ${last.toFixed(1)} MiB (peak ${peak.toFixed(1)}), growth ${growth.toFixed(2)}% ${growth < 5 ? '(ok, < 5%)' : '(TOO MUCH, >= 5%)'}`,
  );
  // Where RSS growth sits: the V8 heap, ArrayBuffer memory (tensor storage) or neither (native: malloc
  // arenas of the addon's pool threads, its scratch buffers).
  const parts = (s) =>
    `rss ${s.rssMiB.toFixed(1)}, V8 heap ${s.heapMiB.toFixed(1)}, external ${s.externalMiB.toFixed(1)} (ArrayBuffers ${s.arrayBuffersMiB.toFixed(1)}), other ${(s.rssMiB - s.heapMiB - s.externalMiB).toFixed(1)}`;
  if (after.length) {
    console.log(`  breakdown (MiB) first after warm-up: ${parts(after[0])}; last: ${parts(after.at(-1))}`);
  }
  process.exitCode = growth < 5 ? 0 : 1;
}

/** SGD by hand on a GradientTape, eight fixed batches in turn. */
function tapeLoop(tf, randomData, batch, sample) {
  const scaled = (n, seed, s) => randomData(n, seed).map((v) => v * s);
  const w1 = tf.variable(tf.tensor(scaled(784 * 128, 1, 0.05), [784, 128]));
  const b1 = tf.variable(tf.tensor(new Float32Array(128), [128]));
  const w2 = tf.variable(tf.tensor(scaled(128 * 10, 2, 0.1), [128, 10]));
  const b2 = tf.variable(tf.tensor(new Float32Array(10), [10]));
  const xs = [];
  const ys = [];
  for (let i = 0; i < 8; i++) {
    xs.push(tf.tensor(randomData(batch * 784, 100 + i), [batch, 784]));
    const labels = Int32Array.from({ length: batch }, (_, j) => (j * 7 + i) % 10);
    ys.push(tf.oneHot(tf.tensor(labels, [batch], 'int32'), 10));
  }
  const lr = 0.05;
  let loss;
  for (let step = 0; step < steps; step++) {
    const x = xs[step % xs.length];
    const y = ys[step % ys.length];
    const tape = new tf.GradientTape();
    loss = tape.record(() => {
      const h = tf.relu(tf.matmul(x, w1).add(b1));
      return tf.reduceMean(tf.square(tf.matmul(h, w2).add(b2).sub(y)));
    });
    const [g1, gb1, g2, gb2] = tape.gradient(loss, [w1, b1, w2, b2]);
    w1.assignSub(g1.mul(lr));
    b1.assignSub(gb1.mul(lr));
    w2.assignSub(g2.mul(lr));
    b2.assignSub(gb2.mul(lr));
    if ((step + 1) % 250 === 0) sample(step + 1);
  }
  return Number(loss.numpy());
}

/** Keras: the benchmark's MLP trained by model.fit over eight fixed batches, one epoch per eight steps. */
async function fitLoop(tf, randomData, batch, sample) {
  const x = tf.tensor(randomData(8 * batch * 784, 100), [8 * batch, 784]);
  const y = tf.tensor(
    Int32Array.from({ length: 8 * batch }, (_, j) => (j * 7) % 10),
    [8 * batch],
    'int32',
  );
  const L = tf.keras.layers;
  const model = new tf.keras.Sequential([
    new L.Dense(128, { activation: 'relu', inputShape: [784] }),
    new L.Dense(10),
  ]);
  model.compile({
    optimizer: new tf.keras.optimizers.Adam({ learningRate: 1e-3 }),
    loss: new tf.keras.losses.SparseCategoricalCrossentropy({ fromLogits: true }),
  });
  let step = 0;
  const every250 = new (class extends tf.keras.callbacks.Callback {
    onBatchEnd() {
      step++;
      if (step % 250 === 0) sample(step);
    }
  })();
  const history = await model.fit(x, y, {
    batchSize: batch,
    epochs: Math.ceil(steps / 8),
    shuffle: false,
    verbose: 0,
    callbacks: [every250],
  });
  return history.history.loss.at(-1);
}
