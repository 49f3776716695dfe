import type { Backend, Conv2DGeometry } from '../backend.js';
import { allocate, type FloatArray, type TypedArray } from '../dtype.js';
import { conv2d, conv2dBackpropFilter, conv2dBackpropInput, conv2dBiasActivation } from './conv.js';
import * as decomp from './decompositions.js';
import { mapElements } from './elementwise.js';
import { BINARY_EXPRESSIONS, UNARY_EXPRESSIONS } from './expressions.js';
import { concat, gather, scatterAdd, unslice } from './indexing.js';
import { luDeterminant, luInverse, luSolve } from './lu.js';
import { matmulInto } from './matmul.js';
import { avgPool, avgPoolBackprop, maxPool, routePooledGradient } from './pool.js';
import { argReduce, cumsum, reduce } from './reduce.js';
import { softmax, softmaxGrad, sparseSoftmaxCrossEntropy, sparseSoftmaxCrossEntropyGrad } from './softmax.js';
import { copyToContiguous, type StridedView } from './strided.js';

/** [filter gradient, bias gradient] of conv2d + bias from the gradient dz of its output. */
function filterBiasGradient(x: FloatArray, dz: FloatArray, g: Conv2DGeometry): FloatArray {
  const df = conv2dBackpropFilter(x, dz, g);
  const CO = g.outChannels;
  const out = allocate(dz instanceof Float64Array ? 'float64' : 'float32', df.length + CO) as FloatArray;
  out.set(df);
  for (let i = 0; i < dz.length; i += CO) for (let c = 0; c < CO; c++) out[df.length + c]! += dz[i + c];
  return out;
}

function contiguous(x: StridedView): TypedArray {
  return copyToContiguous(x);
}

/** The reference backend: plain JavaScript over typed arrays, usable in Node and in browsers. */
export const jsBackend: Backend = {
  name: 'js',
  unary: (kind, x, outDtype) => mapElements(UNARY_EXPRESSIONS[kind], [x], x.shape, outDtype),
  binary: (kind, a, b, outShape, outDtype) =>
    mapElements(BINARY_EXPRESSIONS[kind], [a, b], outShape, outDtype),
  where: (cond, a, b, outShape, outDtype) =>
    mapElements('(a !== 0 ? b : c)', [cond, a, b], outShape, outDtype),
  cast: (x, dtype) => copyToContiguous(x, dtype),
  reduce,
  argReduce,
  cumsum,
  softmax,
  softmaxGrad,
  sparseSoftmaxCrossEntropy,
  sparseSoftmaxCrossEntropyGrad,
  matmul(a, b, transposeA, transposeB, outShape) {
    const rank = outShape.length;
    const M = outShape[rank - 2]!;
    const N = outShape[rank - 1]!;
    const ar = a.shape.length;
    const br = b.shape.length;
    const K = transposeA ? a.shape[ar - 2]! : a.shape[ar - 1]!;
    // Row/column strides of op(A) and op(B): a transpose is just swapped strides.
    const aRow = transposeA ? a.strides[ar - 1]! : a.strides[ar - 2]!;
    const aCol = transposeA ? a.strides[ar - 2]! : a.strides[ar - 1]!;
    const bRow = transposeB ? b.strides[br - 1]! : b.strides[br - 2]!;
    const bCol = transposeB ? b.strides[br - 2]! : b.strides[br - 1]!;
    const batchShape = outShape.slice(0, rank - 2);
    let batch = 1;
    for (const d of batchShape) batch *= d;
    const out = allocate(a.dtype, batch * M * N);
    const batchStrides = (v: StridedView): number[] => {
      const dims = v.shape.length - 2;
      const s = new Array<number>(batchShape.length).fill(0);
      for (let i = 0; i < dims; i++) {
        const target = batchShape.length - dims + i;
        s[target] = v.shape[i] === 1 ? 0 : v.strides[i]!;
      }
      return s;
    };
    const sa = batchStrides(a);
    const sb = batchStrides(b);
    const index = new Array<number>(batchShape.length).fill(0);
    for (let t = 0; t < batch; t++) {
      let ao = a.offset;
      let bo = b.offset;
      for (let i = 0; i < index.length; i++) {
        ao += index[i]! * sa[i]!;
        bo += index[i]! * sb[i]!;
      }
      matmulInto(a.storage, ao, aRow, aCol, b.storage, bo, bRow, bCol, out, t * M * N, M, N, K);
      for (let i = index.length - 1; i >= 0; i--) {
        if (++index[i]! < batchShape[i]!) break;
        index[i] = 0;
      }
    }
    return out;
  },
  gather,
  scatterAdd,
  concat,
  unslice,
  conv2d: (x, filter, g) => conv2d(contiguous(x) as FloatArray, contiguous(filter) as FloatArray, g),
  conv2dBiasActivation: (x, filter, bias, g, activation) =>
    conv2dBiasActivation(
      contiguous(x) as FloatArray,
      contiguous(filter) as FloatArray,
      contiguous(bias) as FloatArray,
      g,
      activation,
    ),
  conv2dBackpropFilterBias(x, dy, reluOutput, g) {
    const dz = reluOutput
      ? jsBackend.binary('reluBackprop', dy, reluOutput, dy.shape, dy.dtype)
      : (contiguous(dy) as FloatArray);
    return filterBiasGradient(contiguous(x) as FloatArray, dz as FloatArray, g);
  },
  conv2dBiasActivationMaxPool(x, filter, bias, g, activation, pool) {
    const z = jsBackend.conv2dBiasActivation(x, filter, bias, g, activation) as FloatArray;
    return maxPool(z, pool);
  },
  conv2dMaxPoolBackpropFilterBias(x, dPooled, pooledOutput, argmax, g) {
    const mask = pooledOutput ? (contiguous(pooledOutput) as FloatArray) : null;
    const dz = routePooledGradient(contiguous(dPooled) as FloatArray, mask, argmax, g);
    return filterBiasGradient(contiguous(x) as FloatArray, dz, g);
  },
  conv2dBackpropInput: (dy, filter, g) =>
    conv2dBackpropInput(contiguous(dy) as FloatArray, contiguous(filter) as FloatArray, g),
  conv2dBackpropFilter: (x, dy, g) =>
    conv2dBackpropFilter(contiguous(x) as FloatArray, contiguous(dy) as FloatArray, g),
  maxPool: (x, g) => maxPool(contiguous(x) as FloatArray, g),
  avgPool: (x, g) => avgPool(contiguous(x) as FloatArray, g),
  avgPoolBackprop: (dy, g) => {
    const data = contiguous(dy) as FloatArray;
    return avgPoolBackprop(data, g, data instanceof Float32Array ? Float32Array : Float64Array);
  },
  inv: (opName, a, batch, n) => luInverse(opName, contiguous(a) as FloatArray, batch, n),
  solve: (opName, a, b, batch, n, m) =>
    luSolve(opName, contiguous(a) as FloatArray, contiguous(b) as FloatArray, batch, n, m),
  det: (a, batch, n) => luDeterminant(contiguous(a) as FloatArray, batch, n),
  cholesky: (opName, a, batch, n) => decomp.cholesky(opName, contiguous(a) as FloatArray, batch, n),
  triangularSolve: (opName, a, b, batch, n, k, lower, adjoint) =>
    decomp.triangularSolve(
      opName,
      contiguous(a) as FloatArray,
      contiguous(b) as FloatArray,
      batch,
      n,
      k,
      lower,
      adjoint,
    ),
  qr: (a, batch, m, n, complete) => decomp.qr(contiguous(a) as FloatArray, batch, m, n, complete),
  eigh: (opName, a, batch, n) => decomp.eigh(opName, contiguous(a) as FloatArray, batch, n),
  svd: (opName, a, batch, m, n, fullMatrices, computeUv) =>
    decomp.svd(opName, contiguous(a) as FloatArray, batch, m, n, fullMatrices, computeUv),
  slogdet: (a, batch, n) => decomp.slogdet(contiguous(a) as FloatArray, batch, n),
};
