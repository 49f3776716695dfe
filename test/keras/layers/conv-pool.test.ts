import { describe, expect, it } from 'vitest';
import * as tf from '../../../src/index.js';
import { closeTo, expectLayerGradients, randomInput } from './helpers.js';

const L = tf.keras.layers;
const f64 = { dtype: 'float64' as const };

describe('convolution layers', () => {
  it('Conv2D: shapes for valid/same/strides/dilation, eager and symbolic', () => {
    const x = tf.zeros([2, 9, 7, 3]);
    const cases: [InstanceType<typeof L.Conv2D>, number[]][] = [
      [new L.Conv2D(4, 3), [2, 7, 5, 4]],
      [new L.Conv2D(4, [3, 2], { padding: 'same', strides: 2 }), [2, 5, 4, 4]],
      [new L.Conv2D(4, 3, { dilationRate: 2 }), [2, 5, 3, 4]],
    ];
    for (const [layer, shape] of cases) {
      expect(layer.apply(x).shape).toEqual(shape);
      expect(layer.apply(tf.keras.Input({ shape: [9, 7, 3] })).shape).toEqual([null, ...shape.slice(1)]);
    }
    expect(cases[0]![0].kernel!.shape).toEqual([3, 3, 3, 4]);
    expect(new L.Conv2D(2, 3).apply(tf.keras.Input({ shape: [null, null, 3] })).shape).toEqual([
      null,
      null,
      null,
      2,
    ]);
  });

  it('Conv2D matches tf.conv2d plus bias and activation', () => {
    const layer = new L.Conv2D(2, 2, { activation: 'relu' });
    const x = tf.random.normal([1, 4, 4, 3], 0, 1, { seed: 3 });
    const y = layer.apply(x);
    const ref = tf.relu(tf.conv2d(x, layer.kernel!).add(layer.bias!));
    closeTo(y.dataSync(), ref.dataSync());
  });

  it('Conv1D equals a Conv2D over a height-1 image; causal padding keeps the length and looks back', () => {
    const layer = new L.Conv1D(3, 2);
    const x = tf.random.normal([2, 5, 4], 0, 1, { seed: 4 });
    const y = layer.apply(x);
    expect(y.shape).toEqual([2, 4, 3]);
    const ref = tf.conv2d(x.expandDims(1), layer.kernel!.expandDims(0)).squeeze(1).add(layer.bias!);
    closeTo(y.dataSync(), ref.dataSync());
    const causal = new L.Conv1D(1, 3, { padding: 'causal', useBias: false, kernelInitializer: 'ones' });
    const seq = causal.apply(tf.tensor([1, 2, 3, 4]).reshape([1, 4, 1]));
    expect(Array.from(seq.dataSync())).toEqual([1, 3, 6, 9]);
  });

  it('Conv2DTranspose: output sizes, and it is the adjoint of Conv2D with the same kernel', () => {
    const up = new L.Conv2DTranspose(2, 3, { strides: 2, useBias: false });
    const x = tf.random.normal([1, 4, 4, 5], 0, 1, { seed: 5 });
    const y = up.apply(x);
    expect(y.shape).toEqual([1, 9, 9, 2]);
    expect(up.kernel!.shape).toEqual([3, 3, 2, 5]);
    expect(new L.Conv2DTranspose(2, 3, { strides: 2, padding: 'same' }).apply(x).shape).toEqual([1, 8, 8, 2]);
    // <conv2d(z, K), x> = <z, convTranspose(x, K)> for any z of the output shape.
    const z = tf.random.normal([1, 9, 9, 2], 0, 1, { seed: 6 });
    const lhs = tf.sum(tf.conv2d(z, up.kernel!, { strides: 2 }).mul(x)).dataSync()[0]!;
    const rhs = tf.sum(z.mul(y)).dataSync()[0]!;
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-3);
  });

  it('DepthwiseConv2D convolves each channel separately', () => {
    const layer = new L.DepthwiseConv2D(2, { depthMultiplier: 2, useBias: false });
    const x = tf.random.normal([1, 3, 3, 2], 0, 1, { seed: 8 });
    const y = layer.apply(x);
    expect(y.shape).toEqual([1, 2, 2, 4]);
    expect(layer.kernel!.shape).toEqual([2, 2, 2, 2]);
    const k = layer.kernel!;
    const ch1 = tf.conv2d(x.slice([0, 0, 0, 1], [-1, -1, -1, 1]), k.slice([0, 0, 1, 0], [2, 2, 1, 2]));
    closeTo(y.slice([0, 0, 0, 2], [-1, -1, -1, 2]).dataSync(), ch1.dataSync());
  });

  it('gradients (float64)', () => {
    expectLayerGradients(new L.Conv2D(2, 2, { ...f64, padding: 'same', strides: 2 }), [
      randomInput([1, 4, 4, 2]),
    ]);
    expectLayerGradients(new L.Conv1D(2, 3, { ...f64, padding: 'causal' }), [randomInput([2, 5, 2])]);
    expectLayerGradients(new L.Conv2DTranspose(2, 2, { ...f64, strides: 2 }), [randomInput([1, 2, 3, 2])]);
    expectLayerGradients(new L.DepthwiseConv2D(2, { ...f64, depthMultiplier: 2 }), [
      randomInput([1, 3, 3, 2]),
    ]);
  });

  it('rejects a wrong channel count, naming the layer and the shapes', () => {
    const layer = new L.Conv2D(2, 3, { name: 'conv_a' });
    layer.apply(tf.zeros([1, 5, 5, 3]));
    expect(() => layer.apply(tf.zeros([1, 5, 5, 4]))).toThrow(
      'Input 0 of layer "conv_a" is incompatible with the layer: expected axis -1 of input shape to have value 3, but received input with shape (1, 5, 5, 4)',
    );
    expect(() => layer.apply(tf.zeros([5, 5, 3]))).toThrow(/layer "conv_a".*expected ndim=4, found ndim=3/);
  });
});

describe('pooling and padding layers', () => {
  it('shapes', () => {
    const x = tf.zeros([2, 6, 5, 3]);
    expect(new L.MaxPooling2D().apply(x).shape).toEqual([2, 3, 2, 3]);
    expect(new L.MaxPooling2D(2, { padding: 'same' }).apply(x).shape).toEqual([2, 3, 3, 3]);
    expect(new L.AveragePooling2D({ poolSize: 3, strides: 1 }).apply(x).shape).toEqual([2, 4, 3, 3]);
    expect(new L.GlobalAveragePooling2D().apply(x).shape).toEqual([2, 3]);
    expect(new L.GlobalMaxPooling2D({ keepdims: true }).apply(x).shape).toEqual([2, 1, 1, 3]);
    expect(
      new L.ZeroPadding2D([
        [1, 0],
        [2, 3],
      ]).apply(x).shape,
    ).toEqual([2, 7, 10, 3]);
    const s = tf.zeros([2, 7, 4]);
    expect(new L.MaxPooling1D(2).apply(s).shape).toEqual([2, 3, 4]);
    expect(new L.AveragePooling1D(2, { padding: 'same' }).apply(s).shape).toEqual([2, 4, 4]);
    expect(new L.GlobalAveragePooling1D().apply(s).shape).toEqual([2, 4]);
    expect(new L.MaxPooling2D().apply(tf.keras.Input({ shape: [6, 5, 3] })).shape).toEqual([null, 3, 2, 3]);
  });

  it('values', () => {
    const x = tf.tensor([1, 5, 2, 0, 3, 4, 8, 1, 0, 2, 6, 7, 1, 1, 9, 3]).reshape([1, 4, 4, 1]);
    expect(Array.from(new L.MaxPooling2D().apply(x).dataSync())).toEqual([5, 8, 2, 9]);
    expect(Array.from(new L.AveragePooling2D().apply(x).dataSync())).toEqual([3.25, 2.75, 1, 6.25]);
    expect(Array.from(new L.GlobalMaxPooling2D().apply(x).dataSync())).toEqual([9]);
    expect(Array.from(new L.ZeroPadding2D(1).apply(tf.ones([1, 1, 1, 1])).dataSync())).toEqual([
      0, 0, 0, 0, 1, 0, 0, 0, 0,
    ]);
  });

  it('gradients (float64)', () => {
    const x = randomInput([1, 4, 4, 2]);
    for (const layer of [
      new L.MaxPooling2D(2, f64),
      new L.AveragePooling2D({ ...f64, poolSize: 3, strides: 1, padding: 'same' }),
      new L.GlobalAveragePooling2D(f64),
      new L.GlobalMaxPooling2D(f64),
      new L.ZeroPadding2D(1, f64),
    ]) {
      expectLayerGradients(layer, [x]);
    }
    const s = randomInput([2, 6, 3]);
    for (const layer of [
      new L.MaxPooling1D(2, f64),
      new L.AveragePooling1D(3, f64),
      new L.GlobalMaxPooling1D(f64),
    ]) {
      expectLayerGradients(layer, [s]);
    }
  });
});
