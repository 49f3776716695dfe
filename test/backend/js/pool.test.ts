import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  avgPool,
  avgPoolBackprop,
  maxPool,
  maxPoolBackprop,
  pool2dGeometry,
} from '../../../src/backend/js/pool.js';

interface Tensor {
  shape: number[];
  data: number[];
}
interface PoolRecord {
  params: { pool_size: number; strides: number; padding: 'same' | 'valid' };
  x: Tensor;
  output: Tensor;
  W: Tensor;
  grads: { x: Tensor };
}

const golden = JSON.parse(
  readFileSync(new URL('../../fixtures/golden-conv-pool.json', import.meta.url), 'utf8'),
) as Record<string, PoolRecord>;

const TOL = 1e-9;

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = TOL): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) || !Number.isFinite(e)) expect(a, `index ${i}`).toBe(e);
    else expect(Math.abs(a - e), `index ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(tol);
  }
}

function randomArray(size: number, seed: number): Float64Array {
  const out = new Float64Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

function recordGeometry(r: PoolRecord) {
  const k = r.params.pool_size;
  const s = r.params.strides;
  return pool2dGeometry('pool', r.x.shape, [k, k], [s, s], r.params.padding);
}

describe('pooling against PyTorch golden values (NHWC)', () => {
  for (const name of ['max_pool2d_k2_s2', 'max_pool2d_k3_s2_5x5']) {
    it(name, () => {
      const r = golden[name]!;
      const g = recordGeometry(r);
      expect([g.batch, g.outHeight, g.outWidth, g.outChannels]).toEqual(r.output.shape);
      const x = Float64Array.from(r.x.data);
      const { y, argmax } = maxPool(x, g);
      expect(y).toBeInstanceOf(Float64Array);
      expectClose(y, r.output.data);
      for (let i = 0; i < y.length; i++) expect(x[argmax[i]!]).toBe(y[i]);
      const dx = maxPoolBackprop(Float64Array.from(r.W.data), argmax, x.length, Float64Array);
      expect(dx).toBeInstanceOf(Float64Array);
      expectClose(dx, r.grads.x.data);
    });
  }

  it('avg_pool2d_k2_s2', () => {
    const r = golden['avg_pool2d_k2_s2']!;
    const g = recordGeometry(r);
    const y = avgPool(Float64Array.from(r.x.data), g);
    expect(y).toBeInstanceOf(Float64Array);
    expectClose(y, r.output.data);
    const dx = avgPoolBackprop(Float64Array.from(r.W.data), g, Float64Array);
    expect(dx).toBeInstanceOf(Float64Array);
    expectClose(dx, r.grads.x.data);
  });
});

/** Naive NHWC pooling over the in-range cells of each window, with pads [top, left]. */
function naivePool(
  x: Float64Array,
  [n, h, w, c]: number[],
  [kh, kw]: [number, number],
  [sh, sw]: [number, number],
  [pt, pl]: [number, number],
  [oh, ow]: [number, number],
  mode: 'max' | 'avg',
): Float64Array {
  const y = new Float64Array(n! * oh * ow * c!);
  for (let b = 0; b < n!; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let k = 0; k < c!; k++) {
          const vals: number[] = [];
          for (let p = 0; p < kh; p++)
            for (let q = 0; q < kw; q++) {
              const ii = i * sh - pt + p;
              const jj = j * sw - pl + q;
              if (ii >= 0 && ii < h! && jj >= 0 && jj < w!) vals.push(x[((b * h! + ii) * w! + jj) * c! + k]!);
            }
          y[((b * oh + i) * ow + j) * c! + k] =
            mode === 'max' ? Math.max(...vals) : vals.reduce((s, v) => s + v, 0) / vals.length;
        }
  return y;
}

describe("'same' pooling against a naive reference", () => {
  const cases: {
    label: string;
    xShape: [number, number, number, number];
    pool: [number, number];
    strides: [number, number];
    expected: { out: [number, number]; pads: [number, number, number, number] };
  }[] = [
    // H: out 3, total 4+2-5 = 1 -> (0, 1); W: out 4, total 6+2-7 = 1 -> (0, 1)
    {
      label: '2x2 / 2 on 5x7',
      xShape: [2, 5, 7, 3],
      pool: [2, 2],
      strides: [2, 2],
      expected: { out: [3, 4], pads: [0, 1, 0, 1] },
    },
    // H: out 5, total 4+4-5 = 3 -> (1, 2); W: out 6, total 5+3-6 = 2 -> (1, 1)
    {
      label: '4x3 / 1 on 5x6',
      xShape: [1, 5, 6, 2],
      pool: [4, 3],
      strides: [1, 1],
      expected: { out: [5, 6], pads: [1, 2, 1, 1] },
    },
    // H: out 3, total 4+3-6 = 1 -> (0, 1); W: out 2, total 2+3-4 = 1 -> (0, 1)
    {
      label: '3x3 / 2 on 6x4',
      xShape: [2, 6, 4, 1],
      pool: [3, 3],
      strides: [2, 2],
      expected: { out: [3, 2], pads: [0, 1, 0, 1] },
    },
  ];
  for (const [index, c] of cases.entries()) {
    it(c.label, () => {
      const g = pool2dGeometry('pool', c.xShape, c.pool, c.strides, 'same');
      expect([g.outHeight, g.outWidth]).toEqual(c.expected.out);
      expect([g.padTop, g.padBottom, g.padLeft, g.padRight]).toEqual(c.expected.pads);
      expect([g.outChannels, g.dilationHeight, g.dilationWidth]).toEqual([c.xShape[3], 1, 1]);
      const size = c.xShape.reduce((a, b) => a * b);
      // All-negative input, so a padding cell read as 0 would win the max.
      const x = randomArray(size, 31 + index).map((v) => v - 2);
      const pads: [number, number] = [g.padTop, g.padLeft];
      const out: [number, number] = [g.outHeight, g.outWidth];

      const { y, argmax } = maxPool(x, g);
      expectClose(y, naivePool(x, c.xShape, c.pool, c.strides, pads, out, 'max'));
      for (let i = 0; i < y.length; i++) expect(x[argmax[i]!]).toBe(y[i]);
      const yAvg = avgPool(x, g);
      expectClose(yAvg, naivePool(x, c.xShape, c.pool, c.strides, pads, out, 'avg'));

      // Backprops: avg pool is linear, so dx[i] = <avgPool(e_i), dy>; max pool is linear near x
      // (no ties), so dx[i] = d<maxPool(x), dy>/dx[i] = sum of dy over the windows i wins.
      const dy = randomArray(y.length, 7 + index);
      const dxAvg = avgPoolBackprop(dy, g, Float64Array);
      const dxMax = maxPoolBackprop(dy, argmax, size, Float64Array);
      const refAvg = new Float64Array(size);
      const refMax = new Float64Array(size);
      for (let i = 0; i < size; i++) {
        const e = new Float64Array(size);
        e[i] = 1;
        const ya = naivePool(e, c.xShape, c.pool, c.strides, pads, out, 'avg');
        const bumped = Float64Array.from(x);
        bumped[i]! += 1e-7;
        const yb = naivePool(bumped, c.xShape, c.pool, c.strides, pads, out, 'max');
        for (let o = 0; o < dy.length; o++) {
          refAvg[i]! += ya[o]! * dy[o]!;
          refMax[i]! += ((yb[o]! - y[o]!) / 1e-7) * dy[o]!;
        }
      }
      expectClose(dxAvg, refAvg);
      expectClose(dxMax, refMax, 1e-6);
    });
  }
});

describe('maxPool edge cases', () => {
  const g = pool2dGeometry('maxPool', [1, 2, 2, 1], [2, 2], [1, 1], 'valid');

  it('gives ties to the first cell in window order', () => {
    const { y, argmax } = maxPool(Float64Array.of(1, 3, 3, 3), g);
    expect(Array.from(y)).toEqual([3]);
    expect(Array.from(argmax)).toEqual([1]);
  });

  it('propagates NaN, pointing at the first NaN', () => {
    for (const x of [Float64Array.of(1, Number.NaN, 5, Number.NaN), Float64Array.of(Number.NaN, 2, 3, 4)]) {
      const { y, argmax } = maxPool(x, g);
      expect(Number.isNaN(y[0])).toBe(true);
      expect(argmax[0]).toBe(x.findIndex(Number.isNaN));
    }
  });

  it('never picks a padding cell, even when every input is -Infinity', () => {
    const gs = pool2dGeometry('maxPool', [1, 3, 3, 1], [2, 2], [2, 2], 'same');
    expect([gs.padBottom, gs.padRight]).toEqual([1, 1]);
    const x = new Float64Array(9).fill(Number.NEGATIVE_INFINITY);
    const { y, argmax } = maxPool(x, gs);
    expect(Array.from(y)).toEqual([-Infinity, -Infinity, -Infinity, -Infinity]);
    expect(Array.from(argmax)).toEqual([0, 2, 6, 8]);
  });

  it('accumulates gradients where overlapping windows share a winner', () => {
    const g3 = pool2dGeometry('maxPool', [1, 3, 3, 1], [2, 2], [1, 1], 'valid');
    const { argmax } = maxPool(Float64Array.of(0, 0, 0, 0, 9, 0, 0, 0, 0), g3);
    expect(Array.from(argmax)).toEqual([4, 4, 4, 4]);
    const dx = maxPoolBackprop(Float64Array.of(1, 2, 3, 4), argmax, 9, Float64Array);
    expect(Array.from(dx)).toEqual([0, 0, 0, 0, 10, 0, 0, 0, 0]);
  });

  it('keeps float32 inputs float32', () => {
    const x = Float32Array.of(0.1, 0.2, 0.3, 0.4);
    const { y } = maxPool(x, g);
    expect(y).toBeInstanceOf(Float32Array);
    expect(y[0]).toBe(Math.fround(0.4));
    const ya = avgPool(x, g);
    expect(ya).toBeInstanceOf(Float32Array);
    expect(ya[0]).toBeCloseTo(0.25, 6);
    expect(avgPoolBackprop(Float32Array.of(1), g, Float32Array)).toBeInstanceOf(Float32Array);
    expect(maxPoolBackprop(Float32Array.of(1), Int32Array.of(3), 4, Float32Array)).toEqual(
      Float32Array.of(0, 0, 0, 1),
    );
  });
});

describe('pool2dGeometry', () => {
  it('throws a RangeError naming the op, input shape and window size when the output is empty', () => {
    const call = () => pool2dGeometry('maxPool', [1, 2, 2, 1], [3, 3], [1, 1], 'valid');
    expect(call).toThrow(RangeError);
    expect(call).toThrow(/maxPool/);
    expect(call).toThrow(/\[1, 2, 2, 1\]/);
    expect(call).toThrow(/3x3/);
  });
});
