import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';

const num = (t: tf.Tensor | null) => t!.numpy() as number;
const arr = (t: tf.Tensor | null) => Array.from(t!.dataSync());
const f64 = (values: tf.TensorLike, shape?: number[]) =>
  tf.tensor(values, { dtype: 'float64', ...(shape ? { shape } : {}) });

// TensorFlow's documentation example: log(1 + e^x) with a numerically stable gradient.
const log1pexp = tf.customGradient((x) => {
  const e = tf.exp(x);
  return {
    value: tf.log(tf.add(1, e)),
    gradFunc: (dy) => dy.mul(tf.sub(1, tf.div(1, tf.add(1, e)))),
  };
});

// Identity forward, gradient clipped to [-1, 1] (TensorFlow's clip_gradients example), tuple form.
const clipGradient = tf.customGradient((x) => [x, (dy: tf.Tensor) => tf.clipByValue(dy, -1, 1)]);

describe('tf.customGradient', () => {
  it('log1pexp: a stable gradient at x = 100 (1, not NaN) where autodiff of the formula gives NaN', () => {
    const x = tf.tensor(100);
    const tape = new tf.GradientTape({ persistent: true });
    tape.watch(x);
    const y = tape.record(() => log1pexp(x));
    expect(num(tape.gradient(y, x))).toBe(1);
    const naive = tape.record(() => tf.log(tf.add(1, tf.exp(x))));
    expect(Number.isNaN(num(tape.gradient(naive, x)))).toBe(true);
    // One graph node with the function's name, over the input.
    expect(y.gradFn!.name).toBe('customGradient');
    expect(y.gradFn!.inputs[0]).toBe(x);
    // Ordinary values agree with the sigmoid.
    const xs = tf.tensor([-2, 0, 3]);
    const t2 = new tf.GradientTape();
    t2.watch(xs);
    const ys = t2.record(() => log1pexp(xs));
    arr(t2.gradient(ys, xs)).forEach((g, i) => {
      expect(g).toBeCloseTo(1 / (1 + Math.exp(-[-2, 0, 3][i]!)), 6);
    });
  });

  it('clip-gradient identity: forward unchanged, gradient clipped, the input left untouched', () => {
    const x = f64([1, 2, 3]);
    const tape = new tf.GradientTape();
    tape.watch(x);
    const y = tape.record(() =>
      clipGradient(x)
        .mul(f64([0.5, -4, 10]))
        .sum(),
    );
    expect(num(y)).toBe(0.5 - 8 + 30);
    expect(arr(tape.gradient(y, x))).toEqual([0.5, -1, 1]);
    expect(x.gradFn).toBeNull();
  });

  it('second derivatives flow through the custom gradient (nested tapes)', () => {
    const x = f64([-1.5, 0.25, 2]);
    const outer = new tf.GradientTape();
    outer.watch(x);
    const g = outer.record(() => {
      const inner = new tf.GradientTape();
      inner.watch(x);
      const y = inner.record(() => log1pexp(x));
      return inner.gradient(y, x)!;
    });
    const h = outer.gradient(g, x)!;
    [-1.5, 0.25, 2].forEach((v, i) => {
      const s = 1 / (1 + Math.exp(-v));
      expect(arr(g)[i]).toBeCloseTo(s, 12);
      expect(arr(h)[i]).toBeCloseTo(s * (1 - s), 12);
    });
    // The same through tf.hessian and through backward({ createGraph: true }).
    const hess = tf.hessian((t) => log1pexp(t).sum())(x);
    [-1.5, 0.25, 2].forEach((v, i) => {
      const s = 1 / (1 + Math.exp(-v));
      expect(arr(hess)[i * 4]).toBeCloseTo(s * (1 - s), 12);
    });
    const p = f64(0.7);
    p.requiresGrad = true;
    const q = log1pexp(p);
    q.backward({ createGraph: true });
    const dp = p.grad!;
    p.grad = null;
    dp.backward();
    const s = 1 / (1 + Math.exp(-0.7));
    expect(num(dp)).toBeCloseTo(s, 12);
    expect(num(p.grad)).toBeCloseTo(s * (1 - s), 12);
  });

  it('several inputs (a variable among them), null gradients and backward()', () => {
    const scaledMul = tf.customGradient(
      (a, b, c) => ({
        value: a.mul(b).add(c),
        gradFunc: (dy) => [dy.mul(b).mul(2), dy.mul(a), null],
      }),
      { name: 'scaledMul' },
    );
    const w = tf.variable([1, 2], { name: 'w' });
    const b = tf.tensor([3, 4]);
    const c = tf.tensor([5, 6]);
    const tape = new tf.GradientTape();
    tape.watch(b);
    const y = tape.record(() => scaledMul(w, b, c).sum());
    const [gw, gb, gc] = tape.gradient(y, [w, b, c]);
    expect(arr(gw)).toEqual([6, 8]);
    expect(arr(gb)).toEqual([1, 2]);
    expect(gc).toBeNull();
    const a = tf.tensor([1, 2], { requiresGrad: true });
    const out = scaledMul(a, b, c);
    expect(out.gradFn!.name).toBe('scaledMul');
    out.sum().backward();
    expect(arr(a.grad)).toEqual([6, 8]);
  });

  it('records nothing when no input is followed, and reports bad gradient functions', () => {
    const x = tf.tensor([1, 2]);
    expect(log1pexp(x).gradFn).toBeNull();
    const wrongShape = tf.customGradient((t) => ({ value: t.square(), gradFunc: (dy) => dy.sum() }), {
      name: 'wrongShape',
    });
    const tape = new tf.GradientTape({ persistent: true });
    tape.watch(x);
    const y = tape.record(() => wrongShape(x));
    expect(() => tape.gradient(y, x)).toThrow(
      /wrongShape: the gradient for input 0 has shape \[\], but the input has shape \[2\]/,
    );
    const tooMany = tf.customGradient((t) => ({ value: t.square(), gradFunc: (dy) => [dy, dy] }));
    const z = tape.record(() => tooMany(x));
    expect(() => tape.gradient(z, x)).toThrow(/returned 2 gradient\(s\), expected 1/);
    const bad = tf.customGradient((t) => t as unknown as tf.CustomGradientResult);
    expect(() => bad(x)).toThrow(/must return \{ value, gradFunc \}/);
  });

  it('several outputs: gradFunc receives one upstream gradient per output', () => {
    const sinCos = tf.customGradient<tf.Tensor[]>((t) => ({
      value: [t.sin(), t.cos()],
      gradFunc: (ds, dc) => ds!.mul(t.cos()).sub(dc!.mul(t.sin())),
    }));
    const x = f64([0.3, 1.2]);
    const tape = new tf.GradientTape();
    tape.watch(x);
    const y = tape.record(() => {
      const [s, c] = sinCos(x);
      return s!.mul(2).add(c!.mul(3)).sum();
    });
    arr(tape.gradient(y, x)).forEach((g, i) => {
      const v = [0.3, 1.2][i]!;
      expect(g).toBeCloseTo(2 * Math.cos(v) - 3 * Math.sin(v), 12);
    });
  });
});

class Exp extends tf.autograd.Function {
  static override forward(ctx: tf.autograd.FunctionCtx, x: tf.Tensor) {
    const y = x.exp();
    ctx.saveForBackward(y);
    return y;
  }

  static override backward(ctx: tf.autograd.FunctionCtx, dy: tf.Tensor) {
    const [y] = ctx.savedTensors;
    return dy.mul(y!);
  }
}

/** x * w + scale * b, with a non-tensor argument. */
class Affine extends tf.autograd.Function {
  static override forward(ctx: tf.autograd.FunctionCtx, x: tf.Tensor, w: tf.Tensor, scale: number) {
    ctx.saveForBackward(x, w);
    ctx.scale = scale;
    return x.mul(w).add(scale);
  }

  static override backward(ctx: tf.autograd.FunctionCtx, dy: tf.Tensor) {
    const [x, w] = ctx.savedTensors;
    return [ctx.needsInputGrad[0] ? dy.mul(w!) : null, ctx.needsInputGrad[1] ? dy.mul(x!) : null, null];
  }
}

describe('tf.autograd.Function', () => {
  it('works with backward() and names the node after the class', () => {
    const x = tf.tensor([0, 1], { requiresGrad: true, dtype: 'float64' });
    const y = Exp.apply(x);
    expect(y.gradFn!.name).toBe('Exp');
    expect(y.requiresGrad).toBe(true);
    y.sum().backward();
    expect(arr(x.grad)).toEqual([1, Math.E]);
  });

  it('works with GradientTape, including second derivatives by nested tapes and createGraph', () => {
    const x = f64([0.5, -1]);
    const outer = new tf.GradientTape();
    outer.watch(x);
    const g = outer.record(() => {
      const inner = new tf.GradientTape();
      inner.watch(x);
      const y = inner.record(() => Exp.apply(x).mul(x));
      return inner.gradient(y, x)!; // (1 + x) e^x
    });
    const h = outer.gradient(g, x)!; // (2 + x) e^x
    [0.5, -1].forEach((v, i) => {
      expect(arr(g)[i]).toBeCloseTo((1 + v) * Math.exp(v), 12);
      expect(arr(h)[i]).toBeCloseTo((2 + v) * Math.exp(v), 12);
    });
    const p = f64(0.3);
    p.requiresGrad = true;
    Exp.apply(p).backward({ createGraph: true });
    const dp = p.grad!;
    p.grad = null;
    dp.backward();
    expect(num(p.grad)).toBeCloseTo(Math.exp(0.3), 12);
  });

  it('passes non-tensor arguments through, fills needsInputGrad and keeps forward unrecorded', () => {
    const x = tf.tensor([1, 2], { requiresGrad: true });
    const w = tf.tensor([3, 4]);
    const y = Affine.apply(x, w, 10);
    expect(arr(y)).toEqual([13, 18]);
    // Forward's own ops are not part of the graph: the output's node is Affine over the two tensors.
    expect(y.gradFn!.name).toBe('Affine');
    expect(y.gradFn!.inputs).toEqual([x, w]);
    y.sum().backward();
    expect(arr(x.grad)).toEqual([3, 4]);
    expect(w.grad).toBeNull();
    // Through a tape with a variable: both tensor arguments get gradients.
    const v = tf.variable([2, 2]);
    const tape = new tf.GradientTape();
    tape.watch(w);
    const z = tape.record(() => Affine.apply(v, w, 1).sum());
    const [gv, gw] = tape.gradient(z, [v, w]);
    expect(arr(gv)).toEqual([3, 4]);
    expect(arr(gw)).toEqual([2, 2]);
  });

  it('reports a backward returning the wrong number of gradients or a gradient for a non-tensor', () => {
    class Bad extends tf.autograd.Function {
      static override forward(_ctx: tf.autograd.FunctionCtx, x: tf.Tensor, _k: number) {
        return x.mul(2);
      }
      static override backward(_ctx: tf.autograd.FunctionCtx, dy: tf.Tensor) {
        return [dy, dy];
      }
    }
    class Short extends tf.autograd.Function {
      static override forward(_ctx: tf.autograd.FunctionCtx, x: tf.Tensor, y: tf.Tensor) {
        return x.mul(y);
      }
      static override backward(_ctx: tf.autograd.FunctionCtx, dy: tf.Tensor) {
        return dy;
      }
    }
    const x = tf.tensor([1], { requiresGrad: true });
    expect(() => Bad.apply(x, 3).sum().backward()).toThrow(/Bad.backward returned a gradient for argument 1/);
    expect(() => Short.apply(x, x).sum().backward()).toThrow(
      /Short.backward.*returned 1 gradient\(s\), expected 2/,
    );
    expect(() => tf.autograd.Function.apply(x)).toThrow(/subclass/);
  });

  it('several outputs', () => {
    class SplitHalves extends tf.autograd.Function {
      static override forward(_ctx: tf.autograd.FunctionCtx, x: tf.Tensor) {
        return [x.slice(0, 1), x.slice(1, 1)];
      }
      static override backward(_ctx: tf.autograd.FunctionCtx, da: tf.Tensor, db: tf.Tensor) {
        return tf.concat([da, db]);
      }
    }
    const x = tf.tensor([5, 7], { requiresGrad: true });
    const [a, b] = SplitHalves.apply(x);
    a!.mul(3).add(b!.mul(4)).sum().backward();
    expect(arr(x.grad)).toEqual([3, 4]);
  });
});

describe('gradcheck finds a deliberately wrong custom gradient', () => {
  it('reports the wrong input and element with analytic and numeric values', () => {
    const mask = f64([0, 0, 0, 0.5, 0, 0], [2, 3]);
    const buggy = tf.customGradient((a, b) => ({
      value: a.mul(b).sin(),
      // Right for a; wrong for b at [1, 0] only.
      gradFunc: (dy) => {
        const inner = dy.mul(a.mul(b).cos());
        return [inner.mul(b), inner.mul(a).add(mask)];
      },
    }));
    const a = f64([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [2, 3]);
    const b = f64([1.0, -0.5, 0.25, 2.0, 1.5, -1.0], [2, 3]);
    const report = tf.gradcheck(buggy, [a, b], { rtol: 1e-6, atol: 1e-7 });
    expect(report.ok).toBe(false);
    expect(report.mismatches.length).toBe(1);
    const m = report.mismatches[0]!;
    expect(m.input).toBe(1);
    expect(m.index).toEqual([1, 0]);
    expect(m.analytic - m.numeric).toBeGreaterThan(0);
    expect(report.toString()).toMatch(/input 1 at \[1,0\]: analytic .*numeric/);
    // The correct gradient passes, and so does its second-order check.
    const right = tf.customGradient((p, q) => ({
      value: p.mul(q).sin(),
      gradFunc: (dy) => {
        const inner = dy.mul(p.mul(q).cos());
        return [inner.mul(q), inner.mul(p)];
      },
    }));
    expect(tf.gradcheck(right, [a, b]).ok).toBe(true);
    expect(tf.gradgradcheck(right, [a, b]).ok).toBe(true);
  });
});
