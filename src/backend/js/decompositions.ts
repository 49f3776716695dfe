/**
 * Matrix decompositions for the JS backend: Cholesky, triangular solve, Householder QR, the symmetric
 * eigendecomposition, the singular value decomposition and the sign / log-determinant.
 *
 * Every kernel works on a contiguous row-major batch of matrices flattened as `[batch, rows, cols]`,
 * computes in float64 and returns fresh arrays of the input's array type (`Float32Array` in,
 * `Float32Array` out). Errors name the calling op (`opName`), the batch item (when `batch > 1`) and the
 * matrix shape, as lu.ts does.
 *
 * Algorithms (textbook forms, Golub & Van Loan, "Matrix Computations", 4th ed.):
 * - cholesky: the row-by-row Cholesky-Banachiewicz recurrence on the lower triangle (GVL 4.2).
 * - qr: Householder reflections H = I - tau v v^T with v[0] = 1 and beta = -sign(alpha) ||x|| (GVL 5.1,
 *   5.2), Q accumulated backwards from the identity; R's diagonal may be negative, as LAPACK's geqrf.
 * - eigh: Householder tridiagonalisation (GVL 8.3.1) followed by the implicit symmetric QR step with the
 *   Wilkinson shift and bulge chasing by Givens rotations (GVL 8.3.2-8.3.3), with deflation when an
 *   off-diagonal entry is negligible, an iteration cap, and eigenvalues sorted ascending.
 * - svd: one-sided (Hestenes) Jacobi on the columns of the taller orientation of A (GVL 8.6.4): pairs of
 *   columns are rotated until every pair is numerically orthogonal; the column norms are the singular
 *   values; zero columns and the extra columns of a full U are completed by Gram-Schmidt on unit vectors.
 *   A matrix at least twice as tall as wide is first reduced to its square R factor by Householder QR.
 * - slogdet: LU with partial pivoting; log|det| is the sum of log|pivot| (no overflow), sign the
 *   product of the pivots' signs and the permutation's parity.
 */
import type { FloatArray } from '../dtype.js';

/** Thrown by {@link cholesky} when a leading minor is not positive-definite. */
export class NotPositiveDefiniteError extends RangeError {
  override name = 'NotPositiveDefiniteError';
}

/** Thrown when an iterative decomposition (eigh, svd) does not converge or meets non-finite input. */
export class ConvergenceError extends RangeError {
  override name = 'ConvergenceError';
}

const EPS = 2 ** -52;

function like(a: FloatArray, size: number): FloatArray {
  return a instanceof Float32Array ? new Float32Array(size) : new Float64Array(size);
}

function checkDims(opName: string, dims: Record<string, number>): void {
  for (const [name, v] of Object.entries(dims)) {
    if (!Number.isInteger(v) || v < 0) {
      throw new RangeError(`${opName}: ${name} must be a non-negative integer, got ${v}`);
    }
  }
}

function checkLength(opName: string, what: string, data: FloatArray, expected: number): void {
  if (data.length !== expected) {
    throw new RangeError(`${opName}: ${what} has ${data.length} elements, expected ${expected}`);
  }
}

/** "batch item 3 of shape [4,5,5]" or "shape [5,5]". */
function where(batchIndex: number, batch: number, rows: number, cols: number): string {
  return batch > 1
    ? `batch item ${batchIndex} of shape [${batch},${rows},${cols}]`
    : `shape [${rows},${cols}]`;
}

// ---------------------------------------------------------------- Cholesky

/**
 * Lower Cholesky factor L (L L^T = A) of every matrix of a batch `[batch, n, n]`, reading only the
 * lower triangle of A; the strict upper triangle of the result is zero. Throws
 * {@link NotPositiveDefiniteError} naming the order k of the first leading minor that is not
 * positive-definite (a pivot <= 0). NaN entries propagate into the result instead, as LAPACK's potrf.
 */
export function cholesky(opName: string, a: FloatArray, batch: number, n: number): FloatArray {
  checkDims(opName, { batch, n });
  const nn = n * n;
  checkLength(opName, 'input', a, batch * nn);
  const out = like(a, batch * nn);
  const l = new Float64Array(nn);
  for (let b = 0; b < batch; b++) {
    const off = b * nn;
    l.fill(0);
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      for (let j = 0; j <= i; j++) {
        const rj = j * n;
        let s = a[off + ri + j]!;
        for (let k = 0; k < j; k++) s -= l[ri + k]! * l[rj + k]!;
        if (i === j) {
          if (s <= 0) {
            throw new NotPositiveDefiniteError(
              `${opName}: The factorization could not be completed because the input is not positive-definite ` +
                `(the leading minor of order ${i + 1} is not positive-definite) (${where(b, batch, n, n)})`,
            );
          }
          l[ri + i] = Math.sqrt(s);
        } else {
          l[ri + j] = s / l[rj + j]!;
        }
      }
    }
    out.set(l, off);
  }
  return out;
}

// ---------------------------------------------------------------- triangular solve

/**
 * Solves op(A) X = B for every batch item, A `[batch, n, n]` triangular (only its lower triangle is
 * read when `lower`, else only its upper triangle), op(A) = A^T when `adjoint`, B `[batch, n, k]`.
 * Returns X `[batch, n, k]`. A zero on the diagonal is not checked (as BLAS trsm): it gives inf/NaN.
 */
export function triangularSolve(
  opName: string,
  a: FloatArray,
  b: FloatArray,
  batch: number,
  n: number,
  k: number,
  lower: boolean,
  adjoint: boolean,
): FloatArray {
  checkDims(opName, { batch, n, k });
  const nn = n * n;
  const nk = n * k;
  checkLength(opName, 'matrix', a, batch * nn);
  checkLength(opName, 'right-hand side', b, batch * nk);
  const out = like(a, batch * nk);
  const x = new Float64Array(nk);
  // Solving with T (lower or upper) row by row ("forward" means increasing i). op(A) is lower exactly
  // when lower !== adjoint.
  const forward = lower !== adjoint;
  for (let bi = 0; bi < batch; bi++) {
    const aOff = bi * nn;
    const bOff = bi * nk;
    for (let i = 0; i < nk; i++) x[i] = b[bOff + i]!;
    if (!adjoint) {
      // Row-oriented substitution: x_i = (b_i - sum_j A_ij x_j) / A_ii over the solved rows j.
      for (let t = 0; t < n; t++) {
        const i = forward ? t : n - 1 - t;
        const ri = aOff + i * n;
        const xi = i * k;
        const jFrom = forward ? 0 : i + 1;
        const jTo = forward ? i : n;
        for (let j = jFrom; j < jTo; j++) {
          const aij = a[ri + j]!;
          if (aij === 0) continue;
          const xj = j * k;
          for (let c = 0; c < k; c++) x[xi + c] -= aij * x[xj + c]!;
        }
        const d = a[ri + i]!;
        for (let c = 0; c < k; c++) x[xi + c] /= d;
      }
    } else {
      // op(A) = A^T: column-oriented, so A is still read along its rows. Once x_i is final, row i of A
      // (column i of A^T) is eliminated from the rows still to be solved.
      for (let t = 0; t < n; t++) {
        const i = forward ? t : n - 1 - t;
        const ri = aOff + i * n;
        const xi = i * k;
        const d = a[ri + i]!;
        for (let c = 0; c < k; c++) x[xi + c] /= d;
        const jFrom = forward ? i + 1 : 0;
        const jTo = forward ? n : i;
        for (let j = jFrom; j < jTo; j++) {
          const aij = a[ri + j]!;
          if (aij === 0) continue;
          const xj = j * k;
          for (let c = 0; c < k; c++) x[xj + c] -= aij * x[xi + c]!;
        }
      }
    }
    out.set(x, bOff);
  }
  return out;
}

// ---------------------------------------------------------------- Householder reflections

/**
 * Computes a Householder reflection H = I - tau v v^T with v[0] = 1 such that H x = beta e_1 for the
 * vector x = data[start + i * stride], i < len. Writes v[1..] over x[1..] and returns [tau, beta].
 * When x[1..] is zero, H = I (tau = 0) and beta = x[0], as LAPACK's larfg.
 */
function householder(data: Float64Array, start: number, stride: number, len: number): [number, number] {
  const alpha = data[start]!;
  let scale = 0;
  for (let i = 1; i < len; i++) scale = Math.max(scale, Math.abs(data[start + i * stride]!));
  if (scale === 0 || len <= 1) return [0, alpha];
  if (!Number.isFinite(scale)) return [Number.NaN, Number.NaN];
  // ||x|| computed on scaled values so that neither overflows nor underflows.
  const s = Math.max(scale, Math.abs(alpha));
  let sum = (alpha / s) * (alpha / s);
  for (let i = 1; i < len; i++) {
    const v = data[start + i * stride]! / s;
    sum += v * v;
  }
  const norm = s * Math.sqrt(sum);
  const beta = alpha >= 0 ? -norm : norm;
  const tau = (beta - alpha) / beta;
  const inv = 1 / (alpha - beta);
  for (let i = 1; i < len; i++) data[start + i * stride] *= inv;
  return [tau, beta];
}

// ---------------------------------------------------------------- QR

/**
 * Householder QR of every matrix of a batch `[batch, m, n]`. Reduced: Q `[batch, m, k]` with
 * orthonormal columns and upper-triangular R `[batch, k, n]`, k = min(m, n). Complete: Q `[batch, m, m]`
 * orthogonal and R `[batch, m, n]`.
 */
export function qr(
  a: FloatArray,
  batch: number,
  m: number,
  n: number,
  complete: boolean,
): { q: FloatArray; r: FloatArray } {
  checkDims('linalg.qr', { batch, m, n });
  checkLength('linalg.qr', 'input', a, batch * m * n);
  const k = Math.min(m, n);
  const kq = complete ? m : k;
  const kr = complete ? m : k;
  const q = like(a, batch * m * kq);
  const r = like(a, batch * kr * n);
  const w = new Float64Array(m * n);
  const qw = new Float64Array(m * kq);
  const taus = new Float64Array(k);
  const row = new Float64Array(Math.max(n, kq));
  // Reflections for columns 0..p-1; the last one of a square or wide matrix has length 1 (H = I).
  const p = Math.min(m - 1, n);
  for (let bi = 0; bi < batch; bi++) {
    const off = bi * m * n;
    for (let i = 0; i < m * n; i++) w[i] = a[off + i]!;
    taus.fill(0);
    for (let j = 0; j < p; j++) {
      const [tau, beta] = householder(w, j * n + j, n, m - j);
      taus[j] = tau;
      w[j * n + j] = beta;
      if (tau === 0) continue;
      // W[j:, j+1:] -= tau v (v^T W[j:, j+1:]), v[0] = 1 and v[i] stored in W[j+i, j].
      const cols = n - j - 1;
      if (cols === 0) continue;
      for (let c = 0; c < cols; c++) row[c] = w[j * n + j + 1 + c]!;
      for (let i = j + 1; i < m; i++) {
        const vi = w[i * n + j]!;
        if (vi === 0) continue;
        const ri = i * n + j + 1;
        for (let c = 0; c < cols; c++) row[c] += vi * w[ri + c]!;
      }
      for (let c = 0; c < cols; c++) {
        row[c] *= tau;
        w[j * n + j + 1 + c] -= row[c]!;
      }
      for (let i = j + 1; i < m; i++) {
        const vi = w[i * n + j]!;
        if (vi === 0) continue;
        const ri = i * n + j + 1;
        for (let c = 0; c < cols; c++) w[ri + c] -= vi * row[c]!;
      }
    }
    // R: the upper triangle of the first kr rows of W (rows beyond m stay zero).
    const rOff = bi * kr * n;
    for (let i = 0; i < Math.min(kr, m); i++) {
      for (let j = i; j < n; j++) r[rOff + i * n + j] = w[i * n + j]!;
    }
    // Q = H_0 H_1 ... H_{p-1} I[:, :kq], applied from the last reflection backwards.
    qw.fill(0);
    for (let i = 0; i < kq; i++) qw[i * kq + i] = 1;
    for (let j = p - 1; j >= 0; j--) {
      const tau = taus[j]!;
      if (tau === 0) continue;
      for (let c = 0; c < kq; c++) row[c] = qw[j * kq + c]!;
      for (let i = j + 1; i < m; i++) {
        const vi = w[i * n + j]!;
        if (vi === 0) continue;
        const ri = i * kq;
        for (let c = 0; c < kq; c++) row[c] += vi * qw[ri + c]!;
      }
      for (let c = 0; c < kq; c++) {
        row[c] *= tau;
        qw[j * kq + c] -= row[c]!;
      }
      for (let i = j + 1; i < m; i++) {
        const vi = w[i * n + j]!;
        if (vi === 0) continue;
        const ri = i * kq;
        for (let c = 0; c < kq; c++) qw[ri + c] -= vi * row[c]!;
      }
    }
    q.set(qw, bi * m * kq);
  }
  return { q, r };
}

// ---------------------------------------------------------------- symmetric eigendecomposition

function nonFiniteError(opName: string, b: number, batch: number, rows: number, cols: number) {
  return new ConvergenceError(
    `${opName}: The algorithm failed to converge because the input matrix contained non-finite values (${where(b, batch, rows, cols)})`,
  );
}

/**
 * Reduces the symmetric n x n matrix `s` (full, row-major) to tridiagonal form T = Q^T S Q. Returns the
 * diagonal in `d`, the subdiagonal in `e` (e[i] = T[i+1, i]) and Q in `qm` (row-major). `s` is destroyed.
 */
function tridiagonalize(
  s: Float64Array,
  n: number,
  d: Float64Array,
  e: Float64Array,
  qm: Float64Array,
): void {
  qm.fill(0);
  for (let i = 0; i < n; i++) qm[i * n + i] = 1;
  const pv = new Float64Array(n);
  const v = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    const len = n - k - 1;
    const start = (k + 1) * n + k;
    const [tau, beta] = householder(s, start, n, len);
    if (tau !== 0) {
      v[0] = 1;
      for (let i = 1; i < len; i++) v[i] = s[start + i * n]!;
      // Trailing block B = S[k+1:, k+1:] <- H B H: p = tau B v, w = p - (tau/2)(p.v) v, B -= v w^T + w v^T.
      const base = (k + 1) * n + (k + 1);
      for (let i = 0; i < len; i++) {
        let acc = 0;
        const ri = base + i * n;
        for (let j = 0; j < len; j++) acc += s[ri + j]! * v[j]!;
        pv[i] = tau * acc;
      }
      let pdotv = 0;
      for (let i = 0; i < len; i++) pdotv += pv[i]! * v[i]!;
      const half = 0.5 * tau * pdotv;
      for (let i = 0; i < len; i++) pv[i] -= half * v[i]!;
      for (let i = 0; i < len; i++) {
        const ri = base + i * n;
        const vi = v[i]!;
        const wi = pv[i]!;
        for (let j = 0; j < len; j++) s[ri + j] -= vi * pv[j]! + wi * v[j]!;
      }
      // Q <- Q H on columns k+1..n-1.
      for (let r = 0; r < n; r++) {
        const rr = r * n + k + 1;
        let acc = 0;
        for (let i = 0; i < len; i++) acc += qm[rr + i]! * v[i]!;
        if (acc === 0) continue;
        acc *= tau;
        for (let i = 0; i < len; i++) qm[rr + i] -= acc * v[i]!;
      }
    }
    s[start] = beta;
  }
  for (let i = 0; i < n; i++) d[i] = s[i * n + i]!;
  for (let i = 0; i + 1 < n; i++) e[i] = s[(i + 1) * n + i]!;
}

/**
 * Diagonalises the symmetric tridiagonal (d, e) in place by implicit QR steps with the Wilkinson shift,
 * applying each rotation to the rows of `vt` (the eigenvectors stored as rows, length n each). Returns
 * false when `maxSteps` QR steps were not enough.
 */
function tridiagonalQR(
  d: Float64Array,
  e: Float64Array,
  n: number,
  vt: Float64Array,
  maxSteps: number,
): boolean {
  let steps = 0;
  for (;;) {
    for (let i = 0; i + 1 < n; i++) {
      const ei = Math.abs(e[i]!);
      if (ei <= EPS * (Math.abs(d[i]!) + Math.abs(d[i + 1]!)) || ei < 1e-300) e[i] = 0;
    }
    // The bottom-most unreduced block lo..hi.
    let hi = n - 1;
    while (hi > 0 && e[hi - 1] === 0) hi--;
    if (hi <= 0) return true;
    let lo = hi - 1;
    while (lo > 0 && e[lo - 1] !== 0) lo--;
    if (++steps > maxSteps) return false;
    // Wilkinson shift: the eigenvalue of the trailing 2x2 block closer to d[hi].
    const delta = (d[hi - 1]! - d[hi]!) / 2;
    const eh = e[hi - 1]!;
    const denom = delta + (delta >= 0 ? 1 : -1) * Math.hypot(delta, eh);
    const mu = d[hi]! - eh * (eh / denom);
    let x = d[lo]! - mu;
    let z = e[lo]!;
    for (let k = lo; k < hi; k++) {
      // Rotation G = [[c, s], [-s, c]] on rows/columns k, k+1 with s x + c z = 0.
      const rr = Math.hypot(x, z);
      let c = 1;
      let s = 0;
      if (rr !== 0) {
        c = x / rr;
        s = -z / rr;
      }
      if (k > lo) e[k - 1] = rr;
      const dk = d[k]!;
      const dk1 = d[k + 1]!;
      const ek = e[k]!;
      d[k] = c * c * dk - 2 * c * s * ek + s * s * dk1;
      d[k + 1] = s * s * dk + 2 * c * s * ek + c * c * dk1;
      e[k] = c * s * (dk - dk1) + (c * c - s * s) * ek;
      if (k + 1 < hi) {
        const ek1 = e[k + 1]!;
        z = -s * ek1;
        e[k + 1] = c * ek1;
        x = e[k]!;
      }
      // Eigenvectors: V <- V G, i.e. rows k, k+1 of V^T.
      const rk = k * n;
      const rk1 = (k + 1) * n;
      for (let j = 0; j < n; j++) {
        const a = vt[rk + j]!;
        const b = vt[rk1 + j]!;
        vt[rk + j] = c * a - s * b;
        vt[rk1 + j] = s * a + c * b;
      }
    }
  }
}

/**
 * Eigenvalues (ascending) and orthonormal eigenvectors (the columns of `eigenvectors`) of every
 * symmetric matrix of a batch `[batch, n, n]`, reading only the lower triangle. Returns eigenvalues
 * `[batch, n]` and eigenvectors `[batch, n, n]` with A V = V diag(eigenvalues). Throws
 * {@link ConvergenceError} for non-finite input or when 30 n QR steps are not enough.
 */
export function eigh(
  opName: string,
  a: FloatArray,
  batch: number,
  n: number,
): { eigenvalues: FloatArray; eigenvectors: FloatArray } {
  checkDims(opName, { batch, n });
  const nn = n * n;
  checkLength(opName, 'input', a, batch * nn);
  const values = like(a, batch * n);
  const vectors = like(a, batch * nn);
  const s = new Float64Array(nn);
  const qm = new Float64Array(nn);
  const vt = new Float64Array(nn);
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(n - 1, 0));
  const order = new Array<number>(n);
  for (let b = 0; b < batch; b++) {
    const off = b * nn;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const v = a[off + i * n + j]!;
        if (!Number.isFinite(v)) throw nonFiniteError(opName, b, batch, n, n);
        s[i * n + j] = v;
        s[j * n + i] = v;
      }
    }
    tridiagonalize(s, n, d, e, qm);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vt[j * n + i] = qm[i * n + j]!;
    if (!tridiagonalQR(d, e, n, vt, 30 * n)) {
      throw new ConvergenceError(
        `${opName}: The algorithm failed to converge within ${30 * n} QR iterations (${where(b, batch, n, n)})`,
      );
    }
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((p, q) => d[p]! - d[q]!);
    for (let i = 0; i < n; i++) {
      const src = order[i]!;
      values[b * n + i] = d[src]!;
      // Column i of V is row `src` of vt.
      for (let r = 0; r < n; r++) vectors[off + r * n + i] = vt[src * n + r]!;
    }
  }
  return { eigenvalues: values, eigenvectors: vectors };
}

// ---------------------------------------------------------------- SVD

/**
 * Fills rows `from..count-1` of `rows` (vectors of length p, row-major) and every row listed in
 * `missing` with unit vectors orthogonal to all other rows, by Gram-Schmidt (applied twice) on the unit
 * vector e_r that keeps the largest residual.
 */
function completeOrthonormal(rows: Float64Array, p: number, count: number, missing: number[]): void {
  const have = new Uint8Array(count).fill(1);
  for (const i of missing) have[i] = 0;
  const residual = new Float64Array(p);
  const best = new Float64Array(p);
  for (let target = 0; target < count; target++) {
    if (have[target]) continue;
    let bestNorm = -1;
    for (let r = 0; r < p; r++) {
      residual.fill(0);
      residual[r] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (let i = 0; i < count; i++) {
          if (!have[i]) continue;
          const ri = i * p;
          let dot = 0;
          for (let j = 0; j < p; j++) dot += rows[ri + j]! * residual[j]!;
          if (dot === 0) continue;
          for (let j = 0; j < p; j++) residual[j] -= dot * rows[ri + j]!;
        }
      }
      let norm = 0;
      for (let j = 0; j < p; j++) norm += residual[j]! * residual[j]!;
      if (norm > bestNorm) {
        bestNorm = norm;
        best.set(residual);
      }
      if (norm > 0.5) break;
    }
    const inv = 1 / Math.sqrt(bestNorm);
    for (let j = 0; j < p; j++) rows[target * p + j] = best[j]! * inv;
    have[target] = 1;
  }
}

/**
 * One-sided Jacobi on the q columns of a p x q matrix (p >= q) given as the rows of `w` (q rows of
 * length p). Rotates pairs of rows until all are orthogonal to within tol; applies the same rotations to
 * the rows of `vt` (q x q) when given. Returns false when `maxSweeps` sweeps were not enough.
 */
function jacobiSweeps(
  w: Float64Array,
  p: number,
  q: number,
  vt: Float64Array | null,
  maxSweeps: number,
): boolean {
  const tol = Math.max(p, 1) * EPS;
  const norms = new Float64Array(q);
  for (let i = 0; i < q; i++) {
    let acc = 0;
    for (let t = 0; t < p; t++) acc += w[i * p + t]! * w[i * p + t]!;
    norms[i] = acc;
  }
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let rotated = false;
    for (let i = 0; i < q - 1; i++) {
      const ri = i * p;
      for (let j = i + 1; j < q; j++) {
        const alpha = norms[i]!;
        const beta = norms[j]!;
        if (alpha === 0 || beta === 0) continue;
        const rj = j * p;
        let gamma = 0;
        for (let t = 0; t < p; t++) gamma += w[ri + t]! * w[rj + t]!;
        if (Math.abs(gamma) <= tol * Math.sqrt(alpha) * Math.sqrt(beta)) continue;
        rotated = true;
        // Choose t = tan(theta), the smaller root of t^2 + 2 zeta t - 1 = 0, so that the rotated pair
        // c w_i - s w_j, s w_i + c w_j is orthogonal.
        const zeta = (beta - alpha) / (2 * gamma);
        const t =
          Math.abs(zeta) > 1e150
            ? 1 / (2 * zeta)
            : (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        let ni = 0;
        let nj = 0;
        for (let u = 0; u < p; u++) {
          const x = w[ri + u]!;
          const y = w[rj + u]!;
          const xi = c * x - s * y;
          const yj = s * x + c * y;
          w[ri + u] = xi;
          w[rj + u] = yj;
          ni += xi * xi;
          nj += yj * yj;
        }
        norms[i] = ni;
        norms[j] = nj;
        if (vt) {
          const vi = i * q;
          const vj = j * q;
          for (let u = 0; u < q; u++) {
            const x = vt[vi + u]!;
            const y = vt[vj + u]!;
            vt[vi + u] = c * x - s * y;
            vt[vj + u] = s * x + c * y;
          }
        }
      }
    }
    if (!rotated) return true;
  }
  return false;
}

/**
 * Singular value decomposition A = U diag(S) V^T of every matrix of a batch `[batch, m, n]`, with the
 * singular values descending: S `[batch, k]`, k = min(m, n); U `[batch, m, k]` and V `[batch, n, k]`
 * (`fullMatrices`: `[batch, m, m]` and `[batch, n, n]`) with orthonormal columns. Note that V is
 * returned, not V^T. Without `computeUv` only S is computed (u and v are null). Throws
 * {@link ConvergenceError} for non-finite input or when 60 Jacobi sweeps are not enough.
 */
export function svd(
  opName: string,
  a: FloatArray,
  batch: number,
  m: number,
  n: number,
  fullMatrices: boolean,
  computeUv: boolean,
): { s: FloatArray; u: FloatArray | null; v: FloatArray | null } {
  checkDims(opName, { batch, m, n });
  const mn = m * n;
  checkLength(opName, 'input', a, batch * mn);
  const k = Math.min(m, n);
  const ku = fullMatrices ? m : k;
  const kv = fullMatrices ? n : k;
  const s = like(a, batch * k);
  const u = computeUv ? like(a, batch * m * ku) : null;
  const v = computeUv ? like(a, batch * n * kv) : null;
  // Work on B = A (m >= n) or B = A^T (m < n), p x q with p >= q: B = X diag(S) Y^T, and then
  // (U, V) = (X, Y) or (Y, X). When B is much taller than wide, B = Q R first and Jacobi runs on the
  // q x q factor R (B = (Q X_R) diag(S) Y^T), which costs O(p q^2) once instead of on every sweep.
  const tall = m >= n;
  const p = tall ? m : n;
  const q = tall ? n : m;
  const kx = tall ? ku : kv; // columns of X wanted (>= q)
  const reduce = q > 0 && p >= 2 * q;
  const len = reduce ? q : p; // length of the vectors Jacobi rotates
  const w = new Float64Array(q * len);
  const bmat = reduce ? new Float64Array(p * q) : null;
  const yt = computeUv ? new Float64Array(q * q) : null;
  const xr = computeUv ? new Float64Array(Math.max(kx, q) * len) : null;
  const xs = computeUv && reduce ? new Float64Array(kx * p) : xr;
  const norms = new Float64Array(q);
  const order = new Array<number>(q);
  for (let b = 0; b < batch; b++) {
    const off = b * mn;
    // Row i of w is column i of B (or of R), bmat is B row-major.
    for (let r = 0; r < m; r++) {
      for (let c = 0; c < n; c++) {
        const val = a[off + r * n + c]!;
        if (!Number.isFinite(val)) throw nonFiniteError(opName, b, batch, m, n);
        if (bmat) bmat[tall ? r * q + c : c * q + r] = val;
        else if (tall) w[c * p + r] = val;
        else w[r * p + c] = val;
      }
    }
    let qf: FloatArray | null = null;
    let kq = 0;
    if (bmat) {
      const f = qr(bmat, 1, p, q, computeUv && kx > q);
      kq = f.q.length / p;
      for (let r = 0; r < q; r++) for (let c = r; c < q; c++) w[c * q + r] = f.r[r * q + c]!;
      for (let r = 0; r < q; r++) for (let c = 0; c < r; c++) w[c * q + r] = 0;
      qf = f.q;
    }
    if (yt) {
      yt.fill(0);
      for (let i = 0; i < q; i++) yt[i * q + i] = 1;
    }
    if (!jacobiSweeps(w, len, q, yt, 60)) {
      throw new ConvergenceError(
        `${opName}: The algorithm failed to converge within 60 Jacobi sweeps (${where(b, batch, m, n)})`,
      );
    }
    for (let i = 0; i < q; i++) {
      let acc = 0;
      for (let t = 0; t < len; t++) acc += w[i * len + t]! * w[i * len + t]!;
      norms[i] = Math.sqrt(acc);
      order[i] = i;
    }
    order.sort((x, y) => norms[y]! - norms[x]! || x - y);
    for (let i = 0; i < k; i++) s[b * k + i] = norms[order[i]!]!;
    if (!xr || !xs || !yt || !u || !v) continue;
    // X's columns (as rows of xr): normalised columns of the rotated B (or R); zero ones are completed.
    const missing: number[] = [];
    xr.fill(0);
    for (let i = 0; i < q; i++) {
      const src = order[i]!;
      const norm = norms[src]!;
      if (norm === 0 || norm < 1e-300) {
        missing.push(i);
        continue;
      }
      for (let t = 0; t < len; t++) xr[i * len + t] = w[src * len + t]! / norm;
    }
    const rows = reduce ? q : kx;
    for (let i = q; i < rows; i++) missing.push(i);
    if (missing.length > 0) completeOrthonormal(xr, len, rows, missing);
    if (qf) {
      // X = Q[:, :q] X_R; the columns of a full X beyond q are those of the complete Q.
      for (let c = 0; c < q; c++) {
        for (let r = 0; r < p; r++) {
          let acc = 0;
          for (let t = 0; t < q; t++) acc += qf[r * kq + t]! * xr[c * q + t]!;
          xs[c * p + r] = acc;
        }
      }
      for (let c = q; c < kx; c++) for (let r = 0; r < p; r++) xs[c * p + r] = qf[r * kq + c]!;
    }
    // Scatter X (p x kx) and Y (q x q, columns permuted by `order`) into U and V.
    const [xOut, xCols, yOut, yCols] = tall ? [u, ku, v, kv] : [v, kv, u, ku];
    const xOff = b * p * xCols;
    for (let r = 0; r < p; r++) for (let c = 0; c < xCols; c++) xOut[xOff + r * xCols + c] = xs[c * p + r]!;
    const yOff = b * q * yCols;
    for (let r = 0; r < q; r++) {
      for (let c = 0; c < yCols; c++) yOut[yOff + r * yCols + c] = yt[order[c]! * q + r]!;
    }
  }
  return { s, u, v };
}

// ---------------------------------------------------------------- sign and log-determinant

/**
 * Sign and natural log of |det| of every matrix of a batch `[batch, n, n]`, by LU with partial
 * pivoting. A singular matrix (an exactly zero pivot) gives sign 0 and log|det| = -inf; a 0 x 0 matrix
 * gives sign 1 and 0; NaN input gives sign 0 and NaN (as PyTorch). Returns two `[batch]` arrays.
 */
export function slogdet(
  a: FloatArray,
  batch: number,
  n: number,
): { sign: FloatArray; logAbsDet: FloatArray } {
  checkDims('linalg.slogdet', { batch, n });
  const nn = n * n;
  checkLength('linalg.slogdet', 'input', a, batch * nn);
  const sign = like(a, batch);
  const logAbsDet = like(a, batch);
  const lu = new Float64Array(nn);
  for (let b = 0; b < batch; b++) {
    const off = b * nn;
    for (let i = 0; i < nn; i++) lu[i] = a[off + i]!;
    let sgn = 1;
    let logSum = 0;
    for (let k = 0; k < n; k++) {
      let piv = k;
      let best = Math.abs(lu[k * n + k]!);
      for (let i = k + 1; i < n; i++) {
        const val = Math.abs(lu[i * n + k]!);
        if (val > best || (Number.isNaN(val) && !Number.isNaN(best))) {
          best = val;
          piv = i;
        }
      }
      const pivot = lu[piv * n + k]!;
      if (Number.isNaN(pivot)) {
        sgn = 0;
        logSum = Number.NaN;
        break;
      }
      if (pivot === 0) {
        sgn = 0;
        logSum = Number.NEGATIVE_INFINITY;
        break;
      }
      if (piv !== k) {
        for (let j = 0; j < n; j++) {
          const t = lu[k * n + j]!;
          lu[k * n + j] = lu[piv * n + j]!;
          lu[piv * n + j] = t;
        }
        sgn = -sgn;
      }
      if (pivot < 0) sgn = -sgn;
      logSum += Math.log(Math.abs(pivot));
      for (let i = k + 1; i < n; i++) {
        const l = lu[i * n + k]! / pivot;
        if (l === 0) continue;
        for (let j = k + 1; j < n; j++) lu[i * n + j] -= l * lu[k * n + j]!;
      }
    }
    sign[b] = sgn;
    logAbsDet[b] = logSum;
  }
  return { sign, logAbsDet };
}
