import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';

const arr = (t: tf.Tensor | null) => Array.from(t!.dataSync());
const f64 = (values: tf.TensorLike, shape?: number[]) =>
  tf.tensor(values, { dtype: 'float64', ...(shape ? { shape } : {}) });

function expectClose(got: tf.Tensor | null, want: readonly number[], digits = 10) {
  expect(got).not.toBeNull();
  const values = arr(got);
  expect(values.length).toBe(want.length);
  values.forEach((v, i) => {
    expect(v, `element ${i}`).toBeCloseTo(want[i]!, digits);
  });
}

/** Central differences of f at x along direction v (float64). */
function directional(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, v: tf.Tensor, eps = 1e-6): number[] {
  const plus = f(x.add(v.mul(eps)));
  const minus = f(x.sub(v.mul(eps)));
  return arr(plus.sub(minus).div(2 * eps));
}

/** Numerical Jacobian [...f(x).shape, ...x.shape] by central differences. */
function numericJacobian(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, eps = 1e-6): number[] {
  const outSize = f(x).size;
  const cols: number[][] = [];
  for (let k = 0; k < x.size; k++) {
    const e = new Float64Array(x.size);
    e[k] = 1;
    cols.push(directional(f, x, tf.tensor(e, { shape: [...x.shape] }), eps));
  }
  const out: number[] = [];
  for (let i = 0; i < outSize; i++) for (let k = 0; k < x.size; k++) out.push(cols[k]![i]!);
  return out;
}

describe('GradientTape.jacobian', () => {
  it('matches finite differences for a matrix-valued function of a matrix', () => {
    const x = f64([0.3, -0.7, 1.1, 0.4, -0.2, 0.9], [2, 3]);
    const w = f64([0.5, -1, 0.25, 2, 1.5, -0.5], [3, 2]);
    const f = (t: tf.Tensor) => tf.tanh(tf.matmul(t, w)).mul(t.slice([0, 0], [2, 2]));
    const tape = new tf.GradientTape();
    tape.watch(x);
    const y = tape.record(() => f(x));
    const j = tape.jacobian(y, x)!;
    expect(j.shape).toEqual([2, 2, 2, 3]);
    expectClose(j, numericJacobian(f, x), 7);
  });

  it('is null when unconnected (zeros on request), identity for the source itself, and zeros for an empty target', () => {
    const x = f64([1, 2]);
    const z = f64([3, 4, 5]);
    const tape = new tf.GradientTape({ persistent: true });
    tape.watch([x, z]);
    const y = tape.record(() => x.square());
    expect(tape.jacobian(y, z)).toBeNull();
    const zero = tape.jacobian(y, z, { unconnectedGradients: 'zero' })!;
    expect(zero.shape).toEqual([2, 3]);
    expect(arr(zero)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(arr(tape.jacobian(x, x))).toEqual([1, 0, 0, 1]);
    const empty = tape.record(() => x.slice(0, 0));
    const je = tape.jacobian(empty, x)!;
    expect(je.shape).toEqual([0, 2]);
    // An integer target has no Jacobian.
    expect(tape.jacobian(tf.argmax(y), x)).toBeNull();
  });

  it('a non-persistent tape computes one jacobian', () => {
    const x = f64([1, 2]);
    const tape = new tf.GradientTape();
    tape.watch(x);
    const y = tape.record(() => x.square());
    expect(arr(tape.jacobian(y, x))).toEqual([2, 0, 0, 4]);
    expect(() => tape.jacobian(y, x)).toThrow(/non-persistent/);
  });

  it('gives float32 results for float32 sources and reaches variables', () => {
    const v = tf.variable([1, 2, 3]);
    const tape = new tf.GradientTape();
    const y = tape.record(() => v.mul(v).sum().mul(v));
    const j = tape.jacobian(y, v)!;
    expect(j.dtype).toBe('float32');
    // d(s v_i)/d v_k = 2 v_k v_i + s [i == k], s = 14
    const want: number[] = [];
    const vs = [1, 2, 3];
    for (let i = 0; i < 3; i++)
      for (let k = 0; k < 3; k++) want.push(2 * vs[k]! * vs[i]! + (i === k ? 14 : 0));
    expect(arr(j)).toEqual(want);
  });

  it('is differentiable under an outer tape (third derivatives)', () => {
    const x = f64([0.5, -1.5]);
    const t2 = new tf.GradientTape();
    t2.watch(x);
    const j = t2.record(() => {
      const t1 = new tf.GradientTape();
      t1.watch(x);
      const y = t1.record(() => x.pow(3));
      return t1.jacobian(y, x)!; // diag(3 x^2)
    });
    expectClose(j, [0.75, 0, 0, 6.75]);
    // d/dx sum(diag(3x^2)) = 6x
    expectClose(t2.gradient(j, x), [3, -9]);
  });

  it('runs a 300 x 300 Jacobian through a matmul in well under a second', () => {
    const n = 300;
    const w = tf
      .range(0, n * n, 1, 'float64')
      .reshape([n, n])
      .div(n * n);
    const x = tf.range(0, n, 1, 'float64').div(n);
    const tape = new tf.GradientTape();
    tape.watch(x);
    const y = tape.record(() => tf.tanh(tf.matmul(w, x.reshape([n, 1])).reshape([n])).mul(x.sin()));
    const start = performance.now();
    const j = tape.jacobian(y, x)!;
    const ms = performance.now() - start;
    expect(j.shape).toEqual([n, n]);
    expect(ms).toBeLessThan(2000);
    // Spot-check one row against the gradient of that element.
    const check = new tf.GradientTape();
    check.watch(x);
    const yi = check.record(() =>
      tf
        .tanh(tf.matmul(w, x.reshape([n, 1])).reshape([n]))
        .mul(x.sin())
        .slice(17, 1)
        .sum(),
    );
    expectClose(j.slice([17, 0], [1, n]), arr(check.gradient(yi, x)), 12);
  });
});

describe('GradientTape.batchJacobian', () => {
  it('gives per-example Jacobians [b, ...target[1:], ...source[1:]] equal to the diagonal blocks of jacobian', () => {
    const x = f64([0.1, 0.2, 0.3, -0.4, 0.5, 0.6, 0.7, -0.8, 0.9, 1.0, 1.1, -1.2], [4, 3]);
    const w = f64([1, -2, 0.5, 0.3, -1, 2], [3, 2]);
    const tape = new tf.GradientTape({ persistent: true });
    tape.watch(x);
    const y = tape.record(() => tf.sigmoid(tf.matmul(x, w)).mul(x.slice([0, 0], [4, 2]).square()));
    const bj = tape.batchJacobian(y, x)!;
    expect(bj.shape).toEqual([4, 2, 3]);
    const full = tape.jacobian(y, x)!; // [4, 2, 4, 3]
    expect(full.shape).toEqual([4, 2, 4, 3]);
    const fullData = arr(full);
    const want: number[] = [];
    for (let b = 0; b < 4; b++)
      for (let i = 0; i < 2; i++)
        for (let k = 0; k < 3; k++) want.push(fullData[((b * 2 + i) * 4 + b) * 3 + k]!);
    expectClose(bj, want, 14);
  });

  it('handles higher-rank items and a scalar-per-item target, and checks the batch dimension', () => {
    const x = f64(
      Array.from({ length: 2 * 2 * 3 }, (_, i) => 0.1 * i - 0.5),
      [2, 2, 3],
    );
    const tape = new tf.GradientTape({ persistent: true });
    tape.watch(x);
    const y = tape.record(() => x.square().sum([1, 2])); // [2]
    const bj = tape.batchJacobian(y, x)!;
    expect(bj.shape).toEqual([2, 2, 3]);
    expectClose(bj, arr(x.mul(2)));
    const z = tape.record(() => tf.reshape(x.exp(), [2, 6]));
    const bz = tape.batchJacobian(z, x)!;
    expect(bz.shape).toEqual([2, 6, 2, 3]);
    const other = f64([1, 2, 3]);
    tape.watch(other);
    expect(tape.batchJacobian(y, other.slice(0, 2))).toBeNull();
    expect(() => tape.batchJacobian(y, other)).toThrow(/same leading batch dimension/);
    expect(
      tape.batchJacobian(
        tape.record(() => x.mul(0).sum([1, 2])),
        f64([[1], [2]]),
      ),
    ).toBeNull();
  });
});

describe('functional jacobian, hessian, vjp, jvp', () => {
  const f = (x: tf.Tensor) => tf.stack([x.prod(), x.square().sum(), x.sin().sum().mul(x.slice(0, 1).sum())]);

  it('tf.jacobian(f)(x) matches finite differences', () => {
    const x = f64([0.4, -1.3, 2.0]);
    const j = tf.jacobian(f)(x);
    expect(j.shape).toEqual([3, 3]);
    expectClose(j, numericJacobian(f, x), 7);
    // A function not depending on x has a zero Jacobian.
    expect(arr(tf.jacobian(() => f64([1, 2]))(x))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('tf.hessian of a scalar function is symmetric and matches the analytic Hessian', () => {
    // f(x) = sum(x^3) + x0 x1 + exp(x2): H = diag(6x) + e01 + e10 + exp(x2) e22
    const g = (x: tf.Tensor) =>
      x
        .pow(3)
        .sum()
        .add(x.slice(0, 1).mul(x.slice(1, 1)).sum())
        .add(x.slice(2, 1).exp().sum());
    const x = f64([1, -2, 0.5]);
    const h = tf.hessian(g)(x);
    expect(h.shape).toEqual([3, 3]);
    expectClose(h, [6, 1, 0, 1, -12, 0, 0, 0, 3 + Math.exp(0.5)]);
    // Matrix-shaped input: shape [...x.shape, ...x.shape].
    const m = f64([1, 2, 3, 4], [2, 2]);
    const hm = tf.hessian((t) => t.square().sum().mul(0.5))(m);
    expect(hm.shape).toEqual([2, 2, 2, 2]);
    expect(arr(hm)).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    // Linear function: zero Hessian; non-scalar f: an error naming the shape.
    expect(arr(tf.hessian((t) => t.sum())(x))).toEqual(new Array(9).fill(0));
    expect(() => tf.hessian((t) => t.square())(x)).toThrow(/scalar.*\[3\]/);
  });

  it('tf.vjp gives u^T J for one or several primals', () => {
    const x = f64([0.4, -1.3, 2.0]);
    const u = f64([1, -2, 0.5]);
    const { value, grads } = tf.vjp(f, x, u);
    expectClose(value, arr(f(x)));
    const j = arr(tf.jacobian(f)(x));
    const want = [0, 1, 2].map((k) => [0, 1, 2].reduce((s, i) => s + arr(u)[i]! * j[i * 3 + k]!, 0));
    expectClose(grads, want);
    // Several primals: f(a, b) = a * b + sin(a); grads come back as an array, zeros when unconnected.
    const a = f64([1, 2]);
    const b = f64([3, 4]);
    const c = f64([5, 6]);
    const r = tf.vjp((p, q, _unused) => p.mul(q).add(p.sin()), [a, b, c], [1, 10]);
    expect(r.grads.length).toBe(3);
    expectClose(r.grads[0]!, [3 + Math.cos(1), 10 * (4 + Math.cos(2))]);
    expectClose(r.grads[1]!, [1, 20]);
    expect(arr(r.grads[2]!)).toEqual([0, 0]);
    // Several outputs: cotangents per output.
    const multi = tf.vjp((p: tf.Tensor) => [p.square(), p.sum()], a, [f64([1, 1]), 2]);
    expectClose(multi.grads, [2 + 2, 4 + 2]);
    expect(() => tf.vjp(f, x, f64([1, 2]))).toThrow(/cotangent 0 has shape \[2\], expected \[3\]/);
  });

  it('tf.jvp (double-vjp forward mode) matches jacobian @ tangent and finite differences', () => {
    const x = f64([0.4, -1.3, 2.0]);
    const t = f64([0.3, 1, -0.7]);
    const { value, jvp } = tf.jvp(f, x, t);
    expectClose(value, arr(f(x)));
    const j = arr(tf.jacobian(f)(x));
    const want = [0, 1, 2].map((i) => [0, 1, 2].reduce((s, k) => s + j[i * 3 + k]! * arr(t)[k]!, 0));
    expectClose(jvp, want, 12);
    expectClose(jvp, directional(f, x, t), 7);
  });

  it('tf.jvp with several primals and outputs, matrices, and float32', () => {
    const a = f64([0.2, -0.4, 0.6, 0.8, 1.0, -1.2], [2, 3]);
    const b = f64([1.5, -0.5, 0.25, 2, -1, 0.75], [3, 2]);
    const ta = f64([1, 0, -1, 0.5, 0.5, 2], [2, 3]);
    const tb = f64([0, 1, 0.3, -0.2, 1, 1], [3, 2]);
    const g = (p: tf.Tensor, q: tf.Tensor) => [tf.tanh(tf.matmul(p, q)), p.exp().sum()];
    const { value, jvp } = tf.jvp(g, [a, b], [ta, tb]);
    expect(value.length).toBe(2);
    expect(jvp[0]!.shape).toEqual([2, 2]);
    const eps = 1e-6;
    const plus = g(a.add(ta.mul(eps)), b.add(tb.mul(eps)));
    const minus = g(a.sub(ta.mul(eps)), b.sub(tb.mul(eps)));
    expectClose(jvp[0]!, arr(plus[0]!.sub(minus[0]!).div(2 * eps)), 7);
    expectClose(jvp[1]!, arr(plus[1]!.sub(minus[1]!).div(2 * eps)), 6);
    // float32 primal, tangent given as a plain array; unconnected output gets zeros.
    const x32 = tf.tensor([1, 2]);
    const r = tf.jvp((p: tf.Tensor) => [p.square(), tf.tensor([7, 7])], x32, [1, 1]);
    expect(r.jvp[0]!.dtype).toBe('float32');
    expect(arr(r.jvp[0]!)).toEqual([2, 4]);
    expect(arr(r.jvp[1]!)).toEqual([0, 0]);
    expect(() => tf.jvp(f, f64([1, 2, 3]), f64([1, 2]))).toThrow(/tangent 0 has shape \[2\], expected \[3\]/);
    expect(() => tf.jvp(f, tf.tensor([1, 2, 3], { dtype: 'int32' }), [1, 1, 1])).toThrow(
      /float32 or float64/,
    );
  });

  it('forward-over-reverse: jvp of a gradient is a Hessian-vector product, and jvp is differentiable', () => {
    const loss = (x: tf.Tensor) =>
      x
        .pow(4)
        .sum()
        .add(x.slice(0, 1).mul(x.slice(1, 1)).sum());
    const gradOf = (x: tf.Tensor) => {
      const tape = new tf.GradientTape();
      tape.watch(x);
      const y = tape.record(() => loss(x));
      return tape.gradient(y, x)!;
    };
    const x = f64([1, -0.5]);
    const v = f64([2, 3]);
    const hvp = tf.jvp(gradOf, x, v).jvp;
    const h = arr(tf.hessian(loss)(x));
    expectClose(hvp, [h[0]! * 2 + h[1]! * 3, h[2]! * 2 + h[3]! * 3]);
    // d/dx of <J(x) t, 1> for f(x) = x^3 (elementwise): J t = 3 x^2 t, derivative 6 x t.
    const outer = new tf.GradientTape();
    outer.watch(x);
    const jv = outer.record(() => tf.jvp((p: tf.Tensor) => p.pow(3), x, v).jvp);
    expectClose(outer.gradient(jv, x), [6 * 1 * 2, 6 * -0.5 * 3]);
  });
});
