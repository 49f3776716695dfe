import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';
import { recordTrace } from '../../src/ops/trace.js';

// Op traces (src/ops/trace.ts): the kernels a function ran, replayed on new inputs of the same shapes.

const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe('op traces', () => {
  const w = tf.variable(
    tf.tensor([
      [1, -2],
      [0.5, 3],
    ]),
  );
  /** A slice of `data` (a batch at some offset), through matmul, relu, a constant and a reduction. */
  const f = (x: tf.Tensor) =>
    tf
      .relu(tf.matmul(x.reshape([2, 2]), w))
      .add(tf.tensor([10, 20]))
      .sum(0);

  it('replays on inputs at other offsets of other storage, with the variable read at replay', () => {
    const data = tf.tensor([1, 2, 3, 4, 5, 6, 7, 8]);
    const first = data.slice([0], [4]);
    const recorded = recordTrace(
      [first],
      [w],
      () => f(first),
      (y) => [y],
    );
    if ('failure' in recorded) throw new Error(recorded.failure);
    expect(values(recorded.value)).toEqual(values(f(first)));

    const other = tf.tensor([0, 9, -1, 2, 4, 0.5]).slice([2], [4]);
    w.assign(
      tf.tensor([
        [2, 0],
        [-1, 1],
      ]),
    );
    const replayed = recorded.trace.replay([other]);
    expect(values(replayed.tensor(recorded.results[0]!))).toEqual(values(f(other)));
  });

  it('reuses the storage of prepared kernels between replays, never that of the results', () => {
    // Large enough for the native backend's kernels (its small sizes run the JS ones, unprepared).
    tf.random.setSeed(3);
    const data = tf.random.normal([4 * 64, 64]);
    const w64 = tf.variable(tf.random.normal([64, 64]));
    const bias = tf.random.normal([64]);
    const g = (x: tf.Tensor) => {
      const h = tf.relu(tf.matmul(x, w64).add(bias));
      return [h.mul(h).sum(0), h.sub(x)];
    };
    const batch = (i: number) => data.slice([64 * i, 0], [64, 64]);
    const recorded = recordTrace(
      [batch(0)],
      [w64],
      () => g(batch(0)),
      (y) => y,
    );
    if ('failure' in recorded) throw new Error(recorded.failure);
    expect(recorded.trace.preparedOps.length > 0).toBe(tf.getBackend() === 'native');
    const results = [1, 2, 3].map((i) => {
      const replayed = recorded.trace.replay([batch(i)]);
      return recorded.results.map((ref) => replayed.tensor(ref));
    });
    // Every replay's results stay its own after later replays.
    [1, 2, 3].forEach((i, k) => {
      const expected = g(batch(i));
      expect(values(results[k]![0]!)).toEqual(values(expected[0]!));
      expect(values(results[k]![1]!)).toEqual(values(expected[1]!));
    });
  });

  it('keeps a copy of a constant made during the recording', () => {
    const c = tf.tensor([1, 2, 3, 4]);
    const x = tf.tensor([1, 1, 1, 1]);
    const recorded = recordTrace(
      [x],
      [],
      () => x.mul(c),
      (y) => [y],
    );
    if ('failure' in recorded) throw new Error(recorded.failure);
    c.storage.fill(0); // the recording must not see later writes to the original
    const y = recorded.trace.replay([tf.tensor([2, 2, 2, 2])]);
    expect(values(y.tensor(recorded.results[0]!))).toEqual([2, 4, 6, 8]);
  });

  it('replays a side output: max pooling winners read by the gradient', () => {
    const x = tf.random.uniform([1, 4, 4, 1], 0, 1, { seed: 3 });
    const grad = (input: tf.Tensor) => {
      const tape = new tf.GradientTape();
      const y = tape.record(() => {
        tape.watch(input);
        return tf.maxPool(input, 2, 2, 'valid').square().sum();
      });
      return tape.gradient(y, input) as tf.Tensor;
    };
    const recorded = recordTrace(
      [x],
      [],
      () => grad(x),
      (g) => [g],
    );
    if ('failure' in recorded) throw new Error(recorded.failure);
    const other = tf.random.uniform([1, 4, 4, 1], 0, 1, { seed: 4 });
    const replayed = recorded.trace.replay([other]);
    expect(values(replayed.tensor(recorded.results[0]!))).toEqual(values(grad(other)));
  });

  it('refuses what a replay would not repeat', () => {
    const x = tf.tensor([1, 2]);
    const v = tf.variable(tf.tensor([0, 0]));
    const failure = (fn: () => tf.Tensor) => {
      const r = recordTrace([x], [v], fn, (y) => [y]);
      return 'failure' in r ? r.failure : null;
    };
    expect(failure(() => x.mul(2))).toBeNull();
    const assigning = () => {
      v.assign(x);
      return x;
    };
    expect(failure(assigning)).toMatch(/variable '.*' was assigned/);
    expect(failure(() => x.add(tf.random.uniform([2])))).toMatch(/random numbers were drawn/);
    expect(failure(() => (x.dataSync()[0]! > 0 ? x.neg() : x))).toMatch(/read with dataSync/);
  });
});
