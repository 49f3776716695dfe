import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';

describe('tf.optim: the PyTorch training loop', () => {
  it('zeroGrad(); loss.backward(); step() as in the notes (seed 002)', () => {
    const w = tf.tensor([1, -2], { requiresGrad: true });
    const opt = new tf.optim.SGD([w], { lr: 0.1 });
    opt.zeroGrad();
    w.square().sum().backward();
    opt.step();
    expect(w.numpy()).toEqual([Math.fround(0.8), Math.fround(-1.6)]);
    // .grad accumulates across backward() calls until zeroGrad, and step reads it as backward left it.
    w.square().sum().backward();
    w.square().sum().backward();
    // [2, -4] from the first backward plus twice 2w = [1.6, -3.2]
    const g = w.grad!.numpy() as number[];
    expect(g[0]).toBeCloseTo(5.2, 5);
    expect(g[1]).toBeCloseTo(-10.4, 5);
    opt.zeroGrad();
    expect(w.grad).toBeNull();
    opt.zeroGrad(false);
    w.sum().backward();
    opt.zeroGrad(false);
    expect(w.grad!.numpy()).toEqual([0, 0]);
  });

  it('parameters without a grad are skipped; step(closure) returns the loss', () => {
    const a = tf.tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const b = tf.tensor([3], { dtype: 'float64', requiresGrad: true });
    const opt = new tf.optim.Adam([a, b], { lr: 0.1 });
    const loss = opt.step(() => {
      opt.zeroGrad();
      const l = a.square().sum();
      l.backward();
      return l;
    }) as tf.Tensor;
    expect(loss.numpy()).toBe(5);
    expect(b.numpy()).toEqual([3]);
    expect((a.numpy() as number[]).map((x) => +x.toFixed(6))).toEqual([0.9, 1.9]);
    expect([...opt.state.keys()]).toEqual([a]);
    expect(Object.keys(opt.state.get(a)!).sort()).toEqual(['expAvg', 'expAvgSq', 'step']);
  });

  it('parameter groups take per-group options; addParamGroup adds one', () => {
    const a = tf.tensor([1], { dtype: 'float64', requiresGrad: true });
    const b = tf.tensor([1], { dtype: 'float64', requiresGrad: true });
    const c = tf.tensor([1], { dtype: 'float64', requiresGrad: true });
    const opt = new tf.optim.SGD([{ params: [a] }, { params: b, lr: 0.5, momentum: 0.9 }], { lr: 0.1 });
    opt.addParamGroup({ params: [c], lr: 0.01 });
    expect(opt.paramGroups.map((g) => [g.lr, g.momentum])).toEqual([
      [0.1, 0],
      [0.5, 0.9],
      [0.01, 0],
    ]);
    for (const p of [a, b, c]) p.grad = tf.tensor([1], { dtype: 'float64' });
    opt.step();
    expect([a, b, c].map((p) => p.numpy())).toEqual([[0.9], [0.5], [0.99]]);
    expect(() => opt.addParamGroup({ params: [a] })).toThrow(/appears more than once/);
  });

  it('has PyTorch defaults', () => {
    const p = () => [tf.tensor([1], { requiresGrad: true })];
    expect(new tf.optim.SGD(p()).defaults).toEqual({
      lr: 1e-3,
      momentum: 0,
      dampening: 0,
      weightDecay: 0,
      nesterov: false,
      maximize: false,
    });
    expect(new tf.optim.Adagrad(p()).defaults).toMatchObject({
      lr: 0.01,
      lrDecay: 0,
      initialAccumulatorValue: 0,
      eps: 1e-10,
    });
    expect(new tf.optim.RMSprop(p()).defaults).toMatchObject({
      lr: 0.01,
      alpha: 0.99,
      eps: 1e-8,
      momentum: 0,
      centered: false,
    });
    expect(new tf.optim.Adadelta(p()).defaults).toMatchObject({ lr: 1.0, rho: 0.9, eps: 1e-6 });
    expect(new tf.optim.Adam(p()).defaults).toMatchObject({
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
    });
    expect(new tf.optim.AdamW(p()).defaults).toMatchObject({ lr: 1e-3, weightDecay: 1e-2 });
    expect(new tf.optim.NAdam(p()).defaults).toMatchObject({ lr: 2e-3, eps: 1e-8, momentumDecay: 4e-3 });
    expect(new tf.optim.Adamax(p()).defaults).toMatchObject({ lr: 2e-3, eps: 1e-8 });
    expect(new tf.optim.Adam(p(), { foreach: true }).defaults).not.toHaveProperty('foreach');
  });

  it('maximize on NAdam (a tapeflow addition) equals minimizing the negated loss', () => {
    const a = tf.tensor([1, -2], { dtype: 'float64', requiresGrad: true });
    const b = tf.tensor([1, -2], { dtype: 'float64', requiresGrad: true });
    const up = new tf.optim.NAdam([a], { lr: 0.1, maximize: true });
    const down = new tf.optim.NAdam([b], { lr: 0.1 });
    for (let i = 0; i < 10; i++) {
      up.zeroGrad();
      a.square().sum().neg().backward();
      up.step();
      down.zeroGrad();
      b.square().sum().backward();
      down.step();
    }
    expect(a.numpy()).toEqual(b.numpy());
  });

  it('variables can be parameters too (their copy-on-write storage is respected)', () => {
    const v = tf.variable([1, 2], { dtype: 'float64' });
    const before = v.reshape([2, 1]); // a view taken before the step keeps its values
    const opt = new tf.optim.SGD([v], { lr: 0.5 });
    v.grad = tf.tensor([1, 1], { dtype: 'float64' });
    opt.step();
    expect(v.numpy()).toEqual([0.5, 1.5]);
    expect(before.numpy()).toEqual([[1], [2]]);
  });

  it('a plain tensor parameter is updated in place, as PyTorch does (views see it)', () => {
    const p = tf.tensor([1, 2, 3, 4], { dtype: 'float64', requiresGrad: true });
    const view = p.reshape([2, 2]);
    const opt = new tf.optim.SGD([p], { lr: 1 });
    p.grad = tf.tensor([1, 1, 1, 1], { dtype: 'float64' });
    opt.step();
    expect(view.numpy()).toEqual([
      [0, 1],
      [2, 3],
    ]);
  });

  it('a non-contiguous parameter (a transposed view) is updated through its strides', () => {
    const base = tf.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: 'float64' },
    );
    const t = base.transpose();
    t.requiresGrad = true;
    const opt = new tf.optim.SGD([t], { lr: 1 });
    t.grad = tf.tensor(
      [
        [1, 0],
        [0, 0],
      ],
      { dtype: 'float64' },
    );
    opt.step();
    expect(t.numpy()).toEqual([
      [0, 3],
      [2, 4],
    ]);
  });
});
