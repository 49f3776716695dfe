import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';

const S = tf.optimizers.schedules;
const close = (got: number, want: number) => expect(got).toBeCloseTo(want, 14);

describe('Keras learning-rate schedules (tf.optimizers.schedules)', () => {
  it('ExponentialDecay: initial * rate^(step / steps), floored with staircase', () => {
    const s = new S.ExponentialDecay(0.1, 10, 0.5);
    close(s.apply(0), 0.1);
    close(s.apply(5), 0.1 * Math.SQRT1_2);
    close(s.apply(30), 0.0125);
    const stairs = new S.ExponentialDecay({
      initialLearningRate: 0.1,
      decaySteps: 10,
      decayRate: 0.5,
      staircase: true,
    });
    close(stairs.apply(9), 0.1);
    close(stairs.apply(15), 0.05);
  });

  it('InverseTimeDecay: initial / (1 + rate * step / steps)', () => {
    const s = new S.InverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5 });
    close(s.apply(2), 0.05);
    const stairs = new S.InverseTimeDecay(0.1, 4, 0.5, true);
    close(stairs.apply(6), 0.1 / 1.5);
  });

  it('PiecewiseConstantDecay: values[i] up to and including boundaries[i]', () => {
    const s = new S.PiecewiseConstantDecay([100, 110], [1, 0.5, 0.1]);
    expect([0, 100, 101, 110, 111].map((t) => s.apply(t))).toEqual([1, 1, 0.5, 0.5, 0.1]);
    expect(() => new S.PiecewiseConstantDecay([1, 2], [1, 2])).toThrow(/one more element/);
  });

  it('PolynomialDecay: to endLearningRate over decaySteps, optionally cycling', () => {
    const s = new S.PolynomialDecay({
      initialLearningRate: 0.1,
      decaySteps: 10,
      endLearningRate: 0.01,
      power: 2,
    });
    close(s.apply(5), 0.09 * 0.25 + 0.01);
    close(s.apply(20), 0.01);
    const cyc = new S.PolynomialDecay({
      initialLearningRate: 0.1,
      decaySteps: 10,
      endLearningRate: 0.01,
      power: 2,
      cycle: true,
    });
    close(cyc.apply(0), 0.1);
    close(cyc.apply(15), 0.09 * (1 - 15 / 20) ** 2 + 0.01);
    close(new S.PolynomialDecay(0.1, 10).apply(10), 0.0001);
  });

  it('CosineDecay, with alpha and with linear warmup', () => {
    const s = new S.CosineDecay(0.1, 10, 0.1);
    close(s.apply(0), 0.1);
    close(s.apply(5), 0.1 * (0.9 * 0.5 + 0.1));
    close(s.apply(20), 0.01);
    const w = new S.CosineDecay({ initialLearningRate: 0, decaySteps: 10, warmupTarget: 1, warmupSteps: 4 });
    close(w.apply(2), 0.5);
    close(w.apply(4), 1);
    close(w.apply(9), 0.5);
    close(w.apply(100), 0);
  });

  it('CosineDecayRestarts: periods grow by tMul, restarts shrink by mMul', () => {
    const s = new S.CosineDecayRestarts({ initialLearningRate: 1, firstDecaySteps: 10, tMul: 2, mMul: 0.5 });
    close(s.apply(0), 1);
    close(s.apply(5), 0.5);
    close(s.apply(10), 0.5);
    close(s.apply(20), 0.25);
    close(s.apply(30), 0.25);
    const same = new S.CosineDecayRestarts(1, 10, 1, 1, 0.2);
    close(same.apply(25), 0.8 * 0.5 * (1 + Math.cos(Math.PI * 0.5)) + 0.2);
  });

  it('schedules drive an optimizer at its iteration count, and serialize', () => {
    const schedule = new S.ExponentialDecay(0.1, 1, 0.5);
    const opt = new tf.optimizers.SGD({ learningRate: schedule });
    const v = tf.variable([1]);
    expect(opt.learningRate).toBeCloseTo(0.1, 12);
    opt.applyGradients([[tf.tensor([1]), v]]);
    expect(opt.learningRate).toBeCloseTo(0.05, 12);
    const config = opt.getConfig();
    expect(config.learningRate).toEqual({
      className: 'ExponentialDecay',
      config: {
        initialLearningRate: 0.1,
        decaySteps: 1,
        decayRate: 0.5,
        staircase: false,
        name: 'ExponentialDecay',
      },
    });
  });

  it('a custom schedule subclasses LearningRateSchedule and overrides call(step)', () => {
    class Halving extends tf.optimizers.LearningRateSchedule {
      call(step: number) {
        return 0.8 / 2 ** step;
      }
    }
    const opt = new tf.optimizers.SGD({ learningRate: new Halving() });
    const v = tf.variable([1], { dtype: 'float64' });
    for (let i = 0; i < 3; i++) opt.applyGradients([[tf.tensor([1], { dtype: 'float64' }), v]]);
    expect(v.numpy()).toEqual([1 - 0.8 - 0.4 - 0.2]);
    expect(
      () =>
        new S.ExponentialDecay({
          initialLearningRate: 0.1,
          decaySteps: 1,
          decayRate: 0.5,
          stairs: true,
        } as never),
    ).toThrow(/unknown option 'stairs'/);
  });
});

describe('PyTorch LR schedulers (tf.optim.lrScheduler): behaviour beyond the golden trajectories', () => {
  const param = () => tf.tensor([1, 2], { requiresGrad: true });

  it('StepLR composes with manual changes of lr (the chainable form)', () => {
    const opt = new tf.optim.SGD([param()], { lr: 1 });
    const s = new tf.optim.lrScheduler.StepLR(opt, { stepSize: 2, gamma: 0.5 });
    expect(s.getLastLr()).toEqual([1]);
    s.step();
    opt.paramGroups[0]!.lr = 0.3;
    s.step();
    expect(s.getLastLr()).toEqual([0.15]);
    expect(opt.paramGroups[0]!.initialLr).toBe(1);
  });

  it('OneCycleLR checks its optimizer and its step count', () => {
    const adagrad = new tf.optim.Adagrad([param()]);
    expect(() => new tf.optim.lrScheduler.OneCycleLR(adagrad, { maxLr: 0.1, totalSteps: 10 })).toThrow(
      /momentum or betas/,
    );
    const sgd = new tf.optim.SGD([param()], { momentum: 0.9 });
    new tf.optim.lrScheduler.OneCycleLR(sgd, { maxLr: 0.1, totalSteps: 10 });
    expect(sgd.paramGroups[0]!.momentum).toBe(0.95);
    expect(sgd.paramGroups[0]!.lr).toBeCloseTo(0.004, 15);
    const s = new tf.optim.lrScheduler.OneCycleLR(sgd, { maxLr: 0.1, totalSteps: 3 });
    for (let i = 0; i < 3; i++) s.step();
    expect(() => s.step()).toThrow(/tried to step 4 times; the specified number of total steps is 3/);
    expect(() => new tf.optim.lrScheduler.OneCycleLR(sgd, { maxLr: 0.1 } as never)).toThrow(
      /totalSteps, or epochs and stepsPerEpoch/,
    );
  });

  it('ReduceLROnPlateau takes a scalar tensor metric and respects minLr', () => {
    const opt = new tf.optim.SGD([param()], { lr: 0.1 });
    const s = new tf.optim.lrScheduler.ReduceLROnPlateau(opt, { patience: 0, factor: 0.5, minLr: 0.03 });
    for (const m of [1, 1, 1, 1]) s.step(tf.tensor(m));
    expect(s.getLastLr()).toEqual([0.03]);
    expect(() => new tf.optim.lrScheduler.ReduceLROnPlateau(opt, { factor: 1 })).toThrow(
      /factor must be < 1/,
    );
  });

  it('resuming with lastEpoch needs initialLr in the groups', () => {
    const opt = new tf.optim.SGD([param()], { lr: 0.1 });
    expect(() => new tf.optim.lrScheduler.ExponentialLR(opt, { gamma: 0.9, lastEpoch: 3 })).toThrow(
      /no initialLr/,
    );
    expect(() => new tf.optim.lrScheduler.StepLR(opt, { step_size: 3 } as never)).toThrow(
      /unknown option 'step_size'.*stepSize/,
    );
  });
});
