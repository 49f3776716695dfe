import { describe, expect, it } from 'vitest';
import * as tf from '../../../src/index.js';
import { closeTo } from '../layers/helpers.js';

const L = tf.keras.layers;

describe('functional models', () => {
  it('runs a DAG with two inputs, a shared layer and two outputs', () => {
    const a = tf.keras.Input({ shape: [3], name: 'a' });
    const b = tf.keras.Input({ shape: [3], name: 'b' });
    const shared = new L.Dense(4, { name: 'shared' });
    const ha = shared.apply(a);
    const hb = shared.apply(b);
    const merged = new L.Concatenate({ name: 'concat' }).apply([ha, hb]);
    const out1 = new L.Dense(1, { name: 'out1' }).apply(merged);
    const out2 = new L.Dense(2, { name: 'out2' }).apply(new L.Add({ name: 'sum' }).apply([ha, hb]));
    const model = new tf.keras.Model({ inputs: [a, b], outputs: [out1, out2] });
    expect(model.layers.map((l) => l.name)).toEqual(['a', 'b', 'shared', 'concat', 'sum', 'out1', 'out2']);
    expect(model.inputNames).toEqual(['a', 'b']);
    expect(model.outputNames).toEqual(['out1', 'out2']);
    expect(model.trainableWeights).toHaveLength(6);
    const xa = tf.random.normal([5, 3], 0, 1, { seed: 1 });
    const xb = tf.random.normal([5, 3], 0, 1, { seed: 2 });
    const [y1, y2] = model.applyAll([xa, xb]);
    expect(y1!.shape).toEqual([5, 1]);
    expect(y2!.shape).toEqual([5, 2]);
    const manual = model.getLayer('out2').apply(tf.add(shared.apply(xa), shared.apply(xb)));
    closeTo(y2!.dataSync(), manual.dataSync());
  });

  it('nests a model as a layer in another model', () => {
    const inner = new tf.keras.Sequential([
      new L.Dense(3, { inputShape: [2], activation: 'relu' }),
      new L.Dense(2),
    ]);
    const x = tf.keras.Input({ shape: [2] });
    const y = new L.Dense(1).apply(inner.apply(x));
    const outer = new tf.keras.Model({ inputs: x, outputs: y });
    expect(outer.weights).toHaveLength(6);
    expect(outer.apply(tf.ones([4, 2])).shape).toEqual([4, 1]);
    expect(y.shape).toEqual([null, 1]);
  });

  it('reports a disconnected graph', () => {
    const a = tf.keras.Input({ shape: [2], name: 'in_a' });
    const b = tf.keras.Input({ shape: [2], name: 'in_b' });
    const y = new L.Add().apply([a, b]);
    expect(() => new tf.keras.Model({ inputs: a, outputs: y })).toThrow(/graph disconnected.*in_b/);
    expect(() => new tf.keras.Model({ inputs: a, outputs: tf.ones([1]) as never })).toThrow(
      /symbolic tensors/,
    );
  });

  it('keeps explicit call arguments such as training: true on the node', () => {
    const x = tf.keras.Input({ shape: [100] });
    const y = new L.Dropout(0.5, { seed: 1 }).apply(x, { training: true });
    const model = new tf.keras.Model({ inputs: x, outputs: y });
    const out = model.predict(tf.ones([1, 100])).dataSync();
    expect(Array.from(out).some((v) => v === 0)).toBe(true);
  });
});

describe('Sequential', () => {
  it('from a list or with add; builds when the input shape is known', () => {
    const m = new tf.keras.Sequential([new L.Dense(4, { inputShape: [3] }), new L.Dense(1)]);
    expect(m.built).toBe(true);
    expect(m.outputs[0]!.shape).toEqual([null, 1]);
    expect(m.layers.map((l) => l.constructor.name)).toEqual(['Dense', 'Dense']);
    const n = new tf.keras.Sequential();
    n.add(new L.Dense(4));
    n.add(new L.Dense(2));
    expect(n.built).toBe(false);
    expect(n.weights).toEqual([]);
    expect(n.apply(tf.ones([5, 7])).shape).toEqual([5, 2]);
    expect(n.built).toBe(true);
    expect(n.weights.map((w) => w.shape)).toEqual([[7, 4], [4], [4, 2], [2]]);
    const p = new tf.keras.Sequential({
      name: 'seq_with_input',
      layers: [new L.InputLayer({ shape: [3] }), new L.Dense(1)],
    });
    expect(p.name).toBe('seq_with_input');
    expect(p.outputs[0]!.shape).toEqual([null, 1]);
  });

  it('pop and getLayer', () => {
    const m = new tf.keras.Sequential([
      new L.Dense(4, { inputShape: [3], name: 'h' }),
      new L.Dense(1, { name: 'o' }),
    ]);
    expect(m.getLayer('h').name).toBe('h');
    expect(m.getLayer(1).name).toBe('o');
    m.pop();
    expect(m.apply(tf.ones([2, 3])).shape).toEqual([2, 4]);
    expect(() => m.getLayer('o')).toThrow(/no layer named 'o'/);
  });

  it('rejects a layer whose input does not fit, when added', () => {
    const m = new tf.keras.Sequential([new L.Dense(4, { inputShape: [3] })]);
    expect(() => m.add(new L.Conv2D(2, 3))).toThrow(/layer "conv2d(_\d+)?".*expected ndim=4, found ndim=2/);
  });
});

describe('subclassed models', () => {
  class TwoLayer extends tf.keras.Model {
    hidden = new L.Dense(8, { activation: 'tanh' });
    drop = new L.Dropout(0.1);
    out = new L.Dense(1);
    override call(x: tf.Tensor, args: { training?: boolean } = {}) {
      return this.out.apply(this.drop.apply(this.hidden.apply(x), args));
    }
  }

  it('tracks the layers held in properties and trains with fit', async () => {
    tf.random.setSeed(10);
    const model = new TwoLayer();
    expect(model.name).toMatch(/^two_layer/);
    const x = tf.random.uniform([64, 2], -1, 1, { seed: 3 });
    const y = x.slice([0, 0], [-1, 1]).mul(x.slice([0, 1], [-1, 1]));
    model.compile({ loss: 'mse', optimizer: new tf.keras.optimizers.Adam({ learningRate: 0.05 }) });
    const h = await model.fit(x, y, { epochs: 30, batchSize: 16, verbose: 0 });
    expect(model.layers.map((l) => l.constructor.name)).toEqual(['Dense', 'Dropout', 'Dense']);
    expect(model.trainableWeights.map((w) => w.shape)).toEqual([[2, 8], [8], [8, 1], [1]]);
    expect(h.history['loss']!.at(-1)!).toBeLessThan(h.history['loss']![0]!);
  });

  it('can be used symbolically and in a custom training loop', () => {
    const model = new TwoLayer();
    const sym = model.apply(tf.keras.Input({ shape: [2] }));
    expect(sym.shape).toEqual([null, 1]);
    const opt = new tf.keras.optimizers.SGD({ learningRate: 0.1 });
    const x = tf.ones([4, 2]);
    const tape = new tf.GradientTape();
    const loss = tape.record(() => tf.mean(tf.square(model.apply(x, { training: true }))));
    const g = tape.gradient(loss, model.trainableWeights);
    opt.applyGradients(model.trainableWeights.map((w, i) => [g[i]!, w] as const));
    expect(g.every((t) => t !== null)).toBe(true);
  });

  it('a model without call is an error', () => {
    const m = new tf.keras.Model();
    expect(() => m.apply(tf.ones([1, 2]))).toThrow(/must override call/);
  });
});

describe('model configs', () => {
  it('a functional DAG (shared layer, two outputs, nested model) round-trips through JSON', () => {
    const inner = new tf.keras.Sequential({
      name: 'inner_seq',
      layers: [new L.Dense(3, { inputShape: [4], activation: 'relu' })],
    });
    const a = tf.keras.Input({ shape: [4], name: 'cfg_a' });
    const b = tf.keras.Input({ shape: [4], name: 'cfg_b' });
    const shared = new L.Dense(4, { name: 'cfg_shared' });
    const merged = new L.Concatenate({ name: 'cfg_cat' }).apply([shared.apply(a), shared.apply(b)]);
    const out1 = new L.Dense(2, { name: 'cfg_out1' }).apply(merged);
    const out2 = inner.apply(shared.apply(a));
    const model = new tf.keras.Model({ inputs: [a, b], outputs: [out1, out2], name: 'cfg_model' });
    const json = model.toJson();
    const config = JSON.parse(json);
    expect(config.className).toBe('Model');
    const sharedRecord = config.config.layers.find((l: { name: string }) => l.name === 'cfg_shared');
    expect(sharedRecord.inboundNodes).toEqual([
      [['cfg_a', 0, 0, {}]],
      [['cfg_b', 0, 0, {}]],
      [['cfg_a', 0, 0, {}]],
    ]);
    expect(config.config.outputLayers).toEqual([
      ['cfg_out1', 0, 0],
      ['inner_seq', 0, 0],
    ]);
    const again = tf.keras.models.modelFromJson(json);
    expect(again.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
    again.setWeights(model.getWeights());
    const xa = tf.random.normal([2, 4], 0, 1, { seed: 1 });
    const xb = tf.random.normal([2, 4], 0, 1, { seed: 2 });
    const [p1, p2] = model.applyAll([xa, xb]);
    const [q1, q2] = again.applyAll([xa, xb]);
    closeTo(p1!.dataSync(), q1!.dataSync());
    closeTo(p2!.dataSync(), q2!.dataSync());
  });

  it('a Sequential model round-trips, InputLayer first', () => {
    const model = new tf.keras.Sequential({
      name: 'cfg_seq',
      layers: [
        new L.Conv2D(2, 3, { inputShape: [5, 5, 1] }),
        new L.Flatten(),
        new L.Dropout(0.2),
        new L.Dense(1),
      ],
    });
    const record = JSON.parse(model.toJson());
    expect(record.config.layers.map((l: { className: string }) => l.className)).toEqual([
      'InputLayer',
      'Conv2D',
      'Flatten',
      'Dropout',
      'Dense',
    ]);
    const again = tf.keras.models.modelFromConfig(record);
    expect(again).toBeInstanceOf(tf.keras.Sequential);
    again.setWeights(model.getWeights());
    const x = tf.random.normal([2, 5, 5, 1], 0, 1, { seed: 3 });
    closeTo(again.predict(x).dataSync(), model.predict(x).dataSync());
  });
});
