/**
 * Reference 2-D max and average pooling kernels in TensorFlow's NHWC layout, in plain JavaScript.
 *
 * x, dx: [batch, inHeight, inWidth, channels]; y, dy: [batch, outHeight, outWidth, channels].
 * Window cells that fall in the padding are ignored: max pooling never picks them (TensorFlow pads with
 * -Infinity) and average pooling divides by the number of in-range cells (TensorFlow's 'same' rule).
 * The kernels honour the geometry's dilation fields, though pool2dGeometry always sets them to 1.
 */
import type { FloatArray } from '../dtype.js';
import { type Conv2DGeometry, type Conv2DPadding, checkLength, conv2dGeometry } from './conv.js';

export type FloatArrayConstructor = Float32ArrayConstructor | Float64ArrayConstructor;

/**
 * Geometry of a 2-D pooling window over an NHWC input (no dilation; outChannels = channels), with
 * TensorFlow's 'valid'/'same' rule, or explicit padding [[top, bottom], [left, right]].
 * Throws a RangeError naming `opName` when the output would be empty.
 */
export function pool2dGeometry(
  opName: string,
  xShape: readonly number[],
  poolSize: readonly [number, number],
  strides: readonly [number, number],
  padding: Conv2DPadding,
): Conv2DGeometry {
  return conv2dGeometry(opName, xShape, poolSize[0], poolSize[1], xShape[3] ?? 0, strides, padding, [1, 1]);
}

function checkPoolGeometry(opName: string, g: Conv2DGeometry): void {
  if (g.outChannels !== g.inChannels) {
    throw new RangeError(
      `${opName}: pooling needs outChannels = inChannels, got ${g.outChannels} and ${g.inChannels}`,
    );
  }
}

/**
 * The gradient of a convolution's output [N, OH, OW, CO] (geometry `g`) that was max-pooled: each pooled
 * gradient added at its window's winner (`argmax`, -1 for an empty window), only where the pooled output
 * `mask` is > 0 when one is given (relu's gradient, read from the pooled output).
 */
export function routePooledGradient(
  dPooled: FloatArray,
  mask: FloatArray | null,
  argmax: Int32Array,
  g: Conv2DGeometry,
): FloatArray {
  const size = g.batch * g.outHeight * g.outWidth * g.outChannels;
  const dz = dPooled instanceof Float64Array ? new Float64Array(size) : new Float32Array(size);
  for (let q = 0; q < dPooled.length; q++) {
    const at = argmax[q]!;
    if (at >= 0 && (mask === null || mask[q]! > 0)) dz[at]! += dPooled[q];
  }
  return dz;
}

/**
 * Max pooling. Returns y [N,outH,outW,C] and, per output element, `argmax`: the flat index into x of the
 * winning element. On ties the first cell in window order (row-major over the window) wins; a window that
 * holds a NaN gives NaN, with argmax at its first NaN. A window with no in-range cell (possible only with
 * explicit padding) gives -Infinity with argmax -1.
 */
export function maxPool(x: FloatArray, g: Conv2DGeometry): { y: FloatArray; argmax: Int32Array } {
  checkPoolGeometry('maxPool', g);
  const { batch: N, inHeight: H, inWidth: W, inChannels: C, filterHeight: FH, filterWidth: FW } = g;
  const { outHeight: OH, outWidth: OW, strideHeight: SH, strideWidth: SW } = g;
  const { dilationHeight: DH, dilationWidth: DW, padTop, padLeft } = g;
  checkLength('maxPool', 'x', x, N * H * W * C);
  const size = N * OH * OW * C;
  const y = x instanceof Float64Array ? new Float64Array(size) : new Float32Array(size);
  const argmax = new Int32Array(size);
  for (let n = 0; n < N; n++) {
    const xImage = n * H * W * C;
    for (let oh = 0; oh < OH; oh++) {
      const ih0 = oh * SH - padTop;
      for (let ow = 0; ow < OW; ow++) {
        const iw0 = ow * SW - padLeft;
        const o = ((n * OH + oh) * OW + ow) * C;
        let first = true;
        for (let kh = 0; kh < FH; kh++) {
          const ih = ih0 + kh * DH;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < FW; kw++) {
            const iw = iw0 + kw * DW;
            if (iw < 0 || iw >= W) continue;
            const base = xImage + (ih * W + iw) * C;
            if (first) {
              for (let c = 0; c < C; c++) {
                y[o + c] = x[base + c];
                argmax[o + c] = base + c;
              }
              first = false;
              continue;
            }
            for (let c = 0; c < C; c++) {
              const v = x[base + c];
              const best = y[o + c];
              // Strictly greater keeps the first max; a NaN replaces any non-NaN and is never replaced.
              if (v > best || (Number.isNaN(v) && !Number.isNaN(best))) {
                y[o + c] = v;
                argmax[o + c] = base + c;
              }
            }
          }
        }
        if (first) {
          y.fill(Number.NEGATIVE_INFINITY, o, o + C);
          argmax.fill(-1, o, o + C);
        }
      }
    }
  }
  return { y, argmax };
}

/**
 * Gradient of max pooling: dx (of length xSize, type ArrayType) with each dy[i] added at argmax[i]
 * (accumulating where overlapping windows share a winner; entries with argmax -1 are dropped).
 */
export function maxPoolBackprop(
  dy: FloatArray,
  argmax: Int32Array,
  xSize: number,
  ArrayType: FloatArrayConstructor,
): FloatArray {
  checkLength('maxPoolBackprop', 'argmax', argmax, dy.length);
  if (!Number.isInteger(xSize) || xSize < 0) {
    throw new RangeError(`maxPoolBackprop: xSize must be a non-negative integer, got ${xSize}`);
  }
  const dx = new ArrayType(xSize);
  for (let i = 0; i < dy.length; i++) {
    const j = argmax[i];
    if (j < 0) continue;
    if (j >= xSize) throw new RangeError(`maxPoolBackprop: argmax ${j} is out of range for xSize ${xSize}`);
    dx[j] += dy[i];
  }
  return dx;
}

/**
 * Average pooling: each output is the mean of the in-range cells of its window (padding cells are not
 * counted). A window with no in-range cell (possible only with explicit padding) gives 0.
 */
export function avgPool(x: FloatArray, g: Conv2DGeometry): FloatArray {
  checkPoolGeometry('avgPool', g);
  const { batch: N, inHeight: H, inWidth: W, inChannels: C, filterHeight: FH, filterWidth: FW } = g;
  const { outHeight: OH, outWidth: OW, strideHeight: SH, strideWidth: SW } = g;
  const { dilationHeight: DH, dilationWidth: DW, padTop, padLeft } = g;
  checkLength('avgPool', 'x', x, N * H * W * C);
  const size = N * OH * OW * C;
  const y = x instanceof Float64Array ? new Float64Array(size) : new Float32Array(size);
  const acc = new Float64Array(C);
  for (let n = 0; n < N; n++) {
    const xImage = n * H * W * C;
    for (let oh = 0; oh < OH; oh++) {
      const ih0 = oh * SH - padTop;
      for (let ow = 0; ow < OW; ow++) {
        const iw0 = ow * SW - padLeft;
        acc.fill(0);
        let count = 0;
        for (let kh = 0; kh < FH; kh++) {
          const ih = ih0 + kh * DH;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < FW; kw++) {
            const iw = iw0 + kw * DW;
            if (iw < 0 || iw >= W) continue;
            const base = xImage + (ih * W + iw) * C;
            for (let c = 0; c < C; c++) acc[c] += x[base + c];
            count++;
          }
        }
        const o = ((n * OH + oh) * OW + ow) * C;
        if (count === 0) continue;
        for (let c = 0; c < C; c++) y[o + c] = acc[c] / count;
      }
    }
  }
  return y;
}

/** Gradient of average pooling: each dy is spread evenly over the in-range cells of its window. */
export function avgPoolBackprop(
  dy: FloatArray,
  g: Conv2DGeometry,
  ArrayType: FloatArrayConstructor,
): FloatArray {
  checkPoolGeometry('avgPoolBackprop', g);
  const { batch: N, inHeight: H, inWidth: W, inChannels: C, filterHeight: FH, filterWidth: FW } = g;
  const { outHeight: OH, outWidth: OW, strideHeight: SH, strideWidth: SW } = g;
  const { dilationHeight: DH, dilationWidth: DW, padTop, padLeft } = g;
  checkLength('avgPoolBackprop', 'dy', dy, N * OH * OW * C);
  const imageSize = H * W * C;
  const dx = new ArrayType(N * imageSize);
  const acc = new Float64Array(imageSize);
  for (let n = 0; n < N; n++) {
    acc.fill(0);
    for (let oh = 0; oh < OH; oh++) {
      const ih0 = oh * SH - padTop;
      const ihLo = Math.max(0, Math.ceil(-ih0 / DH));
      const ihHi = Math.min(FH, Math.ceil((H - ih0) / DH));
      const rows = Math.max(0, ihHi - ihLo);
      for (let ow = 0; ow < OW; ow++) {
        const iw0 = ow * SW - padLeft;
        const iwLo = Math.max(0, Math.ceil(-iw0 / DW));
        const iwHi = Math.min(FW, Math.ceil((W - iw0) / DW));
        const count = rows * Math.max(0, iwHi - iwLo);
        if (count === 0) continue;
        const o = ((n * OH + oh) * OW + ow) * C;
        for (let kh = ihLo; kh < ihHi; kh++) {
          const ih = ih0 + kh * DH;
          for (let kw = iwLo; kw < iwHi; kw++) {
            const base = (ih * W + iw0 + kw * DW) * C;
            for (let c = 0; c < C; c++) acc[base + c] += dy[o + c] / count;
          }
        }
      }
    }
    dx.set(acc, n * imageSize);
  }
  return dx;
}
