import { afterEach, describe, expect, it } from 'vitest';
import { clearRecycled } from '../../src/backend/recycle.js';
import * as tf from '../../src/index.js';
import type { CompileArgs, FitArgs } from '../../src/keras/engine/model.js';
import type { StepTraces } from '../../src/keras/engine/step-trace.js';

// fit replays a training step's recorded kernels once a replay has matched an eager step exactly
// (src/keras/engine/step-trace.ts). Every test trains a model twice from the same seed, replayed and with
// runEagerly, and requires the same weights, losses and predictions to the bit.

afterEach(() => clearRecycled());

const L = tf.keras.layers;

function replays(model: tf.keras.Model): number {
  return (model as unknown as { stepTraces: StepTraces }).stepTraces.replayedSteps;
}

type Build = () => tf.keras.Model;

/** Trains build() twice (replayed, then eagerly) and compares everything the runs leave behind. */
async function twins(
  build: Build,
  compile: Omit<CompileArgs, 'runEagerly'>,
  x: tf.Tensor,
  y: tf.Tensor,
  fitArgs: FitArgs = {},
): Promise<{ replayed: number; losses: number[] }> {
  const run = async (runEagerly: boolean) => {
    tf.random.setSeed(11);
    const model = build();
    model.compile({ ...compile, runEagerly });
    const history = await model.fit(x, y, {
      batchSize: 16,
      epochs: 3,
      shuffle: false,
      verbose: 0,
      ...fitArgs,
    });
    return { model, history, weights: model.getWeights().map((w) => Array.from(w.dataSync())) };
  };
  const traced = await run(false);
  const eager = await run(true);
  expect(replays(eager.model)).toBe(0);
  expect(traced.weights).toEqual(eager.weights);
  expect(traced.history.history.loss).toEqual(eager.history.history.loss);
  const p = (m: tf.keras.Model) => Array.from((m.predict(x) as tf.Tensor).dataSync());
  expect(p(traced.model)).toEqual(p(eager.model));
  return { replayed: replays(traced.model), losses: traced.history.history.loss as number[] };
}

const x = tf.random.uniform([72, 12], -1, 1, { seed: 1 });
const labels = tf.tensor(
  Array.from({ length: 72 }, (_, i) => (i * 7) % 5),
  [72],
  'int32',
);

/** Dense 12 -> 8 (relu) -> 5 from seed 4, compiled with Adam and mse. */
function smallModel(runEagerly: boolean): tf.keras.Model {
  tf.random.setSeed(4);
  const model = new tf.keras.Sequential([
    new L.Dense(8, { activation: 'relu', inputShape: [12] }),
    new L.Dense(5),
  ]);
  model.compile({ optimizer: 'adam', loss: 'mse', runEagerly });
  return model;
}

/** Trains smallModel in batches of 8 with the callback made for it, replayed and then eagerly. */
async function twinsWithCallback(
  callback: (model: tf.keras.Model) => tf.keras.callbacks.Callback,
  epochs: number,
): Promise<Record<'traced' | 'eager', { weights: number[][]; replays: number }>> {
  const run = async (runEagerly: boolean) => {
    const model = smallModel(runEagerly);
    await model.fit(x, tf.oneHot(labels, 5), {
      batchSize: 8,
      epochs,
      shuffle: false,
      verbose: 0,
      callbacks: [callback(model)],
    });
    return { weights: model.getWeights().map((w) => Array.from(w.dataSync())), replays: replays(model) };
  };
  return { traced: await run(false), eager: await run(true) };
}

describe('fit replays its training step', () => {
  it('an MLP with Adam and sparse cross-entropy replays, and trains exactly as eagerly', async () => {
    const build = () =>
      new tf.keras.Sequential([new L.Dense(16, { activation: 'relu', inputShape: [12] }), new L.Dense(5)]);
    const { replayed, losses } = await twins(
      build,
      { optimizer: 'adam', loss: new tf.keras.losses.SparseCategoricalCrossentropy({ fromLogits: true }) },
      x,
      labels,
    );
    // 5 batches per epoch (4 of 16, one of 8): each signature runs eagerly, records, then checks.
    expect(replayed).toBeGreaterThanOrEqual(8);
    expect(losses[2]!).toBeLessThan(losses[0]!);
  });

  it('float labels, sample weights, mse and SGD with momentum replay too', async () => {
    const build = () =>
      new tf.keras.Sequential([new L.Dense(8, { activation: 'tanh', inputShape: [12] }), new L.Dense(5)]);
    const { replayed } = await twins(
      build,
      {
        optimizer: new tf.keras.optimizers.SGD({ learningRate: 0.05, momentum: 0.9 }),
        loss: 'sparse_categorical_crossentropy',
      },
      x,
      labels.cast('float32'),
      { sampleWeight: tf.linspace(0.5, 1.5, 72) },
    );
    expect(replayed).toBeGreaterThan(0);
  });

  it('a CNN with a fused convolution and pooling replays', async () => {
    const images = tf.random.uniform([40, 8, 8, 1], 0, 1, { seed: 3 });
    const build = () =>
      new tf.keras.Sequential([
        new L.Conv2D(4, 3, { activation: 'relu', inputShape: [8, 8, 1] }),
        new L.MaxPooling2D(2),
        new L.Flatten(),
        new L.Dense(5),
      ]);
    const { replayed } = await twins(
      build,
      { optimizer: 'adam', loss: new tf.keras.losses.SparseCategoricalCrossentropy({ fromLogits: true }) },
      images,
      labels.slice([0], [40]),
      { batchSize: 8 },
    );
    expect(replayed).toBeGreaterThan(0);
  });

  it('models with random numbers (Dropout) or assignments (BatchNormalization) stay eager', async () => {
    for (const layer of [() => new L.Dropout(0.3), () => new L.BatchNormalization()]) {
      const build = () =>
        new tf.keras.Sequential([new L.Dense(8, { inputShape: [12] }), layer(), new L.Dense(5)]);
      const { replayed } = await twins(build, { optimizer: 'adam', loss: 'mse' }, x, tf.oneHot(labels, 5));
      expect(replayed).toBe(0);
    }
  });

  it('a label out of range is still an error once steps are replayed', async () => {
    const model = new tf.keras.Sequential([new L.Dense(5, { inputShape: [12] })]);
    model.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' });
    await model.fit(x, labels, { batchSize: 8, epochs: 1, shuffle: false, verbose: 0 });
    expect(replays(model)).toBeGreaterThan(0);
    const bad = labels.cast('float32').mul(tf.tensor([...new Array(71).fill(1), 3])); // the last label, 2, becomes 6
    await expect(model.fit(x, bad, { batchSize: 8, epochs: 1, shuffle: false, verbose: 0 })).rejects.toThrow(
      /sparse_categorical_crossentropy: label 6 is outside the valid range \[0, 5\)/,
    );
  });

  it('freezing a layer during fit retraces with the new trainable weights', async () => {
    const { traced, eager } = await twinsWithCallback(
      (model) =>
        new (class extends tf.keras.callbacks.Callback {
          override onEpochEnd(epoch: number) {
            if (epoch === 0) model.layers[0]!.trainable = false;
          }
        })(),
      3,
    );
    expect(traced.weights).toEqual(eager.weights);
  });

  it('a batch callback that freezes a layer mid-epoch is seen by the next step', async () => {
    const { traced, eager } = await twinsWithCallback(
      (model) =>
        new (class extends tf.keras.callbacks.Callback {
          override onBatchEnd(batch: number) {
            if (batch === 5) model.layers[0]!.trainable = false;
          }
        })(),
      1,
    );
    // Steps 3-5 replayed before the freeze; the frozen model starts over (eager, recorded, checked).
    expect(traced.replays).toBeGreaterThan(0);
    expect(traced.weights).toEqual(eager.weights);
  });

  it('an epoch with no batch callbacks walks the layers for its first steps only', async () => {
    const walks = async (callbacks: tf.keras.callbacks.Callback[]) => {
      const model = smallModel(false);
      let count = 0;
      const layerProto = Object.getPrototypeOf(tf.keras.Model.prototype) as object;
      const getter = Object.getOwnPropertyDescriptor(layerProto, 'trainableWeights')!.get!;
      Object.defineProperty(model, 'trainableWeights', {
        get() {
          count++;
          return getter.call(this);
        },
      });
      // 72 samples in batches of 8: nine steps per epoch.
      await model.fit(x, tf.oneHot(labels, 5), {
        batchSize: 8,
        epochs: 2,
        shuffle: false,
        verbose: 0,
        callbacks,
      });
      return { count, replays: replays(model) };
    };
    const quiet = await walks([]);
    const observed = await walks([
      new (class extends tf.keras.callbacks.Callback {
        override onBatchEnd() {}
      })(),
    ]);
    // Both replay the same steps; only the observed run reads the weight lists at every step.
    expect(quiet.replays).toBe(observed.replays);
    expect(quiet.replays).toBeGreaterThanOrEqual(12);
    expect(observed.count).toBeGreaterThanOrEqual(18);
    expect(quiet.count).toBeLessThanOrEqual(observed.count - quiet.replays + 2);
  });
});
