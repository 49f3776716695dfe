/**
 * Reference 2-D convolution kernels in TensorFlow's NHWC layout, in plain JavaScript.
 *
 * Layouts (all contiguous, row-major):
 *   x, dx:        [batch, inHeight, inWidth, inChannels]            (NHWC)
 *   filter, df:   [filterHeight, filterWidth, inChannels, outChannels] (HWIO)
 *   y, dy:        [batch, outHeight, outWidth, outChannels]
 *
 * The convolution is a cross-correlation (no kernel flip), with zero padding and dilation:
 *   y[n, oh, ow, co] = sum_{kh, kw, ci} x[n, oh*sh - padTop + kh*dh, ow*sw - padLeft + kw*dw, ci]
 *                                       * filter[kh, kw, ci, co]
 * where out-of-range input cells read as 0 (as in TensorFlow, 0 times an infinite filter weight gives NaN).
 *
 * The kernels work chunk by chunk on float64 im2col scratch buffers (bounded at about 256 KiB each), so sums
 * are accumulated in float64 whatever the array type and rounded once when stored.
 */
import type { FloatArray } from '../dtype.js';

export interface Conv2DGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  filterHeight: number;
  filterWidth: number;
  /** For pooling, outChannels = inChannels. */
  outChannels: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
  outHeight: number;
  outWidth: number;
}

/** 'same', 'valid', or explicit zero padding [[top, bottom], [left, right]]. */
export type Conv2DPadding =
  | 'same'
  | 'valid'
  | readonly [readonly [number, number], readonly [number, number]];

function describePadding(padding: Conv2DPadding): string {
  return typeof padding === 'string'
    ? `'${padding}'`
    : `[[${padding[0][0]}, ${padding[0][1]}], [${padding[1][0]}, ${padding[1][1]}]]`;
}

function checkPositiveInt(opName: string, what: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${opName}: ${what} must be a positive integer, got ${value}`);
  }
}

function checkNonNegInt(opName: string, what: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${opName}: ${what} must be a non-negative integer, got ${value}`);
  }
}

/** Output size and padding along one spatial axis. */
function axisGeometry(
  inSize: number,
  filterSize: number,
  stride: number,
  dilation: number,
  padding: 'same' | 'valid' | readonly [number, number],
): [out: number, padBefore: number, padAfter: number] {
  const effective = (filterSize - 1) * dilation + 1;
  if (padding === 'valid') {
    return [Math.ceil((inSize - effective + 1) / stride), 0, 0];
  }
  if (padding === 'same') {
    const out = Math.ceil(inSize / stride);
    const padTotal = Math.max((out - 1) * stride + effective - inSize, 0);
    const before = Math.floor(padTotal / 2);
    return [out, before, padTotal - before];
  }
  const [before, after] = padding;
  return [Math.floor((inSize + before + after - effective) / stride) + 1, before, after];
}

/**
 * Geometry of a 2-D convolution over an NHWC input, with TensorFlow's padding rule:
 *   'valid': out = ceil((in - (f-1)*d) / s), no padding;
 *   'same':  out = ceil(in / s), padTotal = max((out-1)*s + (f-1)*d + 1 - in, 0),
 *            padBefore = floor(padTotal / 2), padAfter = the rest;
 *   explicit [[top, bottom], [left, right]]: out = floor((in + before + after - (f-1)*d - 1) / s) + 1.
 * Throws a RangeError naming `opName`, the input shape and the filter size when the output would be empty,
 * and on malformed arguments (non-integer or non-positive sizes, strides or dilations, negative padding).
 */
export function conv2dGeometry(
  opName: string,
  xShape: readonly number[],
  filterHeight: number,
  filterWidth: number,
  outChannels: number,
  strides: readonly [number, number],
  padding: Conv2DPadding,
  dilations: readonly [number, number],
): Conv2DGeometry {
  if (xShape.length !== 4) {
    throw new RangeError(
      `${opName}: input must be 4-D [batch, height, width, channels] (NHWC), got shape [${xShape.join(', ')}]`,
    );
  }
  const [batch, inHeight, inWidth, inChannels] = xShape as [number, number, number, number];
  checkNonNegInt(opName, 'batch size', batch);
  checkNonNegInt(opName, 'input height', inHeight);
  checkNonNegInt(opName, 'input width', inWidth);
  checkNonNegInt(opName, 'input channels', inChannels);
  checkPositiveInt(opName, 'filter height', filterHeight);
  checkPositiveInt(opName, 'filter width', filterWidth);
  checkNonNegInt(opName, 'output channels', outChannels);
  const [strideHeight, strideWidth] = strides;
  const [dilationHeight, dilationWidth] = dilations;
  checkPositiveInt(opName, 'stride height', strideHeight);
  checkPositiveInt(opName, 'stride width', strideWidth);
  checkPositiveInt(opName, 'dilation height', dilationHeight);
  checkPositiveInt(opName, 'dilation width', dilationWidth);
  let padH: 'same' | 'valid' | readonly [number, number];
  let padW: 'same' | 'valid' | readonly [number, number];
  if (typeof padding === 'string') {
    if (padding !== 'same' && padding !== 'valid') {
      throw new RangeError(`${opName}: padding must be 'same', 'valid' or [[top, bottom], [left, right]]`);
    }
    padH = padding;
    padW = padding;
  } else {
    if (padding.length !== 2 || padding[0].length !== 2 || padding[1].length !== 2) {
      throw new RangeError(`${opName}: explicit padding must be [[top, bottom], [left, right]]`);
    }
    checkNonNegInt(opName, 'padding top', padding[0][0]);
    checkNonNegInt(opName, 'padding bottom', padding[0][1]);
    checkNonNegInt(opName, 'padding left', padding[1][0]);
    checkNonNegInt(opName, 'padding right', padding[1][1]);
    padH = padding[0];
    padW = padding[1];
  }
  const [outHeight, padTop, padBottom] = axisGeometry(
    inHeight,
    filterHeight,
    strideHeight,
    dilationHeight,
    padH,
  );
  const [outWidth, padLeft, padRight] = axisGeometry(inWidth, filterWidth, strideWidth, dilationWidth, padW);
  if (!(outHeight > 0 && outWidth > 0)) {
    throw new RangeError(
      `${opName}: input of shape [${xShape.join(', ')}] is too small for a ${filterHeight}x${filterWidth} ` +
        `filter (dilation ${dilationHeight}x${dilationWidth}, strides ${strideHeight}x${strideWidth}, ` +
        `padding ${describePadding(padding)}): the output would be ` +
        `${Math.max(outHeight, 0)}x${Math.max(outWidth, 0)}`,
    );
  }
  return {
    batch,
    inHeight,
    inWidth,
    inChannels,
    filterHeight,
    filterWidth,
    outChannels,
    strideHeight,
    strideWidth,
    dilationHeight,
    dilationWidth,
    padTop,
    padBottom,
    padLeft,
    padRight,
    outHeight,
    outWidth,
  };
}

/** @internal Throws unless `array` holds exactly `expected` elements. */
export function checkLength(opName: string, what: string, array: ArrayLike<number>, expected: number): void {
  if (array.length !== expected) {
    throw new RangeError(`${opName}: ${what} has ${array.length} elements, the geometry needs ${expected}`);
  }
}

/** A new array of the same type as `like`. */
function allocLike(like: FloatArray, size: number): FloatArray {
  return like instanceof Float64Array ? new Float64Array(size) : new Float32Array(size);
}

/**
 * c[i*n + j] = sum_l a[i*k + l] * b[j*k + l] for i < m, j < n: a product of two row-major matrices whose
 * rows are both contiguous (a times b-transposed). Blocks of 4 rows of `a` by 2 rows of `b` keep 8 sums in
 * registers, so each inner step does 8 multiply-adds for 6 loads. Always float64, so the hot loop stays
 * monomorphic whatever the tensors' dtype.
 */
function gemmNT(a: Float64Array, b: Float64Array, c: Float64Array, m: number, n: number, k: number): void {
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const a0 = i * k;
    const a1 = a0 + k;
    const a2 = a1 + k;
    const a3 = a2 + k;
    let j = 0;
    for (; j + 1 < n; j += 2) {
      const b0 = j * k;
      const b1 = b0 + k;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      let s20 = 0;
      let s21 = 0;
      let s30 = 0;
      let s31 = 0;
      for (let l = 0; l < k; l++) {
        const w0 = b[b0 + l];
        const w1 = b[b1 + l];
        const x0 = a[a0 + l];
        const x1 = a[a1 + l];
        const x2 = a[a2 + l];
        const x3 = a[a3 + l];
        s00 += x0 * w0;
        s01 += x0 * w1;
        s10 += x1 * w0;
        s11 += x1 * w1;
        s20 += x2 * w0;
        s21 += x2 * w1;
        s30 += x3 * w0;
        s31 += x3 * w1;
      }
      const o = i * n + j;
      c[o] = s00;
      c[o + 1] = s01;
      c[o + n] = s10;
      c[o + n + 1] = s11;
      c[o + 2 * n] = s20;
      c[o + 2 * n + 1] = s21;
      c[o + 3 * n] = s30;
      c[o + 3 * n + 1] = s31;
    }
    if (j < n) {
      const b0 = j * k;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let l = 0; l < k; l++) {
        const w = b[b0 + l];
        s0 += a[a0 + l] * w;
        s1 += a[a1 + l] * w;
        s2 += a[a2 + l] * w;
        s3 += a[a3 + l] * w;
      }
      const o = i * n + j;
      c[o] = s0;
      c[o + n] = s1;
      c[o + 2 * n] = s2;
      c[o + 3 * n] = s3;
    }
  }
  for (; i < m; i++) {
    const a0 = i * k;
    for (let j = 0; j < n; j++) {
      const b0 = j * k;
      let s = 0;
      for (let l = 0; l < k; l++) s += a[a0 + l] * b[b0 + l];
      c[i * n + j] = s;
    }
  }
}

/** Output pixels per im2col chunk: about 2^15 float64 scratch elements, a multiple of 4 unless it is all. */
function chunkRows(pixels: number, width: number): number {
  const rows = Math.max(4, Math.floor(32768 / Math.max(1, width)) & ~3);
  return Math.min(rows, pixels);
}

/**
 * im2col for output pixels p0 .. p0+rows-1 of image n: col[r*K + (kh*FW + kw)*C + ci] is the input cell under
 * filter tap (kh, kw, ci) for pixel p0 + r, or 0 where the tap falls in the padding.
 */
function im2col(
  x: FloatArray,
  n: number,
  p0: number,
  rows: number,
  g: Conv2DGeometry,
  col: Float64Array,
): void {
  const { inHeight: H, inWidth: W, inChannels: C, filterHeight: FH, filterWidth: FW, outWidth: OW } = g;
  const { strideHeight: SH, strideWidth: SW, dilationHeight: DH, dilationWidth: DW, padTop, padLeft } = g;
  const xImage = n * H * W * C;
  const rowLen = FW * C;
  let dst = 0;
  for (let r = 0; r < rows; r++) {
    const p = p0 + r;
    const oh = Math.floor(p / OW);
    const ih0 = oh * SH - padTop;
    const iw0 = (p - oh * OW) * SW - padLeft;
    for (let kh = 0; kh < FH; kh++) {
      const ih = ih0 + kh * DH;
      if (ih < 0 || ih >= H) {
        col.fill(0, dst, dst + rowLen);
        dst += rowLen;
        continue;
      }
      const xRow = xImage + ih * W * C;
      for (let kw = 0; kw < FW; kw++, dst += C) {
        const iw = iw0 + kw * DW;
        if (iw < 0 || iw >= W) {
          col.fill(0, dst, dst + C);
          continue;
        }
        const src = xRow + iw * C;
        for (let ci = 0; ci < C; ci++) col[dst + ci] = x[src + ci];
      }
    }
  }
}

/** The inverse scatter of im2col: adds dcol's rows into one image's accumulator, skipping padding taps. */
function col2imAdd(
  dcol: Float64Array,
  p0: number,
  rows: number,
  g: Conv2DGeometry,
  image: Float64Array,
): void {
  const { inHeight: H, inWidth: W, inChannels: C, filterHeight: FH, filterWidth: FW, outWidth: OW } = g;
  const { strideHeight: SH, strideWidth: SW, dilationHeight: DH, dilationWidth: DW, padTop, padLeft } = g;
  const rowLen = FW * C;
  let src = 0;
  for (let r = 0; r < rows; r++) {
    const p = p0 + r;
    const oh = Math.floor(p / OW);
    const ih0 = oh * SH - padTop;
    const iw0 = (p - oh * OW) * SW - padLeft;
    for (let kh = 0; kh < FH; kh++) {
      const ih = ih0 + kh * DH;
      if (ih < 0 || ih >= H) {
        src += rowLen;
        continue;
      }
      for (let kw = 0; kw < FW; kw++, src += C) {
        const iw = iw0 + kw * DW;
        if (iw < 0 || iw >= W) continue;
        const dst = (ih * W + iw) * C;
        for (let ci = 0; ci < C; ci++) image[dst + ci] += dcol[src + ci];
      }
    }
  }
}

/**
 * y = conv2d(x, filter): x [N,H,W,Cin], filter [fh,fw,Cin,Cout] (HWIO) -> y [N,outH,outW,Cout], of the same
 * array type as x. Each chunk of output pixels is unrolled into im2col rows of K = fh*fw*Cin taps, then
 * multiplied by the filter seen as a [K, Cout] matrix.
 */
export function conv2d(x: FloatArray, filter: FloatArray, g: Conv2DGeometry): FloatArray {
  const { batch: N, inHeight: H, inWidth: W, inChannels: C, outChannels: CO } = g;
  const { filterHeight: FH, filterWidth: FW, outHeight: OH, outWidth: OW } = g;
  checkLength('conv2d', 'x', x, N * H * W * C);
  checkLength('conv2d', 'filter', filter, FH * FW * C * CO);
  const K = FH * FW * C;
  const P = OH * OW;
  const y = allocLike(x, N * P * CO);
  if (y.length === 0) return y;
  // The filter transposed to [Cout, K], so both operands of the product have contiguous rows.
  const filterT = new Float64Array(CO * K);
  for (let k = 0; k < K; k++) for (let co = 0; co < CO; co++) filterT[co * K + k] = filter[k * CO + co];
  const chunk = chunkRows(P, Math.max(K, CO));
  const col = new Float64Array(chunk * K);
  const out = new Float64Array(chunk * CO);
  for (let n = 0; n < N; n++) {
    for (let p0 = 0; p0 < P; p0 += chunk) {
      const rows = Math.min(chunk, P - p0);
      im2col(x, n, p0, rows, g, col);
      gemmNT(col, filterT, out, rows, CO, K);
      y.set(rows === chunk ? out : out.subarray(0, rows * CO), (n * P + p0) * CO);
    }
  }
  return y;
}

/**
 * dx = d(sum(conv2d(x, filter) * dy)) / dx: dy [N,outH,outW,Cout], filter [fh,fw,Cin,Cout]
 * -> dx [N,H,W,Cin], of the same array type as dy. Computed as dcol = dy · filterᵀ, then col2im.
 */
export function conv2dBackpropInput(dy: FloatArray, filter: FloatArray, g: Conv2DGeometry): FloatArray {
  const { batch: N, inHeight: H, inWidth: W, inChannels: C, outChannels: CO } = g;
  const { filterHeight: FH, filterWidth: FW, outHeight: OH, outWidth: OW } = g;
  checkLength('conv2dBackpropInput', 'dy', dy, N * OH * OW * CO);
  checkLength('conv2dBackpropInput', 'filter', filter, FH * FW * C * CO);
  const K = FH * FW * C;
  const P = OH * OW;
  const imageSize = H * W * C;
  const dx = allocLike(dy, N * imageSize);
  if (dx.length === 0) return dx;
  const filter64 = filter instanceof Float64Array ? filter : Float64Array.from(filter);
  const chunk = chunkRows(P, Math.max(K, CO));
  const dyRows = new Float64Array(chunk * CO);
  const dcol = new Float64Array(chunk * K);
  const image = new Float64Array(imageSize);
  for (let n = 0; n < N; n++) {
    image.fill(0);
    for (let p0 = 0; p0 < P; p0 += chunk) {
      const rows = Math.min(chunk, P - p0);
      const start = (n * P + p0) * CO;
      dyRows.set(dy.subarray(start, start + rows * CO));
      // dcol[r, k] = sum_co dy[r, co] * filter[k, co]
      gemmNT(dyRows, filter64, dcol, rows, K, CO);
      col2imAdd(dcol, p0, rows, g, image);
    }
    dx.set(image, n * imageSize);
  }
  return dx;
}

/**
 * dfilter = d(sum(conv2d(x, filter) * dy)) / dfilter: x [N,H,W,Cin], dy [N,outH,outW,Cout]
 * -> dfilter [fh,fw,Cin,Cout], of the same array type as x. Computed as colᵀ · dy summed over chunks.
 */
export function conv2dBackpropFilter(x: FloatArray, dy: FloatArray, g: Conv2DGeometry): FloatArray {
  const { batch: N, inHeight: H, inWidth: W, inChannels: C, outChannels: CO } = g;
  const { filterHeight: FH, filterWidth: FW, outHeight: OH, outWidth: OW } = g;
  checkLength('conv2dBackpropFilter', 'x', x, N * H * W * C);
  checkLength('conv2dBackpropFilter', 'dy', dy, N * OH * OW * CO);
  const K = FH * FW * C;
  const P = OH * OW;
  const df = allocLike(x, K * CO);
  if (df.length === 0 || N === 0) return df;
  const chunk = chunkRows(P, Math.max(K, CO));
  const col = new Float64Array(chunk * K);
  const colT = new Float64Array(chunk * K);
  const dyT = new Float64Array(chunk * CO);
  const part = new Float64Array(K * CO);
  const acc = new Float64Array(K * CO);
  for (let n = 0; n < N; n++) {
    for (let p0 = 0; p0 < P; p0 += chunk) {
      const rows = Math.min(chunk, P - p0);
      im2col(x, n, p0, rows, g, col);
      for (let r = 0; r < rows; r++) for (let k = 0; k < K; k++) colT[k * rows + r] = col[r * K + k];
      const start = (n * P + p0) * CO;
      for (let r = 0; r < rows; r++)
        for (let co = 0; co < CO; co++) dyT[co * rows + r] = dy[start + r * CO + co];
      // part[k, co] = sum_r col[r, k] * dy[r, co]
      gemmNT(colT, dyT, part, K, CO, rows);
      for (let i = 0; i < acc.length; i++) acc[i] += part[i];
    }
  }
  df.set(acc);
  return df;
}

/** activation(conv2d(x, filter) + bias): the reference for the fused kernels (bias [outChannels]). */
export function conv2dBiasActivation(
  x: FloatArray,
  filter: FloatArray,
  bias: FloatArray,
  g: Conv2DGeometry,
  activation: 'linear' | 'relu',
): FloatArray {
  checkLength('fusedConv2d', 'bias', bias, g.outChannels);
  const y = conv2d(x, filter, g);
  const CO = g.outChannels;
  for (let i = 0; i < y.length; i += CO) {
    for (let c = 0; c < CO; c++) {
      const v = y[i + c]! + bias[c]!;
      // relu keeps NaN, as the relu op does
      y[i + c] = activation === 'relu' && v <= 0 ? 0 : v;
    }
  }
  return y;
}
