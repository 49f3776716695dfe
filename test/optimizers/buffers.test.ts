import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';

// How the built-in optimizers write: in place when nothing else holds a variable's storage (no
// allocation per step), into a fresh array otherwise, so that values read earlier never change.

describe('optimizer buffers', () => {
  it('updates a variable in place when its storage is not shared (the fast path)', () => {
    const v = tf.variable(new Float32Array(1000).fill(1));
    const g = tf.tensor(new Float32Array(1000).fill(0.5));
    const opt = new tf.optimizers.Adam({ learningRate: 0.01 });
    opt.applyGradients([[g, v]]);
    const storage = v.storage;
    const m = opt.getSlot(v, 'm').storage;
    for (let i = 0; i < 5; i++) opt.applyGradients([[g, v]]);
    // If this fails, Variable's copy-on-write flag moved: common.ts reads it to find the fast path.
    expect(v.storage).toBe(storage);
    expect(opt.getSlot(v, 'm').storage).toBe(m);
  });

  it("never changes a variable's detached value", () => {
    const v = tf.variable(new Float32Array(1000).fill(1));
    const opt = new tf.optimizers.Adam({ learningRate: 0.01 });
    const g = tf.tensor(new Float32Array(1000).fill(0.5));
    opt.applyGradients([[g, v]]);
    const before = v.detach();
    const values = Array.from(before.dataSync());
    opt.applyGradients([[g, v]]);
    expect(Array.from(before.dataSync())).toEqual(values);
    expect(v.dataSync()[0]).not.toBe(values[0]);
  });

  it('writes in place after a non-persistent tape (its snapshots are given back with its gradient)', () => {
    const v = tf.variable(new Float32Array(1000).fill(1));
    const opt = new tf.optimizers.Adam({ learningRate: 0.01 });
    const step = () => {
      const tape = new tf.GradientTape();
      const loss = tape.record(() => v.mul(v).sum());
      opt.applyGradients([[tape.gradient(loss, v)!, v]]);
    };
    step();
    const storage = v.storage;
    for (let i = 0; i < 3; i++) step();
    expect(v.storage).toBe(storage);
    // Until its gradient is taken the tape still owes it at the recorded value: no in-place write.
    const tape = new tf.GradientTape();
    const loss = tape.record(() => v.mul(v).sum());
    const before = v.dataSync()[0]!;
    opt.applyGradients([[tf.onesLike(v), v]]);
    expect(v.storage).not.toBe(storage);
    expect(tape.gradient(loss, v)!.dataSync()[0]).toBeCloseTo(2 * before, 5);
  });

  it('keeps snapshots out when an outer tape records the inner gradient', () => {
    const v = tf.variable([2], { dtype: 'float64' });
    const opt = new tf.optimizers.SGD({ learningRate: 1 });
    const outer = new tf.GradientTape();
    const inner = new tf.GradientTape();
    const y = inner.record(() => v.mul(v).mul(v));
    const g = inner.gradient(y, v)!; // 3 v^2, recorded by the outer tape
    const storage = v.storage;
    opt.applyGradients([[tf.tensor([1], { dtype: 'float64' }), v]]);
    expect(v.storage).not.toBe(storage);
    expect(v.numpy()).toEqual([1]);
    // d(3 v^2)/dv = 6 v at the recorded value 2, not at the updated 1.
    expect(outer.gradient(g, v)!.numpy()).toEqual([12]);
  });

  it('never changes a value read before the update (snapshot, view, numpy, tape)', () => {
    const v = tf.variable([1, 2, 3, 4], { dtype: 'float64' });
    const opt = new tf.optimizers.SGD({ learningRate: 1, momentum: 0.5 });
    const view = v.reshape([2, 2]);
    const tape = new tf.GradientTape({ persistent: true });
    const y = tape.record(() => v.mul(v).sum());
    const slotBefore = (() => {
      opt.applyGradients([[tf.tensor([0, 0, 0, 0], { dtype: 'float64' }), v]]);
      return opt.getSlot(v, 'momentum').reshape([2, 2]);
    })();
    opt.applyGradients([[tf.tensor([1, 1, 1, 1], { dtype: 'float64' }), v]]);
    expect(v.numpy()).toEqual([0, 1, 2, 3]);
    expect(view.numpy()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(slotBefore.numpy()).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(opt.getSlot(v, 'momentum').numpy()).toEqual([-1, -1, -1, -1]);
    // The gradient owed to the tape is the one at the recorded values.
    expect(tape.gradient(y, v)!.numpy()).toEqual([2, 4, 6, 8]);
  });

  it('PyTorch-style steps allocate nothing per step for plain tensors', () => {
    const params = Array.from({ length: 10 }, () =>
      tf.tensor(new Float32Array(100).fill(1), { requiresGrad: true }),
    );
    for (const p of params) p.grad = tf.tensor(new Float32Array(100).fill(0.1));
    const opt = new tf.optim.Adam(params, { lr: 0.01 });
    opt.step();
    const storages = params.map((p) => p.storage);
    const states = params.map((p) => (opt.state.get(p)!.expAvg as tf.Tensor).storage);
    for (let i = 0; i < 5; i++) opt.step();
    params.forEach((p, k) => {
      expect(p.storage).toBe(storages[k]);
      expect((opt.state.get(p)!.expAvg as tf.Tensor).storage).toBe(states[k]);
    });
  });

  it('gradients may be broadcast views or another dtype', () => {
    const v = tf.variable([1, 2, 3], { dtype: 'float64' });
    const opt = new tf.optimizers.SGD({ learningRate: 1 });
    opt.applyGradients([[tf.tensor(0.5, { dtype: 'float64' }).broadcastTo([3]), v]]);
    expect(v.numpy()).toEqual([0.5, 1.5, 2.5]);
    opt.applyGradients([[tf.tensor([1, 1, 1]), v]]); // float32 gradient for a float64 variable
    expect(v.numpy()).toEqual([-0.5, 0.5, 1.5]);
  });
});
