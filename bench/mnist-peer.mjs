// One epoch of a Fashion-MNIST classifier in one JS peer (tapeflow or @tensorflow/tfjs with its cpu
// backend), in its own process so that its peak RSS is its own. Spawned by bench/mnist-bench.mjs:
//
//   node bench/mnist-peer.mjs <tapeflow|tfjs> <mlp|cnn> <data dir> <train samples> <batch size> <lr>
//
// Prints one line: MARKER + JSON { trainS, samples, samplesPerS, testAccuracy, testSamples, peakRssMB,
// rssAfterLoadMB, rssAfterTrainMB (peaks so far), params }. Both peers train the Keras way (compile + fit, one epoch, no shuffling: the
// first <train samples> images in file order, the same for every peer) and evaluate on all 10,000 test
// images.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const MARKER = '@@MNIST_BENCH_JSON@@ ';

const [peer, kind, dir, nArg, batchArg, lrArg] = process.argv.slice(2);
const nTrain = Number(nArg);
const batchSize = Number(batchArg);
const lr = Number(lrArg);

const mb = (kb) => kb / 1024;

/** IDX file -> { dims, bytes } (the tfjs peer's loader: plain Node, nothing from tapeflow). */
function readIdx(path) {
  let buf;
  try {
    buf = gunzipSync(readFileSync(`${path}.gz`));
  } catch {
    buf = readFileSync(path);
  }
  const rank = buf[3];
  const dims = [];
  for (let i = 0; i < rank; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
  return { dims, bytes: new Uint8Array(buf.buffer, buf.byteOffset + 4 + 4 * rank) };
}

function pixels(bytes, n) {
  const out = new Float32Array(n * 784);
  for (let i = 0; i < out.length; i++) out[i] = bytes[i] / 255;
  return out;
}

async function runTapeflow() {
  const tf = await import('../dist/index.js');
  tf.random.setSeed(0);
  const { train, test } = await tf.data.loadMnistIdx(dir);
  const x = train.images.slice([0, 0, 0], [nTrain, 28, 28]).reshape([nTrain, 28, 28, 1]);
  const y = train.labels.slice([0], [nTrain]);
  const xTest = test.images.reshape([-1, 28, 28, 1]);
  const rssAfterLoad = process.resourceUsage().maxRSS;
  const L = tf.keras.layers;
  const model = new tf.keras.Sequential(
    kind === 'mlp'
      ? [
          new L.Flatten({ inputShape: [28, 28, 1] }),
          new L.Dense(128, { activation: 'relu' }),
          new L.Dense(10),
        ]
      : [
          new L.Conv2D(32, 3, { activation: 'relu', inputShape: [28, 28, 1] }),
          new L.MaxPooling2D(2),
          new L.Flatten(),
          new L.Dense(10),
        ],
  );
  model.compile({
    optimizer: new tf.keras.optimizers.Adam({ learningRate: lr }),
    loss: new tf.keras.losses.SparseCategoricalCrossentropy({ fromLogits: true }),
  });
  const t0 = performance.now();
  await model.fit(x, y, { batchSize, epochs: 1, shuffle: false, verbose: 0 });
  const trainS = (performance.now() - t0) / 1000;
  const rssAfterTrain = process.resourceUsage().maxRSS;
  const logits = model.predict(xTest, { batchSize: 1000 });
  const predicted = tf.argmax(logits, -1).dataSync();
  const labels = test.labels.dataSync();
  let right = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) right++;
  return {
    trainS,
    testAccuracy: right / labels.length,
    testSamples: labels.length,
    rssAfterLoad,
    rssAfterTrain,
    params: model.countParams(),
    backend: tf.getBackend(),
  };
}

async function runTfjs() {
  const tfjs = await import('@tensorflow/tfjs');
  const warn = console.warn;
  console.warn = (...args) => {
    if (args.some((a) => typeof a === 'string' && a.includes('running TensorFlow.js in Node.js'))) return;
    warn(...args);
  };
  await tfjs.setBackend('cpu');
  await tfjs.ready();
  const trainImages = readIdx(join(dir, 'train-images-idx3-ubyte'));
  const trainLabels = readIdx(join(dir, 'train-labels-idx1-ubyte'));
  const testImages = readIdx(join(dir, 't10k-images-idx3-ubyte'));
  const testLabels = readIdx(join(dir, 't10k-labels-idx1-ubyte'));
  const nTest = testImages.dims[0];
  const x = tfjs.tensor4d(pixels(trainImages.bytes, nTrain), [nTrain, 28, 28, 1]);
  // tfjs's fit wants targets shaped like the outputs: one-hot [n, 10].
  const y = tfjs
    .oneHot(tfjs.tensor1d(Int32Array.from(trainLabels.bytes.subarray(0, nTrain)), 'int32'), 10)
    .toFloat();
  const xTest = tfjs.tensor4d(pixels(testImages.bytes, nTest), [nTest, 28, 28, 1]);
  const rssAfterLoad = process.resourceUsage().maxRSS;
  const L = tfjs.layers;
  const model = tfjs.sequential({
    layers:
      kind === 'mlp'
        ? [
            L.flatten({ inputShape: [28, 28, 1] }),
            L.dense({ units: 128, activation: 'relu' }),
            L.dense({ units: 10 }),
          ]
        : [
            L.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
            L.maxPooling2d({ poolSize: 2 }),
            L.flatten(),
            L.dense({ units: 10 }),
          ],
  });
  // tfjs has no cross-entropy from logits as a loss name: softmaxCrossEntropy (mean over the batch).
  const loss = (yTrue, logits) => tfjs.losses.softmaxCrossEntropy(yTrue, logits);
  model.compile({ optimizer: tfjs.train.adam(lr), loss });
  const t0 = performance.now();
  await model.fit(x, y, { batchSize, epochs: 1, shuffle: false, verbose: 0 });
  const trainS = (performance.now() - t0) / 1000;
  const rssAfterTrain = process.resourceUsage().maxRSS;
  const predicted = tfjs.tidy(() => model.predict(xTest, { batchSize: 1000 }).argMax(-1).dataSync());
  let right = 0;
  for (let i = 0; i < nTest; i++) if (predicted[i] === testLabels.bytes[i]) right++;
  return {
    trainS,
    testAccuracy: right / nTest,
    testSamples: nTest,
    rssAfterLoad,
    rssAfterTrain,
    params: model.countParams(),
    backend: tfjs.getBackend(),
  };
}

const r = peer === 'tfjs' ? await runTfjs() : await runTapeflow();
const peak = process.resourceUsage().maxRSS;
console.log(
  MARKER +
    JSON.stringify({
      peer,
      kind,
      samples: nTrain,
      batchSize,
      trainS: r.trainS,
      samplesPerS: nTrain / r.trainS,
      testAccuracy: r.testAccuracy,
      testSamples: r.testSamples,
      peakRssMB: mb(peak),
      rssAfterLoadMB: mb(r.rssAfterLoad),
      rssAfterTrainMB: mb(r.rssAfterTrain),
      params: r.params,
      backend: r.backend,
    }),
);
