import { describe, expect, it } from 'vitest';
import { SignAgreementSGD } from '../../examples/optimizer-race.js';
import * as tf from '../../src/index.js';

// Seed 003: a custom optimizer subclasses tf.optimizers.Optimizer, keeps per-variable state in slots
// (addSlot / getSlot) and overrides updateStep(grad, variable, learningRate). The sign-agreement SGD of
// the notes is defined in examples/optimizer-race.ts; here it is checked against the rule written out.

function gradAt(t: number, i: number): number {
  return Math.sin(0.9 * t + 1.7 * i) + 0.3 * Math.cos(2.3 * t * (i + 1));
}

/** The notes' rule, element by element in float64. */
function reference(init: number[], lr: number, steps: number): number[][] {
  const p = [...init];
  const pv = p.map(() => 0);
  const pg = p.map(() => 0);
  const out: number[][] = [];
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < p.length; i++) {
      const g = gradAt(t, i);
      const plain = p[i]! - lr * g;
      const next = t === 0 || g * pg[i]! >= 0 ? plain : (pv[i]! + p[i]!) / 2;
      pv[i] = p[i]!;
      pg[i] = g;
      p[i] = next;
    }
    out.push([...p]);
  }
  return out;
}

describe("seed 003's custom sign-agreement SGD", () => {
  const init = [0.5, -1.5, 2.0, 0.25];
  const grads = (t: number) =>
    tf.tensor(
      init.map((_, i) => gradAt(t, i)),
      { dtype: 'float64' },
    );

  it('follows the rule of the notes (float64)', () => {
    const v = tf.variable(init, { dtype: 'float64' });
    const opt = new SignAgreementSGD({ learningRate: 0.1 });
    const want = reference(init, 0.1, 30);
    for (let t = 0; t < 30; t++) {
      opt.applyGradients([[grads(t), v]]);
      const got = v.numpy() as number[];
      got.forEach((x, i) => {
        expect(x).toBeCloseTo(want[t]![i]!, 12);
      });
    }
    expect(opt.iterations).toBe(30);
    expect(opt.name).toBe('CustomSGDOptimizer');
    expect(opt.getSlotNames().sort()).toEqual(['pg', 'pv']);
    expect(opt.getSlot(v, 'pg').numpy()).toEqual(init.map((_, i) => gradAt(29, i)));
    expect(opt.getSlot(v, 'pv').trainable).toBe(false);
  });

  it('trains the seed 000 quadratic fit with minimize', () => {
    const x = tf.range(-5, 5, 0.1);
    const y = x.mul(x).mul(2).add(x.mul(3)).add(5);
    const w1 = tf.variable(1.0);
    const w2 = tf.variable(1.0);
    const b = tf.variable(1.0);
    const loss = () => tf.sqrt(tf.reduceMean(tf.square(w1.mul(x).mul(x).add(w2.mul(x)).add(b).sub(y))));
    const opt = new SignAgreementSGD({ learningRate: 0.01 });
    const first = loss().numpy() as number;
    for (let i = 0; i < 300; i++) opt.minimize(loss, [w1, w2, b]);
    expect(loss().numpy() as number).toBeLessThan(first / 5);
  });

  it('gets clipping, weight decay, schedules and state from the base class', () => {
    const v = tf.variable(init, { dtype: 'float64' });
    const schedule = new tf.optimizers.schedules.PiecewiseConstantDecay({
      boundaries: [4],
      values: [0.1, 0.01],
    });
    const opt = new SignAgreementSGD({ learningRate: schedule });
    for (let t = 0; t < 5; t++) opt.applyGradients([[grads(t), v]]);
    const state = opt.getState();
    expect(state.className).toBe('SignAgreementSGD');
    const resumed = new SignAgreementSGD();
    const v2 = tf.variable(v.dataSync(), { dtype: 'float64' });
    resumed.setState(state, [v2]);
    expect(resumed.learningRate).toBe(0.01);
    for (let t = 5; t < 12; t++) {
      opt.applyGradients([[grads(t), v]]);
      resumed.applyGradients([[grads(t), v2]]);
    }
    expect(Array.from(v2.dataSync())).toEqual(Array.from(v.dataSync()));
  });

  it('an optimizer without updateStep says what to override', () => {
    class Empty extends tf.optimizers.Optimizer {}
    const v = tf.variable([1, 2]);
    expect(() => new Empty().applyGradients([[tf.tensor([1, 1]), v]])).toThrow(/override updateStep/);
  });

  it('a subclass of a built-in can override updateStep and call super', () => {
    class CountingAdam extends tf.optimizers.Adam {
      calls = 0;
      override updateStep(grad: tf.Tensor, variable: tf.Variable, learningRate: number): void {
        this.calls++;
        super.updateStep(grad, variable, learningRate);
      }
    }
    const a = tf.variable(init, { dtype: 'float64' });
    const b = tf.variable(init, { dtype: 'float64' });
    const counting = new CountingAdam({ learningRate: 0.05 });
    const plain = new tf.optimizers.Adam({ learningRate: 0.05 });
    for (let t = 0; t < 10; t++) {
      counting.applyGradients([[grads(t), a]]);
      plain.applyGradients([[grads(t), b]]);
    }
    expect(counting.calls).toBe(10);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
  });
});
