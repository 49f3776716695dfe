/**
 * Row-wise softmax, logSoftmax, their backward passes, and the fused sparse softmax cross-entropy, over
 * the last axis of a view (every other axis is a row). Numerically stable (each row is shifted by its
 * maximum) and, like PyTorch, without special-casing infinities: a row holding NaN or +inf, or only
 * -inf, gives NaN everywhere. Arithmetic is in float64; float32 results are rounded once on store.
 * native/src/softmax.cc implements the same loops and must agree with these.
 */
import { allocate, type TypedArray } from '../dtype.js';
import { copyToContiguous, isContiguous, type StridedView } from './strided.js';

export type SoftmaxKind = 'softmax' | 'logSoftmax';

/** The view's elements as a contiguous array and the index of the first one. */
export function denseRows(v: StridedView): { data: TypedArray; start: number } {
  if (isContiguous(v.shape, v.strides)) return { data: v.storage, start: v.offset };
  return { data: copyToContiguous(v), start: 0 };
}

/** [rows, cols] of a view whose last axis is the row (a scalar is one row of one). */
export function rowsCols(shape: readonly number[]): [number, number] {
  const cols = shape.length === 0 ? 1 : shape[shape.length - 1]!;
  let rows = 1;
  for (let i = 0; i < shape.length - 1; i++) rows *= shape[i]!;
  return [rows, cols];
}

function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function softmax(kind: SoftmaxKind, x: StridedView): TypedArray {
  const out = allocate(x.dtype, sizeOf(x.shape));
  const [rows, cols] = rowsCols(x.shape);
  if (out.length === 0) return out;
  const { data, start } = denseRows(x);
  const log = kind === 'logSoftmax';
  // float64 exponentials of one row, so a float32 result is rounded once.
  const row = new Float64Array(log ? 0 : cols);
  for (let r = 0; r < rows; r++) {
    const base = start + r * cols;
    const o = r * cols;
    let top = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < cols; j++) {
      const v = data[base + j]!;
      // NaN propagates: once seen, the maximum stays NaN.
      if (v > top || v !== v) top = v;
      if (top !== top) break;
    }
    let total = 0;
    if (log) {
      for (let j = 0; j < cols; j++) total += Math.exp(data[base + j]! - top);
      const lse = Math.log(total);
      for (let j = 0; j < cols; j++) out[o + j] = data[base + j]! - top - lse;
    } else {
      for (let j = 0; j < cols; j++) {
        const e = Math.exp(data[base + j]! - top);
        row[j] = e;
        total += e;
      }
      for (let j = 0; j < cols; j++) out[o + j] = row[j]! / total;
    }
  }
  return out;
}

/**
 * The vector-Jacobian product of softmax/logSoftmax given their output y: softmax
 * dx = y (dy - sum(dy y)); logSoftmax dx = dy - exp(y) sum(dy). y and dy have one shape.
 */
export function softmaxGrad(kind: SoftmaxKind, y: StridedView, dy: StridedView): TypedArray {
  const out = allocate(y.dtype, sizeOf(y.shape));
  const [rows, cols] = rowsCols(y.shape);
  if (out.length === 0) return out;
  const { data: yd, start: ys } = denseRows(y);
  const { data: gd, start: gs } = denseRows(dy);
  const log = kind === 'logSoftmax';
  for (let r = 0; r < rows; r++) {
    const yb = ys + r * cols;
    const gb = gs + r * cols;
    const o = r * cols;
    let s = 0;
    if (log) {
      for (let j = 0; j < cols; j++) s += gd[gb + j]!;
      for (let j = 0; j < cols; j++) out[o + j] = gd[gb + j]! - Math.exp(yd[yb + j]!) * s;
    } else {
      for (let j = 0; j < cols; j++) s += gd[gb + j]! * yd[yb + j]!;
      for (let j = 0; j < cols; j++) out[o + j] = yd[yb + j]! * (gd[gb + j]! - s);
    }
  }
  return out;
}

/** The first label outside [0, classes), or null. */
export function badLabel(labels: Int32Array, classes: number): { index: number; label: number } | null {
  for (let i = 0; i < labels.length; i++) {
    const k = labels[i]!;
    if (k < 0 || k >= classes) return { index: i, label: k };
  }
  return null;
}

function checkLabels(labels: Int32Array, rows: number, classes: number): void {
  if (labels.length !== rows) {
    throw new RangeError(
      `sparseSoftmaxCrossEntropy: ${labels.length} labels for ${rows} rows of logits (one label per row expected)`,
    );
  }
  const bad = badLabel(labels, classes);
  if (bad) {
    throw new RangeError(
      `sparseSoftmaxCrossEntropy: label ${bad.label} at row ${bad.index} is out of range for ${classes} classes (expected 0 <= label < ${classes})`,
    );
  }
}

/** Per-row loss logSumExp(x) - x[label] (PyTorch's -log_softmax(x)[label]) of logits [rows, classes]. */
export function sparseSoftmaxCrossEntropy(logits: StridedView, labels: Int32Array): TypedArray {
  const [rows, cols] = rowsCols(logits.shape);
  checkLabels(labels, rows, cols);
  const out = allocate(logits.dtype, rows);
  if (rows === 0) return out;
  const { data, start } = denseRows(logits);
  for (let r = 0; r < rows; r++) {
    const base = start + r * cols;
    let top = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < cols; j++) {
      const v = data[base + j]!;
      if (v > top || v !== v) top = v;
      if (top !== top) break;
    }
    let total = 0;
    for (let j = 0; j < cols; j++) total += Math.exp(data[base + j]! - top);
    out[r] = Math.log(total) - (data[base + labels[r]!]! - top);
  }
  return out;
}

/** dy[r] (softmax(x)[r, j] - [j == label[r]]): the loss's gradient with respect to the logits. */
export function sparseSoftmaxCrossEntropyGrad(
  logits: StridedView,
  labels: Int32Array,
  dy: StridedView,
): TypedArray {
  const [rows, cols] = rowsCols(logits.shape);
  checkLabels(labels, rows, cols);
  const out = allocate(logits.dtype, rows * cols);
  if (out.length === 0) return out;
  const { data, start } = denseRows(logits);
  const { data: gd, start: gs } = denseRows(dy);
  const row = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const base = start + r * cols;
    const o = r * cols;
    let top = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < cols; j++) {
      const v = data[base + j]!;
      if (v > top || v !== v) top = v;
      if (top !== top) break;
    }
    let total = 0;
    for (let j = 0; j < cols; j++) {
      const e = Math.exp(data[base + j]! - top);
      row[j] = e;
      total += e;
    }
    const g = gd[gs + r]!;
    const label = labels[r]!;
    for (let j = 0; j < cols; j++) {
      const p = row[j]! / total;
      out[o + j] = g * (j === label ? p - 1 : p);
    }
  }
  return out;
}
