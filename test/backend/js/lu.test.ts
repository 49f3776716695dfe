import { describe, expect, it } from 'vitest';
import { luDeterminant, luInverse, luSolve, SingularMatrixError } from '../../../src/backend/js/lu.js';

/** Small deterministic LCG so the tests do not depend on other modules. */
function makeRng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Random diagonally dominant (hence well-conditioned) matrices, flattened [batch, n, n]. */
function wellConditioned(batch: number, n: number, seed: number): Float64Array {
  const rnd = makeRng(seed);
  const a = new Float64Array(batch * n * n);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) a[b * n * n + i * n + j] = rnd() * 2 - 1;
      a[b * n * n + i * n + i] += (rnd() < 0.5 ? -1 : 1) * (n + 1);
    }
  }
  return a;
}

function randomArray(size: number, seed: number): Float64Array {
  const rnd = makeRng(seed);
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) out[i] = rnd() * 2 - 1;
  return out;
}

/** Batched product [batch, n, k] x [batch, k, m]. */
function matmul(a: ArrayLike<number>, b: ArrayLike<number>, batch: number, n: number, k: number, m: number) {
  const out = new Float64Array(batch * n * m);
  for (let bi = 0; bi < batch; bi++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        let s = 0;
        for (let t = 0; t < k; t++) s += a[bi * n * k + i * k + t]! * b[bi * k * m + t * m + j]!;
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

function det3(m: ArrayLike<number>): number {
  const [a, b, c, d, e, f, g, h, i] = Array.from(m);
  return a! * (e! * i! - f! * h!) - b! * (d! * i! - f! * g!) + c! * (d! * h! - e! * g!);
}

describe('luInverse', () => {
  for (const [batch, n] of [
    [1, 1],
    [1, 2],
    [1, 3],
    [1, 7],
    [1, 20],
    [4, 3],
    [5, 7],
    [3, 20],
  ] as const) {
    it(`A * inv(A) = I for batch=${batch}, n=${n}`, () => {
      const a = wellConditioned(batch, n, 17 * n + batch);
      const inv = luInverse('linalg.inv', a, batch, n);
      expect(inv).toBeInstanceOf(Float64Array);
      expect(inv.length).toBe(batch * n * n);
      expect(maxAbsDiff(matmul(a, inv, batch, n, n, n), identity(batch, n))).toBeLessThan(1e-12);
      expect(maxAbsDiff(matmul(inv, a, batch, n, n, n), identity(batch, n))).toBeLessThan(1e-12);
    });
  }

  it('needs pivoting: zero leading entry', () => {
    const a = new Float64Array([0, 1, 1, 0]);
    expect(Array.from(luInverse('inv', a, 1, 2))).toEqual([0, 1, 1, 0]);
    const b = new Float64Array([0, 2, 0, 0, 0, 3, 4, 0, 0]);
    const inv = luInverse('inv', b, 1, 3);
    expect(maxAbsDiff(matmul(b, inv, 1, 3, 3, 3), identity(1, 3))).toBeLessThan(1e-15);
  });

  it('matches a known 2x2 inverse', () => {
    const inv = luInverse('inv', new Float64Array([4, 7, 2, 6]), 1, 2);
    const expected = [0.6, -0.7, -0.2, 0.4];
    expect(maxAbsDiff(inv, expected)).toBeLessThan(1e-15);
  });

  it('does not mutate its input', () => {
    const a = wellConditioned(2, 4, 3);
    const copy = a.slice();
    luInverse('inv', a, 2, 4);
    expect(Array.from(a)).toEqual(Array.from(copy));
  });

  it('handles empty matrices and empty batches', () => {
    const e = luInverse('inv', new Float64Array(0), 3, 0);
    expect(e).toBeInstanceOf(Float64Array);
    expect(e.length).toBe(0);
    expect(luInverse('inv', new Float32Array(0), 0, 4)).toBeInstanceOf(Float32Array);
  });

  it('float32 in, float32 out', () => {
    const a64 = wellConditioned(2, 5, 99);
    const a32 = Float32Array.from(a64);
    const inv = luInverse('inv', a32, 2, 5);
    expect(inv).toBeInstanceOf(Float32Array);
    expect(maxAbsDiff(matmul(a32, inv, 2, 5, 5, 5), identity(2, 5))).toBeLessThan(1e-5);
  });

  it('nearly singular matrices return large values instead of throwing', () => {
    const eps = 1e-14;
    const inv = luInverse('inv', new Float64Array([1, 1, 1, 1 + eps]), 1, 2);
    expect(Math.abs(inv[0]!)).toBeGreaterThan(1e13);
    expect(inv.every(Number.isFinite)).toBe(true);
  });

  it('throws SingularMatrixError naming the op, batch item and shape', () => {
    const a = new Float64Array([...identity(1, 3), ...identity(1, 3), 1, 2, 3, 2, 4, 6, 1, 0, 1]);
    let err: unknown;
    try {
      luInverse('linalg.inv', a, 3, 3);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SingularMatrixError);
    expect(err).toBeInstanceOf(RangeError);
    expect((err as Error).name).toBe('SingularMatrixError');
    expect((err as Error).message).toBe(
      'linalg.inv: matrix is singular (batch item 2 of shape [3,3,3]): a pivot is exactly zero',
    );
  });

  it('singular single matrix message omits the batch index', () => {
    expect(() => luInverse('linalg.inv', new Float32Array([1, 2, 2, 4]), 1, 2)).toThrow(
      'linalg.inv: matrix is singular (shape [2,2]): a pivot is exactly zero',
    );
    expect(() => luInverse('linalg.inv', new Float64Array([0]), 1, 1)).toThrow(SingularMatrixError);
  });

  it('rejects a buffer of the wrong size', () => {
    expect(() => luInverse('inv', new Float64Array(5), 1, 2)).toThrow(RangeError);
  });

  it('propagates NaN', () => {
    const inv = luInverse('inv', new Float64Array([Number.NaN, 1, 1, 1]), 1, 2);
    expect(inv.some(Number.isNaN)).toBe(true);
    const inv2 = luInverse('inv', new Float64Array([0, 1, Number.NaN, 1]), 1, 2);
    expect(inv2.some(Number.isNaN)).toBe(true);
  });
});

describe('luSolve', () => {
  for (const [batch, n, m] of [
    [1, 1, 1],
    [1, 3, 1],
    [1, 7, 4],
    [3, 5, 2],
    [2, 20, 6],
  ] as const) {
    it(`matches inv(A) * B and satisfies A X = B (batch=${batch}, n=${n}, m=${m})`, () => {
      const a = wellConditioned(batch, n, 5 * n + m);
      const b = randomArray(batch * n * m, 77 + n);
      const x = luSolve('linalg.solve', a, b, batch, n, m);
      expect(x).toBeInstanceOf(Float64Array);
      expect(x.length).toBe(batch * n * m);
      const viaInv = matmul(luInverse('inv', a, batch, n), b, batch, n, n, m);
      expect(maxAbsDiff(x, viaInv)).toBeLessThan(1e-12);
      expect(maxAbsDiff(matmul(a, x, batch, n, n, m), b)).toBeLessThan(1e-12);
    });
  }

  it('float32 in, float32 out', () => {
    const a = Float32Array.from(wellConditioned(2, 4, 8));
    const b = Float32Array.from(randomArray(2 * 4 * 3, 9));
    const x = luSolve('solve', a, b, 2, 4, 3);
    expect(x).toBeInstanceOf(Float32Array);
    expect(maxAbsDiff(matmul(a, x, 2, 4, 4, 3), b)).toBeLessThan(1e-5);
  });

  it('handles empty shapes', () => {
    expect(luSolve('solve', new Float64Array(0), new Float64Array(0), 2, 0, 3).length).toBe(0);
    const a = wellConditioned(2, 3, 1);
    expect(luSolve('solve', a, new Float64Array(0), 2, 3, 0).length).toBe(0);
  });

  it('throws on a singular A, even with no right-hand sides', () => {
    const a = new Float64Array([1, 2, 2, 4]);
    expect(() => luSolve('linalg.solve', a, new Float64Array([1, 2]), 1, 2, 1)).toThrow(
      'linalg.solve: matrix is singular (shape [2,2]): a pivot is exactly zero',
    );
    expect(() => luSolve('linalg.solve', a, new Float64Array(0), 1, 2, 0)).toThrow(SingularMatrixError);
  });

  it('rejects mismatched right-hand side sizes', () => {
    expect(() => luSolve('solve', identity(1, 2), new Float64Array(3), 1, 2, 2)).toThrow(RangeError);
  });
});

describe('luDeterminant', () => {
  it('triangular matrices: product of the diagonal', () => {
    const upper = new Float64Array([2, 5, -1, 0, 3, 4, 0, 0, -0.5]);
    const lower = new Float64Array([2, 0, 0, 7, 3, 0, -1, 4, -0.5]);
    const det = luDeterminant(new Float64Array([...upper, ...lower]), 2, 3);
    expect(det[0]).toBeCloseTo(-3, 14);
    expect(det[1]).toBeCloseTo(-3, 14);
  });

  it('permutation matrices: the sign of the permutation', () => {
    // identity (+1), one swap (-1), 3-cycle (+1), reversal of 4 (two swaps, +1), 4-cycle (-1)
    const perms = [
      [0, 1, 2, 3],
      [1, 0, 2, 3],
      [1, 2, 0, 3],
      [3, 2, 1, 0],
      [1, 2, 3, 0],
    ];
    const a = new Float64Array(perms.length * 16);
    perms.forEach((p, b) => {
      for (let i = 0; i < 4; i++) a[b * 16 + i * 4 + p[i]!] = 1;
    });
    expect(Array.from(luDeterminant(a, perms.length, 4))).toEqual([1, -1, 1, 1, -1]);
  });

  it('3x3 matches cofactor expansion', () => {
    const batch = 50;
    const a = randomArray(batch * 9, 2024);
    const det = luDeterminant(a, batch, 3);
    for (let b = 0; b < batch; b++) {
      const expected = det3(a.subarray(b * 9, b * 9 + 9));
      expect(Math.abs(det[b]! - expected)).toBeLessThan(1e-14);
    }
  });

  it('det(A) * det(inv(A)) = 1 for larger matrices', () => {
    const a = wellConditioned(2, 20, 11);
    const d = luDeterminant(a, 2, 20);
    const di = luDeterminant(luInverse('inv', a, 2, 20), 2, 20);
    for (let b = 0; b < 2; b++) expect(d[b]! * di[b]!).toBeCloseTo(1, 10);
  });

  it('singular matrices give 0 without throwing', () => {
    const a = new Float64Array([1, 2, 3, 2, 4, 6, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(luDeterminant(a, 2, 3))).toEqual([0, 0]);
  });

  it('0x0 matrices have determinant 1', () => {
    const d = luDeterminant(new Float64Array(0), 3, 0);
    expect(Array.from(d)).toEqual([1, 1, 1]);
    expect(luDeterminant(new Float32Array(0), 0, 3).length).toBe(0);
  });

  it('1x1 and 2x2 closed forms', () => {
    expect(Array.from(luDeterminant(new Float64Array([-2.5]), 1, 1))).toEqual([-2.5]);
    expect(luDeterminant(new Float64Array([1, 2, 3, 4]), 1, 2)[0]).toBeCloseTo(-2, 14);
  });

  it('float32 in, float32 out', () => {
    const d = luDeterminant(new Float32Array([4, 7, 2, 6]), 1, 2);
    expect(d).toBeInstanceOf(Float32Array);
    expect(d[0]).toBeCloseTo(10, 5);
  });
});
