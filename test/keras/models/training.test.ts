import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '../../../src/index.js';
import { closeTo } from '../layers/helpers.js';

const L = tf.keras.layers;
const cb = tf.keras.callbacks;

function linearData(n = 40) {
  const x = tf.random.uniform([n, 2], -1, 1, { seed: 21 });
  const y = x.matmul(tf.tensor([[2], [-1]])).add(0.5);
  return { x, y };
}

function linearModel(lr = 0.1) {
  const model = new tf.keras.Sequential([new L.Dense(1, { inputShape: [2] })]);
  model.compile({
    loss: 'mse',
    optimizer: new tf.keras.optimizers.SGD({ learningRate: lr }),
    metrics: ['mae'],
  });
  return model;
}

describe('fit', () => {
  it('returns History with loss and metrics per epoch, and validation from validationSplit', async () => {
    const { x, y } = linearData();
    const model = linearModel();
    const h = await model.fit(x, y, { epochs: 5, batchSize: 8, validationSplit: 0.25, verbose: 0 });
    expect(Object.keys(h.history)).toEqual(['loss', 'mae', 'val_loss', 'val_mae']);
    expect(h.epoch).toEqual([0, 1, 2, 3, 4]);
    expect(h.history['loss']!.every(Number.isFinite)).toBe(true);
    expect(model.history).toBe(h);
    // The validation loss is the loss on the last 25% (unshuffled), after each epoch.
    const val = (await model.evaluate(x.slice([30], [10]), y.slice([30], [10]), { verbose: 0 })) as number[];
    closeTo([h.history['val_loss']!.at(-1)!], [val[0]!], 1e-5);
  });

  it('validationData, the order of callback hooks, batch logs and initialEpoch', async () => {
    const { x, y } = linearData(20);
    const model = linearModel();
    const events: string[] = [];
    const recorder = new cb.LambdaCallback({
      onTrainBegin: () => {
        events.push('train_begin');
      },
      onEpochBegin: (e) => {
        events.push(`epoch_begin ${e}`);
      },
      onTrainBatchEnd: (b, logs) => {
        events.push(`batch_end ${b} ${Object.keys(logs ?? {}).join(',')}`);
      },
      onTestBegin: () => {
        events.push('test_begin');
      },
      onEpochEnd: (e, logs) => {
        events.push(`epoch_end ${e} ${Object.keys(logs ?? {}).join(',')}`);
      },
      onTrainEnd: () => {
        events.push('train_end');
      },
    });
    const h = await model.fit(x, y, {
      epochs: 3,
      initialEpoch: 1,
      batchSize: 10,
      validationData: [x, y],
      callbacks: [recorder],
      verbose: 0,
    });
    expect(h.epoch).toEqual([1, 2]);
    expect(events).toEqual([
      'train_begin',
      'epoch_begin 1',
      'batch_end 0 loss,mae',
      'batch_end 1 loss,mae',
      'test_begin',
      'epoch_end 1 loss,mae,val_loss,val_mae',
      'epoch_begin 2',
      'batch_end 0 loss,mae',
      'batch_end 1 loss,mae',
      'test_begin',
      'epoch_end 2 loss,mae,val_loss,val_mae',
      'train_end',
    ]);
  });

  it('without shuffling, batches are taken in order; sampleWeight and classWeight weight the loss', async () => {
    const model = new tf.keras.Sequential([
      new L.Dense(1, { inputShape: [1], useBias: false, kernelInitializer: 'zeros' }),
    ]);
    model.compile({ loss: 'mse', optimizer: new tf.keras.optimizers.SGD({ learningRate: 0.1 }) });
    const x = tf.tensor([[1], [1]]);
    const y = tf.tensor([[1], [3]]);
    // One batch, weights [1, 0]: only the first sample counts; d/dw mean(w [1,0] (w - y)^2) = 2 (0 - 1) / 2 = -1.
    await model.fit(x, y, {
      epochs: 1,
      batchSize: 2,
      sampleWeight: tf.tensor([1, 0]),
      shuffle: false,
      verbose: 0,
    });
    closeTo(model.getWeights()[0]!.dataSync(), [0.1]);
    const clf = new tf.keras.Sequential([
      new L.Dense(1, { inputShape: [1], useBias: false, kernelInitializer: 'zeros' }),
    ]);
    clf.compile({ loss: 'mse', optimizer: new tf.keras.optimizers.SGD({ learningRate: 0.1 }) });
    await clf.fit(x, tf.tensor([[0], [1]]), {
      epochs: 1,
      batchSize: 2,
      classWeight: { 0: 0, 1: 2 },
      verbose: 0,
    });
    // Only class 1 counts, twice: d/dw = 2 * 2 (0 - 1) / 2 = -2.
    closeTo(clf.getWeights()[0]!.dataSync(), [0.2]);
  });

  it('trains from a tf.data Dataset', async () => {
    const { x, y } = linearData(32);
    const model = linearModel(0.2);
    const ds = tf.data.Dataset.fromTensorSlices([x, y]).shuffle(32, 1).batch(8);
    const h = await model.fit(ds, { epochs: 20, verbose: 0, validationData: ds });
    expect(h.history['loss']).toHaveLength(20);
    expect(h.history['val_loss']!.at(-1)!).toBeLessThan(0.05);
    const evaluated = (await model.evaluate(ds, { verbose: 0, returnDict: true })) as Record<string, number>;
    expect(Object.keys(evaluated)).toEqual(['loss', 'mae']);
    const predicted = (await model.predict(tf.data.Dataset.fromTensorSlices(x).batch(5))) as tf.Tensor;
    expect(predicted.shape).toEqual([32, 1]);
    await expect(model.fit(ds, { validationSplit: 0.2, verbose: 0 })).rejects.toThrow(
      /validationSplit is only supported for tensors/,
    );
  });

  it('multi-output models: a loss per output, loss weights, and per-output logs', async () => {
    const input = tf.keras.Input({ shape: [2] });
    const a = new L.Dense(1, { name: 'reg' }).apply(input);
    const b = new L.Dense(3, { name: 'cls' }).apply(input);
    const model = new tf.keras.Model({ inputs: input, outputs: [a, b] });
    model.compile({
      optimizer: 'adam',
      loss: { reg: 'mse', cls: new tf.keras.losses.SparseCategoricalCrossentropy({ fromLogits: true }) },
      lossWeights: [1, 0.5],
      metrics: { cls: ['accuracy'] },
    });
    const x = tf.random.normal([12, 2], 0, 1, { seed: 4 });
    const h = await model.fit(
      x,
      [tf.zeros([12, 1]), tf.tensor([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2], { dtype: 'int32' })],
      {
        epochs: 2,
        verbose: 0,
      },
    );
    expect(Object.keys(h.history)).toEqual(['loss', 'reg_loss', 'cls_loss', 'cls_accuracy']);
    const total = h.history['loss']![1]!;
    closeTo([total], [h.history['reg_loss']![1]! + 0.5 * h.history['cls_loss']![1]!], 1e-4);
  });

  it('regularization losses are added to the training loss', async () => {
    const model = new tf.keras.Sequential([
      new L.Dense(1, { inputShape: [1], kernelInitializer: 'ones', useBias: false, kernelRegularizer: 'l2' }),
    ]);
    model.compile({ loss: 'mse', optimizer: new tf.keras.optimizers.SGD({ learningRate: 0 }) });
    const h = await model.fit(tf.tensor([[1]]), tf.tensor([[1]]), { epochs: 1, verbose: 0 });
    closeTo([h.history['loss']![0]!], [0.01], 1e-7);
  });

  it('evaluate, predict, trainOnBatch, testOnBatch, predictOnBatch', async () => {
    const { x, y } = linearData(10);
    const model = linearModel();
    const before = model.testOnBatch(x, y) as number[];
    expect(before).toHaveLength(2);
    const r = model.trainOnBatch(x, y) as number[];
    closeTo([r[0]!], [before[0]!], 1e-5); // the loss of the batch, computed before the update
    const after = model.testOnBatch(x, y, { returnDict: true }) as Record<string, number>;
    expect(after['loss']!).toBeLessThan(before[0]!);
    expect(model.predict(x, { batchSize: 3 }).shape).toEqual([10, 1]);
    closeTo(model.predict(x).dataSync(), (model.predictOnBatch(x) as tf.Tensor).dataSync());
    const single = linearModel();
    single.compile({ loss: 'mse', optimizer: 'sgd' });
    expect(typeof (await single.evaluate(x, y, { verbose: 0 }))).toBe('number');
    expect(single.metricsNames).toEqual(['loss']);
  });
});

describe('callbacks', () => {
  it('EarlyStopping stops after `patience` epochs without improvement and restores the best weights', async () => {
    const { x, y } = linearData(16);
    const model = linearModel(0.1);
    let epoch = 0;
    // A fake metric that improves for 3 epochs, then gets worse.
    const fake = new cb.LambdaCallback({
      onEpochEnd: (_e, logs) => {
        logs!['score'] = [5, 4, 3, 3.5, 3.6, 3.7, 3.8, 3.9][epoch++]!;
      },
    });
    let weightsAtBest: number[] = [];
    const spy = new cb.LambdaCallback({
      onEpochEnd: (e) => {
        if (e === 2) weightsAtBest = Array.from(model.getWeights()[0]!.dataSync());
      },
    });
    const stop = new cb.EarlyStopping({ monitor: 'score', patience: 2, restoreBestWeights: true });
    const h = await model.fit(x, y, { epochs: 8, callbacks: [fake, spy, stop], verbose: 0 });
    expect(h.epoch).toEqual([0, 1, 2, 3, 4]);
    expect(stop.stoppedEpoch).toBe(4);
    expect(stop.bestEpoch).toBe(2);
    closeTo(Array.from(model.getWeights()[0]!.dataSync()), weightsAtBest);
  });

  it('EarlyStopping with minDelta and mode max', async () => {
    const stop = new cb.EarlyStopping({ monitor: 'val_accuracy', minDelta: 0.1, patience: 1 });
    const model = linearModel();
    stop.setModel(model);
    stop.onTrainBegin();
    for (const [e, v] of [0.5, 0.55, 0.58].entries()) {
      stop.onEpochEnd(e, { val_accuracy: v });
      if (model.stopTraining) break;
    }
    expect(model.stopTraining).toBe(true);
    expect(stop.stoppedEpoch).toBe(1);
  });

  it('LearningRateScheduler and ReduceLROnPlateau change the optimizer learning rate', async () => {
    const { x, y } = linearData(8);
    const model = linearModel(0.1);
    const rates: number[] = [];
    const spy = new cb.LambdaCallback({
      onEpochEnd: () => {
        rates.push(model.optimizer!.learningRate);
      },
    });
    await model.fit(x, y, {
      epochs: 3,
      callbacks: [new cb.LearningRateScheduler((e) => 0.1 / (e + 1)), spy],
      verbose: 0,
    });
    closeTo(rates, [0.1, 0.05, 0.1 / 3]);
    const plateau = new cb.ReduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 1, minLr: 0.02 });
    plateau.setModel(model);
    plateau.onTrainBegin();
    model.optimizer!.learningRate = 0.1;
    for (const [e, loss] of [1, 1, 1, 1, 1].entries()) plateau.onEpochEnd(e, { loss });
    closeTo([model.optimizer!.learningRate], [0.02]);
  });

  it('CSVLogger writes one row per epoch; TerminateOnNaN stops on a NaN loss', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tapeflow-csv-'));
    const file = join(dir, 'log.csv');
    const { x, y } = linearData(8);
    const logged = linearModel();
    await logged.fit(x, y, { epochs: 2, callbacks: [new cb.CSVLogger(file)], verbose: 0 });
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('epoch,loss,mae');
    expect(lines).toHaveLength(3);
    expect(lines[2]!.startsWith('1,')).toBe(true);
    const model = linearModel(1e30);
    const h = await model.fit(x, y.mul(1e30), {
      epochs: 5,
      batchSize: 2,
      callbacks: [new cb.TerminateOnNaN()],
      verbose: 0,
    });
    expect(h.epoch.length).toBeLessThan(5);
  });

  it('ModelCheckpoint formats the path and calls save', async () => {
    const saved: string[] = [];
    const { x, y } = linearData(8);
    const model = linearModel();
    (model as unknown as { save: (p: string) => void }).save = (p) => {
      saved.push(p);
    };
    const ckpt = new cb.ModelCheckpoint('/tmp/model-{epoch:02d}-{loss:.2f}', {
      monitor: 'loss',
      saveBestOnly: true,
    });
    await model.fit(x, y, { epochs: 3, callbacks: [ckpt], verbose: 0 });
    expect(saved.length).toBeGreaterThan(0);
    expect(saved[0]).toMatch(/^\/tmp\/model-01-\d+\.\d\d$/);
  });
});

describe("seed 003's custom pieces inside fit", () => {
  it('a custom Loss subclass, a custom Regularizer and a custom Optimizer train a model', async () => {
    class CustomMSE extends tf.keras.losses.Loss {
      override call(yTrue: tf.Tensor, yPred: tf.Tensor) {
        return tf.mean(tf.square(yTrue.sub(yPred)), -1);
      }
    }
    class CustomRegularizer extends tf.keras.regularizers.Regularizer {
      constructor(readonly factor: number) {
        super();
      }
      override call(weights: tf.Tensor) {
        return tf.sum(tf.abs(weights.mul(this.factor)));
      }
      override getConfig() {
        return { factor: this.factor };
      }
    }
    class PlainSGD extends tf.keras.optimizers.Optimizer {
      override updateStep(grad: tf.Tensor, variable: tf.Variable, learningRate: number) {
        variable.assignSub(grad.mul(learningRate));
      }
    }
    const { x, y } = linearData(32);
    const model = new tf.keras.Sequential([
      new L.Dense(1, { inputShape: [2], kernelRegularizer: new CustomRegularizer(1e-3) }),
    ]);
    model.compile({ loss: new CustomMSE(), optimizer: new PlainSGD({ learningRate: 0.1 }) });
    const h = await model.fit(x, y, { epochs: 20, batchSize: 8, verbose: 0 });
    expect(h.history['loss']!.at(-1)!).toBeLessThan(0.05);
    expect(model.losses).toHaveLength(1);
  });
});
