import { describe, expect, it } from 'vitest';
import {
  ConvergenceError,
  cholesky,
  eigh,
  NotPositiveDefiniteError,
  qr,
  slogdet,
  svd,
  triangularSolve,
} from '../../../src/backend/js/decompositions.js';

/** Small deterministic LCG so the tests do not depend on other modules. */
function makeRng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function randomArray(size: number, seed: number): Float64Array {
  const rnd = makeRng(seed);
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) out[i] = rnd() * 2 - 1;
  return out;
}

/** Element (i, j) of batch item b of a [batch, rows, cols] array. */
const at = (x: ArrayLike<number>, b: number, rows: number, cols: number, i: number, j: number) =>
  x[b * rows * cols + i * cols + j]!;

/** Batched product [batch, n, k] x [batch, k, m] with optional transposes given as logical shapes. */
function matmul(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  batch: number,
  n: number,
  k: number,
  m: number,
  transA = false,
  transB = false,
): Float64Array {
  const out = new Float64Array(batch * n * m);
  for (let bi = 0; bi < batch; bi++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        let s = 0;
        for (let t = 0; t < k; t++) {
          const av = transA ? at(a, bi, k, n, t, i) : at(a, bi, n, k, i, t);
          const bv = transB ? at(b, bi, m, k, j, t) : at(b, bi, k, m, t, j);
          s += av * bv;
        }
        out[bi * n * m + i * m + j] = s;
      }
    }
  }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

function identity(batch: number, n: number): Float64Array {
  const out = new Float64Array(batch * n * n);
  for (let b = 0; b < batch; b++) for (let i = 0; i < n; i++) out[b * n * n + i * n + i] = 1;
  return out;
}

/** Q^T Q = I for Q [batch, m, k]. */
function expectOrthonormalColumns(q: ArrayLike<number>, batch: number, m: number, k: number, tol: number) {
  expect(maxAbsDiff(matmul(q, q, batch, k, m, k, true, false), identity(batch, k))).toBeLessThan(tol);
}

/** A symmetric positive-definite batch: B B^T + n I. */
function spd(batch: number, n: number, seed: number): Float64Array {
  const b = randomArray(batch * n * n, seed);
  const a = matmul(b, b, batch, n, n, n, false, true);
  for (let bi = 0; bi < batch; bi++) for (let i = 0; i < n; i++) a[bi * n * n + i * n + i] += n;
  return a;
}

function symmetric(batch: number, n: number, seed: number): Float64Array {
  const a = randomArray(batch * n * n, seed);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) a[b * n * n + j * n + i] = a[b * n * n + i * n + j]!;
    }
  }
  return a;
}

/** U diag(s) V^T for U [batch, m, k], s [batch, k], V [batch, n, k]. */
function usvt(
  u: ArrayLike<number>,
  s: ArrayLike<number>,
  v: ArrayLike<number>,
  batch: number,
  m: number,
  n: number,
  k: number,
  ku: number,
  kv: number,
) {
  const out = new Float64Array(batch * m * n);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let t = 0; t < k; t++) acc += at(u, b, m, ku, i, t) * s[b * k + t]! * at(v, b, n, kv, j, t);
        out[b * m * n + i * n + j] = acc;
      }
    }
  }
  return out;
}

describe('cholesky kernel', () => {
  it('factors SPD batches: L lower with positive diagonal and L L^T = A, float64 and float32', () => {
    for (const n of [0, 1, 2, 5, 12]) {
      const a = spd(3, n, 10 + n);
      const l = cholesky('cholesky', a, 3, n);
      expect(l).toBeInstanceOf(Float64Array);
      expect(maxAbsDiff(matmul(l, l, 3, n, n, n, false, true), a)).toBeLessThan(1e-12 * (n + 1) ** 2);
      for (let b = 0; b < 3; b++) {
        for (let i = 0; i < n; i++) {
          expect(at(l, b, n, n, i, i)).toBeGreaterThan(0);
          for (let j = i + 1; j < n; j++) expect(at(l, b, n, n, i, j)).toBe(0);
        }
      }
      const l32 = cholesky('cholesky', Float32Array.from(a), 3, n);
      expect(l32).toBeInstanceOf(Float32Array);
      expect(maxAbsDiff(l32, l)).toBeLessThan(1e-5 * (n + 1));
    }
  });
  it('reads only the lower triangle', () => {
    const a = spd(1, 4, 3);
    const garbage = Float64Array.from(a);
    for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) garbage[i * 4 + j] = 99;
    expect(maxAbsDiff(cholesky('c', garbage, 1, 4), cholesky('c', a, 1, 4))).toBe(0);
  });
  it('names the op, the minor order, the batch item and the shape when A is not positive-definite', () => {
    const a = new Float64Array([1, 0, 0, 1, 1, 2, 2, 1]);
    expect(() => cholesky('linalg.cholesky', a, 2, 2)).toThrow(NotPositiveDefiniteError);
    expect(() => cholesky('linalg.cholesky', a, 2, 2)).toThrow(
      /linalg\.cholesky: .*not positive-definite \(the leading minor of order 2 is not positive-definite\) \(batch item 1 of shape \[2,2,2\]\)/,
    );
    expect(() => cholesky('op', new Float64Array([-1]), 1, 1)).toThrow(/order 1 .*\(shape \[1,1\]\)/);
  });
  it('propagates NaN instead of throwing', () => {
    const l = cholesky('c', new Float64Array([Number.NaN, 0, 0, 1]), 1, 2);
    expect(Number.isNaN(l[0]!)).toBe(true);
  });
});

describe('triangularSolve kernel', () => {
  it('solves all four lower/adjoint cases, reading only the named triangle', () => {
    const n = 6;
    const k = 3;
    const batch = 2;
    const raw = randomArray(batch * n * n, 5);
    for (let b = 0; b < batch; b++) for (let i = 0; i < n; i++) raw[b * n * n + i * n + i] += 3;
    const rhs = randomArray(batch * n * k, 6);
    for (const lower of [true, false]) {
      for (const adjoint of [false, true]) {
        const tri = Float64Array.from(raw);
        for (let b = 0; b < batch; b++) {
          for (let i = 0; i < n; i++) {
            for (let j = 0; j < n; j++) if (lower ? j > i : j < i) tri[b * n * n + i * n + j] = 0;
          }
        }
        const x = triangularSolve('ts', raw, rhs, batch, n, k, lower, adjoint);
        const back = matmul(tri, x, batch, n, n, k, adjoint, false);
        expect(maxAbsDiff(back, rhs), `lower=${lower} adjoint=${adjoint}`).toBeLessThan(1e-12);
      }
    }
  });
  it('handles empty shapes and float32', () => {
    expect(triangularSolve('ts', new Float64Array(0), new Float64Array(0), 2, 0, 3, true, false).length).toBe(
      0,
    );
    const x = triangularSolve(
      'ts',
      new Float32Array([2, 0, 1, 4]),
      new Float32Array([2, 9]),
      1,
      2,
      1,
      true,
      false,
    );
    expect(x).toBeInstanceOf(Float32Array);
    expect(Array.from(x)).toEqual([1, 2]);
  });
});

describe('qr kernel', () => {
  const shapes: [number, number][] = [
    [4, 4],
    [6, 3],
    [3, 6],
    [1, 1],
    [5, 1],
    [1, 5],
    [0, 3],
    [3, 0],
  ];
  for (const complete of [false, true]) {
    for (const [m, n] of shapes) {
      it(`${complete ? 'complete' : 'reduced'} ${m}x${n}: Q orthonormal, R upper, QR = A`, () => {
        const batch = 2;
        const a = randomArray(batch * m * n, 100 + m * 7 + n);
        const { q, r } = qr(a, batch, m, n, complete);
        const k = Math.min(m, n);
        const kq = complete ? m : k;
        expect(q.length).toBe(batch * m * kq);
        expect(r.length).toBe(batch * kq * n);
        expectOrthonormalColumns(q, batch, m, kq, 1e-13);
        for (let b = 0; b < batch; b++) {
          for (let i = 0; i < kq; i++)
            for (let j = 0; j < Math.min(i, n); j++) expect(at(r, b, kq, n, i, j)).toBe(0);
        }
        expect(maxAbsDiff(matmul(q, r, batch, m, kq, n), a)).toBeLessThan(1e-13);
      });
    }
  }
  it('handles a rank-deficient matrix and keeps float32', () => {
    const a = new Float32Array([1, 2, 3, 2, 4, 6, 0, 0, 1, 1, 2, 3]); // 4 x 3, columns 1 and 2 dependent
    const { q, r } = qr(a, 1, 4, 3, false);
    expect(q).toBeInstanceOf(Float32Array);
    expect(maxAbsDiff(matmul(q, r, 1, 4, 3, 3), a)).toBeLessThan(1e-5);
    expect(Math.abs(r[4]!)).toBeLessThan(1e-6);
  });
});

describe('eigh kernel', () => {
  function check(a: Float64Array, batch: number, n: number, tol: number) {
    const { eigenvalues: w, eigenvectors: v } = eigh('eigh', a, batch, n);
    expectOrthonormalColumns(v, batch, n, n, tol);
    // A V = V diag(w), using the lower triangle of A made symmetric.
    const sym = Float64Array.from(a);
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < n; i++)
        for (let j = i + 1; j < n; j++) sym[b * n * n + i * n + j] = sym[b * n * n + j * n + i]!;
      for (let i = 0; i + 1 < n; i++) expect(w[b * n + i]!).toBeLessThanOrEqual(w[b * n + i + 1]!);
    }
    const av = matmul(sym, v, batch, n, n, n);
    const vw = Float64Array.from(v);
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vw[b * n * n + i * n + j]! *= w[b * n + j];
    }
    let scale = 1;
    for (const x of a) scale = Math.max(scale, Math.abs(x));
    expect(maxAbsDiff(av, vw)).toBeLessThan(tol * scale * Math.max(n, 1));
    return w;
  }
  it('diagonalises random symmetric batches (ascending, orthonormal, A V = V diag(w))', () => {
    for (const n of [0, 1, 2, 3, 7, 20, 40]) check(symmetric(3, n, 40 + n), 3, n, 1e-13);
  });
  it('reads only the lower triangle', () => {
    const a = symmetric(1, 5, 2);
    const garbage = Float64Array.from(a);
    for (let i = 0; i < 5; i++) for (let j = i + 1; j < 5; j++) garbage[i * 5 + j] = -7;
    expect(maxAbsDiff(eigh('e', garbage, 1, 5).eigenvalues, eigh('e', a, 1, 5).eigenvalues)).toBe(0);
  });
  it('converges on hard cases: repeated eigenvalues, zero, diagonal, graded, Wilkinson W21+', () => {
    const n = 6;
    check(identity(1, n), 1, n, 1e-14);
    check(new Float64Array(n * n), 1, n, 1e-14);
    const diag = new Float64Array(n * n);
    for (let i = 0; i < n; i++) diag[i * n + i] = [3, -1, 2, 2, 0, -5][i]!;
    expect(Array.from(check(diag, 1, n, 1e-14))).toEqual([-5, -1, 0, 2, 2, 3]);
    const graded = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) graded[i * n + j] = 10 ** -(i + j) / (1 + Math.abs(i - j));
    check(graded, 1, n, 1e-14);
    // Wilkinson's W21+: pairs of nearly equal eigenvalues.
    const m = 21;
    const w = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      w[i * m + i] = Math.abs(10 - i);
      if (i + 1 < m) w[(i + 1) * m + i] = w[i * m + i + 1] = 1;
    }
    const vals = check(w, 1, m, 1e-13);
    expect(vals[m - 1]).toBeCloseTo(10.746194182903393, 12);
    // A rank-one matrix (n - 1 zero eigenvalues) and a matrix with huge entries.
    const u = randomArray(n, 9);
    const r1 = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) r1[i * n + j] = u[i]! * u[j]!;
    check(r1, 1, n, 1e-14);
    check(
      symmetric(1, n, 11).map((x) => x * 1e200),
      1,
      n,
      1e-13,
    );
  });
  it('keeps float32 and rejects non-finite input with a clear error', () => {
    const { eigenvalues } = eigh('e', new Float32Array([2, 0, 1, 2]), 1, 2);
    expect(eigenvalues).toBeInstanceOf(Float32Array);
    expect(Array.from(eigenvalues)).toEqual([1, 3]);
    expect(() => eigh('linalg.eigh', new Float64Array([1, 0, 0, 1, 1, 0, Number.NaN, 1]), 2, 2)).toThrow(
      ConvergenceError,
    );
    expect(() => eigh('linalg.eigh', new Float64Array([1, 0, 0, 1, 1, 0, Number.NaN, 1]), 2, 2)).toThrow(
      /linalg\.eigh: .*non-finite.*batch item 1 of shape \[2,2,2\]/,
    );
  });
});

describe('svd kernel', () => {
  const shapes: [number, number][] = [
    [4, 4],
    [7, 3],
    [3, 7],
    [1, 1],
    [1, 4],
    [4, 1],
    [0, 3],
    [3, 0],
    [0, 0],
    [25, 18],
  ];
  for (const full of [false, true]) {
    for (const [m, n] of shapes) {
      it(`${full ? 'full' : 'reduced'} ${m}x${n}: descending s, orthonormal U and V, U diag(s) V^T = A`, () => {
        const batch = 2;
        const a = randomArray(batch * m * n, 300 + 11 * m + n);
        const { s, u, v } = svd('svd', a, batch, m, n, full, true);
        const k = Math.min(m, n);
        const ku = full ? m : k;
        const kv = full ? n : k;
        expect(s.length).toBe(batch * k);
        expect(u!.length).toBe(batch * m * ku);
        expect(v!.length).toBe(batch * n * kv);
        for (let b = 0; b < batch; b++)
          for (let i = 0; i + 1 < k; i++) expect(s[b * k + i]!).toBeGreaterThanOrEqual(s[b * k + i + 1]!);
        expectOrthonormalColumns(u!, batch, m, ku, 1e-13);
        expectOrthonormalColumns(v!, batch, n, kv, 1e-13);
        expect(maxAbsDiff(usvt(u!, s, v!, batch, m, n, k, ku, kv), a)).toBeLessThan(1e-13);
        const only = svd('svd', a, batch, m, n, full, false);
        expect(only.u).toBeNull();
        expect(maxAbsDiff(only.s, s)).toBeLessThan(1e-14);
      });
    }
  }
  it('completes U and V for rank-deficient and zero matrices (with and without the QR reduction)', () => {
    for (const [m, n] of [
      [5, 3],
      [3, 5],
      [9, 3],
      [3, 9],
    ] as [number, number][]) {
      for (const full of [false, true]) {
        const zero = svd('svd', new Float64Array(m * n), 1, m, n, full, true);
        expect(Array.from(zero.s)).toEqual([0, 0, 0]);
        expectOrthonormalColumns(zero.u!, 1, m, full ? m : 3, 1e-14);
        expectOrthonormalColumns(zero.v!, 1, n, full ? n : 3, 1e-14);
        const rank1 = new Float64Array(m * n);
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) rank1[i * n + j] = (i + 1) * (j - 1.5);
        const r = svd('svd', rank1, 1, m, n, full, true);
        expectOrthonormalColumns(r.u!, 1, m, full ? m : 3, 1e-13);
        expectOrthonormalColumns(r.v!, 1, n, full ? n : 3, 1e-13);
        expect(maxAbsDiff(usvt(r.u!, r.s, r.v!, 1, m, n, 3, full ? m : 3, full ? n : 3), rank1)).toBeLessThan(
          1e-13,
        );
      }
    }
  });
  it('recovers prescribed singular values: equal ones, a wide dynamic range, a 60 x 40 matrix', () => {
    // A = Q1 diag(sigma) Q2^T with random orthogonal Q1, Q2 (from QR).
    const make = (m: number, n: number, sigma: number[], seed: number) => {
      const q1 = qr(randomArray(m * m, seed), 1, m, m, false).q;
      const q2 = qr(randomArray(n * n, seed + 1), 1, n, n, false).q;
      const a = new Float64Array(m * n);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let acc = 0;
          for (let t = 0; t < sigma.length; t++) acc += q1[i * m + t]! * sigma[t]! * q2[j * n + t]!;
          a[i * n + j] = acc;
        }
      }
      return a;
    };
    const cases: [number, number, number[]][] = [
      [6, 6, [1, 1, 1, 1, 1, 1]],
      [7, 5, [1e3, 1, 1e-3, 1e-6, 1e-9]],
      [5, 12, [4, 4, 2, 2, 1]],
      [60, 40, Array.from({ length: 40 }, (_, i) => 40 - i)],
    ];
    for (const [m, n, sigma] of cases) {
      const a = make(m, n, sigma, m * n);
      const { s, u, v } = svd('svd', a, 1, m, n, true, true);
      sigma.forEach((want, i) => {
        expect(Math.abs(s[i]! - want), `${m}x${n} s[${i}]`).toBeLessThan(1e-12 * sigma[0]!);
      });
      expectOrthonormalColumns(u!, 1, m, m, 1e-12);
      expectOrthonormalColumns(v!, 1, n, n, 1e-12);
      const k = Math.min(m, n);
      expect(maxAbsDiff(usvt(u!, s, v!, 1, m, n, k, m, n), a)).toBeLessThan(1e-12 * sigma[0]!);
    }
  });
  it('matches known singular values and keeps float32', () => {
    const { s } = svd('svd', new Float32Array([3, 0, 4, 5]), 1, 2, 2, false, false);
    expect(s).toBeInstanceOf(Float32Array);
    expect(s[0]).toBeCloseTo(Math.sqrt(45), 5);
    expect(s[1]).toBeCloseTo(Math.sqrt(5), 5);
  });
  it('rejects non-finite input like PyTorch', () => {
    expect(() =>
      svd('linalg.svd', new Float64Array([1, Number.POSITIVE_INFINITY]), 1, 1, 2, false, true),
    ).toThrow(
      /linalg\.svd: The algorithm failed to converge because the input matrix contained non-finite values \(shape \[1,2\]\)/,
    );
  });
});

describe('slogdet kernel', () => {
  it('agrees with the determinant of triangular factors and handles singular, empty and huge matrices', () => {
    const { sign, logAbsDet } = slogdet(new Float64Array([0, 2, 3, 0, 1, 2, 2, 4]), 2, 2);
    expect(Array.from(sign)).toEqual([-1, 0]);
    expect(logAbsDet[0]).toBeCloseTo(Math.log(6), 14);
    expect(logAbsDet[1]).toBe(Number.NEGATIVE_INFINITY);
    const empty = slogdet(new Float64Array(0), 3, 0);
    expect(Array.from(empty.sign)).toEqual([1, 1, 1]);
    expect(Array.from(empty.logAbsDet)).toEqual([0, 0, 0]);
    const n = 30;
    const big = new Float64Array(n * n);
    for (let i = 0; i < n; i++) big[i * n + i] = i % 2 === 0 ? 1e20 : -1e20;
    const r = slogdet(Float32Array.from(big), 1, n);
    expect(r.sign).toBeInstanceOf(Float32Array);
    expect(r.sign[0]).toBe(-1); // 15 negative pivots
    expect(r.logAbsDet[0]).toBeCloseTo(n * Math.log(1e20), 3);
    const nan = slogdet(new Float64Array([Number.NaN, 1, 1, 1]), 1, 2);
    expect(nan.sign[0]).toBe(0);
    expect(Number.isNaN(nan.logAbsDet[0]!)).toBe(true);
  });
});
