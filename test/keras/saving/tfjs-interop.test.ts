/**
 * Models move between tapeflow and TensorFlow.js (`@tensorflow/tfjs`, a dev dependency, on its CPU
 * backend): files written by `model.save` load with `tf.loadLayersModel`, and files written by tfjs's
 * `model.save` load with `tf.keras.models.loadModel`. tfjs-node is not installed, so tfjs reads the
 * files through an IOHandler that does what its `file://` handler does (model.json, then the shards
 * its manifest lists). The weights arrive bit for bit; predictions agree to float32 rounding (the two
 * libraries sum in different orders).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tfjs from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../../src/index.js';
import { maxAbsDiff, removeTempDirs, tempDir } from './helpers.js';

afterAll(removeTempDirs);

const L = tf.keras.layers;

beforeAll(async () => {
  await tfjs.setBackend('cpu');
});

/** tfjs's file loading, for Node without tfjs-node: model.json, then every shard in its manifest. */
function fileHandler(dir: string): tfjs.io.IOHandler {
  return {
    load: async () => {
      const modelJSON = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as tfjs.io.ModelJSON;
      return tfjs.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
        const specs = manifest.flatMap((g) => g.weights);
        const bytes = Buffer.concat(manifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p)))));
        return [specs, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)];
      });
    },
  };
}

/** Saves a tfjs model as its file:// handler would: model.json (tfjs's layout) and one shard. */
async function saveWithTfjs(model: tfjs.LayersModel, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await model.save(
    tfjs.io.withSaveHandler(async (artifacts) => {
      const json = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        trainingConfig: artifacts.trainingConfig,
        weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: artifacts.weightSpecs }],
      };
      writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
      writeFileSync(join(dir, 'group1-shard1of1.bin'), new Uint8Array(artifacts.weightData as ArrayBuffer));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
    { includeOptimizer: true },
  );
}

function tfjsPredict(model: tfjs.LayersModel, x: tf.Tensor | tf.Tensor[]): unknown {
  const inputs = Array.isArray(x)
    ? x.map((t) => tfjs.tensor(t.arraySync() as number[]))
    : tfjs.tensor(x.arraySync() as number[]);
  const out = model.predict(inputs) as tfjs.Tensor | tfjs.Tensor[];
  return Array.isArray(out) ? out.map((t) => t.arraySync()) : out.arraySync();
}

function tapeflowPredict(model: tf.keras.Model, x: tf.Tensor | tf.Tensor[]): unknown {
  const out = model.predict(x as tf.Tensor);
  return Array.isArray(out) ? (out as tf.Tensor[]).map((t) => t.arraySync()) : out.arraySync();
}

/** Weights by name (tfjs lists all trainable weights first, Keras and tapeflow go layer by layer). */
function tfjsWeights(model: tfjs.LayersModel): Record<string, number[]> {
  return Object.fromEntries(model.weights.map((w) => [w.originalName, Array.from(w.read().dataSync())]));
}

function tapeflowWeights(model: tf.keras.Model): Record<string, number[]> {
  return Object.fromEntries(model.weights.map((w) => [w.name.replace(/:0$/, ''), Array.from(w.dataSync())]));
}

describe('tapeflow -> TensorFlow.js', () => {
  const cases: [
    string,
    () => { model: tf.keras.Model; x: tf.Tensor | tf.Tensor[]; y: tf.Tensor | tf.Tensor[] },
  ][] = [
    [
      'a Dense MLP compiled with Adam',
      () => {
        tf.random.setSeed(1);
        const model = new tf.keras.Sequential([
          new L.Dense(16, { inputShape: [6], activation: 'relu' }),
          new L.Dense(8, { activation: 'tanh' }),
          new L.Dense(3, { activation: 'softmax' }),
        ]);
        model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy', metrics: ['accuracy'] });
        const x = tf.random.normal([12, 6], 0, 1, { seed: 2 });
        const y = tf.oneHot(tf.tensor([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2], { dtype: 'int32' }), 3);
        return { model, x, y };
      },
    ],
    [
      'a small Conv2D model',
      () => {
        tf.random.setSeed(3);
        const model = new tf.keras.Sequential([
          new L.Conv2D(4, 3, { inputShape: [8, 8, 1], activation: 'relu' }),
          new L.MaxPooling2D(2),
          new L.Flatten(),
          new L.Dense(3),
        ]);
        model.compile({ optimizer: new tf.keras.optimizers.SGD({ learningRate: 0.05 }), loss: 'mse' });
        return {
          model,
          x: tf.random.normal([5, 8, 8, 1], 0, 1, { seed: 4 }),
          y: tf.random.normal([5, 3], 0, 1, { seed: 5 }),
        };
      },
    ],
    [
      'a functional model with two inputs, Concatenate and BatchNormalization',
      () => {
        tf.random.setSeed(6);
        const a = tf.keras.Input({ shape: [4] });
        const b = tf.keras.Input({ shape: [2] });
        const h = new L.BatchNormalization().apply(
          new L.Dense(5, { activation: 'relu' }).apply(new L.Concatenate().apply([a, b])),
        );
        const model = new tf.keras.Model({ inputs: [a, b], outputs: new L.Dense(1).apply(h) });
        model.compile({ optimizer: new tf.keras.optimizers.RMSprop({ momentum: 0.5 }), loss: 'mse' });
        return {
          model,
          x: [tf.random.normal([6, 4], 0, 1, { seed: 7 }), tf.random.normal([6, 2], 0, 1, { seed: 8 })],
          y: tf.random.normal([6, 1], 0, 1, { seed: 9 }),
        };
      },
    ],
  ];
  for (const [label, make] of cases) {
    it(`${label}: tf.loadLayersModel reads the files and predicts the same`, async () => {
      const { model, x, y } = make();
      await model.fit(x as tf.Tensor, y as tf.Tensor, { epochs: 2, batchSize: 4, verbose: 0 });
      const dir = join(tempDir(), 'model');
      await model.save(dir);
      const loaded = await tfjs.loadLayersModel(fileHandler(dir));
      expect(tfjsWeights(loaded)).toEqual(tapeflowWeights(model));
      expect(maxAbsDiff(tfjsPredict(loaded, x), tapeflowPredict(model, x))).toBeLessThan(1e-6);
      // tfjs compiled the model from trainingConfig and took the optimizer's state.
      expect(loaded.optimizer.getClassName()).toBe(
        ({ Adam: 'Adam', SGD: 'SGD', RMSprop: 'RMSProp' } as Record<string, string>)[
          model.optimizer!.constructor.name
        ],
      );
      const optWeights = await loaded.optimizer.getWeights();
      expect(optWeights[0]!.name).toBe('iter');
      expect((await optWeights[0]!.tensor.data())[0]).toBe(model.optimizer!.iterations);
      const state = model.optimizer!.getState();
      const slots = state.variables.flatMap((v) => Object.values(v.slots).map((s) => Array.from(s)));
      const theirs = await Promise.all(
        optWeights.slice(1).map(async (w) => Array.from(await w.tensor.data())),
      );
      expect(theirs.sort()).toEqual(slots.sort());
      // And tfjs trains on from there.
      const tx = Array.isArray(x)
        ? x.map((t) => tfjs.tensor(t.arraySync() as number[]))
        : tfjs.tensor(x.arraySync() as number[]);
      const h = await loaded.fit(tx, tfjs.tensor((y as tf.Tensor).arraySync() as number[]), {
        epochs: 1,
        verbose: 0,
      });
      expect(Number.isFinite(h.history['loss']![0] as number)).toBe(true);
    });
  }
});

describe('TensorFlow.js -> tapeflow', () => {
  it('a Sequential MLP trained with Adam in tfjs loads with its optimizer state', async () => {
    const model = tfjs.sequential();
    model.add(tfjs.layers.dense({ units: 10, inputShape: [4], activation: 'relu' }));
    model.add(tfjs.layers.dense({ units: 3, activation: 'softmax' }));
    model.compile({
      optimizer: tfjs.train.adam(0.01),
      loss: 'categoricalCrossentropy',
      metrics: ['accuracy'],
    });
    const xs = tfjs.randomNormal([10, 4], 0, 1, 'float32', 1);
    const ys = tfjs.oneHot(tfjs.tensor1d([0, 1, 2, 0, 1, 2, 0, 1, 2, 0], 'int32'), 3);
    await model.fit(xs, ys, { epochs: 3, batchSize: 5, verbose: 0 });
    const dir = join(tempDir(), 'tfjs-mlp');
    await saveWithTfjs(model, dir);

    const loaded = await tf.keras.models.loadModel(dir);
    expect(tapeflowWeights(loaded)).toEqual(tfjsWeights(model));
    const x = tf.tensor(xs.arraySync());
    expect(maxAbsDiff(tapeflowPredict(loaded, x), tfjsPredict(model, x))).toBeLessThan(1e-6);
    expect(loaded.isCompiled).toBe(true);
    expect(loaded.optimizer).toBeInstanceOf(tf.keras.optimizers.Adam);
    expect(loaded.optimizer!.learningRate).toBeCloseTo(0.01, 9);
    expect(loaded.optimizer!.iterations).toBe(6);
    const theirs = await model.optimizer.getWeights();
    const m = loaded.optimizer!.getState().variables.map((v) => Array.from(v.slots['m']!));
    expect(m).toEqual(
      await Promise.all(theirs.slice(1, 5).map(async (w) => Array.from(await w.tensor.data()))),
    );
    // It trains on in tapeflow.
    const h = await loaded.fit(x, tf.tensor(ys.arraySync()), { epochs: 2, verbose: 0 });
    expect(h.history['loss']!.every(Number.isFinite)).toBe(true);
  });

  it('a functional Conv2D model made in tfjs loads and predicts the same', async () => {
    const input = tfjs.input({ shape: [10, 10, 2] });
    const conv = tfjs.layers
      .conv2d({ filters: 3, kernelSize: 3, activation: 'relu', padding: 'same' })
      .apply(input);
    const pool = tfjs.layers.maxPooling2d({ poolSize: 2 }).apply(conv);
    const flat = tfjs.layers.flatten().apply(pool);
    const output = tfjs.layers.dense({ units: 4 }).apply(flat) as tfjs.SymbolicTensor;
    const model = tfjs.model({ inputs: input, outputs: output });
    const dir = join(tempDir(), 'tfjs-cnn');
    await saveWithTfjs(model, dir);
    const loaded = await tf.keras.models.loadModel(dir);
    expect(loaded.layers.map((l) => l.constructor.name)).toEqual([
      'InputLayer',
      'Conv2D',
      'MaxPooling2D',
      'Flatten',
      'Dense',
    ]);
    expect(loaded.isCompiled).toBe(false);
    expect(tapeflowWeights(loaded)).toEqual(tfjsWeights(model));
    const x = tf.random.normal([3, 10, 10, 2], 0, 1, { seed: 12 });
    expect(maxAbsDiff(tapeflowPredict(loaded, x), tfjsPredict(model, x))).toBeLessThan(1e-6);
  });
});

describe('a Keras model converted by tensorflowjs_converter (Keras 2 layout)', () => {
  it('loads: model_config, Functional, InputLayer with ragged/sparse, null constraints, channels_last', async () => {
    // model.json as `tensorflowjs_converter --input_format keras` writes it for a small Keras 2 model.
    const dense = (name: string, units: number, activation: string) => ({
      class_name: 'Dense',
      config: {
        name,
        trainable: true,
        dtype: 'float32',
        units,
        activation,
        use_bias: true,
        kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
        bias_initializer: { class_name: 'Zeros', config: {} },
        kernel_regularizer: null,
        bias_regularizer: null,
        activity_regularizer: null,
        kernel_constraint: null,
        bias_constraint: null,
      },
    });
    const modelJson = {
      format: 'layers-model',
      generatedBy: 'keras v2.11.0',
      convertedBy: 'TensorFlow.js Converter v4.22.0',
      modelTopology: {
        keras_version: '2.11.0',
        backend: 'tensorflow',
        model_config: {
          class_name: 'Functional',
          config: {
            name: 'model',
            layers: [
              {
                class_name: 'InputLayer',
                config: {
                  batch_input_shape: [null, 6, 6, 1],
                  dtype: 'float32',
                  sparse: false,
                  ragged: false,
                  name: 'input_1',
                },
                name: 'input_1',
                inbound_nodes: [],
              },
              {
                class_name: 'Conv2D',
                config: {
                  name: 'conv2d',
                  trainable: true,
                  dtype: 'float32',
                  filters: 2,
                  kernel_size: [3, 3],
                  strides: [1, 1],
                  padding: 'valid',
                  data_format: 'channels_last',
                  dilation_rate: [1, 1],
                  groups: 1,
                  activation: 'relu',
                  use_bias: true,
                  kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
                  bias_initializer: { class_name: 'Zeros', config: {} },
                  kernel_regularizer: null,
                  bias_regularizer: null,
                  activity_regularizer: null,
                  kernel_constraint: null,
                  bias_constraint: null,
                },
                name: 'conv2d',
                inbound_nodes: [[['input_1', 0, 0, {}]]],
              },
              {
                class_name: 'Flatten',
                config: { name: 'flatten', trainable: true, dtype: 'float32', data_format: 'channels_last' },
                name: 'flatten',
                inbound_nodes: [[['conv2d', 0, 0, {}]]],
              },
              { ...dense('dense', 3, 'softmax'), name: 'dense', inbound_nodes: [[['flatten', 0, 0, {}]]] },
            ],
            input_layers: [['input_1', 0, 0]],
            output_layers: [['dense', 0, 0]],
          },
        },
      },
      weightsManifest: [
        {
          paths: ['group1-shard1of1.bin'],
          weights: [
            { name: 'conv2d/kernel', shape: [3, 3, 1, 2], dtype: 'float32' },
            { name: 'conv2d/bias', shape: [2], dtype: 'float32' },
            { name: 'dense/kernel', shape: [32, 3], dtype: 'float32' },
            { name: 'dense/bias', shape: [3], dtype: 'float32' },
          ],
        },
      ],
    };
    const sizes = [18, 2, 96, 3];
    const all = Float32Array.from({ length: sizes.reduce((a, b) => a + b) }, (_, i) => Math.sin(i) / 4);
    const dir = join(tempDir(), 'keras');
    mkdirSync(dir);
    writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJson));
    writeFileSync(join(dir, 'group1-shard1of1.bin'), new Uint8Array(all.buffer));
    const model = await tf.keras.models.loadModel(dir);
    expect(model.layers.map((l) => l.name)).toEqual(['input_1', 'conv2d', 'flatten', 'dense']);
    expect(Array.from(model.weights[2]!.dataSync())).toEqual(Array.from(all.subarray(20, 116)));
    // tfjs reads the same file and agrees.
    const theirs = await tfjs.loadLayersModel(fileHandler(dir));
    const x = tf.random.normal([2, 6, 6, 1], 0, 1, { seed: 3 });
    expect(maxAbsDiff(tapeflowPredict(model, x), tfjsPredict(theirs, x))).toBeLessThan(1e-6);
  });
});
