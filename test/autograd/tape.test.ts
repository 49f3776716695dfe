import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';

const num = (t: tf.Tensor | null) => t!.numpy() as number;
const arr = (t: tf.Tensor | null) => Array.from(t!.dataSync());

describe('GradientTape', () => {
  it('records with record(fn) and with the explicit resource management form', () => {
    const x = tf.variable(3.0);
    {
      using tape = new tf.GradientTape();
      const y = x.mul(x);
      // Recording stops when the block ends; inside, gradient still works.
      expect(num(tape.gradient(y, x))).toBe(6);
    }
    const tape2 = new tf.GradientTape();
    const y2 = tape2.record(() => x.pow(3));
    expect(num(tape2.gradient(y2, x))).toBe(27);
  });

  it('persistent tapes allow several gradient calls; non-persistent ones refuse a second', () => {
    const x = tf.tensor(2.0);
    const p = new tf.GradientTape({ persistent: true });
    p.watch(x);
    const y = p.record(() => x.square());
    const z = p.record(() => y.square());
    expect(num(p.gradient(y, x))).toBe(4);
    expect(num(p.gradient(z, x))).toBe(32);
    const once = new tf.GradientTape();
    once.watch(x);
    const w = once.record(() => x.exp());
    once.gradient(w, x);
    expect(() => once.gradient(w, x)).toThrow(/non-persistent.*once/);
  });

  it('watches trainable variables automatically, not constants, and not with watchAccessedVariables: false', () => {
    const v = tf.variable(2.0);
    const frozen = tf.variable(2.0, { trainable: false });
    const c = tf.tensor(2.0);
    const tape = new tf.GradientTape({ persistent: true });
    const y = tape.record(() => v.mul(c).mul(frozen));
    expect(num(tape.gradient(y, v))).toBe(4);
    expect(tape.gradient(y, c)).toBeNull();
    expect(tape.gradient(y, frozen)).toBeNull();
    const manual = new tf.GradientTape({ watchAccessedVariables: false });
    const y2 = manual.record(() => v.square());
    expect(manual.gradient(y2, v)).toBeNull();
  });

  it('takes sources as a tensor, an array or a record, and returns the same structure', () => {
    const a = tf.variable(1.0);
    const b = tf.variable(2.0);
    const tape = new tf.GradientTape({ persistent: true });
    const y = tape.record(() => a.mul(b).add(b));
    expect(num(tape.gradient(y, a))).toBe(2);
    expect(tape.gradient(y, [a, b]).map(num)).toEqual([2, 2]);
    const rec = tape.gradient(y, { first: a, second: b });
    expect(num(rec.first)).toBe(2);
    expect(num(rec.second)).toBe(2);
  });

  it('sums a non-scalar target, as TensorFlow does, and accepts outputGradients', () => {
    const x = tf.tensor([1, 2, 3]);
    const tape = new tf.GradientTape({ persistent: true });
    tape.watch(x);
    const y = tape.record(() => x.square());
    expect(arr(tape.gradient(y, x))).toEqual([2, 4, 6]);
    expect(arr(tape.gradient(y, x, { outputGradients: [1, 0, 2] }))).toEqual([2, 0, 12]);
  });

  it('gives null for unconnected sources and zeros on request', () => {
    const x = tf.variable(1.0);
    const z = tf.variable(1.0);
    const tape = new tf.GradientTape({ persistent: true });
    const y = tape.record(() => x.mul(2));
    expect(tape.gradient(y, z)).toBeNull();
    expect(num(tape.gradient(y, z, { unconnectedGradients: 'zero' }))).toBe(0);
  });

  it('stopRecording pauses the tape', () => {
    const x = tf.variable(2.0);
    const tape = new tf.GradientTape();
    const y = tape.record(() => {
      const a = x.square();
      const b = tape.stopRecording(() => x.mul(10));
      return a.add(b);
    });
    expect(num(tape.gradient(y, x))).toBe(4);
  });

  it('nested tapes give second and third derivatives', () => {
    const x = tf.variable(2.0);
    const t3 = new tf.GradientTape();
    const t2 = new tf.GradientTape();
    const t1 = new tf.GradientTape();
    const y = t1.record(() => x.pow(4));
    const dy = t2.record(() => t1.gradient(y, x)!);
    const d2y = t3.record(() => t2.gradient(dy, x)!);
    const d3y = t3.gradient(d2y, x);
    expect(num(dy)).toBe(32); // 4x^3
    expect(num(d2y)).toBe(48); // 12x^2
    expect(num(d3y)).toBe(48); // 24x
  });

  it('jacobian has shape [...target, ...source]', () => {
    const x = tf.tensor([1, 2], { dtype: 'float64' });
    const tape = new tf.GradientTape({ persistent: true });
    tape.watch(x);
    const y = tape.record(() => tf.stack([x.prod(), x.square().sum(), x.sin().sum()]));
    const j = tape.jacobian(y, x)!;
    expect(j.shape).toEqual([3, 2]);
    const got = arr(j);
    const want = [2, 1, 2, 4, Math.cos(1), Math.cos(2)];
    for (const [i, v] of got.entries()) expect(v).toBeCloseTo(want[i]!, 12);
  });

  it('a gradient has its source dtype', () => {
    const v = tf.variable(1.5); // float32
    const big = tf.tensor([1, 2], { dtype: 'float64' });
    const tape = new tf.GradientTape();
    const y = tape.record(() => big.mul(v).sum());
    const g = tape.gradient(y, v)!;
    expect(g.dtype).toBe('float32');
    expect(num(g)).toBe(3);
  });

  it('assigning a variable after recording does not change the gradient owed', () => {
    const v = tf.variable(3.0);
    const tape = new tf.GradientTape();
    const y = tape.record(() => v.square());
    v.assign(100);
    expect(num(tape.gradient(y, v))).toBe(6);
  });
});

describe('PyTorch-style autograd', () => {
  it('backward twice needs retainGraph', () => {
    const a = tf.tensor([2], { requiresGrad: true });
    const q = a.exp().sum();
    q.backward({ retainGraph: true });
    q.backward();
    expect(arr(a.grad)[0]).toBeCloseTo(2 * Math.exp(2), 4);
    expect(() => q.backward()).toThrow(/second time.*retainGraph/);
  });

  it('backward on a non-scalar needs a gradient; on an untracked tensor it throws', () => {
    const a = tf.tensor([1, 2], { requiresGrad: true });
    expect(() => a.mul(2).backward()).toThrow(/scalar outputs.*\[2\]/);
    a.mul(2).backward(tf.tensor([1, 1]));
    expect(arr(a.grad)).toEqual([2, 2]);
    expect(() => tf.tensor([1]).sum().backward()).toThrow(/does not require grad/);
  });

  it('createGraph gives a differentiable gradient; detach and noGrad stop tracking', () => {
    const x = tf.tensor(3, { requiresGrad: true, dtype: 'float64' });
    const y = x.pow(3);
    y.backward({ createGraph: true });
    const g = x.grad!;
    expect(num(g)).toBe(27);
    expect(g.requiresGrad).toBe(true);
    x.grad = null;
    g.backward();
    expect(num(x.grad)).toBe(18);
    expect(x.mul(2).detach().requiresGrad).toBe(false);
    expect(tf.noGrad(() => x.mul(2)).requiresGrad).toBe(false);
  });

  it('gradFn exposes the graph (name and nextFunctions) and retainGrad keeps a non-leaf gradient', () => {
    const a = tf.tensor([2], { requiresGrad: true });
    const h = a.mul(3);
    h.retainGrad();
    const q = h.square().sum();
    expect(q.gradFn!.name).toBe('sum');
    expect(q.gradFn!.nextFunctions[0]!.name).toBe('square');
    q.backward();
    expect(arr(h.grad)).toEqual([12]);
    expect(arr(a.grad)).toEqual([36]);
  });
});

describe('functional autodiff', () => {
  it('grad and valueAndGrad', () => {
    const f = (x: tf.Tensor) => x.square().sum();
    expect(arr(tf.grad(f)([1, 2]))).toEqual([2, 4]);
    const { value, grad } = tf.valueAndGrad(f)([3]);
    expect(num(value)).toBe(9);
    expect(arr(grad)).toEqual([6]);
  });
});

describe('memory', () => {
  it('a long training loop does not grow the number of live tensors or bytes', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const settle = async () => {
      for (let i = 0; i < 4; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const x = tf.range(-5, 5, 0.1);
    const y = x.mul(x).mul(2).add(x.mul(3)).add(5);
    const w = tf.variable(tf.zeros([3]));
    const step = () => {
      const tape = new tf.GradientTape();
      const loss = tape.record(() => {
        const pred = w
          .gather(tf.tensor([0], { dtype: 'int32' }))
          .mul(x.square())
          .add(w.slice(1, 1).mul(x))
          .add(w.slice(2, 1));
        return pred.sub(y).square().mean();
      });
      w.assignSub(tape.gradient(loss, w)!.mul(0.001));
    };
    tf.memory();
    for (let i = 0; i < 50; i++) step();
    await settle();
    const before = tf.memory();
    for (let i = 0; i < 2000; i++) step();
    await settle();
    const after = tf.memory();
    expect(after.numTensors - before.numTensors).toBeLessThan(50);
    expect(after.numBytes - before.numBytes).toBeLessThan(20_000);
  });
});
