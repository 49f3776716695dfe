import { describe, expect, it } from 'vitest';
import * as tf from '../../../src/index.js';

const L = tf.keras.layers;

describe('bad input gives errors naming the layer or model and the shapes', () => {
  it('a wrong input shape for a Sequential model and for its first layer', () => {
    const model = new tf.keras.Sequential({
      name: 'seq_shape',
      layers: [new L.Dense(1, { inputDim: 2, name: 'fc' })],
    });
    expect(() => model.predict(tf.ones([10, 3]))).toThrow(
      'Input 0 of layer "seq_shape" is incompatible with the layer: expected shape=(None, 2), found shape=(10, 3)',
    );
    const dense = new L.Dense(1, { name: 'lonely' });
    dense.apply(tf.ones([4, 2]));
    expect(() => dense.apply(tf.ones([4, 3]))).toThrow(
      'Input 0 of layer "lonely" is incompatible with the layer: expected axis -1 of input shape to have value 2, but received input with shape (4, 3)',
    );
    expect(() => dense.apply(tf.ones([4]))).toThrow(/layer "lonely".*expected min_ndim=2, found ndim=1/);
  });

  it('a wrong dtype, and a wrong number of inputs', () => {
    const x = tf.keras.Input({ shape: [2], name: 'feats' });
    const model = new tf.keras.Model({ inputs: x, outputs: new L.Dense(1).apply(x), name: 'model_dtype' });
    expect(() => model.apply(tf.tensor([[true, false]]))).toThrow(
      'Input 0 of model "model_dtype" expects dtype float32, but it received a bool tensor of shape (1, 2)',
    );
    expect(() => new L.Dense(1, { name: 'boolish' }).apply(tf.tensor([[true]]))).toThrow(
      /Input 0 of layer "boolish" has dtype bool \(shape \(1, 1\)\)/,
    );
    // Numbers of another dtype are cast, as Keras does.
    expect(model.apply(tf.tensor([[1, 2]], { dtype: 'int32' })).dtype).toBe('float32');
    const a = tf.keras.Input({ shape: [2] });
    const b = tf.keras.Input({ shape: [2] });
    const two = new tf.keras.Model({ inputs: [a, b], outputs: new L.Add().apply([a, b]), name: 'two_in' });
    expect(() => two.apply(tf.ones([1, 2]))).toThrow(
      /Layer "two_in" expects 2 input\(s\), but it received 1 input tensor/,
    );
  });

  it('fit before compile, unknown loss, optimizer, activation and layer names', async () => {
    const model = new tf.keras.Sequential({ name: 'uncompiled', layers: [new L.Dense(1, { inputDim: 1 })] });
    await expect(model.fit(tf.ones([2, 1]), tf.ones([2, 1]))).rejects.toThrow(
      'Model "uncompiled": you must compile the model before training (fit); call model.compile({ optimizer, loss }) first',
    );
    await expect(model.evaluate(tf.ones([2, 1]), tf.ones([2, 1]))).rejects.toThrow(
      /must compile the model before evaluation/,
    );
    expect(() => model.compile({ loss: 'msee', optimizer: 'sgd' })).toThrow(/msee/);
    expect(() => model.compile({ loss: 'mse', optimizer: 'adamm' })).toThrow(/unknown optimizer 'adamm'/);
    expect(() => new L.Dense(1, { activation: 'rellu' })).toThrow(/rellu/);
    expect(() => L.deserialize({ className: 'Densee', config: {} })).toThrow(
      /unknown layer 'Densee'.*Known layers: InputLayer, Dense/,
    );
  });

  it('x and y of different lengths', async () => {
    const model = new tf.keras.Sequential([new L.Dense(1, { inputDim: 1 })]);
    model.compile({ loss: 'mse', optimizer: 'sgd' });
    await expect(model.fit(tf.ones([5, 1]), tf.ones([4, 1]), { verbose: 0 })).rejects.toThrow(
      'Data cardinality is ambiguous: x sizes: 5; y sizes: 4. Make sure all arrays contain the same number of samples.',
    );
  });

  it('a layer that cannot infer its shape says which layer and input shape', () => {
    const bad = new L.Lambda(
      () => {
        throw new Error('boom');
      },
      { name: 'exploding' },
    );
    expect(() => bad.apply(tf.keras.Input({ shape: [3] }))).toThrow(
      'Layer "exploding" (Lambda) could not be applied to input shape (None, 3): boom',
    );
  });
});

describe('layer serialization', () => {
  const layers = () => [
    new L.Dense(3, { activation: 'relu', kernelRegularizer: 'l2' }),
    new L.Activation('tanh'),
    new L.Dropout(0.25, { seed: 3 }),
    new L.Flatten(),
    new L.Reshape([2, -1]),
    new L.Permute([2, 1]),
    new L.RepeatVector(2),
    new L.Conv1D(2, 3, { padding: 'causal' }),
    new L.Conv2D(2, [3, 2], { strides: 2, padding: 'same' }),
    new L.Conv2DTranspose(2, 3),
    new L.DepthwiseConv2D(3, { depthMultiplier: 2 }),
    new L.MaxPooling2D(3, { strides: 1 }),
    new L.AveragePooling1D(2),
    new L.GlobalAveragePooling2D({ keepdims: true }),
    new L.ZeroPadding2D([1, 2]),
    new L.BatchNormalization({ momentum: 0.9 }),
    new L.LayerNormalization({ axis: [1, 2] }),
    new L.Embedding(10, 4),
    new L.Concatenate({ axis: 1 }),
    new L.Add(),
    new L.SimpleRNN(3, { returnSequences: true }),
    new L.LSTM(3, { returnState: true, unitForgetBias: false }),
    new L.GRU(3, { resetAfter: false }),
    new L.MultiHeadAttention(2, 4, { valueDim: 3 }),
    new L.InputLayer({ shape: [3] }),
  ];

  it('every built-in layer round-trips through serialize/deserialize', () => {
    for (const layer of layers()) {
      const record = L.serialize(layer);
      const again = L.deserialize(JSON.parse(JSON.stringify(record)));
      expect(again.constructor).toBe(layer.constructor);
      expect(L.serialize(again)).toEqual(record);
    }
  });

  it('custom layers by customObjects or registerLayer', () => {
    class Twice extends L.Layer {
      override call(x: tf.Tensor) {
        return x.mul(2);
      }
    }
    expect(() => L.get('Twice')).toThrow(/unknown layer 'Twice'/);
    expect(L.get('Twice', { Twice })).toBeInstanceOf(Twice);
    L.registerLayer(Twice);
    expect(L.deserialize({ className: 'Twice', config: { name: 'tw' } }).name).toBe('tw');
  });
});
