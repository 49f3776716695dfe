/**
 * LU-based dense linear-algebra kernels for the JS backend.
 *
 * Every kernel works on a contiguous row-major batch of square matrices, flattened as
 * `[batch, n, n]`, computes internally in float64 and returns a fresh array of the same type as its
 * input (`Float32Array` in, `Float32Array` out).
 *
 * The factorisation is Doolittle LU with partial pivoting (the row with the largest absolute value in
 * the current column becomes the pivot row), i.e. `P A = L U` with unit-diagonal `L`, the same
 * algorithm as LAPACK `getrf`. Like `getrf`, a matrix counts as singular only when a pivot is exactly
 * zero; a nearly singular matrix factors fine and its inverse or solution simply has large entries,
 * as NumPy's `inv` and `solve` do. NaN entries propagate into the result.
 */
import type { FloatArray } from '../dtype.js';

/** Thrown by {@link luInverse} and {@link luSolve} when a pivot is exactly zero. */
export class SingularMatrixError extends RangeError {
  override name = 'SingularMatrixError';
}

function checkDims(opName: string, batch: number, n: number): void {
  if (!Number.isInteger(batch) || batch < 0) {
    throw new RangeError(`${opName}: batch must be a non-negative integer, got ${batch}`);
  }
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`${opName}: matrix size must be a non-negative integer, got ${n}`);
  }
}

function checkLength(opName: string, what: string, data: FloatArray, expected: number): void {
  if (data.length !== expected) {
    throw new RangeError(`${opName}: ${what} has ${data.length} elements, expected ${expected}`);
  }
}

function singularError(opName: string, batchIndex: number, batch: number, n: number): SingularMatrixError {
  const where = batch > 1 ? `batch item ${batchIndex} of shape [${batch},${n},${n}]` : `shape [${n},${n}]`;
  return new SingularMatrixError(`${opName}: matrix is singular (${where}): a pivot is exactly zero`);
}

/**
 * Factors one n x n matrix in place: on return `lu` holds U on and above the diagonal and the
 * multipliers of unit-lower L below it, and `perm[i]` is the original row now at row i.
 * Returns the permutation parity (+1 / -1), or 0 when a pivot is exactly zero; in that case the
 * factorisation stops at that column (the remaining contents of `lu` are unspecified).
 */
function factor(lu: Float64Array, perm: Int32Array, n: number): number {
  let sign = 1;
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let k = 0; k < n; k++) {
    // Pick the pivot: largest |a[i,k]| for i >= k; a NaN wins so that it propagates instead of being
    // skipped over (which could otherwise turn a NaN matrix into a spurious "singular" error).
    let p = k;
    let best = Math.abs(lu[k * n + k]);
    if (!Number.isNaN(best)) {
      for (let i = k + 1; i < n; i++) {
        const v = Math.abs(lu[i * n + k]);
        if (v > best) {
          best = v;
          p = i;
        } else if (Number.isNaN(v)) {
          p = i;
          break;
        }
      }
    }
    const pivot = lu[p * n + k];
    if (pivot === 0) return 0;
    if (p !== k) {
      const rk = k * n;
      const rp = p * n;
      for (let j = 0; j < n; j++) {
        const t = lu[rk + j];
        lu[rk + j] = lu[rp + j];
        lu[rp + j] = t;
      }
      const t = perm[k];
      perm[k] = perm[p];
      perm[p] = t;
      sign = -sign;
    }
    const rk = k * n;
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const l = lu[ri + k] / pivot;
      lu[ri + k] = l;
      // Skipping a zero multiplier is what BLAS ger does too (NaN multipliers still update).
      if (l !== 0) {
        for (let j = k + 1; j < n; j++) lu[ri + j] -= l * lu[rk + j];
      }
    }
  }
  return sign;
}

/**
 * Solves L U X = Y in place for an n x m right-hand side `x` (row-major) that already holds the
 * row-permuted Y. Row-oriented so the inner loops run over contiguous memory.
 */
function substitute(lu: Float64Array, n: number, x: Float64Array, m: number): void {
  // Forward substitution with unit-lower L.
  for (let i = 1; i < n; i++) {
    const ri = i * n;
    const xi = i * m;
    for (let k = 0; k < i; k++) {
      const l = lu[ri + k];
      if (l === 0) continue;
      const xk = k * m;
      for (let j = 0; j < m; j++) x[xi + j] -= l * x[xk + j];
    }
  }
  // Back substitution with U.
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    const xi = i * m;
    for (let k = i + 1; k < n; k++) {
      const u = lu[ri + k];
      if (u === 0) continue;
      const xk = k * m;
      for (let j = 0; j < m; j++) x[xi + j] -= u * x[xk + j];
    }
    const d = lu[ri + i];
    for (let j = 0; j < m; j++) x[xi + j] /= d;
  }
}

function like(a: FloatArray, size: number): FloatArray {
  return a instanceof Float32Array ? new Float32Array(size) : new Float64Array(size);
}

/**
 * Inverts every matrix of a batch. `a` is `[batch, n, n]` flattened row-major; the result has the
 * same layout and array type. Throws {@link SingularMatrixError} (message naming `opName`, the batch
 * index when `batch > 1`, and the shape) when a pivot is exactly zero. The inverse of a 0 x 0 matrix
 * is the empty matrix.
 */
export function luInverse(opName: string, a: FloatArray, batch: number, n: number): FloatArray {
  checkDims(opName, batch, n);
  const nn = n * n;
  checkLength(opName, 'input', a, batch * nn);
  const out = like(a, batch * nn);
  if (nn === 0) return out;
  const lu = new Float64Array(nn);
  const x = new Float64Array(nn);
  const perm = new Int32Array(n);
  for (let b = 0; b < batch; b++) {
    const off = b * nn;
    for (let i = 0; i < nn; i++) lu[i] = a[off + i];
    if (factor(lu, perm, n) === 0) throw singularError(opName, b, batch, n);
    // Right-hand side P I: row i is the unit vector e_{perm[i]}.
    x.fill(0);
    for (let i = 0; i < n; i++) x[i * n + perm[i]] = 1;
    substitute(lu, n, x, n);
    out.set(x, off);
  }
  return out;
}

/**
 * Solves `A X = B` for every batch item, with `A` of shape `[batch, n, n]` and `B` of shape
 * `[batch, n, m]` (both flattened row-major, same array type). Returns X, `[batch, n, m]`, in the
 * array type of `a`. Throws {@link SingularMatrixError} when a pivot of A is exactly zero.
 */
export function luSolve(
  opName: string,
  a: FloatArray,
  b: FloatArray,
  batch: number,
  n: number,
  m: number,
): FloatArray {
  checkDims(opName, batch, n);
  if (!Number.isInteger(m) || m < 0) {
    throw new RangeError(`${opName}: number of right-hand sides must be a non-negative integer, got ${m}`);
  }
  const nn = n * n;
  const nm = n * m;
  checkLength(opName, 'matrix', a, batch * nn);
  checkLength(opName, 'right-hand side', b, batch * nm);
  const out = like(a, batch * nm);
  if (n === 0) return out;
  const lu = new Float64Array(nn);
  const x = new Float64Array(nm);
  const perm = new Int32Array(n);
  for (let bi = 0; bi < batch; bi++) {
    const aOff = bi * nn;
    for (let i = 0; i < nn; i++) lu[i] = a[aOff + i];
    // Factor even when m === 0 so that a singular A is reported consistently.
    if (factor(lu, perm, n) === 0) throw singularError(opName, bi, batch, n);
    if (m === 0) continue;
    const bOff = bi * nm;
    for (let i = 0; i < n; i++) {
      const src = bOff + perm[i] * m;
      const dst = i * m;
      for (let j = 0; j < m; j++) x[dst + j] = b[src + j];
    }
    substitute(lu, n, x, m);
    out.set(x, bOff);
  }
  return out;
}

/**
 * Determinant of every matrix of a batch (`[batch, n, n]` flattened) via LU with partial pivoting:
 * the product of U's diagonal times the permutation's sign. Returns `[batch]` in the input's array
 * type. A singular matrix (exactly zero pivot) gives 0, never an error; a 0 x 0 matrix gives 1.
 */
export function luDeterminant(a: FloatArray, batch: number, n: number): FloatArray {
  checkDims('det', batch, n);
  const nn = n * n;
  checkLength('det', 'input', a, batch * nn);
  const out = like(a, batch);
  if (n === 0) {
    out.fill(1);
    return out;
  }
  const lu = new Float64Array(nn);
  const perm = new Int32Array(n);
  for (let b = 0; b < batch; b++) {
    const off = b * nn;
    for (let i = 0; i < nn; i++) lu[i] = a[off + i];
    const sign = factor(lu, perm, n);
    if (sign === 0) {
      out[b] = 0;
      continue;
    }
    let det = sign;
    for (let i = 0; i < n; i++) det *= lu[i * n + i];
    out[b] = det;
  }
  return out;
}
