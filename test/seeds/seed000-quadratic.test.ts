import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';
import golden from '../fixtures/golden-seeds.json' with { type: 'json' };

// Seed 000: fit y = 2x^2 + 3x + 5 with three float32 variables, RMSE loss, 1000 GradientTape steps at lr 0.01.
describe('seed 000: quadratic fit by gradient descent', () => {
  const x = tf.range(-5, 5, 0.1);
  const y = x.mul(x).mul(2).add(x.mul(3)).add(5);

  it('builds the data as the notes do (100 float32 points)', () => {
    expect(x.shape).toEqual([100]);
    expect(x.dtype).toBe('float32');
    const xs = x.dataSync();
    golden.quadratic_fit_gd.x_float32.forEach((v, i) => {
      expect(xs[i]).toBeCloseTo(v, 6);
    });
  });

  it('prints the notes losses and ends at w1 1.95, w2 3.00, b 4.97, loss 0.6283', () => {
    const w1 = tf.variable(1.0);
    const w2 = tf.variable(1.0);
    const b = tf.variable(1.0);
    const losses: number[] = [];
    for (let epoch = 0; epoch < 1000; epoch++) {
      const tape = new tf.GradientTape();
      const loss = tape.record(() =>
        tf.sqrt(tf.reduceMean(tf.square(w1.mul(x).mul(x).add(w2.mul(x)).add(b).sub(y)))),
      );
      const [dw1, dw2, db] = tape.gradient(loss, [w1, w2, b]);
      w1.assignSub(dw1!.mul(0.01));
      w2.assignSub(dw2!.mul(0.01));
      b.assignSub(db!.mul(0.01));
      losses.push(loss.numpy() as number);
    }
    const printed = golden.quadratic_fit_gd.loss_at_epoch_print4 as Record<string, string>;
    for (const epoch of ['0', '10', '20', '30', '40']) {
      expect(losses[Number(epoch)]!.toFixed(4)).toBe(printed[epoch]);
    }
    expect(losses[999]!.toFixed(4)).toBe('0.6283');
    // A fixed step on RMSE ends oscillating between two points; float32 rounding picks the phase.
    const got = [w1.numpy(), w2.numpy(), b.numpy()] as number[];
    const phases = [
      [1.9456, 3.0007, 4.9735],
      [2.0574, 2.9995, 4.9809],
    ];
    const near = phases.some((p) => p.every((v, i) => Math.abs(got[i]! - v) < 5e-3));
    expect(near, `w1, w2, b = ${got.join(', ')}`).toBe(true);
    expect(w2.numpy() as number).toBeCloseTo(3.0, 2);
  });
});
