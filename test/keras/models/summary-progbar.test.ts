import { describe, expect, it } from 'vitest';
import * as tf from '../../../src/index.js';
import { Progbar } from '../../../src/keras/progbar.js';

const L = tf.keras.layers;

function captured(model: InstanceType<typeof tf.keras.Model>): string {
  const lines: string[] = [];
  model.summary({ printFn: (line) => lines.push(line) });
  return lines.join('\n');
}

describe('summary', () => {
  it("prints Keras's table for a Sequential model", () => {
    const model = new tf.keras.Sequential({
      name: 'sequential',
      layers: [
        new L.Dense(8, { inputDim: 2, name: 'dense' }),
        new L.BatchNormalization({ name: 'bn' }),
        new L.Dense(1, { name: 'dense_1' }),
      ],
    });
    expect(captured(model)).toBe(
      [
        'Model: "sequential"',
        '_________________________________________________________________',
        'Layer (type)                 Output Shape              Param #   ',
        '=================================================================',
        'dense (Dense)                (None, 8)                 24        ',
        '_________________________________________________________________',
        'bn (BatchNormalization)      (None, 8)                 32        ',
        '_________________________________________________________________',
        'dense_1 (Dense)              (None, 1)                 9         ',
        '=================================================================',
        'Total params: 65',
        'Trainable params: 49',
        'Non-trainable params: 16',
        '_________________________________________________________________',
      ].join('\n'),
    );
  });

  it('lists the InputLayer of a functional chain, and adds "Connected to" for a graph', () => {
    const x = tf.keras.Input({ batchShape: [null, 2], name: 'input_1' });
    const chain = new tf.keras.Model({
      inputs: x,
      outputs: new L.Dense(1, { name: 'dense' }).apply(x),
      name: 'model',
    });
    expect(captured(chain).split('\n').slice(4, 7)).toEqual([
      'input_1 (InputLayer)         [(None, 2)]               0         ',
      '_________________________________________________________________',
      'dense (Dense)                (None, 1)                 3         ',
    ]);
    const a = tf.keras.Input({ shape: [3], name: 'a' });
    const b = tf.keras.Input({ shape: [3], name: 'b' });
    const sum = new L.Add({ name: 'add' }).apply([a, b]);
    const graph = new tf.keras.Model({
      inputs: [a, b],
      outputs: new L.Dense(1000, { name: 'big' }).apply(sum),
      name: 'graph',
    });
    const text = captured(graph).split('\n');
    expect(text[2]).toBe(
      'Layer (type)                    Output Shape         Param #     Connected to                     ',
    );
    expect(text).toContain(
      'add (Add)                       (None, 3)            0           a[0][0]                          ',
    );
    expect(text).toContain(
      '                                                                 b[0][0]                          ',
    );
    expect(text).toContain('Total params: 4,000');
  });

  it('needs a built model', () => {
    const m = new tf.keras.Sequential([new L.Dense(1)]);
    expect(() => m.summary()).toThrow(/has not yet been built/);
  });
});

describe('Progbar', () => {
  function run(isTTY: boolean, verbose: 1 | 2 = 1) {
    let t = 0;
    const out: string[] = [];
    const bar = new Progbar(10, { isTTY, verbose, write: (s) => out.push(s), now: () => t, interval: 0 });
    for (let step = 1; step <= 10; step++) {
      t += 0.002;
      bar.update(step, { loss: 1 / step });
    }
    return out;
  }

  it('rewrites one line in place on a terminal', () => {
    const out = run(true);
    expect(out).toHaveLength(10);
    expect(out[2]).toBe('\r 3/10 [========>.....................] - ETA: 0s - loss: 0.3333');
    expect(out[9]).toBe('\r10/10 [==============================] - 0s 2ms/step - loss: 0.1000\n');
  });

  it('writes only the finished line elsewhere, and a short line with verbose 2', () => {
    expect(run(false)).toEqual(['10/10 [==============================] - 0s 2ms/step - loss: 0.1000\n']);
    expect(run(false, 2)).toEqual(['10/10 - 0s - loss: 0.1000\n']);
  });

  it('formats small values in exponent form and unknown targets', () => {
    const out: string[] = [];
    const bar = new Progbar(null, { isTTY: false, write: (s) => out.push(s), now: () => 0 });
    bar.update(3, { loss: 1.5e-5 }, true);
    expect(out[0]).toBe('      3/Unknown - 0s 0s/step - loss: 1.5000e-05\n');
  });

  it('fit with verbose 1 prints the epoch header and one bar line per epoch off a terminal', async () => {
    const model = new tf.keras.Sequential([new L.Dense(1, { inputShape: [1] })]);
    model.compile({ loss: 'mse', optimizer: 'sgd' });
    const written: string[] = [];
    const original = process.stdout.write.bind(process.stdout);
    const wasTTY = process.stdout.isTTY;
    (process.stdout as { isTTY: boolean }).isTTY = false;
    process.stdout.write = ((s: string) => {
      written.push(s);
      return true;
    }) as typeof process.stdout.write;
    try {
      await model.fit(tf.ones([20, 1]), tf.ones([20, 1]), { epochs: 2, batchSize: 10, validationSplit: 0.5 });
    } finally {
      process.stdout.write = original;
      (process.stdout as { isTTY: boolean }).isTTY = wasTTY;
    }
    expect(written).toHaveLength(4);
    expect(written[0]).toBe('Epoch 1/2\n');
    expect(written[1]).toMatch(
      /^1\/1 \[==============================\] - \d+s \d+(ms|us|s)\/step - loss: \S+ - val_loss: \S+\n$/,
    );
    expect(written[2]).toBe('Epoch 2/2\n');
  });
});
