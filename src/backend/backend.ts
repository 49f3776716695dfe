import type { DType, TypedArray } from './dtype.js';
import type { BinaryKind, UnaryKind } from './js/expressions.js';
import type { ArgReduceKind, ReduceKind } from './js/reduce.js';
import type { SoftmaxKind } from './js/softmax.js';
import type { StridedView } from './js/strided.js';

export type { BinaryKind, UnaryKind, ArgReduceKind, ReduceKind, SoftmaxKind, StridedView };

/** The activations fused kernels apply to their output. */
export type FusedActivation = 'linear' | 'relu';

/** Geometry of a 2-D convolution or pooling window in NHWC, computed by the op layer. */
export type { Conv2DGeometry } from './js/conv.js';

import type { Conv2DGeometry } from './js/conv.js';

/**
 * A kernel whose geometry was fixed once (shapes, strides, dtypes: a replayed trace runs the same kernels
 * every step, see ops/trace.ts): reads the storages `inputs` from `offsets` on and writes every element
 * of `out`, a contiguous array of the output's size and dtype.
 */
export type PreparedKernel = (
  inputs: readonly TypedArray[],
  offsets: readonly number[],
  out: TypedArray,
) => void;

/**
 * Kernels a backend can prepare for a geometry, giving the very bits its eager kernel gives; null where
 * it would not (a size it hands to another kernel, say).
 */
export type KernelPreparer = {
  [K in 'unary' | 'binary' | 'matmul' | 'reduce']: (...args: Parameters<Backend[K]>) => PreparedKernel | null;
} & {
  /**
   * The fused cross-entropy's kernels, whose labels are an input here (an int32 view, one class index
   * per row) rather than checked data: the prepared kernel checks them on every call.
   */
  sparseSoftmaxCrossEntropy(logits: StridedView, labels: StridedView): PreparedKernel | null;
  sparseSoftmaxCrossEntropyGrad(
    logits: StridedView,
    labels: StridedView,
    dy: StridedView,
  ): PreparedKernel | null;
};

/**
 * The kernels every backend provides. Inputs are strided views over the backend's memory; outputs
 * are fresh contiguous arrays. The JS backend is the reference; faster backends implement the same
 * interface and are checked against it.
 */
export interface Backend {
  readonly name: string;
  /** Kernels prepared once for a geometry (a backend where the call itself costs, like the addon's). */
  readonly prepare?: KernelPreparer;
  unary(kind: UnaryKind, x: StridedView, outDtype: DType): TypedArray;
  binary(
    kind: BinaryKind,
    a: StridedView,
    b: StridedView,
    outShape: readonly number[],
    outDtype: DType,
  ): TypedArray;
  where(
    cond: StridedView,
    a: StridedView,
    b: StridedView,
    outShape: readonly number[],
    outDtype: DType,
  ): TypedArray;
  /** Contiguous copy, converting to `dtype`. */
  cast(x: StridedView, dtype: DType): TypedArray;
  reduce(kind: ReduceKind, x: StridedView, axes: readonly number[], outDtype: DType): TypedArray;
  argReduce(kind: ArgReduceKind, x: StridedView, axis: number): Int32Array;
  cumsum(x: StridedView, axis: number, exclusive: boolean, reverse: boolean): TypedArray;
  // Softmax family (js/softmax.ts): rows are the last axis of a float view, every other axis indexes
  // rows; stable (max-shifted), NaN/inf as PyTorch; outputs contiguous in the input's dtype.
  /** softmax or logSoftmax of each row. */
  softmax(kind: SoftmaxKind, x: StridedView): TypedArray;
  /** Backward of softmax/logSoftmax from their output y and the upstream dy (same shape). */
  softmaxGrad(kind: SoftmaxKind, y: StridedView, dy: StridedView): TypedArray;
  /**
   * Per-row loss logSumExp(x) - x[label] of logits [rows, classes] with int32 labels [rows]; throws a
   * RangeError naming the op and the label when one is outside [0, classes).
   */
  sparseSoftmaxCrossEntropy(logits: StridedView, labels: Int32Array): TypedArray;
  /** dy[r] (softmax(x)[r] - onehot(label[r])), [rows, classes]; dy is [rows]. */
  sparseSoftmaxCrossEntropyGrad(logits: StridedView, labels: Int32Array, dy: StridedView): TypedArray;
  /** Batched matrix product with NumPy broadcasting of the batch dimensions. */
  matmul(
    a: StridedView,
    b: StridedView,
    transposeA: boolean,
    transposeB: boolean,
    outShape: readonly number[],
  ): TypedArray;
  /** Takes slices `indices` along `axis`; indices are already bounds-checked. */
  gather(x: StridedView, indices: Int32Array, axis: number): TypedArray;
  /** Adds slices of `updates` into a zero tensor whose `axis` has `size` entries, at `indices`. */
  scatterAdd(updates: StridedView, indices: Int32Array, axis: number, size: number): TypedArray;
  concat(parts: readonly StridedView[], axis: number, outShape: readonly number[], dtype: DType): TypedArray;
  /** Writes `x` into a zero tensor of `outShape` at begin + i * steps (the adjoint of a strided slice). */
  unslice(
    x: StridedView,
    begin: readonly number[],
    steps: readonly number[],
    outShape: readonly number[],
  ): TypedArray;
  conv2d(x: StridedView, filter: StridedView, g: Conv2DGeometry): TypedArray;
  /** activation(conv2d(x, filter) + bias), bias [outChannels], in one pass where the backend can. */
  conv2dBiasActivation(
    x: StridedView,
    filter: StridedView,
    bias: StridedView,
    g: Conv2DGeometry,
    activation: FusedActivation,
  ): TypedArray;
  conv2dBackpropInput(dy: StridedView, filter: StridedView, g: Conv2DGeometry): TypedArray;
  conv2dBackpropFilter(x: StridedView, dy: StridedView, g: Conv2DGeometry): TypedArray;
  /**
   * The filter and bias gradients of conv2d + bias (+ relu when `reluOutput`, the layer's output, is given:
   * the gradient is dy where it is > 0), packed as [filter gradient (fh*fw*Cin*Cout), bias gradient (Cout)].
   */
  conv2dBackpropFilterBias(
    x: StridedView,
    dy: StridedView,
    reluOutput: StridedView | null,
    g: Conv2DGeometry,
  ): TypedArray;
  maxPool(x: StridedView, g: Conv2DGeometry): { y: TypedArray; argmax: Int32Array };
  /**
   * maxPool(conv2dBiasActivation(...), pool) where `pool` is the pooling geometry over the convolution's
   * output; argmax indexes that output, which a backend need not write out.
   */
  conv2dBiasActivationMaxPool(
    x: StridedView,
    filter: StridedView,
    bias: StridedView,
    g: Conv2DGeometry,
    activation: FusedActivation,
    pool: Conv2DGeometry,
  ): { y: TypedArray; argmax: Int32Array };
  /**
   * [filter gradient, bias gradient] of conv2dBiasActivationMaxPool from the pooled gradient: dPooled
   * routed to the convolution's output at `argmax` (where the pooled output is > 0 when `pooledOutput`,
   * relu's mask, is given), then as conv2dBackpropFilterBias.
   */
  conv2dMaxPoolBackpropFilterBias(
    x: StridedView,
    dPooled: StridedView,
    pooledOutput: StridedView | null,
    argmax: Int32Array,
    g: Conv2DGeometry,
    pool: Conv2DGeometry,
  ): TypedArray;
  avgPool(x: StridedView, g: Conv2DGeometry): TypedArray;
  avgPoolBackprop(dy: StridedView, g: Conv2DGeometry): TypedArray;
  inv(opName: string, a: StridedView, batch: number, n: number): TypedArray;
  solve(opName: string, a: StridedView, b: StridedView, batch: number, n: number, m: number): TypedArray;
  det(a: StridedView, batch: number, n: number): TypedArray;
  // Decompositions (js/decompositions.ts): [batch, rows, cols] batches, errors naming `opName`.
  /** Lower Cholesky factor; throws when a leading minor is not positive-definite. */
  cholesky(opName: string, a: StridedView, batch: number, n: number): TypedArray;
  /** Solves op(A) X = B with A [batch, n, n] triangular (op(A) = A^T when adjoint), B [batch, n, k]. */
  triangularSolve(
    opName: string,
    a: StridedView,
    b: StridedView,
    batch: number,
    n: number,
    k: number,
    lower: boolean,
    adjoint: boolean,
  ): TypedArray;
  /** Householder QR: Q [batch, m, k] and R [batch, k, n], k = min(m, n) (complete: k = m). */
  qr(
    a: StridedView,
    batch: number,
    m: number,
    n: number,
    complete: boolean,
  ): { q: TypedArray; r: TypedArray };
  /** Ascending eigenvalues [batch, n] and eigenvectors (columns) [batch, n, n] of symmetric matrices. */
  eigh(
    opName: string,
    a: StridedView,
    batch: number,
    n: number,
  ): { eigenvalues: TypedArray; eigenvectors: TypedArray };
  /** Descending singular values [batch, k] and, with computeUv, U and V (not V^T). */
  svd(
    opName: string,
    a: StridedView,
    batch: number,
    m: number,
    n: number,
    fullMatrices: boolean,
    computeUv: boolean,
  ): { s: TypedArray; u: TypedArray | null; v: TypedArray | null };
  /** Sign and log|det| of square matrices, [batch] each. */
  slogdet(a: StridedView, batch: number, n: number): { sign: TypedArray; logAbsDet: TypedArray };
}
