import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';

// Bad input gets a clear error, and an update is all or nothing: when any pair or parameter is bad,
// no variable, slot, state or iteration count changes.

function kerasSetup() {
  const a = tf.variable([1, 2, 3], { name: 'a' });
  const b = tf.variable([[1, 2]], { name: 'b' });
  const opt = new tf.optimizers.Adam({ learningRate: 0.1, terminateOnNaN: true });
  // One good update first, so that slots exist and we can check they do not move.
  opt.applyGradients([
    [tf.tensor([1, 1, 1]), a],
    [tf.tensor([[1, 1]]), b],
  ]);
  const snapshot = () => ({
    a: Array.from(a.dataSync()),
    b: Array.from(b.dataSync()),
    iterations: opt.iterations,
    state: JSON.stringify(opt.getState(), (_, v) =>
      ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v,
    ),
  });
  return { a, b, opt, snapshot };
}

describe('tf.optimizers: bad input', () => {
  it('rejects unknown option names, with a hint', () => {
    expect(() => new tf.optimizers.Adam({ lr: 0.1 } as never)).toThrow(
      /Adam: unknown option 'lr' \(did you mean learningRate\?\)/,
    );
    expect(() => new tf.optimizers.SGD({ learning_rate: 0.1 } as never)).toThrow(
      /did you mean 'learningRate'/,
    );
    expect(() => new tf.optimizers.RMSprop({ alpha: 0.9 } as never)).toThrow(
      /unknown option 'alpha'.*valid options: .*rho/,
    );
    expect(() => new tf.optimizers.Adam({ betas: [0.9, 0.99] } as never)).toThrow(
      /did you mean beta1 and beta2/,
    );
    expect(() => new tf.optimizers.Adam(0.1 as never)).toThrow(TypeError);
    expect(() => new tf.optimizers.SGD({ momentum: 0.9, clipnorm: 1, clipvalue: 1 })).toThrow(
      /only one of clipnorm/,
    );
  });

  it('rejects negative or non-finite learning rates and bad hyperparameters', () => {
    expect(() => new tf.optimizers.Adam({ learningRate: -0.1 })).toThrow(RangeError);
    expect(() => new tf.optimizers.Adam({ learningRate: -0.1 })).toThrow(
      /learningRate must be >= 0, got -0.1/,
    );
    expect(() => new tf.optimizers.SGD({ learningRate: Number.NaN })).toThrow(/finite/);
    expect(() => new tf.optimizers.SGD({ momentum: 1.5 })).toThrow(/momentum must be >= 0 and <= 1/);
    expect(() => new tf.optimizers.Adam({ beta1: 1 })).toThrow(/beta1 must be >= 0 and < 1/);
    expect(() => new tf.optimizers.Lion({ beta1: 0 })).toThrow(/beta1 must be > 0/);
    expect(() => new tf.optimizers.Adam({ weightDecay: -1 })).toThrow(RangeError);
    const opt = new tf.optimizers.SGD();
    expect(() => {
      opt.learningRate = -1;
    }).toThrow(RangeError);
    const scheduled = new tf.optimizers.SGD({
      learningRate: new tf.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5),
    });
    expect(() => {
      scheduled.learningRate = 0.1;
    }).toThrow(/LearningRateSchedule/);
  });

  it('a learning rate that turns negative at run time changes nothing', () => {
    const v = tf.variable([1, 2]);
    const opt = new tf.optimizers.SGD({ learningRate: () => -0.5 });
    expect(() => opt.applyGradients([[tf.tensor([1, 1]), v]])).toThrow(
      /learning rate must be a finite number >= 0, got -0.5/,
    );
    expect(v.numpy()).toEqual([1, 2]);
    expect(opt.iterations).toBe(0);
  });

  it('a gradient whose shape differs from its variable: error, nothing changes', () => {
    const { a, b, opt, snapshot } = kerasSetup();
    const before = snapshot();
    expect(() =>
      opt.applyGradients([
        [tf.tensor([1, 1, 1]), a],
        [tf.tensor([1, 1]), b],
      ]),
    ).toThrow(/pair 1: gradient of shape \[2\] does not match variable 'b' of shape \[1,2\]/);
    expect(snapshot()).toEqual(before);
  });

  it('a pair whose second element is not a variable: error, nothing changes', () => {
    const { a, opt, snapshot } = kerasSetup();
    const before = snapshot();
    expect(() =>
      opt.applyGradients([
        [tf.tensor([1, 1, 1]), a],
        [tf.tensor([1]), tf.tensor([5]) as never],
      ]),
    ).toThrow(/pair 1: the second element must be a tf.Variable, got a Tensor of shape \[1\] \(float32\)/);
    expect(() => opt.applyGradients([[tf.tensor([1, 1, 1]), a], [tf.tensor([1, 1, 1])] as never])).toThrow(
      /pair 1 must be a \[gradient, variable\] array/,
    );
    expect(() => opt.applyGradients([[[1, 1, 1] as never, a]])).toThrow(
      /the gradient must be a Tensor or null/,
    );
    expect(() => opt.applyGradients(5 as never)).toThrow(/iterable of \[gradient, variable\] pairs/);
    expect(() => opt.applyGradients([[null, a]])).toThrow(/no gradients provided/);
    expect(() =>
      opt.applyGradients([
        [tf.tensor([1, 1, 1]), a],
        [tf.tensor([1, 1, 1]), a],
      ]),
    ).toThrow(/appears in more than one pair/);
    expect(snapshot()).toEqual(before);
  });

  it('a NaN gradient with terminateOnNaN: NaNGradientError, nothing changes', () => {
    const { a, b, opt, snapshot } = kerasSetup();
    const before = snapshot();
    let caught: unknown;
    try {
      opt.applyGradients([
        [tf.tensor([1, 1, 1]), a],
        [tf.tensor([[1, Number.NaN]]), b],
      ]);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(tf.optimizers.NaNGradientError);
    expect((caught as Error).message).toMatch(
      /gradient of variable 'b' holds NaN at element 1 \(terminateOnNaN\); no variable was changed/,
    );
    expect((caught as tf.optimizers.NaNGradientError).index).toBe(1);
    expect(snapshot()).toEqual(before);
    // Infinity counts too; without the check, NaN flows into the variable as in Keras.
    expect(() => opt.applyGradients([[tf.tensor([1, Number.POSITIVE_INFINITY, 1]), a]])).toThrow(
      /holds Infinity/,
    );
    opt.terminateOnNaN = false;
    opt.applyGradients([[tf.tensor([1, Number.NaN, 1]), a]]);
    expect(Number.isNaN((a.numpy() as number[])[1])).toBe(true);
  });

  it('minimize checks its arguments', () => {
    const opt = new tf.optimizers.SGD();
    const v = tf.variable(1);
    expect(() => opt.minimize(() => v.square(), [tf.tensor(1) as never])).toThrow(
      /varList\[0\] is not a tf.Variable/,
    );
    expect(() => opt.minimize(v.square(), [v])).toThrow(/a tape is required/);
    expect(() => opt.minimize(() => 3 as never, [v])).toThrow(/returned 3, expected a Tensor/);
    expect(() => opt.getSlot(v, 'momentum')).toThrow(/has no slot 'momentum'/);
  });
});

describe('tf.optim: bad input', () => {
  function torchSetup() {
    const a = tf.tensor([1, 2, 3], { requiresGrad: true });
    const b = tf.tensor([[1, 2]], { requiresGrad: true });
    const opt = new tf.optim.Adam([a, b], { lr: 0.1, terminateOnNaN: true });
    a.grad = tf.tensor([1, 1, 1]);
    b.grad = tf.tensor([[1, 1]]);
    opt.step();
    const snapshot = () => ({
      a: Array.from(a.dataSync()),
      b: Array.from(b.dataSync()),
      state: JSON.stringify(opt.stateDict().state, (_, v) =>
        ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v,
      ),
    });
    return { a, b, opt, snapshot };
  }

  it('rejects unknown option names, with a hint', () => {
    const p = tf.tensor([1], { requiresGrad: true });
    expect(() => new tf.optim.Adam([p], { learningRate: 0.1 } as never)).toThrow(
      /Adam: unknown option 'learningRate' \(did you mean lr\?\)/,
    );
    expect(() => new tf.optim.Adam([p], { beta1: 0.9 } as never)).toThrow(
      /did you mean betas: \[beta1, beta2\]/,
    );
    expect(() => new tf.optim.SGD([p], { weight_decay: 0.1 } as never)).toThrow(/did you mean 'weightDecay'/);
    expect(() => new tf.optim.RMSprop([p], { rho: 0.9 } as never)).toThrow(/unknown option 'rho'/);
    expect(() => new tf.optim.SGD([{ params: [p], momentun: 0.9 }] as never)).toThrow(
      /param group 0: unknown option 'momentun'/,
    );
  });

  it('rejects bad hyperparameters and parameters', () => {
    const p = tf.tensor([1], { requiresGrad: true });
    expect(() => new tf.optim.SGD([p], { lr: -0.1 })).toThrow(/lr must be >= 0, got -0.1/);
    expect(() => new tf.optim.Adam([p], { betas: [0.9, 1.0] })).toThrow(/betas\[1\] must be >= 0 and < 1/);
    expect(() => new tf.optim.Adam([p], { betas: [0.9] as never })).toThrow(/betas must be \[beta1, beta2\]/);
    expect(() => new tf.optim.SGD([p], { nesterov: true })).toThrow(
      /Nesterov momentum requires a momentum > 0 and zero dampening/,
    );
    expect(() => new tf.optim.SGD([], {})).toThrow(/empty parameter list/);
    expect(() => new tf.optim.SGD(p as never)).toThrow(/iterable of Tensors/);
    expect(() => new tf.optim.SGD([p, p])).toThrow(/appears more than once/);
    expect(() => new tf.optim.SGD([p.mul(2)])).toThrow(/non-leaf/);
    expect(() => new tf.optim.SGD([tf.tensor([1], { dtype: 'int32' })])).toThrow(/only float tensors/);
    expect(() => new tf.optim.SGD([[1, 2] as never])).toThrow(TypeError);
  });

  it('a gradient whose shape differs from its parameter: error, nothing changes', () => {
    const { b, opt, snapshot } = torchSetup();
    const before = snapshot();
    b.grad = tf.tensor([1, 1]);
    expect(() => opt.step()).toThrow(
      /parameter 1 \(group 0\): gradient of shape \[2\] does not match the parameter's shape \[1,2\]/,
    );
    expect(snapshot()).toEqual(before);
  });

  it('a negative lr set on a group (e.g. by hand) fails at step, nothing changes', () => {
    const { opt, snapshot } = torchSetup();
    const before = snapshot();
    opt.paramGroups[0]!.lr = -1;
    expect(() => opt.step()).toThrow(/step: param group 0: lr must be >= 0, got -1/);
    expect(snapshot()).toEqual(before);
  });

  it('a NaN gradient with terminateOnNaN: NaNGradientError, nothing changes', () => {
    const { b, opt, snapshot } = torchSetup();
    const before = snapshot();
    b.grad = tf.tensor([[Number.NaN, 1]]);
    expect(() => opt.step()).toThrow(tf.optim.NaNGradientError);
    expect(() => opt.step()).toThrow(
      /gradient of parameter 1 \(group 0, shape \[1,2\]\) holds NaN at element 0/,
    );
    expect(snapshot()).toEqual(before);
  });
});
