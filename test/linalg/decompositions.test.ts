/**
 * tf.linalg's decompositions: reconstruction identities on random float32 / float64 batches (including
 * non-square, 1 x 1 and empty matrices), golden values and gradients from PyTorch 1.13 / NumPy 1.24
 * (test/fixtures/golden-linalg.json, made by test/fixtures/make-golden-linalg.py), error messages, the
 * documented gradient behaviour at repeated eigenvalues / singular values, and seed 004's total least
 * squares fit.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';

type DType = 'float32' | 'float64';
type Nested = number | Nested[];
interface JsonTensor {
  shape: number[];
  data: Nested;
}

const golden = JSON.parse(readFileSync(new URL('../fixtures/golden-linalg.json', import.meta.url), 'utf8'));

function flat(data: Nested): number[] {
  return Array.isArray(data) ? data.flatMap(flat) : [data];
}
const toTf = (t: JsonTensor, dtype: DType = 'float64') => tf.tensor(flat(t.data), { shape: t.shape, dtype });
const values = (t: tf.Tensor) => Array.from(t.dataSync() as Float32Array | Float64Array);

/** max |a - b| over all elements, requiring equal shapes. */
function maxDiff(a: tf.Tensor, b: tf.Tensor | JsonTensor): number {
  const want = b instanceof tf.Tensor ? values(b) : flat(b.data);
  const shape = b instanceof tf.Tensor ? [...b.shape] : b.shape;
  expect([...a.shape]).toEqual(shape);
  const got = values(a);
  let d = 0;
  for (let i = 0; i < got.length; i++) {
    const e = Math.abs(got[i]! - want[i]!);
    d = Number.isNaN(e) ? Number.POSITIVE_INFINITY : Math.max(d, e);
  }
  return d;
}

function expectClose(a: tf.Tensor, b: tf.Tensor | JsonTensor, tol: number, what: string): void {
  const d = maxDiff(a, b);
  expect(d, `${what}: max |difference| ${d}`).toBeLessThanOrEqual(tol);
}

/** Gradient of sum(f(x) * W) with respect to each input, on a GradientTape. */
function gradOf(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], w: tf.Tensor): tf.Tensor[] {
  const tape = new tf.GradientTape();
  tape.watch(inputs);
  const y = tape.record(() =>
    f(...inputs)
      .mul(w)
      .sum(),
  );
  return tape.gradient(y, inputs).map((g) => g!);
}

let seed = 4000;
const normal = (shape: number[], dtype: DType) => tf.random.normal(shape, 0, 1, { seed: seed++, dtype });
const eye = (n: number, dtype: DType) => tf.eye(n, n, dtype);
const T = (x: tf.Tensor) => tf.matrixTranspose(x);
const tolOf = (dtype: DType) => (dtype === 'float64' ? 1e-11 : 2e-5);
/** Q^T Q = I for the columns of Q. */
function expectOrthonormal(q: tf.Tensor, dtype: DType, what: string): void {
  const k = q.shape[q.rank - 1]!;
  expectClose(
    tf.matmul(q, q, true, false),
    tf.broadcastTo(eye(k, dtype), [...q.shape.slice(0, -2), k, k]),
    tolOf(dtype),
    what,
  );
}
/** Entries of R [..., k, n] below the diagonal (or of L above it) are exactly zero. */
function expectTriangular(r: tf.Tensor, lower: boolean, what: string): void {
  const [k, n] = r.shape.slice(-2) as [number, number];
  const data = values(r);
  for (let b = 0; b < data.length / (k * n || 1); b++) {
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < n; j++) {
        if (lower ? j > i : j < i) expect(data[b * k * n + i * n + j], `${what} (${i},${j})`).toBe(0);
      }
    }
  }
}
const scaleColumns = (x: tf.Tensor, s: tf.Tensor) => x.mul(tf.expandDims(s, -2));

const SHAPES: number[][] = [
  [4, 4],
  [2, 3, 5, 3],
  [3, 5],
  [2, 4, 1],
  [1, 1],
  [0, 3],
  [3, 0],
  [2, 0, 0],
];
const SQUARE: number[][] = [
  [5, 5],
  [2, 3, 4, 4],
  [1, 1],
  [0, 0],
  [3, 0, 0],
];

describe('reconstruction identities on random batches', () => {
  for (const dtype of ['float64', 'float32'] as DType[]) {
    const tol = tolOf(dtype);
    for (const shape of SHAPES) {
      const name = `${dtype} [${shape.join(',')}]`;
      it(`qr ${name}: reduced and complete, Q orthonormal, R upper, QR = A`, () => {
        const a = normal(shape, dtype);
        for (const mode of ['reduced', 'complete'] as const) {
          const { q, r } = tf.linalg.qr(a, { mode });
          const [m, n] = shape.slice(-2) as [number, number];
          const k = mode === 'complete' ? m : Math.min(m, n);
          expect([...q.shape]).toEqual([...shape.slice(0, -2), m, k]);
          expect([...r.shape]).toEqual([...shape.slice(0, -2), k, n]);
          expect(q.dtype).toBe(dtype);
          expectOrthonormal(q, dtype, `${mode} Q^T Q`);
          expectTriangular(r, false, `${mode} R`);
          expectClose(tf.matmul(q, r), a, tol * 4, `${mode} QR`);
        }
      });
      it(`svd ${name}: descending s, orthonormal U and V, U diag(s) V^T = A`, () => {
        const a = normal(shape, dtype);
        const [m, n] = shape.slice(-2) as [number, number];
        const k = Math.min(m, n);
        for (const fullMatrices of [false, true]) {
          const { s, u, v } = tf.linalg.svd(a, { fullMatrices });
          expect([...s.shape]).toEqual([...shape.slice(0, -2), k]);
          expect([...u.shape]).toEqual([...shape.slice(0, -2), m, fullMatrices ? m : k]);
          expect([...v.shape]).toEqual([...shape.slice(0, -2), n, fullMatrices ? n : k]);
          const sv = values(s);
          for (let i = 0; i < sv.length; i++) {
            expect(sv[i]).toBeGreaterThanOrEqual(0);
            if ((i + 1) % k !== 0) expect(sv[i]).toBeGreaterThanOrEqual(sv[i + 1]!);
          }
          expectOrthonormal(u, dtype, 'U^T U');
          expectOrthonormal(v, dtype, 'V^T V');
          const first = (x: tf.Tensor) =>
            x.slice(new Array<number>(x.rank).fill(0), [...x.shape.slice(0, -1), k]);
          expectClose(tf.matmul(scaleColumns(first(u), s), first(v), false, true), a, tol * 4, 'U S V^T');
        }
        expectClose(tf.linalg.svd(a, { computeUv: false }).s, tf.linalg.svd(a).s, tol, 'computeUv: false');
      });
      it(`pinv and lstsq ${name}: Moore-Penrose conditions and the normal equations`, () => {
        const a = normal(shape, dtype);
        const p = tf.linalg.pinv(a);
        const [m, n] = shape.slice(-2) as [number, number];
        expect([...p.shape]).toEqual([...shape.slice(0, -2), n, m]);
        expectClose(tf.matmul(tf.matmul(a, p), a), a, tol * 20, 'A A+ A');
        expectClose(tf.matmul(tf.matmul(p, a), p), p, tol * 20, 'A+ A A+');
        const ap = tf.matmul(a, p);
        expectClose(ap, T(ap), tol * 20, 'A A+ symmetric');
        if (m === 0 || n === 0) return;
        const b = normal([...shape.slice(0, -2), m, 2], dtype);
        const x = tf.linalg.lstsq(a, b);
        expect([...x.shape]).toEqual([...shape.slice(0, -2), n, 2]);
        expectClose(x, tf.matmul(p, b), tol * 50, 'lstsq = pinv(A) B');
        if (m >= n) {
          // The residual is orthogonal to the columns of A.
          const zero = tf.zerosLike(x);
          expectClose(tf.matmul(a, tf.matmul(a, x).sub(b), true, false), zero, tol * 50, 'A^T (Ax - b)');
        } else {
          expectClose(tf.matmul(a, x), b, tol * 50, 'Ax = b');
        }
      });
    }
    for (const shape of SQUARE) {
      const name = `${dtype} [${shape.join(',')}]`;
      const n = shape[shape.length - 1]!;
      it(`eigh ${name}: ascending eigenvalues, orthonormal V, A v = lambda v`, () => {
        const x = normal(shape, dtype);
        const a = x.add(T(x));
        const { eigenvalues: w, eigenvectors: v } = tf.linalg.eigh(a);
        expect([...w.shape]).toEqual(shape.slice(0, -1));
        expect(w.dtype).toBe(dtype);
        const wv = values(w);
        for (let i = 0; i + 1 < wv.length; i++)
          if ((i + 1) % n !== 0) expect(wv[i]).toBeLessThanOrEqual(wv[i + 1]!);
        expectOrthonormal(v, dtype, 'V^T V');
        expectClose(tf.matmul(a, v), scaleColumns(v, w), tol * 10, 'A V = V diag(w)');
      });
      it(`cholesky, triangularSolve and slogdet ${name}`, () => {
        const x = normal(shape, dtype);
        const a = tf.matmul(x, x, false, true).add(eye(n, dtype).mul(n));
        const l = tf.linalg.cholesky(a);
        expectTriangular(l, true, 'L');
        expectClose(tf.matmul(l, l, false, true), a, tol * 10 * (n + 1), 'L L^T');
        const b = normal([...shape.slice(0, -1), 3], dtype);
        for (const lower of [true, false]) {
          for (const adjoint of [false, true]) {
            const tri = lower ? l : T(l);
            const sol = tf.linalg.triangularSolve(tri, b, { lower, adjoint });
            expectClose(
              tf.matmul(adjoint ? T(tri) : tri, sol),
              b,
              tol * 10,
              `triangularSolve ${lower} ${adjoint}`,
            );
          }
        }
        const { sign, logAbsDet } = tf.linalg.slogdet(x);
        expect([...sign.shape]).toEqual(shape.slice(0, -2));
        const sv = values(sign);
        const lv = values(logAbsDet);
        if (n === 0) {
          // The determinant of a 0 x 0 matrix is 1.
          expect(sv.every((v) => v === 1) && lv.every((v) => v === 0)).toBe(true);
          return;
        }
        values(tf.linalg.det(x)).forEach((d, i) => {
          expect(sv[i]).toBe(Math.sign(d));
          expect(lv[i]).toBeCloseTo(Math.log(Math.abs(d)), dtype === 'float64' ? 10 : 4);
        });
      });
    }
  }
});

describe('golden values and gradients from PyTorch 1.13 / NumPy 1.24', () => {
  const TOL = 1e-9;
  const c = (k: number) => tf.range(1, k + 1, 1, 'float64');
  const spread = (v: tf.Tensor) => tf.matmul(v.mul(c(v.shape[v.rank - 1]!)), v, false, true);
  /** Columns of `x` flipped to match the signs of `ref`'s columns. */
  const alignColumns = (x: tf.Tensor, ref: tf.Tensor) => x.mul(tf.sign(x.mul(ref).sum(-2, true)));

  it('cholesky: L and the symmetric gradient', () => {
    for (const r of golden.cholesky) {
      const a = toTf(r.a);
      expectClose(tf.linalg.cholesky(a), r.l, TOL, 'L');
      const [g] = gradOf((x) => tf.linalg.cholesky(x), [a], toTf(r.W));
      expectClose(g!, r.grad, TOL, 'grad');
      expectClose(tf.linalg.cholesky(toTf(r.a, 'float32')).cast('float64'), r.l, 1e-5, 'L float32');
    }
  });
  it('qr: Q and R up to signs; gradients of sum(|R| W) and sum(Q diag(c) Q^T W)', () => {
    for (const r of golden.qr) {
      const a = toTf(r.a);
      const { q, r: rr } = tf.linalg.qr(a);
      const signs = tf.sign(q.mul(toTf(r.q)).sum(-2, true)); // per column of Q = per row of R
      expectClose(q.mul(signs), r.q, TOL, 'Q');
      expectClose(rr.mul(T(signs)), r.r, TOL, 'R');
      expectClose(
        gradOf((x) => tf.linalg.qr(x).r.abs(), [a], toTf(r.W_absR))[0]!,
        r.grad_absR,
        TOL,
        'grad |R|',
      );
      expectClose(
        gradOf((x) => spread(tf.linalg.qr(x).q), [a], toTf(r.W_spreadQ))[0]!,
        r.grad_spreadQ,
        TOL,
        'grad Q',
      );
    }
  });
  it('eigh: eigenvalues, eigenvectors up to sign, and gradients (lower triangle of a non-symmetric input)', () => {
    for (const r of golden.eigh) {
      const a = toTf(r.a);
      const { eigenvalues, eigenvectors } = tf.linalg.eigh(a);
      expectClose(eigenvalues, r.eigenvalues, TOL, 'eigenvalues');
      expectClose(alignColumns(eigenvectors, toTf(r.eigenvectors)), r.eigenvectors, TOL, 'eigenvectors');
      expectClose(
        gradOf((x) => tf.linalg.eigh(x).eigenvalues, [a], toTf(r.W_values))[0]!,
        r.grad_values,
        TOL,
        'grad w',
      );
      expectClose(
        gradOf((x) => spread(tf.linalg.eigh(x).eigenvectors), [a], toTf(r.W_spreadV))[0]!,
        r.grad_spreadV,
        TOL,
        'grad V',
      );
      expectClose(
        tf.linalg.eigh(toTf(r.a, 'float32')).eigenvalues.cast('float64'),
        r.eigenvalues,
        2e-5,
        'float32',
      );
    }
  });
  it('svd: singular values and vectors, and gradients of s, U diag(c) V^T, U diag(c) U^T, V diag(c) V^T', () => {
    for (const r of golden.svd) {
      const a = toTf(r.a);
      const { s, u, v } = tf.linalg.svd(a);
      expectClose(s, r.s, TOL, 's');
      const signs = tf.sign(u.mul(toTf(r.u)).sum(-2, true));
      expectClose(u.mul(signs), r.u, TOL, 'U');
      expectClose(v.mul(signs), r.v, TOL, 'V');
      expectClose(
        gradOf((x) => tf.linalg.svd(x, { computeUv: false }).s, [a], toTf(r.W_s))[0]!,
        r.grad_s,
        TOL,
        'grad s',
      );
      expectClose(gradOf((x) => tf.linalg.svd(x).s, [a], toTf(r.W_s))[0]!, r.grad_s, TOL, 'grad s via U, V');
      const usv = (x: tf.Tensor) => {
        const f = tf.linalg.svd(x);
        return tf.matmul(f.u.mul(c(f.s.shape[f.s.rank - 1]!)), f.v, false, true);
      };
      expectClose(gradOf(usv, [a], toTf(r.W_usv))[0]!, r.grad_usv, TOL, 'grad U diag(c) V^T');
      expectClose(
        gradOf((x) => spread(tf.linalg.svd(x).u), [a], toTf(r.W_spreadU))[0]!,
        r.grad_spreadU,
        TOL,
        'grad U',
      );
      expectClose(
        gradOf((x) => spread(tf.linalg.svd(x).v), [a], toTf(r.W_spreadV))[0]!,
        r.grad_spreadV,
        TOL,
        'grad V',
      );
      expectClose(tf.linalg.svd(toTf(r.a, 'float32')).s.cast('float64'), r.s, 2e-5, 's float32');
    }
  });
  it('slogdet: sign, log|det| and its gradient; singular input gives sign 0 and -inf', () => {
    for (const r of golden.slogdet) {
      const a = toTf(r.a);
      const { sign, logAbsDet } = tf.linalg.slogdet(a);
      expectClose(sign, r.sign, 0, 'sign');
      expectClose(logAbsDet, r.logAbsDet, TOL, 'logAbsDet');
      expectClose(gradOf((x) => tf.linalg.slogdet(x).logAbsDet, [a], toTf(r.W))[0]!, r.grad, TOL, 'grad');
    }
    const s = golden.slogdet_singular;
    const { sign, logAbsDet } = tf.linalg.slogdet(toTf(s.a));
    expect(sign.numpy()).toEqual(0);
    expect(Math.abs(s.sign)).toBe(0); // PyTorch gives -0
    expect(s.logAbsDet).toBe('-inf');
    expect(logAbsDet.numpy()).toBe(Number.NEGATIVE_INFINITY);
  });
  it('lstsq: tall (least squares) and wide (minimum norm) solutions and gradients', () => {
    for (const r of golden.lstsq) {
      const a = toTf(r.a);
      const b = toTf(r.b);
      expectClose(tf.linalg.lstsq(a, b), r.x, TOL, 'x');
      const [ga, gb] = gradOf((x, y) => tf.linalg.lstsq(x, y), [a, b], toTf(r.W));
      expectClose(ga!, r.grad_a, TOL, 'grad A');
      expectClose(gb!, r.grad_b, TOL, 'grad B');
    }
  });
  it('pinv: values (default rcond 1e-15 and a custom one, rank-deficient input) and gradients', () => {
    for (const r of golden.pinv) {
      const a = toTf(r.a);
      expectClose(tf.linalg.pinv(a), r.pinv, TOL, 'pinv');
      expectClose(gradOf((x) => tf.linalg.pinv(x), [a], toTf(r.W))[0]!, r.grad, TOL, 'grad');
    }
    for (const r of golden.pinv_values) {
      const got = tf.linalg.pinv(toTf(r.a), r.rcond === null ? {} : { rcond: r.rcond });
      expectClose(got, r.pinv, 1e-8, `pinv rcond=${r.rcond}`);
    }
  });
});

describe('errors', () => {
  it('cholesky of a matrix that is not positive-definite names the op, the minor, the batch item and the shape', () => {
    const a = tf.tensor(
      [
        [
          [4, 0],
          [0, 1],
        ],
        [
          [1, 2],
          [2, 1],
        ],
      ],
      { dtype: 'float64' },
    );
    expect(() => tf.linalg.cholesky(a)).toThrow(
      'linalg.cholesky: The factorization could not be completed because the input is not positive-definite (the leading minor of order 2 is not positive-definite) (batch item 1 of shape [2,2,2])',
    );
    expect(() => tf.linalg.cholesky([[-1]])).toThrow(/leading minor of order 1 .*\(shape \[1,1\]\)/);
  });
  it('non-square input where a square matrix is required', () => {
    const a = tf.zeros([2, 3, 4], 'float64');
    for (const [name, f] of [
      ['cholesky', () => tf.linalg.cholesky(a)],
      ['eigh', () => tf.linalg.eigh(a)],
      ['slogdet', () => tf.linalg.slogdet(a)],
      ['triangularSolve', () => tf.linalg.triangularSolve(a, tf.zeros([2, 3, 1], 'float64'))],
    ] as const) {
      expect(f).toThrow(
        `linalg.${name}: expected a square matrix or a batch of them [..., n, n], got [2,3,4]`,
      );
    }
    expect(() => tf.linalg.svd(tf.zeros([3], 'float64'))).toThrow(
      'linalg.svd: expected a matrix or a batch of them [..., m, n], got [3]',
    );
    expect(() => tf.linalg.triangularSolve(tf.eye(3), tf.zeros([2, 1]))).toThrow(
      /linalg\.triangularSolve: expected A/,
    );
    expect(() => tf.linalg.lstsq(tf.zeros([4, 2]), tf.zeros([3, 1]))).toThrow(
      /linalg\.lstsq: expected A \[\.\.\., m, n\]/,
    );
  });
  it('wrong dtype', () => {
    const i = tf.tensor(
      [
        [2, 0],
        [0, 2],
      ],
      { dtype: 'int32' },
    );
    for (const [name, f] of [
      ['cholesky', () => tf.linalg.cholesky(i)],
      ['qr', () => tf.linalg.qr(i)],
      ['eigh', () => tf.linalg.eigh(i)],
      ['svd', () => tf.linalg.svd(i)],
      ['slogdet', () => tf.linalg.slogdet(i)],
      ['triangularSolve', () => tf.linalg.triangularSolve(i, i)],
      ['pinv', () => tf.linalg.pinv(i)],
      ['lstsq', () => tf.linalg.lstsq(i, i)],
    ] as const) {
      expect(f).toThrow(TypeError);
      expect(f).toThrow(`linalg.${name}: expected a float32 or float64 tensor, got [2,2] int32`);
    }
  });
  it('bad options, non-finite input and the non-differentiable complete QR of a tall matrix', () => {
    expect(() => tf.linalg.qr(tf.eye(2), { mode: 'r' as 'reduced' })).toThrow(
      "linalg.qr: mode must be 'reduced' or 'complete', got r",
    );
    expect(() => tf.linalg.pinv(tf.eye(2), { rcond: -1 })).toThrow(/rcond must be a non-negative number/);
    expect(() => tf.linalg.svd([[Number.NaN, 1]])).toThrow(
      'linalg.svd: The algorithm failed to converge because the input matrix contained non-finite values (shape [1,2])',
    );
    expect(() => tf.linalg.eigh([[Number.POSITIVE_INFINITY]])).toThrow(/linalg\.eigh: .*non-finite/);
    const a = tf.random.normal([4, 3], 0, 1, { seed: 1, dtype: 'float64' });
    const tape = new tf.GradientTape();
    tape.watch(a);
    const y = tape.record(() => tf.linalg.qr(a, { mode: 'complete' }).q.sum());
    expect(() => tape.gradient(y, a)).toThrow(
      /linalg\.qr: The QR decomposition is not differentiable when mode='complete' and nrows > ncols/,
    );
  });
});

describe('gradients at repeated eigenvalues and singular values (as PyTorch)', () => {
  const gradient = (f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor) => gradOf(f, [x], tf.onesLike(f(x)))[0]!;
  const finite = (t: tf.Tensor) => values(t).every(Number.isFinite);
  const a = tf.eye(3, 3, 'float64').mul(2);
  it('eigh: eigenvalue-only gradients stay finite (V diag(g) V^T); eigenvector gradients do not', () => {
    const g = gradient(
      (x) => tf.linalg.eigh(x).eigenvalues.mul(tf.tensor([1, 2, 3], { dtype: 'float64' })),
      a,
    );
    expect(finite(g)).toBe(true);
    expectClose(
      g.mul(tf.eye(3, 3, 'float64')).sum(),
      tf.tensor(6, { dtype: 'float64' }),
      1e-12,
      'trace of V diag(g) V^T',
    );
    expect(
      finite(
        gradient(
          (x) =>
            tf.linalg
              .eigh(x)
              .eigenvectors.square()
              .mul(tf.range(0, 9, 1, 'float64').reshape([3, 3])),
          a,
        ),
      ),
    ).toBe(false);
  });
  it('svd: singular-value-only gradients stay finite (U diag(g) V^T); singular-vector gradients do not', () => {
    const g = gradient((x) => tf.linalg.svd(x).s, a);
    expectClose(g, tf.eye(3, 3, 'float64'), 1e-12, 'U V^T');
    expect(
      finite(
        gradient(
          (x) =>
            tf.linalg
              .svd(x)
              .u.square()
              .mul(tf.range(0, 9, 1, 'float64').reshape([3, 3])),
          a,
        ),
      ),
    ).toBe(false);
  });
  it('cholesky: the gradient is symmetric', () => {
    const x = tf.random.normal([3, 3], 0, 1, { seed: 7, dtype: 'float64' });
    const spd = tf.matmul(x, x, false, true).add(tf.eye(3, 3, 'float64'));
    const g = gradOf(
      (m) => tf.linalg.cholesky(m),
      [spd],
      tf.random.normal([3, 3], 0, 1, { seed: 8, dtype: 'float64' }),
    )[0]!;
    expectClose(g, T(g), 1e-12, 'symmetric');
  });
});

describe('seed 004: total least squares', () => {
  it('the smallest right singular vector of the centred data and gradient descent on the orthogonal distance agree', () => {
    const n = 200;
    const xTrue = tf.random.normal([n], 0, 2, { seed: 4, dtype: 'float64' });
    const x = xTrue.add(tf.random.normal([n], 0, 0.1, { seed: 40, dtype: 'float64' }));
    const y = xTrue
      .mul(2)
      .add(1)
      .add(tf.random.normal([n], 0, 0.1, { seed: 41, dtype: 'float64' }));
    // SVD: the right singular vector of the smallest singular value is the line's normal.
    const centred = tf.stack([x.sub(x.mean()), y.sub(y.mean())], 1);
    const { v } = tf.linalg.svd(centred);
    const [v0, v1] = values(v.slice([0, 1], [2, 1]));
    const slopeSvd = -v0! / v1!;
    // Gradient descent on sum((y - a x - b)^2) / (1 + a^2), scaled by 1/n (the same minimiser).
    const a = tf.variable(tf.tensor(0, { dtype: 'float64' }));
    const b = tf.variable(tf.tensor(0, { dtype: 'float64' }));
    for (let step = 0; step < 3000; step++) {
      const tape = new tf.GradientTape();
      const loss = tape.record(() => y.sub(x.mul(a)).sub(b).square().mean().div(a.square().add(1)));
      const [da, db] = tape.gradient(loss, [a, b]);
      a.assignSub(da!.mul(0.05));
      b.assignSub(db!.mul(0.05));
    }
    const slopeGd = a.numpy() as number;
    expect(Math.abs(slopeSvd - 2)).toBeLessThan(0.05);
    expect(Math.abs(slopeGd - slopeSvd)).toBeLessThan(1e-3);
    // The intercept follows from the centroid.
    const intercept = (y.mean().numpy() as number) - slopeSvd * (x.mean().numpy() as number);
    expect(Math.abs((b.numpy() as number) - intercept)).toBeLessThan(1e-3);
  });
});
