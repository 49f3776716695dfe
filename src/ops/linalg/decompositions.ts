/**
 * Matrix decompositions of tf.linalg with gradients: cholesky, qr, eigh, svd, triangularSolve and
 * slogdet are primitives (kernels in backend/js/decompositions.ts); lstsq (via QR) and pinv (via SVD) are
 * composites whose gradients follow from those of their parts.
 *
 * Multi-output decompositions are one primitive whose output packs every factor into one tensor
 * (`[..., rows, cols]` blocks, zero-padded); the public functions return views of the blocks, so the
 * gradient rule sees the gradients of all factors at once. A factor the caller did not use reaches the
 * rule as zeros: eigh and svd treat an all-zero eigenvector / singular-vector gradient as absent, as
 * PyTorch treats an undefined one (that is what keeps eigenvalue-only and singular-value-only gradients
 * finite for repeated values).
 *
 * Every gradient rule is written with tapeflow ops (matmul, matrixTranspose, triangularSolve, inv, mul,
 * ...) so that it is differentiable again.
 */
import type { DType } from '../../backend/dtype.js';
import { isFloat } from '../../backend/dtype.js';
import { type TensorLike, toTensor } from '../../tensor/convert.js';
import { broadcastShapes, formatShape } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { add, div, greater, mul, sub } from '../binary.js';
import { eye, zeros } from '../creation.js';
import { inv } from '../linalg.js';
import { matmul, matrixTranspose } from '../matmul.js';
import { defineOp, runOp } from '../op.js';
import { max } from '../reduce.js';
import { broadcastTo, concat, expandDims, reshape, slice } from '../shape.js';
import { neg, reciprocal, square } from '../unary.js';
import { describeTensor } from '../util.js';
import { where } from '../where.js';

// ---------------------------------------------------------------- helpers

function requireFloatMatrix(opName: string, a: Tensor, square: boolean): void {
  if (a.rank < 2) {
    throw new RangeError(
      `${opName}: expected a ${square ? 'square matrix or a batch of them [..., n, n]' : 'matrix or a batch of them [..., m, n]'}, got ${formatShape(a.shape)}`,
    );
  }
  if (square && a.shape[a.rank - 1] !== a.shape[a.rank - 2]) {
    throw new RangeError(
      `${opName}: expected a square matrix or a batch of them [..., n, n], got ${formatShape(a.shape)}`,
    );
  }
  if (!isFloat(a.dtype)) {
    throw new TypeError(`${opName}: expected a float32 or float64 tensor, got ${describeTensor(a)}`);
  }
}

/** Rows, columns and the number of matrices of a [..., m, n] tensor. */
function dims(a: Tensor): { batch: number; m: number; n: number } {
  const m = a.shape[a.rank - 2]!;
  const n = a.shape[a.rank - 1]!;
  let batch = 1;
  for (let i = 0; i < a.rank - 2; i++) batch *= a.shape[i]!;
  return { batch, m, n };
}

/** The block rows r0..r0+nr-1, columns c0..c0+nc-1 of every matrix of a batch (a view). */
function block(t: Tensor, r0: number, nr: number, c0: number, nc: number): Tensor {
  const lead = t.rank - 2;
  const begin = new Array<number>(lead).fill(0);
  const size = new Array<number>(lead).fill(-1);
  return slice(t, [...begin, r0, c0], [...size, nr, nc]);
}

/** Row r of every matrix of a batch, as [..., nc]. */
function row(t: Tensor, r: number, nc: number): Tensor {
  return reshape(block(t, r, 1, 0, nc), [...t.shape.slice(0, -2), nc]);
}

/** Writes the factors' flat [batch, rows_i, cols_i] arrays as row blocks of a [batch, rows, width] array. */
function pack(
  dtype: DType,
  batch: number,
  width: number,
  parts: readonly { data: ArrayLike<number>; rows: number; cols: number }[],
): Float32Array | Float64Array {
  let rows = 0;
  for (const p of parts) rows += p.rows;
  const out =
    dtype === 'float32' ? new Float32Array(batch * rows * width) : new Float64Array(batch * rows * width);
  for (let b = 0; b < batch; b++) {
    let r0 = b * rows;
    for (const p of parts) {
      const src = b * p.rows * p.cols;
      for (let i = 0; i < p.rows; i++) {
        const dst = (r0 + i) * width;
        for (let j = 0; j < p.cols; j++) out[dst + j] = p.data[src + i * p.cols + j]!;
      }
      r0 += p.rows;
    }
  }
  return out;
}

/** A constant [n, n] mask: 1 on the lower (or upper) triangle, `diagonal` on the diagonal, 0 elsewhere. */
function triangleMask(n: number, dtype: DType, lower: boolean, diagonal = 1): Tensor {
  const data = dtype === 'float32' ? new Float32Array(n * n) : new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) data[i * n + j] = diagonal;
      else if (lower ? j < i : j > i) data[i * n + j] = 1;
    }
  }
  return new Tensor(data, [n, n], dtype);
}

/** diag(v) for a batch of vectors [..., k] -> [..., k, k]. */
function diagEmbed(v: Tensor): Tensor {
  const k = v.shape[v.rank - 1]!;
  return mul(eye(k, k, v.dtype), expandDims(v, -1));
}

/** Whether every element is exactly zero (a gradient that only reached the op through zero padding). */
function allZero(t: Tensor): boolean {
  const data = t.dataSync();
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) return false;
  return true;
}

// ---------------------------------------------------------------- triangular solve

interface TriangularAttrs {
  lower: boolean;
  adjoint: boolean;
}

export const triangularSolveOp = defineOp<TriangularAttrs>({
  name: 'triangularSolve',
  infer: ([a, b]) => {
    requireFloatMatrix('linalg.triangularSolve', a!, true);
    const n = a!.shape[a!.rank - 1]!;
    if (
      b!.rank !== a!.rank ||
      b!.shape[b!.rank - 2] !== n ||
      b!.dtype !== a!.dtype ||
      a!.shape.slice(0, -2).some((d, i) => d !== b!.shape[i])
    ) {
      throw new RangeError(
        `linalg.triangularSolve: expected A [..., n, n] and B [..., n, k] of one dtype and batch shape, got ${describeTensor(a!)} and ${describeTensor(b!)}`,
      );
    }
    return { shape: b!.shape, dtype: b!.dtype };
  },
  kernel: (backend, [a, b], { lower, adjoint }, out) => {
    const { batch, n } = dims(a!);
    const k = b!.shape[b!.rank - 1]!;
    return new Tensor(
      backend.triangularSolve('linalg.triangularSolve', a!, b!, batch, n, k, lower, adjoint),
      out.shape,
      out.dtype,
    );
  },
  // X = op(T)^-1 B with T the used triangle of A: grad_B = op(T)^-T dX; grad_T = -grad_B X^T (or
  // -X grad_B^T when op(T) = T^T), restricted to the triangle that was read.
  grad: (dy, { inputs, output, attrs }, needs) => {
    const [a] = inputs as [Tensor, Tensor];
    const { lower, adjoint } = attrs;
    const gradB = triangularSolve(a, dy, { lower, adjoint: !adjoint });
    let gradA: Tensor | null = null;
    if (needs[0]) {
      const full = adjoint ? matmul(output, gradB, false, true) : matmul(gradB, output, false, true);
      gradA = mul(neg(full), triangleMask(a.shape[a.rank - 1]!, a.dtype, lower));
    }
    return [gradA, needs[1] ? gradB : null];
  },
});

export interface TriangularSolveOptions {
  /** Whether A is lower triangular (its upper triangle is ignored); otherwise upper. Default true. */
  lower?: boolean;
  /** Solve A^T X = B instead of A X = B. Default false. */
  adjoint?: boolean;
}

/**
 * Solves A X = B (or A^T X = B with `adjoint`) for triangular A [..., n, n] and B [..., n, k], as
 * tf.linalg.triangular_solve: only the lower (`lower`, the default) or upper triangle of A is read, and
 * the batch dimensions broadcast. A zero on the diagonal is not checked and gives inf/NaN.
 */
export function triangularSolve(a: TensorLike, b: TensorLike, options: TriangularSolveOptions = {}): Tensor {
  const opName = 'linalg.triangularSolve';
  const ta = toTensor(a, opName);
  const tb = toTensor(b, opName, ta.dtype);
  requireFloatMatrix(opName, ta, true);
  if (tb.rank < 2) {
    throw new RangeError(
      `${opName}: expected B to be a matrix or a batch of them [..., n, k], got ${formatShape(tb.shape)}`,
    );
  }
  const n = ta.shape[ta.rank - 1]!;
  if (tb.shape[tb.rank - 2] !== n || tb.dtype !== ta.dtype) {
    throw new RangeError(
      `${opName}: expected A [..., n, n] and B [..., n, k] of one dtype, got ${describeTensor(ta)} and ${describeTensor(tb)}`,
    );
  }
  const batch = broadcastShapes(opName, ta.shape.slice(0, -2), tb.shape.slice(0, -2));
  const k = tb.shape[tb.rank - 1]!;
  const fa = broadcastTo(ta, [...batch, n, n]);
  const fb = broadcastTo(tb, [...batch, n, k]);
  return runOp(triangularSolveOp, [fa, fb], {
    lower: options.lower ?? true,
    adjoint: options.adjoint ?? false,
  });
}

/** X R^-T for upper-triangular R: (R^-1 X^T)^T. */
function solveRightUpperTransposed(x: Tensor, r: Tensor): Tensor {
  return matrixTranspose(triangularSolve(r, matrixTranspose(x), { lower: false }));
}

// ---------------------------------------------------------------- Cholesky

export const choleskyOp = defineOp({
  name: 'cholesky',
  infer: ([a]) => {
    requireFloatMatrix('linalg.cholesky', a!, true);
    return { shape: a!.shape, dtype: a!.dtype };
  },
  kernel: (backend, [a], _attrs, out) => {
    const { batch, n } = dims(a!);
    return new Tensor(backend.cholesky('linalg.cholesky', a!, batch, n), out.shape, out.dtype);
  },
  // A = L L^T: grad_A = sym(L^-T Phi(L^T dL) L^-1), Phi = lower triangle with the diagonal halved,
  // sym(X) = (X + X^T) / 2 (the gradient with respect to a symmetric A, as PyTorch and TensorFlow).
  grad: (dy, { output: l }) => {
    const n = l.shape[l.rank - 1]!;
    const phi = mul(matmul(l, dy, true, false), triangleMask(n, l.dtype, true, 0.5));
    const left = triangularSolve(l, phi, { lower: true, adjoint: true });
    const both = matrixTranspose(triangularSolve(l, matrixTranspose(left), { lower: true, adjoint: true }));
    return [mul(add(both, matrixTranspose(both)), 0.5)];
  },
});

/**
 * Lower-triangular Cholesky factor L of a symmetric positive-definite A [..., n, n] (L L^T = A), reading
 * only the lower triangle of A. A matrix that is not positive-definite is an error naming the op, the
 * batch item, the shape and the order of the failing leading minor (as PyTorch). The gradient is the
 * symmetric one: perturbations of A are taken to be symmetric.
 */
export function cholesky(a: TensorLike): Tensor {
  const t = toTensor(a, 'linalg.cholesky');
  requireFloatMatrix('linalg.cholesky', t, true);
  return runOp(choleskyOp, [t], undefined);
}

// ---------------------------------------------------------------- QR

interface QrAttrs {
  complete: boolean;
}

/** Columns of Q, rows of R and the packed width for an m x n input. */
function qrLayout(m: number, n: number, complete: boolean) {
  const k = complete ? m : Math.min(m, n);
  return { kq: k, kr: k, width: Math.max(k, n) };
}

export const qrOp = defineOp<QrAttrs>({
  name: 'qr',
  infer: ([a], { complete }) => {
    requireFloatMatrix('linalg.qr', a!, false);
    const { m, n } = dims(a!);
    const { kr, width } = qrLayout(m, n, complete);
    return { shape: [...a!.shape.slice(0, -2), m + kr, width], dtype: a!.dtype };
  },
  kernel: (backend, [a], { complete }, out) => {
    const { batch, m, n } = dims(a!);
    const { kq, kr, width } = qrLayout(m, n, complete);
    const { q, r } = backend.qr(a!, batch, m, n, complete);
    const data = pack(out.dtype, batch, width, [
      { data: q, rows: m, cols: kq },
      { data: r, rows: kr, cols: n },
    ]);
    return new Tensor(data, out.shape, out.dtype);
  },
  grad: (dy, { inputs, output, attrs }) => {
    const a = inputs[0]!;
    const { m, n } = dims(a);
    if (attrs.complete && m > n) {
      throw new RangeError(
        `linalg.qr: The QR decomposition is not differentiable when mode='complete' and nrows > ncols (got ${formatShape(a.shape)}): the last m - n columns of Q are not unique; use mode 'reduced'`,
      );
    }
    const k = Math.min(m, n);
    const q = block(output, 0, m, 0, k);
    const r = block(output, m, k, 0, n);
    const gq = block(dy, 0, m, 0, k);
    const gr = block(dy, m, k, 0, n);
    if (m >= n) return [qrGrad(q, r, gq, gr)];
    // Wide A = [X | Y] = Q [R1 | R2]: X = Q R1 is a square QR and R2 = Q^T Y, so Y adds Y gR2^T to
    // the gradient reaching Q and receives Q gR2.
    const r1 = block(r, 0, m, 0, m);
    const gr1 = block(gr, 0, m, 0, m);
    const gr2 = block(gr, 0, m, m, n - m);
    const y = block(a, 0, m, m, n - m);
    const gx = qrGrad(q, r1, add(gq, matmul(y, gr2, false, true)), gr1);
    return [concat([gx, matmul(q, gr2)], -1)];
  },
});

/**
 * Gradient of A = Q R (m >= n, Q m x n, R n x n upper, invertible): with M = R gR^T - gQ^T Q and
 * copyltu(M) = tril(M) + tril(M, -1)^T, grad_A = (gQ + Q copyltu(M)) R^-T.
 */
function qrGrad(q: Tensor, r: Tensor, gq: Tensor, gr: Tensor): Tensor {
  const n = r.shape[r.rank - 1]!;
  const mm = sub(matmul(r, gr, false, true), matmul(gq, q, true, false));
  const sym = add(
    mul(mm, triangleMask(n, r.dtype, true)),
    matrixTranspose(mul(mm, triangleMask(n, r.dtype, true, 0))),
  );
  return solveRightUpperTransposed(add(gq, matmul(q, sym)), r);
}

export interface QrOptions {
  /** 'reduced' (default): Q [..., m, k], R [..., k, n] with k = min(m, n); 'complete': Q [..., m, m], R [..., m, n]. */
  mode?: 'reduced' | 'complete';
}

/**
 * Householder QR decomposition A = Q R of A [..., m, n] (any m, n): Q has orthonormal columns and R is
 * upper triangular (its diagonal may be negative, as LAPACK's geqrf / NumPy / PyTorch).
 *
 * Gradients: supported for mode 'reduced' (any m, n) and for 'complete' with m <= n; they need R's
 * leading k x k block to be invertible (full rank). 'complete' with m > n is not differentiable (the last
 * m - n columns of Q are not unique), and backpropagating through it throws, as in PyTorch.
 */
export function qr(a: TensorLike, options: QrOptions = {}): { q: Tensor; r: Tensor } {
  const mode = options.mode ?? 'reduced';
  if (mode !== 'reduced' && mode !== 'complete') {
    throw new RangeError(`linalg.qr: mode must be 'reduced' or 'complete', got ${String(mode)}`);
  }
  const t = toTensor(a, 'linalg.qr');
  requireFloatMatrix('linalg.qr', t, false);
  const { m, n } = dims(t);
  const complete = mode === 'complete';
  const { kq, kr } = qrLayout(m, n, complete);
  const packed = runOp(qrOp, [t], { complete });
  return { q: block(packed, 0, m, 0, kq), r: block(packed, m, kr, 0, n) };
}

// ---------------------------------------------------------------- eigh

export const eighOp = defineOp({
  name: 'eigh',
  infer: ([a]) => {
    requireFloatMatrix('linalg.eigh', a!, true);
    const n = a!.shape[a!.rank - 1]!;
    return { shape: [...a!.shape.slice(0, -2), n + 1, n], dtype: a!.dtype };
  },
  kernel: (backend, [a], _attrs, out) => {
    const { batch, n } = dims(a!);
    const { eigenvalues, eigenvectors } = backend.eigh('linalg.eigh', a!, batch, n);
    const data = pack(out.dtype, batch, n, [
      { data: eigenvalues, rows: 1, cols: n },
      { data: eigenvectors, rows: n, cols: n },
    ]);
    return new Tensor(data, out.shape, out.dtype);
  },
  // A = V diag(w) V^T: grad_A = V (diag(gw) + F o skew(V^T gV)) V^T with F_ij = 1 / (w_j - w_i) off the
  // diagonal (the skew-symmetric part makes the result symmetric, PyTorch's convention). Repeated
  // eigenvalues give inf/NaN whenever the eigenvectors receive a gradient, as in PyTorch.
  grad: (dy, { output }) => {
    const n = output.shape[output.rank - 1]!;
    const w = row(output, 0, n);
    const v = block(output, 1, n, 0, n);
    const gv = block(dy, 1, n, 0, n);
    let inner = diagEmbed(row(dy, 0, n));
    if (!allZero(gv)) {
      const vtg = matmul(v, gv, true, false);
      const skew = mul(sub(vtg, matrixTranspose(vtg)), 0.5);
      const gaps = add(sub(expandDims(w, -2), expandDims(w, -1)), eye(n, n, w.dtype));
      inner = add(inner, div(skew, gaps));
    }
    return [matmul(matmul(v, inner), v, false, true)];
  },
});

/**
 * Eigenvalues (ascending, as PyTorch / NumPy) and orthonormal eigenvectors (the columns of
 * `eigenvectors`) of a symmetric A [..., n, n]: A V = V diag(eigenvalues). Only the lower triangle of A
 * is read. Each eigenvector's sign is arbitrary.
 *
 * Gradients follow PyTorch: symmetric; eigenvalue-only gradients are V diag(g) V^T (finite for repeated
 * eigenvalues); when the eigenvectors are used, repeated eigenvalues give inf/NaN gradients (the
 * eigenvectors are not unique there), and the loss should not depend on the eigenvectors' signs.
 */
export function eigh(a: TensorLike): { eigenvalues: Tensor; eigenvectors: Tensor } {
  const t = toTensor(a, 'linalg.eigh');
  requireFloatMatrix('linalg.eigh', t, true);
  const n = t.shape[t.rank - 1]!;
  const packed = runOp(eighOp, [t], undefined);
  return { eigenvalues: row(packed, 0, n), eigenvectors: block(packed, 1, n, 0, n) };
}

// ---------------------------------------------------------------- SVD

interface SvdAttrs {
  fullMatrices: boolean;
  computeUv: boolean;
}

function svdLayout(m: number, n: number, fullMatrices: boolean) {
  const k = Math.min(m, n);
  const ku = fullMatrices ? m : k;
  const kv = fullMatrices ? n : k;
  return { k, ku, kv, width: Math.max(k, ku, kv) };
}

export const svdOp = defineOp<SvdAttrs>({
  name: 'svd',
  infer: ([a], { fullMatrices, computeUv }) => {
    requireFloatMatrix('linalg.svd', a!, false);
    const { m, n } = dims(a!);
    const { k, width } = svdLayout(m, n, fullMatrices);
    const batch = a!.shape.slice(0, -2);
    return { shape: computeUv ? [...batch, 1 + m + n, width] : [...batch, k], dtype: a!.dtype };
  },
  kernel: (backend, [a], { fullMatrices, computeUv }, out) => {
    const { batch, m, n } = dims(a!);
    const { k, ku, kv, width } = svdLayout(m, n, fullMatrices);
    const { s, u, v } = backend.svd('linalg.svd', a!, batch, m, n, fullMatrices, computeUv);
    if (!computeUv || !u || !v) return new Tensor(s, out.shape, out.dtype);
    const data = pack(out.dtype, batch, width, [
      { data: s, rows: 1, cols: k },
      { data: u, rows: m, cols: ku },
      { data: v, rows: n, cols: kv },
    ]);
    return new Tensor(data, out.shape, out.dtype);
  },
  grad: (dy, { inputs, output, attrs }) => {
    const a = inputs[0]!;
    const { m, n } = dims(a);
    const k = Math.min(m, n);
    if (!attrs.computeUv) {
      // Singular values only: grad_A = U diag(gS) V^T, with U and V from a (differentiable) SVD.
      const { u, v } = unpackSvd(runOp(svdOp, [a], { fullMatrices: false, computeUv: true }), m, n, k, k);
      return [matmul(mul(u, expandDims(dy, -2)), v, false, true)];
    }
    // Full matrices: only the first k columns of U and V are determined by A (as PyTorch, the gradient
    // reaching the other columns is ignored).
    const { s, u, v } = unpackSvd(output, m, n, k, k);
    const { s: gs, u: gu, v: gv } = unpackSvd(dy, m, n, k, k);
    return [svdGrad(s, u, v, gs, allZero(gu) ? null : gu, allZero(gv) ? null : gv, m, n)];
  },
});

function unpackSvd(packed: Tensor, m: number, n: number, ku: number, kv: number) {
  const k = Math.min(m, n);
  return { s: row(packed, 0, k), u: block(packed, 1, m, 0, ku), v: block(packed, 1 + m, n, 0, kv) };
}

/**
 * The SVD's vector-Jacobian product (reduced factors, A = U diag(s) V^T, U m x k, V n x k):
 * grad_A = U [diag(gS) + (J s_j + s_i K) / (s_j^2 - s_i^2)] V^T, J = skew(U^T gU), K = skew(V^T gV)
 * (skew(X) = X - X^T), plus (I - U U^T) gU S^-1 V^T when m > k and U S^-1 gV^T (I - V V^T) when n > k.
 * Without gU and gV it is U diag(gS) V^T. Repeated singular values (or a zero one, for the extra terms)
 * give inf/NaN when gU or gV is present, as in PyTorch.
 */
function svdGrad(
  s: Tensor,
  u: Tensor,
  v: Tensor,
  gs: Tensor,
  gu: Tensor | null,
  gv: Tensor | null,
  m: number,
  n: number,
): Tensor {
  const k = s.shape[s.rank - 1]!;
  let inner = diagEmbed(gs);
  if (gu || gv) {
    const sRow = expandDims(s, -2);
    const sCol = expandDims(s, -1);
    const s2 = square(s);
    const gaps = add(sub(expandDims(s2, -2), expandDims(s2, -1)), eye(k, k, s.dtype));
    let num: Tensor | null = null;
    if (gu) {
      const j = matmul(u, gu, true, false);
      num = mul(sub(j, matrixTranspose(j)), sRow);
    }
    if (gv) {
      const kk = matmul(v, gv, true, false);
      const term = mul(sCol, sub(kk, matrixTranspose(kk)));
      num = num ? add(num, term) : term;
    }
    inner = add(inner, div(num!, gaps));
  }
  let ga = matmul(matmul(u, inner), v, false, true);
  if (gu && m > k) {
    const gus = div(gu, expandDims(s, -2));
    const orth = sub(gus, matmul(u, matmul(u, gus, true, false)));
    ga = add(ga, matmul(orth, v, false, true));
  }
  if (gv && n > k) {
    const gvs = div(gv, expandDims(s, -2));
    const orth = sub(gvs, matmul(v, matmul(v, gvs, true, false)));
    ga = add(ga, matmul(u, orth, false, true));
  }
  return ga;
}

export interface SvdOptions {
  /** Return U [..., m, m] and V [..., n, n] instead of the reduced [..., m, k] and [..., n, k]. Default false. */
  fullMatrices?: boolean;
  /** Compute U and V (default true); false returns the singular values only. */
  computeUv?: boolean;
}

/**
 * Singular value decomposition A = U diag(S) V^T of A [..., m, n] (any m, n), k = min(m, n): S [..., k]
 * descending and non-negative, U [..., m, k] and V [..., n, k] with orthonormal columns (fullMatrices:
 * [..., m, m] and [..., n, n]). Note that V is returned, not V^T (PyTorch's Vh): as tf.linalg.svd, whose
 * argument order (s, u, v) this follows. Singular vectors are determined up to a common sign per pair
 * (u_i, v_i), and not at all for repeated singular values.
 *
 * Gradients follow PyTorch: singular-value-only gradients are U diag(gS) V^T (finite for repeated
 * singular values); with U or V used, repeated singular values give inf/NaN, and for non-square A a zero
 * singular value does too; with fullMatrices only the first k columns of U and V carry gradient.
 */
export function svd(a: TensorLike, options: SvdOptions & { computeUv: false }): { s: Tensor };
export function svd(
  a: TensorLike,
  options?: SvdOptions & { computeUv?: true },
): { s: Tensor; u: Tensor; v: Tensor };
export function svd(a: TensorLike, options: SvdOptions): { s: Tensor; u?: Tensor; v?: Tensor };
export function svd(a: TensorLike, options: SvdOptions = {}): { s: Tensor; u?: Tensor; v?: Tensor } {
  const t = toTensor(a, 'linalg.svd');
  requireFloatMatrix('linalg.svd', t, false);
  const fullMatrices = options.fullMatrices ?? false;
  const computeUv = options.computeUv ?? true;
  if (!computeUv) return { s: runOp(svdOp, [t], { fullMatrices: false, computeUv: false }) };
  const { m, n } = dims(t);
  const { ku, kv } = svdLayout(m, n, fullMatrices);
  const packed = runOp(svdOp, [t], { fullMatrices, computeUv: true });
  return unpackSvd(packed, m, n, ku, kv);
}

// ---------------------------------------------------------------- slogdet

export const slogdetOp = defineOp({
  name: 'slogdet',
  infer: ([a]) => {
    requireFloatMatrix('linalg.slogdet', a!, true);
    return { shape: [...a!.shape.slice(0, -2), 2], dtype: a!.dtype };
  },
  kernel: (backend, [a], _attrs, out) => {
    const { batch, n } = dims(a!);
    const { sign, logAbsDet } = backend.slogdet(a!, batch, n);
    const data = out.dtype === 'float32' ? new Float32Array(batch * 2) : new Float64Array(batch * 2);
    for (let b = 0; b < batch; b++) {
      data[2 * b] = sign[b]!;
      data[2 * b + 1] = logAbsDet[b]!;
    }
    return new Tensor(data, out.shape, out.dtype);
  },
  // d log|det A| = tr(A^-1 dA): grad_A = g inv(A)^T (the sign is piecewise constant: no gradient).
  // Singular A has no gradient: inv throws, as PyTorch's slogdet backward fails there.
  grad: (dy, { inputs }) => {
    const a = inputs[0]!;
    const last = dy.rank - 1;
    const g = reshape(
      slice(dy, [...new Array<number>(last).fill(0), 1], [...new Array<number>(last).fill(-1), 1]),
      [...dy.shape.slice(0, -1), 1, 1],
    );
    return [mul(g, matrixTranspose(inv(a)))];
  },
});

/**
 * Sign and natural log of |det A| for A [..., n, n] (numerically safe where det over- or underflows).
 * Singular A gives sign 0 and logAbsDet -inf; the gradient of logAbsDet is inv(A)^T.
 */
export function slogdet(a: TensorLike): { sign: Tensor; logAbsDet: Tensor } {
  const t = toTensor(a, 'linalg.slogdet');
  requireFloatMatrix('linalg.slogdet', t, true);
  const packed = runOp(slogdetOp, [t], undefined);
  const lead = packed.rank - 1;
  const pick = (i: number) =>
    reshape(
      slice(packed, [...new Array<number>(lead).fill(0), i], [...new Array<number>(lead).fill(-1), 1]),
      packed.shape.slice(0, -1),
    );
  return { sign: pick(0), logAbsDet: pick(1) };
}

// ---------------------------------------------------------------- composites: lstsq and pinv

/**
 * Least-squares solution of A X = B for A [..., m, n] and B [..., m, k] (or a vector [m]), via QR, as
 * tf.linalg.lstsq without regularisation: for m >= n the X minimising ||A X - B|| (A must have full
 * column rank), for m < n the minimum-norm solution (A must have full row rank). Rank-deficient A gives
 * inf/NaN. A composite of qr, matmul and triangularSolve, so gradients of every order follow.
 */
export function lstsq(a: TensorLike, b: TensorLike): Tensor {
  const opName = 'linalg.lstsq';
  const ta = toTensor(a, opName);
  requireFloatMatrix(opName, ta, false);
  let tb = toTensor(b, opName, ta.dtype);
  const vector = tb.rank === 1;
  if (vector) tb = expandDims(tb, -1);
  const { m, n } = dims(ta);
  if (tb.rank < 2 || tb.shape[tb.rank - 2] !== m || tb.dtype !== ta.dtype) {
    throw new RangeError(
      `${opName}: expected A [..., m, n] and B [..., m, k] (or [m]) of one dtype, got ${describeTensor(ta)} and ${describeTensor(tb)}`,
    );
  }
  let x: Tensor;
  if (m >= n) {
    const { q, r } = qr(ta);
    x = triangularSolve(r, matmul(q, tb, true, false), { lower: false });
  } else {
    // A^T = Q R, so A = R^T Q^T and the minimum-norm solution is Q R^-T B.
    const { q, r } = qr(matrixTranspose(ta));
    x = matmul(q, triangularSolve(r, tb, { lower: false, adjoint: true }));
  }
  return vector ? reshape(x, x.shape.slice(0, -1)) : x;
}

export interface PinvOptions {
  /**
   * Singular values <= rcond * (largest singular value) are treated as zero. Default 1e-15, NumPy's
   * documented default for numpy.linalg.pinv.
   */
  rcond?: number;
}

/**
 * Moore-Penrose pseudo-inverse of A [..., m, n] -> [..., n, m] via the SVD: V diag(1/s) U^T over the
 * singular values above rcond times the largest one, as numpy.linalg.pinv. A composite of svd and
 * elementwise ops; its gradient is the SVD's, so it needs distinct singular values (and, for non-square
 * A, nonzero ones) to be finite, like PyTorch's svd-based gradients.
 */
export function pinv(a: TensorLike, options: PinvOptions = {}): Tensor {
  const opName = 'linalg.pinv';
  const t = toTensor(a, opName);
  requireFloatMatrix(opName, t, false);
  const rcond = options.rcond ?? 1e-15;
  if (typeof rcond !== 'number' || !(rcond >= 0)) {
    throw new RangeError(`${opName}: rcond must be a non-negative number, got ${String(rcond)}`);
  }
  const { m, n } = dims(t);
  if (Math.min(m, n) === 0) return zeros([...t.shape.slice(0, -2), n, m], t.dtype);
  const { s, u, v } = svd(t);
  const cutoff = mul(max(s, -1, true), rcond);
  const keep = greater(s, cutoff);
  // The inner where keeps 1/s finite where it is discarded, so that its gradient is 0, not NaN.
  const sInv = where(keep, reciprocal(where(keep, s, 1)), 0);
  return matmul(mul(v, expandDims(sInv, -2)), u, false, true);
}

/** The primitives and composites of this module, by registry name. */
export const decompositionPrimitives = {
  cholesky: choleskyOp,
  qr: qrOp,
  eigh: eighOp,
  svd: svdOp,
  triangularSolve: triangularSolveOp,
  slogdet: slogdetOp,
};
export const decompositionComposites = { lstsq, pinv };
export type DecompositionOpName = keyof typeof decompositionPrimitives | keyof typeof decompositionComposites;
