/**
 * Seed 003: a Keras custom training loop on handwritten digits (the mnist package's real digits):
 * Dataset.fromTensorSlices(...).shuffle(1024).batch(64), SparseCategoricalCrossentropy(fromLogits),
 * SparseCategoricalAccuracy with updateState / result / resetState, applyGradients, a validation loop;
 * plus the notes' custom Loss (CustomMSE), custom Regularizer (with getConfig) and custom Optimizer with
 * slots (the sign-agreement SGD variant).
 *
 *   npm run build && node dist/examples/003-custom-training-loop.js
 */
import * as tf from 'tapeflow';
import { type ExampleResult, fmt, isMain, report } from './_report.js';

/** The notes' CustomMSE: mean of squared differences per sample. */
class CustomMSE extends tf.keras.losses.Loss {
  override call(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
    return tf.reduceMean(tf.square(yTrue.sub(yPred)), -1);
  }
}

/** The notes' CustomRegularizer: factor * sum |w| (an L1 penalty, i.e. a Laplace prior: MAP). */
class CustomRegularizer extends tf.keras.regularizers.Regularizer {
  constructor(readonly factor: number) {
    super();
  }
  override call(weights: tf.Tensor): tf.Tensor {
    return tf.reduceSum(tf.abs(weights.mul(this.factor)));
  }
  override getConfig() {
    return { factor: this.factor };
  }
}

/**
 * The notes' custom optimizer: an SGD step, except where the gradient's sign disagrees with the previous
 * gradient's the variable goes to the average of its previous and current values. Slots 'pv', 'pg'.
 */
class SignAgreementSGD extends tf.optimizers.Optimizer {
  constructor(options: { learningRate?: number } = {}) {
    super({ learningRate: 0.01, name: 'CustomSGDOptimizer', ...options });
  }
  protected override createSlots(varList: readonly tf.Variable[]): void {
    for (const v of varList) {
      this.addSlot(v, 'pv');
      this.addSlot(v, 'pg');
    }
  }
  override updateStep(grad: tf.Tensor, variable: tf.Variable, learningRate: number): void {
    const pv = this.getSlot(variable, 'pv');
    const pg = this.getSlot(variable, 'pg');
    const agree = grad.mul(pg).greaterEqual(0);
    const next = tf.where(agree, variable.sub(grad.mul(learningRate)), pv.add(variable).div(2));
    pv.assign(variable);
    pg.assign(grad);
    variable.assign(next);
  }
}

export async function run(options: { epochs?: number; trainSize?: number } = {}): Promise<ExampleResult> {
  tf.random.setSeed(3);
  const epochs = options.epochs ?? 3;
  const n = options.trainSize ?? 4000;
  const digits = await tf.data.mnistDigits();
  const images = digits.train.images.reshape([-1, 784]).slice([0, 0], [n, 784]);
  const labels = digits.train.labels.slice([0], [n]);
  const testImages = digits.test.images.reshape([-1, 784]).slice([0, 0], [1000, 784]);
  const testLabels = digits.test.labels.slice([0], [1000]);

  const regularizer = new CustomRegularizer(1e-5);
  const model = new tf.keras.Sequential([
    new tf.keras.layers.Dense(64, { inputDim: 784, activation: 'relu', kernelRegularizer: regularizer }),
    new tf.keras.layers.Dense(10),
  ]);
  const opt = new SignAgreementSGD({ learningRate: 0.1 });
  const lossFn = new tf.keras.losses.SparseCategoricalCrossentropy({ fromLogits: true });
  const trainAcc = new tf.keras.metrics.SparseCategoricalAccuracy();
  const valAcc = new tf.keras.metrics.SparseCategoricalAccuracy();
  const history: Record<string, number[]> = { loss: [], accuracy: [], val_accuracy: [] };
  for (let epoch = 0; epoch < epochs; epoch++) {
    const ds = tf.data.Dataset.fromTensorSlices([images, labels]).shuffle(1024).batch(64);
    let total = 0;
    let batches = 0;
    for await (const [xb, yb] of ds) {
      const tape = new tf.GradientTape();
      const [logits, lossVal] = tape.record(() => {
        const logits = model.apply(xb, { training: true });
        const penalty = model.losses.reduce((s: tf.Tensor, l) => s.add(l), tf.constant(0));
        return [logits, lossFn.apply(yb, logits).add(penalty)] as const;
      });
      const g = tape.gradient(lossVal, model.trainableWeights);
      opt.applyGradients(model.trainableWeights.map((w, i) => [g[i]!, w] as const));
      trainAcc.updateState(yb, logits);
      total += lossVal.numpy() as number;
      batches++;
    }
    const valLogits = model.apply(testImages);
    valAcc.updateState(testLabels, valLogits);
    history.loss!.push(total / batches);
    history.accuracy!.push(trainAcc.result().numpy() as number);
    history.val_accuracy!.push(valAcc.result().numpy() as number);
    trainAcc.resetState();
    valAcc.resetState();
  }
  const probs = tf.softmax(model.apply(testImages));
  const customMse = new CustomMSE().apply(tf.oneHot(testLabels, 10), probs).numpy() as number;
  const rows = [
    { what: `train accuracy after ${epochs} epochs`, got: fmt(history.accuracy!.at(-1)!, 4), notes: '(notes: trained on MNIST, no number printed)' },
    { what: 'validation accuracy (1000 test digits)', got: fmt(history.val_accuracy!.at(-1)!, 4), notes: '' },
    { what: 'CustomMSE(one-hot, softmax) on the test digits', got: fmt(customMse, 4), notes: '' },
    { what: 'CustomRegularizer.getConfig()', got: JSON.stringify(regularizer.getConfig()), notes: '{"factor": ...}' },
  ];
  const chart = await tf.viz.historyChart(history, { title: 'Seed 003: custom training loop (sign-agreement SGD), per epoch' });
  return { seed: '003', title: 'custom training loop with custom loss, regularizer and optimizer', rows, figures: [chart] };
}

if (isMain(import.meta.url)) await report(await run());
