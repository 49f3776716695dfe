/**
 * The native CPU backend: the kernels that matter for training speed (matmul, elementwise, reductions,
 * conv2d and its two backward passes, pooling, the softmax family and fused sparse cross-entropy) run in
 * C++ (native/src) on the tensors' own typed arrays, with SIMD chosen at run time and a persistent thread
 * pool above a size threshold (softmax.cc is single-threaded, with vectorised exponentials). Every
 * other kernel, and any case the native code does not cover (integer or bool dtypes, mixed dtypes, more
 * than 12 collapsed axes), is delegated to the JS backend, so this backend is always complete.
 */
import { broadcastStrides } from '../../tensor/shape.js';
import type {
  Backend,
  BinaryKind,
  KernelPreparer,
  PreparedKernel,
  ReduceKind,
  UnaryKind,
} from '../backend.js';
import {
  allocate,
  allocateForOverwrite,
  type DType,
  dtypeOfArray,
  type FloatArray,
  type TypedArray,
} from '../dtype.js';
import type { Conv2DGeometry } from '../js/conv.js';
import { jsBackend } from '../js/index.js';
import { routePooledGradient } from '../js/pool.js';
import { denseRows, rowsCols } from '../js/softmax.js';
import {
  collapseAxes,
  copyToContiguous,
  isContiguous,
  permuteView,
  type StridedView,
} from '../js/strided.js';
import { addon, addonError, type NativeAddon } from './addon.js';

export { addonError };

/** Kind codes shared with native/src/kernels.h. */
const BINARY: Partial<Record<BinaryKind, number>> = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  maximum: 4,
  minimum: 5,
  pow: 6,
  reluBackprop: 7,
};
const UNARY: Partial<Record<UnaryKind, number>> = {
  neg: 0,
  abs: 1,
  exp: 2,
  log: 3,
  sqrt: 4,
  rsqrt: 5,
  square: 6,
  reciprocal: 7,
  tanh: 8,
  sigmoid: 9,
  relu: 10,
  step: 11,
  expm1: 12,
  log1p: 13,
  identity: 14,
  sin: 15,
  cos: 16,
  floor: 17,
  ceil: 18,
};
const REDUCE: Partial<Record<ReduceKind, number>> = { sum: 0, max: 1, min: 2, prod: 3 };
/** @internal The ops whose kernels this backend prepares for replays (for tests). */
export const PREPARED_KERNELS: readonly string[] = [
  ...Object.keys(BINARY),
  ...Object.keys(UNARY),
  ...Object.keys(REDUCE),
  'matmul',
  'sparseSoftmaxCrossEntropy',
  'sparseSoftmaxCrossEntropyGrad',
];
/** Elementwise kinds whose every element is one IEEE operation, so C++ and JS round it alike. */
const EXACT_BINARY = new Set<BinaryKind>(['add', 'sub', 'mul', 'div']);

const MAX_RANK = 12;

/** The Backend methods implemented natively (the rest delegate to the JS backend). */
export const NATIVE_KERNELS = [
  'matmul',
  'binary',
  'unary',
  'reduce',
  'conv2d',
  'conv2dBiasActivation',
  'conv2dBackpropInput',
  'conv2dBackpropFilter',
  'conv2dBackpropFilterBias',
  'maxPool',
  'conv2dBiasActivationMaxPool',
  'conv2dMaxPoolBackpropFilterBias',
  'avgPool',
  'scatterAdd',
  'softmax',
  'softmaxGrad',
  'sparseSoftmaxCrossEntropy',
  'sparseSoftmaxCrossEntropyGrad',
] as const satisfies readonly (keyof Backend)[];

const isFloat = (d: DType) => d === 'float32' || d === 'float64';

function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The view's data as a contiguous array starting at element 0 (the storage itself when it already is). */
function dense(v: StridedView): TypedArray {
  const n = sizeOf(v.shape);
  if (v.offset === 0 && v.storage.length === n && isContiguous(v.shape, v.strides)) return v.storage;
  return copyToContiguous(v);
}

function geometry(g: Conv2DGeometry): Float64Array {
  return Float64Array.of(
    g.batch,
    g.inHeight,
    g.inWidth,
    g.inChannels,
    g.filterHeight,
    g.filterWidth,
    g.outChannels,
    g.strideHeight,
    g.strideWidth,
    g.dilationHeight,
    g.dilationWidth,
    g.padTop,
    g.padBottom,
    g.padLeft,
    g.padRight,
    g.outHeight,
    g.outWidth,
  );
}

/** [rank, shape..., aOffset, aStrides..., bOffset, bStrides...] over the collapsed broadcast loop. */
function elementwiseMeta(operands: readonly StridedView[], outShape: readonly number[]): Float64Array | null {
  const strides = operands.map((v) => broadcastStrides(v.shape, v.strides, outShape));
  const c = collapseAxes(outShape, strides);
  if (c.shape.length === 0) {
    c.shape.push(1);
    for (const s of c.strides) s.push(0);
  }
  const r = c.shape.length;
  if (r > MAX_RANK) return null;
  const meta = new Float64Array(1 + r + operands.length * (1 + r));
  meta[0] = r;
  meta.set(c.shape, 1);
  let p = 1 + r;
  operands.forEach((v, k) => {
    meta[p++] = v.offset;
    meta.set(c.strides[k]!, p);
    p += r;
  });
  return meta;
}

/**
 * Below these sizes the JS kernels win: a call into the addon costs about a microsecond of N-API
 * overhead, more than a small generated JS loop takes (the seed loop's 100-element tensors ran 1.7x
 * slower through the addon). Elements of the output for elementwise ops and reductions, multiply-adds
 * for matmul.
 */
let SMALL_ELEMENTWISE = 2048;
let SMALL_MATMUL = 32768;
/**
 * Reductions reach the addon sooner: the JS kernel copies a view whose reduced axes lead (a bias
 * gradient's sum over the batch) before folding it, ~20 us for [128, 10].
 */
let SMALL_REDUCE = 256;
/** The softmax family: an exponential per element costs JS ~20 ns, so the addon wins much sooner. */
let SMALL_EXPONENTIAL = 128;

/** Sets the sizes below which the JS kernels run instead (0, 0 sends everything native: for tests). */
export function setSmallSizeThresholds(
  elementwise: number,
  matmul: number,
  exponential = elementwise / 16,
): void {
  SMALL_ELEMENTWISE = elementwise;
  SMALL_MATMUL = matmul;
  SMALL_REDUCE = elementwise / 8;
  SMALL_EXPONENTIAL = exponential;
}

export function createNativeBackend(native: NativeAddon): Backend {
  // The eager kernels below run these too, so that a prepared kernel gives the eager one's bits.
  /**
   * The elementwise kernel for these operands, or null where the JS one runs instead. `small` lets
   * sizes below the threshold through (a replay, where no per-call bookkeeping is left to amortise).
   */
  const planBinary = (
    kind: BinaryKind,
    a: StridedView,
    b: StridedView,
    outShape: readonly number[],
    outDtype: DType,
    small: boolean,
  ): PreparedKernel | null => {
    const code = BINARY[kind];
    const size = sizeOf(outShape);
    if (
      code === undefined ||
      !isFloat(outDtype) ||
      a.dtype !== outDtype ||
      b.dtype !== outDtype ||
      size === 0 ||
      (size < SMALL_ELEMENTWISE && !small)
    ) {
      return null;
    }
    const meta = elementwiseMeta([a, b], outShape);
    if (meta === null) return null;
    // The operands' offsets in the meta (see elementwiseMeta), set on every call.
    const rank = meta[0]!;
    const aAt = 1 + rank;
    const bAt = 2 + 2 * rank;
    return (inputs, offsets, out) => {
      meta[aAt] = offsets[0]!;
      meta[bAt] = offsets[1]!;
      native.binary(code, out, inputs[0]!, inputs[1]!, meta);
    };
  };
  const planReduce = (
    kind: ReduceKind,
    x: StridedView,
    axes: readonly number[],
    outDtype: DType,
    small: boolean,
  ): PreparedKernel | null => {
    const code = REDUCE[kind];
    if (code === undefined || !isFloat(x.dtype) || outDtype !== x.dtype) return null;
    if (sizeOf(x.shape) < SMALL_REDUCE) {
      if (!small) return null;
      // The eager op runs the JS kernel below the threshold, so a replay runs it too (the same bits), on
      // the view at its new place: a loss's sum over the batch then leaves a training step's replay with
      // prepared kernels only.
      const { shape, strides, dtype } = x;
      return (inputs, offsets, out) => {
        const view = { storage: inputs[0]!, shape, strides, offset: offsets[0]!, dtype };
        out.set(jsBackend.reduce(kind, view, axes, outDtype));
      };
    }
    const rank = x.shape.length;
    const reduced = new Set(axes);
    let outer = 1;
    let inner = 1;
    for (let i = 0; i < rank; i++) {
      if (reduced.has(i)) inner *= x.shape[i]!;
      else outer *= x.shape[i]!;
    }
    if (outer === 0 || !isContiguous(x.shape, x.strides)) return null;
    // Trailing reduced axes fold rows (mode 0); leading ones fold columns (mode 1).
    if (axes.every((a, i) => a === rank - axes.length + i)) {
      return (inputs, offsets, out) => native.reduce(code, 0, inputs[0]!, offsets[0]!, outer, inner, out);
    }
    if (axes.every((a, i) => a === i)) {
      return (inputs, offsets, out) => native.reduce(code, 1, inputs[0]!, offsets[0]!, inner, outer, out);
    }
    return null;
  };
  /** 1 for a contiguous view, 0 for one element broadcast to all (a mean's gradient), else null. */
  const rowStep = (v: StridedView): number | null =>
    v.strides.every((s) => s === 0) ? 0 : isContiguous(v.shape, v.strides) ? 1 : null;
  /**
   * Whether the fused cross-entropy's kernels read these in place: float logits, contiguous, above the
   * size threshold; class labels as contiguous int32.
   */
  const crossEntropyInPlace = (logits: StridedView, labels: StridedView) =>
    isFloat(logits.dtype) &&
    sizeOf(logits.shape) >= SMALL_EXPONENTIAL &&
    isContiguous(logits.shape, logits.strides) &&
    labels.dtype === 'int32' &&
    isContiguous(labels.shape, labels.strides);
  const prepare: KernelPreparer = {
    // Below the size threshold the eager kernel is the JS one; only the kinds whose every result is
    // one correctly rounded operation (so the same bits in C++ as in JS) are prepared there.
    binary: (kind, a, b, outShape, outDtype) =>
      planBinary(kind, a, b, outShape, outDtype, EXACT_BINARY.has(kind)),
    reduce: (kind, x, axes, outDtype) => planReduce(kind, x, axes, outDtype, true),
    sparseSoftmaxCrossEntropy(logits, labels) {
      if (!crossEntropyInPlace(logits, labels)) return null;
      const [rows, classes] = rowsCols(logits.shape);
      return (inputs, offsets, out) =>
        native.sparseSoftmaxCrossEntropy(
          inputs[0]!,
          offsets[0]!,
          inputs[1] as Int32Array,
          offsets[1]!,
          rows,
          classes,
          out,
        );
    },
    sparseSoftmaxCrossEntropyGrad(logits, labels, dy) {
      const dyStride = rowStep(dy);
      if (!crossEntropyInPlace(logits, labels) || dy.dtype !== logits.dtype || dyStride === null) {
        return null;
      }
      const [rows, classes] = rowsCols(logits.shape);
      return (inputs, offsets, out) =>
        native.sparseSoftmaxCrossEntropyGrad(
          inputs[0]!,
          offsets[0]!,
          inputs[1] as Int32Array,
          offsets[1]!,
          inputs[2]!,
          offsets[2]!,
          dyStride,
          rows,
          classes,
          out,
        );
    },
    unary(kind, x, outDtype) {
      const code = UNARY[kind];
      const size = sizeOf(x.shape);
      if (
        code === undefined ||
        !isFloat(outDtype) ||
        x.dtype !== outDtype ||
        size === 0 ||
        size < SMALL_ELEMENTWISE
      ) {
        return null;
      }
      const meta = elementwiseMeta([x], x.shape);
      if (meta === null) return null;
      const xAt = 1 + meta[0]!;
      return (inputs, offsets, out) => {
        meta[xAt] = offsets[0]!;
        native.unary(code, out, inputs[0]!, meta);
      };
    },
    matmul(a, b, transposeA, transposeB, outShape) {
      const rank = outShape.length;
      const M = outShape[rank - 2]!;
      const N = outShape[rank - 1]!;
      const ar = a.shape.length;
      const br = b.shape.length;
      const K = transposeA ? a.shape[ar - 2]! : a.shape[ar - 1]!;
      const size = sizeOf(outShape);
      // With K = 0 the product is all zeros, which the JS kernel writes.
      if (!isFloat(a.dtype) || a.dtype !== b.dtype || size === 0 || K === 0 || size * K < SMALL_MATMUL) {
        return null;
      }
      const batchShape = outShape.slice(0, rank - 2);
      const batch = sizeOf(batchShape);
      const meta = new Float64Array(8 + 2 * batch);
      meta[0] = M;
      meta[1] = N;
      meta[2] = K;
      meta[3] = batch;
      // Row/column strides of op(A) and op(B): a transpose is just swapped strides.
      meta[4] = transposeA ? a.strides[ar - 1]! : a.strides[ar - 2]!;
      meta[5] = transposeA ? a.strides[ar - 2]! : a.strides[ar - 1]!;
      meta[6] = transposeB ? b.strides[br - 1]! : b.strides[br - 2]!;
      meta[7] = transposeB ? b.strides[br - 2]! : b.strides[br - 1]!;
      const batchStrides = (v: StridedView): number[] => {
        const dims = v.shape.length - 2;
        const s = new Array<number>(batchShape.length).fill(0);
        for (let i = 0; i < dims; i++) {
          s[batchShape.length - dims + i] = v.shape[i] === 1 ? 0 : v.strides[i]!;
        }
        return s;
      };
      const sa = batchStrides(a);
      const sb = batchStrides(b);
      // Each product's offsets relative to its operands' own, which the call adds.
      const aFrom = new Float64Array(batch);
      const bFrom = new Float64Array(batch);
      const index = new Array<number>(batchShape.length).fill(0);
      for (let t = 0; t < batch; t++) {
        let ao = 0;
        let bo = 0;
        for (let i = 0; i < index.length; i++) {
          ao += index[i]! * sa[i]!;
          bo += index[i]! * sb[i]!;
        }
        aFrom[t] = ao;
        bFrom[t] = bo;
        for (let i = index.length - 1; i >= 0; i--) {
          if (++index[i]! < batchShape[i]!) break;
          index[i] = 0;
        }
      }
      return (inputs, offsets, out) => {
        const ao = offsets[0]!;
        const bo = offsets[1]!;
        for (let t = 0; t < batch; t++) {
          meta[8 + t] = ao + aFrom[t]!;
          meta[8 + batch + t] = bo + bFrom[t]!;
        }
        native.matmul(inputs[0]!, inputs[1]!, out, meta);
      };
    },
  };
  const backend: Backend = {
    ...jsBackend,
    name: 'native',
    prepare,
    binary(kind, a, b, outShape, outDtype) {
      const kernel = planBinary(kind, a, b, outShape, outDtype, false);
      if (kernel === null) return jsBackend.binary(kind, a, b, outShape, outDtype);
      const out = allocateForOverwrite(outDtype, sizeOf(outShape));
      kernel([a.storage, b.storage], [a.offset, b.offset], out);
      return out;
    },
    unary(kind, x, outDtype) {
      const kernel = prepare.unary(kind, x, outDtype);
      if (kernel === null) return jsBackend.unary(kind, x, outDtype);
      const out = allocateForOverwrite(outDtype, sizeOf(x.shape));
      kernel([x.storage], [x.offset], out);
      return out;
    },
    reduce(kind, x, axes, outDtype) {
      const kernel = planReduce(kind, x, axes, outDtype, false);
      if (kernel !== null) {
        let outer = 1;
        for (let i = 0; i < x.shape.length; i++) if (!axes.includes(i)) outer *= x.shape[i]!;
        const out = allocateForOverwrite(outDtype, outer);
        kernel([x.storage], [x.offset], out);
        return out;
      }
      const code = REDUCE[kind];
      if (code === undefined || !isFloat(x.dtype) || outDtype !== x.dtype || sizeOf(x.shape) < SMALL_REDUCE) {
        return jsBackend.reduce(kind, x, axes, outDtype);
      }
      // Reduced axes neither all leading nor all trailing, or a strided view: folded from a copy with
      // the reduced axes last.
      const reduced = new Set(axes);
      let outer = 1;
      for (let i = 0; i < x.shape.length; i++) if (!reduced.has(i)) outer *= x.shape[i]!;
      const out = allocate(outDtype, outer);
      if (outer === 0) return out;
      let inner = 1;
      for (const a of axes) inner *= x.shape[a]!;
      const order = [...x.shape.keys()].filter((i) => !reduced.has(i)).concat([...axes]);
      native.reduce(code, 0, copyToContiguous(permuteView(x, order)), 0, outer, inner, out);
      return out;
    },
    matmul(a, b, transposeA, transposeB, outShape) {
      const kernel = prepare.matmul(a, b, transposeA, transposeB, outShape);
      if (kernel === null) return jsBackend.matmul(a, b, transposeA, transposeB, outShape);
      const out = allocateForOverwrite(a.dtype, sizeOf(outShape));
      kernel([a.storage, b.storage], [a.offset, b.offset], out);
      return out;
    },
    conv2d(x, filter, g) {
      if (!isFloat(x.dtype) || filter.dtype !== x.dtype) return jsBackend.conv2d(x, filter, g);
      const y = allocateConvOutput(x.dtype, g);
      native.conv2d(dense(x), dense(filter), y, geometry(g));
      return y;
    },
    conv2dBiasActivation(x, filter, bias, g, activation) {
      if (!isFloat(x.dtype) || filter.dtype !== x.dtype || bias.dtype !== x.dtype) {
        return jsBackend.conv2dBiasActivation(x, filter, bias, g, activation);
      }
      const y = allocateConvOutput(x.dtype, g);
      native.conv2d(dense(x), dense(filter), y, geometry(g), dense(bias), activation === 'relu' ? 1 : 0);
      return y;
    },
    conv2dBackpropInput(dy, filter, g) {
      if (!isFloat(dy.dtype) || filter.dtype !== dy.dtype)
        return jsBackend.conv2dBackpropInput(dy, filter, g);
      const dx = allocate(dy.dtype, g.batch * g.inHeight * g.inWidth * g.inChannels);
      native.conv2dBackpropInput(dense(dy), dense(filter), dx, geometry(g));
      return dx;
    },
    conv2dBackpropFilter(x, dy, g) {
      if (!isFloat(x.dtype) || dy.dtype !== x.dtype) return jsBackend.conv2dBackpropFilter(x, dy, g);
      const df = allocate(x.dtype, g.filterHeight * g.filterWidth * g.inChannels * g.outChannels);
      native.conv2dBackpropFilter(dense(x), dense(dy), df, geometry(g));
      return df;
    },
    conv2dBackpropFilterBias(x, dy, reluOutput, g) {
      if (!isFloat(x.dtype) || dy.dtype !== x.dtype || (reluOutput && reluOutput.dtype !== x.dtype)) {
        return jsBackend.conv2dBackpropFilterBias(x, dy, reluOutput, g);
      }
      const out = allocate(x.dtype, packedFilterBiasSize(g));
      native.conv2dBackpropFilterBias(
        dense(x),
        dense(dy),
        reluOutput ? dense(reluOutput) : null,
        out,
        geometry(g),
      );
      return out;
    },
    maxPool(x, g) {
      if (!isFloat(x.dtype) || g.outChannels !== g.inChannels) return jsBackend.maxPool(x, g);
      const size = g.batch * g.outHeight * g.outWidth * g.inChannels;
      const y = allocateForOverwrite(x.dtype, size);
      const argmax = allocateForOverwrite('int32', size) as Int32Array;
      native.maxPool(dense(x), y, argmax, geometry(g));
      return { y, argmax };
    },
    conv2dBiasActivationMaxPool(x, filter, bias, g, activation, pool) {
      const direct = g.filterHeight * g.filterWidth * g.inChannels <= DIRECT_CONV_TAPS;
      if (!isFloat(x.dtype) || filter.dtype !== x.dtype || bias.dtype !== x.dtype || !direct) {
        // Many taps: the convolution's GEMM path, then the pooling kernel.
        const z = backend.conv2dBiasActivation(x, filter, bias, g, activation);
        return backend.maxPool(denseView(z, convOutputShape(g)), pool);
      }
      const size = pool.batch * pool.outHeight * pool.outWidth * pool.inChannels;
      const y = allocateForOverwrite(x.dtype, size);
      const argmax = allocateForOverwrite('int32', size) as Int32Array;
      native.conv2dMaxPool(
        dense(x),
        dense(filter),
        dense(bias),
        activation === 'relu' ? 1 : 0,
        y,
        argmax,
        geometry(g),
        geometry(pool),
      );
      return { y, argmax };
    },
    conv2dMaxPoolBackpropFilterBias(x, dPooled, pooledOutput, argmax, g, pool) {
      const direct = g.filterHeight * g.filterWidth * g.inChannels <= DIRECT_CONV_TAPS;
      const same = (v: StridedView | null) => v === null || v.dtype === x.dtype;
      if (!isFloat(x.dtype) || !same(dPooled) || !same(pooledOutput)) {
        return jsBackend.conv2dMaxPoolBackpropFilterBias(x, dPooled, pooledOutput, argmax, g, pool);
      }
      if (!direct) {
        // Many taps: the convolution's gradient written out, then the GEMM path.
        const mask = pooledOutput && (dense(pooledOutput) as FloatArray);
        const dz = routePooledGradient(dense(dPooled) as FloatArray, mask, argmax, g);
        return backend.conv2dBackpropFilterBias(x, denseView(dz, convOutputShape(g)), null, g);
      }
      const out = allocateForOverwrite(x.dtype, packedFilterBiasSize(g));
      native.conv2dMaxPoolBackpropFilterBias(
        dense(x),
        dense(dPooled),
        pooledOutput ? dense(pooledOutput) : null,
        argmax,
        out,
        geometry(g),
        geometry(pool),
      );
      return out;
    },
    scatterAdd(updates, indices, axis, size) {
      const count = indices.length;
      if (!isFloat(updates.dtype) || sizeOf(updates.shape) < SMALL_ELEMENTWISE) {
        return jsBackend.scatterAdd(updates, indices, axis, size);
      }
      let outer = 1;
      for (let i = 0; i < axis; i++) outer *= updates.shape[i]!;
      const inner = sizeOf(updates.shape) / Math.max(1, outer * count);
      if (count === 0) return allocate(updates.dtype, outer * size * inner);
      // the kernel zeroes the output itself, band by band on its threads
      const out = allocateForOverwrite(updates.dtype, outer * size * inner);
      if (out.length === 0) return out;
      const contiguous = isContiguous(updates.shape, updates.strides);
      const data = contiguous ? updates.storage : copyToContiguous(updates);
      native.scatterAdd(data, contiguous ? updates.offset : 0, indices, out, outer, count, size, inner);
      return out;
    },
    avgPool(x, g) {
      if (!isFloat(x.dtype) || g.outChannels !== g.inChannels) return jsBackend.avgPool(x, g);
      const y = allocate(x.dtype, g.batch * g.outHeight * g.outWidth * g.inChannels);
      native.avgPool(dense(x), y, geometry(g));
      return y;
    },
    // The softmax family: rows of the last axis; strided views are made contiguous first.
    softmax(kind, x) {
      const n = sizeOf(x.shape);
      if (!isFloat(x.dtype) || n < SMALL_EXPONENTIAL) return jsBackend.softmax(kind, x);
      const out = allocate(x.dtype, n);
      if (n === 0) return out;
      const [rows, cols] = rowsCols(x.shape);
      const { data, start } = denseRows(x);
      native.softmax(kind === 'logSoftmax' ? 1 : 0, data, start, rows, cols, out);
      return out;
    },
    softmaxGrad(kind, y, dy) {
      const n = sizeOf(y.shape);
      if (!isFloat(y.dtype) || dy.dtype !== y.dtype || n < SMALL_EXPONENTIAL) {
        return jsBackend.softmaxGrad(kind, y, dy);
      }
      const out = allocate(y.dtype, n);
      if (n === 0) return out;
      const [rows, cols] = rowsCols(y.shape);
      const yd = denseRows(y);
      const gd = denseRows(dy);
      native.softmaxGrad(
        kind === 'logSoftmax' ? 1 : 0,
        yd.data,
        yd.start,
        gd.data,
        gd.start,
        rows,
        cols,
        out,
      );
      return out;
    },
    sparseSoftmaxCrossEntropy(logits, labels) {
      const n = sizeOf(logits.shape);
      if (!isFloat(logits.dtype) || n < SMALL_EXPONENTIAL) {
        return jsBackend.sparseSoftmaxCrossEntropy(logits, labels);
      }
      const [rows, classes] = rowsCols(logits.shape);
      const loss = allocate(logits.dtype, rows);
      const { data, start } = denseRows(logits);
      native.sparseSoftmaxCrossEntropy(data, start, labels, 0, rows, classes, loss);
      return loss;
    },
    sparseSoftmaxCrossEntropyGrad(logits, labels, dy) {
      const n = sizeOf(logits.shape);
      if (!isFloat(logits.dtype) || dy.dtype !== logits.dtype || n < SMALL_EXPONENTIAL) {
        return jsBackend.sparseSoftmaxCrossEntropyGrad(logits, labels, dy);
      }
      const [rows, classes] = rowsCols(logits.shape);
      const out = allocateForOverwrite(logits.dtype, n);
      const x = denseRows(logits);
      const step = rowStep(dy);
      const g = step === null ? denseRows(dy) : { data: dy.storage, start: dy.offset };
      native.sparseSoftmaxCrossEntropyGrad(
        x.data,
        x.start,
        labels,
        0,
        g.data,
        g.start,
        step ?? 1,
        rows,
        classes,
        out,
      );
      return out;
    },
  };
  return backend;
}

/** Reductions (fh * fw * Cin) up to this many taps run the addon's direct convolution kernels (kDirectTaps). */
const DIRECT_CONV_TAPS = 36;

/** [filter gradient, bias gradient], packed. */
const packedFilterBiasSize = (g: Conv2DGeometry) =>
  g.filterHeight * g.filterWidth * g.inChannels * g.outChannels + g.outChannels;

const convOutputShape = (g: Conv2DGeometry) => [g.batch, g.outHeight, g.outWidth, g.outChannels];

/** A contiguous array seen as a view of `shape`. */
function denseView(storage: TypedArray, shape: readonly number[]): StridedView {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= shape[i]!;
  }
  return { storage, shape, strides, offset: 0, dtype: dtypeOfArray(storage) };
}

/** conv2d's output: every element is written unless the reduction is empty (no input channels). */
function allocateConvOutput(dtype: DType, g: Conv2DGeometry): TypedArray {
  const size = g.batch * g.outHeight * g.outWidth * g.outChannels;
  return g.inChannels > 0 ? allocateForOverwrite(dtype, size) : allocate(dtype, size);
}

/** The native backend, or null when the addon is not available here. */
export const nativeBackend: Backend | null = addon ? createNativeBackend(addon) : null;

/** Which instruction set and how many threads the addon uses (null without the addon). */
export function nativeInfo(): { isa: string; threads: number } | null {
  return addon ? addon.info() : null;
}
