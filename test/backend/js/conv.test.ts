import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type Conv2DGeometry,
  type Conv2DPadding,
  conv2d,
  conv2dBackpropFilter,
  conv2dBackpropInput,
  conv2dGeometry,
} from '../../../src/backend/js/conv.js';

interface Tensor {
  shape: number[];
  data: number[];
}
interface ConvRecord {
  params: { stride: number; padding: 'same' | 'valid'; tf_same_pad_before_after: [number, number] };
  x: Tensor;
  kernel: Tensor;
  bias: Tensor;
  output: Tensor;
  W: Tensor;
  grads: { x: Tensor; kernel: Tensor; bias: Tensor };
}

const golden = JSON.parse(
  readFileSync(new URL('../../fixtures/golden-conv-pool.json', import.meta.url), 'utf8'),
) as Record<string, ConvRecord>;

const TOL = 1e-9;

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = TOL): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  expect(worst, `max abs error at flat index ${at}`).toBeLessThanOrEqual(tol);
}

/** A small deterministic generator (LCG) of values in [-1, 1). */
function randomArray(size: number, seed: number): Float64Array {
  const out = new Float64Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Straight-from-the-definition NHWC/HWIO convolution with explicit pads [top, bottom, left, right]. */
function naiveConv(
  x: Float64Array,
  [n, h, w, c]: number[],
  f: Float64Array,
  [fh, fw, , co]: number[],
  [sh, sw]: [number, number],
  [pt, pb, pl, pr]: [number, number, number, number],
  [dh, dw]: [number, number],
): { y: Float64Array; oh: number; ow: number } {
  const oh = Math.floor((h + pt + pb - (fh! - 1) * dh - 1) / sh) + 1;
  const ow = Math.floor((w + pl + pr - (fw! - 1) * dw - 1) / sw) + 1;
  const y = new Float64Array(n! * oh * ow * co!);
  const xAt = (b: number, i: number, j: number, k: number) =>
    i < 0 || i >= h! || j < 0 || j >= w! ? 0 : x[((b * h! + i) * w! + j) * c! + k]!;
  for (let b = 0; b < n!; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let o = 0; o < co!; o++) {
          let s = 0;
          for (let p = 0; p < fh!; p++)
            for (let q = 0; q < fw!; q++)
              for (let k = 0; k < c!; k++)
                s +=
                  xAt(b, i * sh - pt + p * dh, j * sw - pl + q * dw, k) *
                  f[((p * fw! + q) * c! + k) * co! + o]!;
          y[((b * oh + i) * ow + j) * co! + o] = s;
        }
  return { y, oh, ow };
}

describe('conv2dGeometry', () => {
  it("'valid' follows out = ceil((in - (f-1)*d) / s)", () => {
    const g = conv2dGeometry('conv2d', [2, 9, 8, 3], 3, 3, 4, [1, 2], 'valid', [2, 2]);
    expect(g).toEqual({
      batch: 2,
      inHeight: 9,
      inWidth: 8,
      inChannels: 3,
      filterHeight: 3,
      filterWidth: 3,
      outChannels: 4,
      strideHeight: 1,
      strideWidth: 2,
      dilationHeight: 2,
      dilationWidth: 2,
      padTop: 0,
      padBottom: 0,
      padLeft: 0,
      padRight: 0,
      outHeight: 5,
      outWidth: 2,
    });
  });

  it("'same' pads TensorFlow's way, the extra cell after", () => {
    const a = conv2dGeometry('conv2d', [1, 7, 6, 1], 4, 2, 1, [1, 1], 'same', [1, 1]);
    expect([a.outHeight, a.padTop, a.padBottom, a.outWidth, a.padLeft, a.padRight]).toEqual([
      7, 1, 2, 6, 0, 1,
    ]);
    const b = conv2dGeometry('conv2d', [1, 7, 7, 1], 3, 4, 1, [2, 2], 'same', [2, 1]);
    expect([b.outHeight, b.padTop, b.padBottom, b.outWidth, b.padLeft, b.padRight]).toEqual([
      4, 2, 2, 4, 1, 2,
    ]);
    // Stride larger than the filter: no padding needed, never negative.
    const c = conv2dGeometry('conv2d', [1, 6, 6, 1], 1, 1, 1, [3, 3], 'same', [1, 1]);
    expect([c.outHeight, c.padTop, c.padBottom]).toEqual([2, 0, 0]);
  });

  it('accepts explicit padding', () => {
    const g = conv2dGeometry(
      'conv2d',
      [1, 5, 6, 2],
      3,
      2,
      3,
      [2, 1],
      [
        [1, 0],
        [2, 1],
      ],
      [1, 2],
    );
    expect([g.padTop, g.padBottom, g.padLeft, g.padRight]).toEqual([1, 0, 2, 1]);
    expect([g.outHeight, g.outWidth]).toEqual([2, 7]);
  });

  it('throws a RangeError naming the op, input shape and filter size when the output is empty', () => {
    const call = () => conv2dGeometry('myConv', [1, 2, 5, 1], 3, 3, 1, [1, 1], 'valid', [1, 1]);
    expect(call).toThrow(RangeError);
    expect(call).toThrow(/myConv/);
    expect(call).toThrow(/\[1, 2, 5, 1\]/);
    expect(call).toThrow(/3x3/);
    // Dilation makes a 3x3 filter span 5 cells.
    expect(() => conv2dGeometry('c', [1, 4, 4, 1], 3, 3, 1, [1, 1], 'valid', [2, 2])).toThrow(/too small/);
    expect(() => conv2dGeometry('c', [1, 0, 4, 1], 1, 1, 1, [1, 1], 'same', [1, 1])).toThrow(RangeError);
  });

  it('rejects malformed arguments', () => {
    expect(() => conv2dGeometry('c', [1, 4, 4], 1, 1, 1, [1, 1], 'valid', [1, 1])).toThrow(/4-D/);
    expect(() => conv2dGeometry('c', [1, 4, 4, 1], 1, 1, 1, [0, 1], 'valid', [1, 1])).toThrow(/stride/);
    expect(() => conv2dGeometry('c', [1, 4, 4, 1], 1, 1, 1, [1, 1], 'valid', [1, 1.5])).toThrow(/dilation/);
    expect(() =>
      conv2dGeometry(
        'c',
        [1, 4, 4, 1],
        1,
        1,
        1,
        [1, 1],
        [
          [-1, 0],
          [0, 0],
        ],
        [1, 1],
      ),
    ).toThrow(/padding/);
  });
});

describe('conv2d against PyTorch golden values (NHWC/HWIO)', () => {
  for (const name of ['conv2d_s1_valid', 'conv2d_s1_same', 'conv2d_s2_valid', 'conv2d_s2_same']) {
    it(name, () => {
      const r = golden[name]!;
      const [fh, fw, , cout] = r.kernel.shape as [number, number, number, number];
      const s = r.params.stride;
      const g = conv2dGeometry('conv2d', r.x.shape, fh, fw, cout, [s, s], r.params.padding, [1, 1]);
      const [before, after] = r.params.tf_same_pad_before_after;
      expect([g.padTop, g.padBottom, g.padLeft, g.padRight]).toEqual([before, after, before, after]);
      expect([g.batch, g.outHeight, g.outWidth, g.outChannels]).toEqual(r.output.shape);

      const x = Float64Array.from(r.x.data);
      const kernel = Float64Array.from(r.kernel.data);
      const y = conv2d(x, kernel, g);
      expect(y).toBeInstanceOf(Float64Array);
      for (let i = 0; i < y.length; i++) y[i]! += r.bias.data[i % cout];
      expectClose(y, r.output.data);

      const upstream = Float64Array.from(r.W.data);
      const dx = conv2dBackpropInput(upstream, kernel, g);
      expect(dx).toBeInstanceOf(Float64Array);
      expectClose(dx, r.grads.x.data);
      const dk = conv2dBackpropFilter(x, upstream, g);
      expect(dk).toBeInstanceOf(Float64Array);
      expectClose(dk, r.grads.kernel.data);
      const dbias = new Float64Array(cout);
      for (let i = 0; i < upstream.length; i++) dbias[i % cout]! += upstream[i];
      expectClose(dbias, r.grads.bias.data);
    });
  }
});

describe('conv2d against a naive reference', () => {
  const cases: {
    label: string;
    xShape: [number, number, number, number];
    fShape: [number, number, number, number];
    strides: [number, number];
    padding: Conv2DPadding;
    dilations: [number, number];
    pads: [number, number, number, number];
  }[] = [
    {
      label: "dilation 2, 'valid'",
      xShape: [2, 9, 8, 3],
      fShape: [3, 3, 3, 4],
      strides: [1, 1],
      padding: 'valid',
      dilations: [2, 2],
      pads: [0, 0, 0, 0],
    },
    {
      label: "dilation 2, 'same', stride 2",
      xShape: [2, 7, 8, 2],
      fShape: [3, 2, 2, 3],
      strides: [2, 2],
      padding: 'same',
      dilations: [2, 2],
      // H: eff 5, out 4, total 6+5-7 = 4 -> (2, 2); W: eff 3, out 4, total 6+3-8 = 1 -> (0, 1)
      pads: [2, 2, 0, 1],
    },
    {
      label: "'same' with even filter sizes (4x2), stride 1",
      xShape: [2, 7, 6, 3],
      fShape: [4, 2, 3, 5],
      strides: [1, 1],
      padding: 'same',
      dilations: [1, 1],
      pads: [1, 2, 0, 1],
    },
    {
      label: "'same' with even filter sizes (2x4), stride 2",
      xShape: [1, 6, 7, 2],
      fShape: [2, 4, 2, 3],
      strides: [2, 2],
      padding: 'same',
      dilations: [1, 1],
      // H: out 3, total 4+2-6 = 0; W: out 4, total 6+4-7 = 3 -> (1, 2)
      pads: [0, 0, 1, 2],
    },
    {
      label: 'explicit padding, mixed strides and dilations',
      xShape: [2, 5, 6, 2],
      fShape: [3, 2, 2, 3],
      strides: [2, 1],
      padding: [
        [1, 0],
        [2, 1],
      ],
      dilations: [1, 2],
      pads: [1, 0, 2, 1],
    },
    {
      label: '1x1 filter, stride 3, single channels',
      xShape: [3, 7, 5, 1],
      fShape: [1, 1, 1, 1],
      strides: [3, 3],
      padding: 'same',
      dilations: [1, 1],
      pads: [0, 0, 0, 0],
    },
  ];

  for (const [index, c] of cases.entries()) {
    it(c.label, () => {
      const [fh, fw, , cout] = c.fShape;
      const g: Conv2DGeometry = conv2dGeometry(
        'conv2d',
        c.xShape,
        fh,
        fw,
        cout,
        c.strides,
        c.padding,
        c.dilations,
      );
      expect([g.padTop, g.padBottom, g.padLeft, g.padRight]).toEqual(c.pads);
      const xSize = c.xShape.reduce((a, b) => a * b);
      const fSize = c.fShape.reduce((a, b) => a * b);
      const x = randomArray(xSize, 17 + index);
      const f = randomArray(fSize, 101 + index);
      const ref = naiveConv(x, c.xShape, f, c.fShape, c.strides, c.pads, c.dilations);
      expect([g.outHeight, g.outWidth]).toEqual([ref.oh, ref.ow]);
      const y = conv2d(x, f, g);
      expectClose(y, ref.y);

      // Gradients, independently of the kernels: conv is linear in each argument, so
      // dx[i] = <conv(e_i, f), dy> and dfilter[j] = <conv(x, e_j), dy>.
      const dy = randomArray(y.length, 7 + index);
      const dx = conv2dBackpropInput(dy, f, g);
      const dxRef = new Float64Array(xSize);
      for (let i = 0; i < xSize; i++) {
        const e = new Float64Array(xSize);
        e[i] = 1;
        dxRef[i] = dot(naiveConv(e, c.xShape, f, c.fShape, c.strides, c.pads, c.dilations).y, dy);
      }
      expectClose(dx, dxRef);
      const df = conv2dBackpropFilter(x, dy, g);
      const dfRef = new Float64Array(fSize);
      for (let j = 0; j < fSize; j++) {
        const e = new Float64Array(fSize);
        e[j] = 1;
        dfRef[j] = dot(naiveConv(x, c.xShape, e, c.fShape, c.strides, c.pads, c.dilations).y, dy);
      }
      expectClose(df, dfRef);
    });
  }
});

describe('conv2d array types and validation', () => {
  it('returns Float32Array for float32 inputs, accurate to float32 rounding', () => {
    const g = conv2dGeometry('conv2d', [2, 6, 5, 3], 3, 3, 4, [1, 1], 'same', [1, 1]);
    const x64 = randomArray(2 * 6 * 5 * 3, 3);
    const f64 = randomArray(3 * 3 * 3 * 4, 4);
    const x32 = Float32Array.from(x64);
    const f32 = Float32Array.from(f64);
    const y32 = conv2d(x32, f32, g);
    expect(y32).toBeInstanceOf(Float32Array);
    expectClose(y32, conv2d(Float64Array.from(x32), Float64Array.from(f32), g), 1e-6);
    const dy = Float32Array.from(randomArray(y32.length, 5));
    expect(conv2dBackpropInput(dy, f32, g)).toBeInstanceOf(Float32Array);
    expect(conv2dBackpropFilter(x32, dy, g)).toBeInstanceOf(Float32Array);
  });

  it('propagates NaN from the input', () => {
    const g = conv2dGeometry('conv2d', [1, 3, 3, 1], 2, 2, 1, [1, 1], 'valid', [1, 1]);
    const x = new Float64Array(9);
    x[0] = Number.NaN;
    const y = conv2d(x, Float64Array.of(1, 1, 1, 1), g);
    expect(Array.from(y, Number.isNaN)).toEqual([true, false, false, false]);
  });

  it('rejects arrays whose length does not match the geometry', () => {
    const g = conv2dGeometry('conv2d', [1, 3, 3, 1], 2, 2, 1, [1, 1], 'valid', [1, 1]);
    expect(() => conv2d(new Float64Array(8), new Float64Array(4), g)).toThrow(RangeError);
    expect(() => conv2d(new Float64Array(9), new Float64Array(3), g)).toThrow(/filter/);
    expect(() => conv2dBackpropInput(new Float64Array(3), new Float64Array(4), g)).toThrow(/dy/);
    expect(() => conv2dBackpropFilter(new Float64Array(9), new Float64Array(5), g)).toThrow(/dy/);
  });

  it('handles an empty batch', () => {
    const g = conv2dGeometry('conv2d', [0, 4, 4, 2], 3, 3, 2, [1, 1], 'same', [1, 1]);
    expect(conv2d(new Float64Array(0), new Float64Array(36), g).length).toBe(0);
    expect(conv2dBackpropFilter(new Float64Array(0), new Float64Array(0), g)).toEqual(new Float64Array(36));
  });
});
